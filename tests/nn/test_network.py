"""The MLP contract: shapes, the published 2-3-1 numbers, initialisers, and every bad input."""
import inspect
import warnings

import numpy as np
import pytest
from backprop_lib.data.worked_231 import net_231, params_231, xy_231

from backprop_lib import MLP, init_std
from backprop_lib.nn.layer_norm import LayerNormMLP
from backprop_lib.nn.residual import ResidualMLP


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
    params = params_231()
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
    X, Y = xy_231()
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


# ---------------------------------------------------------------- the named steps of backward
def test_backward_is_its_named_steps(rng):
    net = MLP([3, 4, 3, 2], activation="tanh", output_activation="sigmoid", loss="mse", seed=4)
    X, Y = rng.normal(size=(3, 6)), rng.uniform(size=(2, 6))
    out, cache = net.forward(X)
    grads = net.backward(cache, Y)
    a = cache["a3"]
    delta = net.output_error(cache, out, Y)                         # BP1 by hand
    np.testing.assert_allclose(delta, (a - Y) * a * (1 - a), rtol=1e-14)
    mine: dict = {}
    net.layer_gradients(mine, 3, delta, cache)                      # BP3, BP4
    assert list(mine) == ["delta3", "W3", "b3"]
    np.testing.assert_allclose(mine["W3"], delta @ cache["a2"].T / 6, rtol=1e-15)
    np.testing.assert_allclose(mine["b3"], delta.sum(axis=1, keepdims=True) / 6, rtol=1e-15)
    for key in mine:
        np.testing.assert_array_equal(mine[key], grads[key])
    assert [type(a).__name__ for a in net.activations] == ["Activation"] * 3
    assert [a.name for a in net.activations] == net.activation_names
    assert net.loss_function.name == "mse"
    with pytest.raises(AttributeError):
        net.activations = ()


@pytest.mark.parametrize("method", [MLP.backward, MLP.output_error, MLP.layer_gradients])
def test_printed_backward_reads_as_the_lesson(method):
    # chapter 3 prints MLP.backward from its "# BP1" line (indent 8 removed) and the named steps
    lines = inspect.getsource(method).splitlines()
    if method is MLP.backward:
        start = next(i for i, line in enumerate(lines) if "# BP1" in line)
        body = [line[8:] for line in lines[start:-1]]
        assert all(any(f"BP{k}" in line for k in "1234") for line in body), body
    else:
        body = lines                     # printed as they stand, or dedented
    assert max(len(line) for line in body) <= 79


@pytest.mark.parametrize("cls,extra,tail", [
    (MLP, {}, "P=29)"), (ResidualMLP, {}, "P=29, residual layers=[2])"),
    (LayerNormMLP, {"eps": 1e-3}, "P=29, eps=0.001)")])
def test_copy_and_repr_keep_the_class_and_its_settings(cls, extra, tail):
    net = cls([2, 3, 3, 2], activation="tanh", output_activation="identity", seed=0, **extra)
    twin = net.copy()
    assert type(twin) is cls and repr(twin) == repr(net)
    assert repr(net) == (f"{cls.__name__}(sizes=[2, 3, 3, 2], activations=[tanh, tanh, identity], "
                         f"loss='mse', {tail}")
    twin.params["W1"][0, 0] += 1.0
    assert net.params["W1"][0, 0] != twin.params["W1"][0, 0]
    assert cls is MLP or not {"copy", "__repr__", "output_error", "layer_gradients"} & set(vars(cls))


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
