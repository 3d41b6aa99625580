"""ResidualMLP: a deep network against autograd, a hand-computed example, the residual-layer rule,
the cached sigma(z), and clear errors for bad input.

The property tests against central differences and autograd are in test_gradients_property.py;
the autograd reference (tests/helpers_nn.py) takes its hidden step from the definition,
a^(l) = a^(l-1) + sigma(W^(l) a^(l-1) + b^(l)) (equal-width hidden layers), independently of the
library's backward pass.
"""
import numpy as np
import pytest
from helpers_nn import autograd_gradients, make_problem

from backprop_lib import MLP
from backprop_lib.nn.residual import ResidualMLP

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu"]


@pytest.mark.parametrize("act", HIDDEN)
def test_deep_network_of_depth_twenty_against_autograd(act):
    net, X, Y = make_problem(ResidualMLP, [3] + [8] * 19 + [1], act, "identity", "mse", seed=7)
    ours = net.backward(net.forward(X)[1], Y)
    ref = autograd_gradients(net, X, Y)
    for key in ref:
        np.testing.assert_allclose(ours[key], ref[key], rtol=1e-7, atol=1e-12)


def test_hand_computed_scalar_example():
    # sizes [1, 1, 1], identity: a1 = x + w1 x (layer 1 is residual: n_1 = n_0), out = w2 a1
    net = ResidualMLP.from_params({"W1": [[0.5]], "b1": [[0.0]], "W2": [[2.0]], "b2": [[0.0]]},
                                  activation="identity", output_activation="identity", loss="mse")
    x, y = 3.0, 1.0
    out, cache = net.forward([[x]])
    a1 = x + 0.5 * x
    assert out[0, 0] == pytest.approx(2.0 * a1)
    g = net.backward(cache, [[y]])
    e = 2.0 * a1 - y                      # dL/dout for L = 1/2 (out - y)^2
    assert g["W2"][0, 0] == pytest.approx(e * a1)
    assert g["W1"][0, 0] == pytest.approx(e * 2.0 * x)     # the skip adds no weight
    assert g["delta1"][0, 0] == pytest.approx(e * 2.0)


def test_residual_layers_are_the_equal_width_hidden_layers():
    net = ResidualMLP([3, 4, 4, 5, 5, 5], activation="tanh", output_activation="identity", seed=0)
    assert net.residual == (False, True, False, True, False)
    assert "residual layers=[2, 4]" in repr(net)
    copy = net.copy()
    assert isinstance(copy, ResidualMLP) and copy.residual == net.residual
    copy.params["W1"][0, 0] += 1.0
    assert net.params["W1"][0, 0] != copy.params["W1"][0, 0]


def test_without_equal_widths_it_is_the_plain_mlp():
    kwargs = dict(activation="relu", output_activation="sigmoid", loss="bce", seed=3)
    res, plain = ResidualMLP([2, 3, 4, 1], **kwargs), MLP([2, 3, 4, 1], **kwargs)
    X, Y = np.random.default_rng(0).normal(size=(2, 6)), np.full((1, 6), 0.3)
    np.testing.assert_array_equal(res.forward(X)[0], plain.forward(X)[0])
    g_res, g_plain = res.loss_and_gradients(X, Y)[1], plain.loss_and_gradients(X, Y)[1]
    for key in g_plain:
        np.testing.assert_array_equal(g_res[key], g_plain[key])


def test_skip_path_keeps_gradient_where_the_plain_network_loses_it():
    kwargs = dict(activation="sigmoid", output_activation="identity", loss="mse", init="xavier", seed=0)
    sizes = [4] + [16] * 15 + [1]
    X, Y = np.random.default_rng(1).normal(size=(4, 8)), np.ones((1, 8))
    g_plain = MLP(sizes, **kwargs).loss_and_gradients(X, Y)[1]
    g_res = ResidualMLP(sizes, **kwargs).loss_and_gradients(X, Y)[1]
    # BP2 multiplies by sigma' <= 1/4 per layer without the skip; the identity term prevents it
    assert np.linalg.norm(g_res["W1"]) > 1e3 * np.linalg.norm(g_plain["W1"])


def test_bad_input_is_refused_with_useful_messages():
    net = ResidualMLP([2, 3, 3, 1], activation="tanh", output_activation="identity", seed=0)
    with pytest.raises(ValueError, match=r"X \(inputs\) must have 2 rows"):
        net.forward(np.zeros((3, 4)))
    _, cache = net.forward(np.zeros((2, 4)))
    with pytest.raises(TypeError, match="cache must be the dict returned by forward"):
        net.backward({"a0": np.zeros((2, 4))}, np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"must be 2-D.*\(1, B\)"):
        net.backward(cache, np.zeros(4))
    with pytest.raises(ValueError, match="must have 4 columns"):
        net.backward(cache, np.zeros((1, 5)))
    net.params["W2"] = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"params\['W2'\] must have shape \(3, 3\)"):
        net.forward(np.zeros((2, 4)))
    with pytest.raises(TypeError, match="sizes must be a list"):
        ResidualMLP("2-3-1")
    net = ResidualMLP([2, 3, 3, 1], activation="tanh", output_activation="identity", seed=0)
    plain_cache = MLP.from_params(net.params, "tanh", "identity").forward(np.zeros((2, 4)))[1]
    with pytest.raises(TypeError, match="cache must come from ResidualMLP.forward"):
        net.backward(plain_cache, np.zeros((1, 4)))


def test_sigma_prime_of_a_residual_block_is_taken_at_z_not_from_its_output():
    net = ResidualMLP([3, 4, 4, 2], activation="sigmoid", output_activation="identity", loss="mse", seed=1)
    _, cache = net.forward(np.random.default_rng(0).normal(size=(3, 5)))
    s = 1.0 / (1.0 + np.exp(-cache["z2"]))           # a^(2) = a^(1) + sigma(z^(2)), so a^(2) is no help
    np.testing.assert_allclose(net.sigma_prime(cache, 2), s * (1 - s), rtol=1e-12)
    s1 = 1.0 / (1.0 + np.exp(-cache["z1"]))          # layer 1 widens 3 -> 4: a plain layer
    np.testing.assert_allclose(net.sigma_prime(cache, 1), s1 * (1 - s1), rtol=1e-12)


def test_forward_caches_sigma_of_z_for_the_residual_layers_only():
    net = ResidualMLP([3, 4, 4, 4, 2], activation="tanh", output_activation="identity", seed=4)
    _, cache = net.forward(np.random.default_rng(1).normal(size=(3, 5)))
    assert [k for k in cache if k.startswith("sigma")] == ["sigma2", "sigma3"]
    for l in (2, 3):
        np.testing.assert_array_equal(cache[f"sigma{l}"], np.tanh(cache[f"z{l}"]))
        np.testing.assert_allclose(cache[f"a{l}"], cache[f"a{l - 1}"] + cache[f"sigma{l}"], rtol=1e-15)
