"""ResidualMLP: gradients against central differences AND against autograd, a hand-computed
example, the residual-layer rule, and clear errors for bad input.

The autograd reference forward pass is written here from the definition
a^(l) = a^(l-1) + sigma(W^(l) a^(l-1) + b^(l)) (equal-width hidden layers), independently of the
library's backward pass.
"""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_lib import MLP, numerical_gradient, relative_error
from backprop_lib.residual import ResidualMLP

AG_ACT = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "softmax": lambda z: anp.exp(z - anp.max(z, axis=0)) / anp.sum(anp.exp(z - anp.max(z, axis=0)), axis=0),
}
AG_LOSS = {
    "mse": lambda a, Y: anp.mean(0.5 * anp.sum((a - Y) ** 2, axis=0)),
    "bce": lambda a, Y: anp.mean(-anp.sum(Y * anp.log(a) + (1 - Y) * anp.log(1 - a), axis=0)),
    "softmax_ce": lambda a, Y: anp.mean(-anp.sum(Y * anp.log(a), axis=0)),
}
AG_LOSS_OF_LOGITS = {  # the same losses written on the logits z^(L), exact when the output saturates
    ("sigmoid", "bce"): lambda z, Y: anp.mean(anp.sum(anp.logaddexp(0.0, z) - Y * z, axis=0)),
    ("softmax", "softmax_ce"): lambda z, Y: anp.mean(-anp.sum(
        Y * (z - anp.max(z, axis=0) - anp.log(anp.sum(anp.exp(z - anp.max(z, axis=0)), axis=0))), axis=0)),
}
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu"]
OUT_LOSS = [("identity", "mse"), ("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "softmax_ce")]


def autograd_gradients(net, X, Y):
    L = net.num_layers
    keys = [f"{k}{l}" for l in range(1, L + 1) for k in "Wb"]
    sizes = net.sizes

    def loss_of(theta):
        a = X
        for l in range(1, L + 1):
            W, b = theta[2 * l - 2], theta[2 * l - 1]
            z = anp.dot(W, a) + b
            s = AG_ACT[net.activation_names[l - 1]](z)
            a = a + s if (l < L and sizes[l] == sizes[l - 1]) else s
        pair = (net.activation_names[-1], net.loss_name)
        if pair in AG_LOSS_OF_LOGITS:
            # log(1 - sigmoid(z)) as written loses digits once the output saturates (1 - a rounds);
            # the reference must not be the less accurate side, so it differentiates the logits form
            return AG_LOSS_OF_LOGITS[pair](z, Y)
        return AG_LOSS[net.loss_name](a, Y)

    return dict(zip(keys, grad(loss_of)([net.params[k] for k in keys])))


def make_problem(widths, hidden, out_act, loss, seed):
    rng = np.random.default_rng(seed)
    net = ResidualMLP(widths, activation=hidden, output_activation=out_act, loss=loss, init="xavier", seed=seed)
    for l in range(1, net.num_layers + 1):
        net.params[f"b{l}"][:] = rng.normal(0, 0.5, size=(widths[l], 1))
    B = 5
    X = rng.normal(size=(widths[0], B))
    if loss == "softmax_ce":
        Y = np.eye(widths[-1])[:, rng.integers(0, widths[-1], size=B)]
    elif loss == "bce":
        Y = rng.uniform(size=(widths[-1], B))
    else:
        Y = rng.normal(size=(widths[-1], B))
    return net, X, Y


@st.composite
def problems(draw):
    depth = draw(st.integers(2, 6))
    width = draw(st.integers(2, 5))
    widths = [draw(st.integers(1, 5))] + [width] * (depth - 1) + [draw(st.integers(2, 3))]
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=depth - 1, max_size=depth - 1))
    out_act, loss = draw(st.sampled_from(OUT_LOSS))
    return make_problem(widths, hidden, out_act, loss, draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_backward_matches_autograd(problem):
    net, X, Y = problem
    ours = net.backward(net.forward(X)[1], Y)
    ref = autograd_gradients(net, X, Y)
    for key in ref:
        np.testing.assert_allclose(ours[key], ref[key], rtol=1e-8, atol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_backward_matches_central_differences(problem):
    net, X, Y = problem
    _, cache = net.forward(X)
    # central differences straddle a ReLU kink when some z is within eps of 0: not a valid check there
    kinked = [cache[f"z{l}"] for l in range(1, net.num_layers) if "relu" in net.activation_names[l - 1]]
    assume(all(np.min(np.abs(z)) > 1e-3 for z in kinked))
    ours = net.backward(cache, Y)
    numeric = numerical_gradient(lambda: net.loss(net.forward(X)[0], Y), net.params)
    for key in numeric:
        assert relative_error(ours[key], numeric[key]) < 1e-6, key


@pytest.mark.parametrize("act", HIDDEN)
def test_deep_network_of_depth_twenty_against_autograd(act):
    net, X, Y = make_problem([3] + [8] * 19 + [1], act, "identity", "mse", seed=7)
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
