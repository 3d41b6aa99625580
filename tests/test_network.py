"""The MLP contract: shapes, the published 2-3-1 numbers, initialisers, and every bad input."""
import warnings

import numpy as np
import pytest
from conftest import PUBLISHED_231

from backprop_lib import MLP, init_std


def net_231():
    return MLP.from_params({k: np.array(v) for k, v in PUBLISHED_231["params"].items()})


# ---------------------------------------------------------------- contract and shapes
def test_params_keys_and_shapes():
    net = MLP([4, 5, 3, 2], seed=0)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net.params["W1"].shape == (5, 4) and net.params["b1"].shape == (5, 1)
    assert net.params["W3"].shape == (2, 3) and net.params["b3"].shape == (2, 1)
    assert net.num_layers == 3 and net.num_params == 5 * 4 + 5 + 3 * 5 + 3 + 2 * 3 + 2


def test_forward_and_backward_shapes():
    net = MLP([4, 5, 3], activation="tanh", output_activation="softmax", loss="softmax_ce", seed=1)
    X = np.random.default_rng(0).normal(size=(4, 7))
    Y = np.eye(3)[:, [0, 1, 2, 0, 1, 2, 0]]
    out, cache = net.forward(X)
    assert out.shape == (3, 7)
    assert set(cache) == {"a0", "z1", "a1", "z2", "a2"}
    grads = net.backward(cache, Y)
    for key, p in net.params.items():
        assert grads[key].shape == p.shape
    assert grads["delta1"].shape == (5, 7) and grads["delta2"].shape == (3, 7)
    assert isinstance(net.loss(out, Y), float)


def test_seed_makes_weights_reproducible_and_biases_start_at_zero():
    a, b = MLP([3, 4, 1], seed=7), MLP([3, 4, 1], seed=7)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert not np.array_equal(a.params["W1"], MLP([3, 4, 1], seed=8).params["W1"])
    assert np.all(a.params["b1"] == 0)


def test_activation_list_gives_one_name_per_hidden_layer():
    net = MLP([2, 3, 3, 1], activation=["relu", "tanh"], output_activation="identity")
    assert net.activation_names == ["relu", "tanh", "identity"]


def test_from_params_copies_its_input():
    params = {k: np.array(v) for k, v in PUBLISHED_231["params"].items()}
    net = MLP.from_params(params)
    params["W1"][0, 0] = 99.0
    assert net.params["W1"][0, 0] == 0.15


def test_gradients_are_batch_means_of_single_example_gradients(rng):
    net = MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", loss="bce", seed=3)
    X = rng.normal(size=(3, 5))
    Y = (rng.uniform(size=(2, 5)) > 0.5).astype(float)
    batch = net.backward(net.forward(X)[1], Y)
    singles = [net.backward(net.forward(X[:, [i]])[1], Y[:, [i]]) for i in range(5)]
    for key in net.params:
        np.testing.assert_allclose(batch[key], np.mean([g[key] for g in singles], axis=0), atol=1e-14)


# ---------------------------------------------------------------- the published example
def test_reproduces_the_published_231_numbers():
    net = net_231()
    X, Y = np.array(PUBLISHED_231["x"]), np.array(PUBLISHED_231["y"])
    out, cache = net.forward(X)
    np.testing.assert_allclose(cache["z1"][:, 0], [0.3775, 0.3925, 0.4075], atol=1e-12)
    np.testing.assert_allclose(cache["a1"][:, 0], [0.593270, 0.596884, 0.600488], atol=5e-7)
    assert cache["z2"][0, 0] == pytest.approx(1.406150, abs=5e-7)
    assert out[0, 0] == pytest.approx(0.803158, abs=5e-7)
    assert net.loss(out, Y) == pytest.approx(0.314550, abs=5e-7)
    g = net.backward(cache, Y)
    assert g["delta2"][0, 0] == pytest.approx(0.125394, abs=5e-7)
    np.testing.assert_allclose(g["delta1"][:, 0], [0.012103, 0.013577, 0.015041], atol=5e-7)
    np.testing.assert_allclose(g["W2"][0], [0.074393, 0.074846, 0.075298], atol=5e-7)
    assert g["W1"][0, 0] == pytest.approx(0.00060516, abs=5e-9)
    np.testing.assert_allclose(g["W1"], g["delta1"] @ X.T)  # dL/dW1[i, j] = delta1_i x_j
    for key in net.params:
        net.params[key] -= 0.5 * g[key]
    out2, _ = net.forward(X)
    assert out2[0, 0] == pytest.approx(0.781491, abs=5e-7)
    assert net.loss(out2, Y) == pytest.approx(0.297599, abs=5e-7)


# ---------------------------------------------------------------- cancellations (BP1 shortcuts)
@pytest.mark.parametrize("out_act,loss,Y", [
    ("sigmoid", "bce", np.array([[1.0, 0.0, 1.0]])),
    ("softmax", "softmax_ce", np.eye(3)[:, [2, 0, 1]]),
])
def test_output_error_is_a_minus_y(out_act, loss, Y, rng):
    n_out = Y.shape[0]
    net = MLP([2, 4, n_out], activation="tanh", output_activation=out_act, loss=loss, seed=5)
    out, cache = net.forward(rng.normal(size=(2, 3)))
    np.testing.assert_allclose(net.backward(cache, Y)[f"delta{net.num_layers}"], out - Y, atol=1e-15)


def test_softmax_output_with_mse_uses_the_full_jacobian(rng):
    net = MLP([2, 3], output_activation="softmax", loss="mse", seed=2)
    X, Y = rng.normal(size=(2, 4)), rng.uniform(size=(3, 4))
    out, cache = net.forward(X)
    delta = net.backward(cache, Y)["delta1"]
    for i in range(4):
        p = out[:, i]
        J = np.diag(p) - np.outer(p, p)
        np.testing.assert_allclose(delta[:, i], J.T @ (p - Y[:, i]), atol=1e-15)


# ---------------------------------------------------------------- initialisers
def test_init_scales():
    assert init_std("normal", 100, 10) == 0.01
    assert init_std("xavier", 30, 20) == pytest.approx(np.sqrt(2 / 50))
    assert init_std("he", 50, 7) == pytest.approx(np.sqrt(2 / 50))


@pytest.mark.parametrize("init", ["normal", "xavier", "he"])
def test_initialised_weights_have_the_stated_spread(init):
    net = MLP([400, 300, 1], init=init, seed=0)
    assert net.params["W1"].std() == pytest.approx(init_std(init, 400, 300), rel=0.02)
    assert abs(net.params["W1"].mean()) < 0.05 * init_std(init, 400, 300)


# ---------------------------------------------------------------- bad input gets a clear error
def test_wrong_input_height():
    with pytest.raises(ValueError, match=r"X \(inputs\) must have 2 rows.*got shape \(3, 4\)"):
        net_231().forward(np.zeros((3, 4)))


def test_one_dimensional_input_is_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"must be 2-D, got shape \(2,\).*examples are columns"):
        net_231().forward(np.array([0.05, 0.10]))


def test_targets_of_shape_B_against_1_by_B_are_refused_not_broadcast():
    net = MLP([2, 3, 1], seed=0)
    out, cache = net.forward(np.zeros((2, 5)))
    Y = np.zeros(5)
    with pytest.raises(ValueError, match=r"Y \(targets\) must be 2-D, got shape \(5,\)"):
        net.loss(out, Y)
    with pytest.raises(ValueError, match=r"Y \(targets\) must be 2-D, got shape \(5,\)"):
        net.backward(cache, Y)
    with pytest.raises(ValueError, match=r"must have 1 rows .*got shape \(5, 1\)"):
        net.backward(cache, Y.reshape(5, 1))


def test_targets_with_wrong_batch_size():
    net = MLP([2, 3, 1], seed=0)
    out, cache = net.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"must have 5 columns \(one per example\), got shape \(1, 4\)"):
        net.backward(cache, np.zeros((1, 4)))


@pytest.mark.parametrize("kwargs,pattern", [
    ({"activation": "sigmod"}, r"unknown activation\[0\] 'sigmod'; valid names"),
    ({"output_activation": "soft_max"}, r"unknown output_activation 'soft_max'"),
    ({"loss": "l2"}, r"unknown loss 'l2'; valid names are \['bce', 'mse', 'softmax_ce'\]"),
    ({"init": "glorot"}, r"unknown init 'glorot'; valid names are \['he', 'normal', 'xavier'\]"),
    ({"activation": ["relu"]}, r"one name per hidden layer \(2\), got 1"),
    ({"activation": "softmax"}, r"not elementwise .*only be an output activation"),
    ({"loss": "bce", "output_activation": "identity"}, r"loss 'bce' needs output_activation='sigmoid'"),
    ({"loss": "softmax_ce"}, r"loss 'softmax_ce' needs output_activation='softmax'"),
])
def test_bad_settings(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        MLP([2, 3, 3, 1], **kwargs)


@pytest.mark.parametrize("sizes,exc,pattern", [
    ([3], ValueError, "at least an input and an output"),
    ([3, 0, 1], ValueError, r"sizes\[1\] must be a positive integer, got 0"),
    ([3, 2.5, 1], TypeError, r"sizes\[1\] must be a positive integer"),
    ("231", TypeError, "sizes must be a list"),
])
def test_bad_sizes(sizes, exc, pattern):
    with pytest.raises(exc, match=pattern):
        MLP(sizes)


def test_inconsistent_parameter_shapes():
    params = {k: np.array(v) for k, v in PUBLISHED_231["params"].items()}
    params["W2"] = np.zeros((1, 4))
    with pytest.raises(ValueError, match=r"params\['W2'\] must have 3 columns to match .*got shape \(1, 4\)"):
        MLP.from_params(params)
    params = {k: np.array(v) for k, v in PUBLISHED_231["params"].items()}
    params["b1"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"params\['b1'\] must be 2-D, got shape \(3,\); use shape \(3, 1\)"):
        MLP.from_params(params)
    with pytest.raises(ValueError, match=r"keys W1, b1, \.\.\., WL, bL; got \['W1', 'W2'"):
        MLP.from_params({"W1": np.zeros((2, 2)), "W2": np.zeros((1, 2))})


def test_params_reshaped_after_construction_are_caught():
    net = net_231()
    net.params["W2"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"params\['W2'\] must have shape \(1, 3\), got \(2, 3\)"):
        net.forward(np.zeros((2, 1)))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_and_targets(value):
    net = net_231()
    X = np.array([[0.05], [value]])
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.forward(X)
    out, cache = net.forward(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.loss(out, np.array([[value]]))


def test_empty_batch():
    with pytest.raises(ValueError, match=r"empty \(shape \(2, 0\)\)"):
        net_231().forward(np.zeros((2, 0)))


def test_non_numeric_inputs():
    with pytest.raises(TypeError, match="must hold numbers"):
        net_231().forward(np.array([["a"], ["b"]]))
    with pytest.raises(TypeError, match="2-D numeric array, got str"):
        net_231().forward("x")


def test_bce_targets_outside_unit_interval():
    net = MLP([2, 1], loss="bce", seed=0)
    out, cache = net.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"bce targets must lie in \[0, 1\], got values from 0 to 2"):
        net.backward(cache, np.array([[0.0, 2.0]]))


def test_backward_refuses_something_that_is_not_a_cache():
    net = net_231()
    out, cache = net.forward(np.zeros((2, 1)))
    with pytest.raises(TypeError, match="cache must be the dict returned by forward"):
        net.backward(out, np.zeros((1, 1)))


@pytest.mark.parametrize("big", [1000.0, 1e4])
@pytest.mark.parametrize("out_act,loss", [("sigmoid", "bce"), ("softmax", "softmax_ce"), ("sigmoid", "mse")])
def test_saturated_network_stays_finite_and_silent(big, out_act, loss):
    n_out = 2 if out_act == "softmax" else 1
    params = {"W1": np.array([[big, 0.0], [-big, 0.0]][:n_out] if n_out == 2 else [[big, 0.0]]),
              "b1": np.zeros((n_out, 1))}
    net = MLP.from_params(params, output_activation=out_act, loss=loss)
    X = np.array([[1.0, -1.0], [0.0, 0.0]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])[:n_out] if n_out == 2 else np.array([[0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            out, cache = net.forward(X)
            values = [net.loss(out, Y), net.loss(out, Y, cache)]
            grads = net.backward(cache, Y)
    assert np.all(np.isfinite(values))
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_sigma_prime_is_the_activation_slope_at_z(rng):
    net = MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)
    _, cache = net.forward(rng.normal(size=(3, 5)))
    np.testing.assert_allclose(net.sigma_prime(cache, 1), 1 - np.tanh(cache["z1"]) ** 2, rtol=1e-12)
    s = 1.0 / (1.0 + np.exp(-cache["z2"]))
    np.testing.assert_allclose(net.sigma_prime(cache, 2), s * (1 - s), rtol=1e-12)
    for bad in (0, 3, True, 1.0):
        with pytest.raises(ValueError, match="layer index 1..2"):
            net.sigma_prime(cache, bad)
    soft = MLP([3, 2], output_activation="softmax", loss="softmax_ce", seed=0)
    _, cache = soft.forward(rng.normal(size=(3, 2)))
    with pytest.raises(ValueError, match="not elementwise"):
        soft.sigma_prime(cache, 1)
