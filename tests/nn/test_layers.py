"""Layers with forward/backward and a cache: each backward against central differences, the
composition against MLP.backward (BP1-BP4) and autograd, and clear errors for bad input."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as ag_grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib import MLP, numerical_gradient, relative_error
from backprop_lib.nn.layers import (Affine, MeanSquaredError, ReLU, Sequential, Sigmoid,
                                 SoftmaxCrossEntropy, Tanh)


def numeric_dx(layer, x, dout):
    """Central differences of sum(out * dout) with respect to x (the vector-Jacobian product)."""
    x = x.copy()
    return numerical_gradient(lambda: float(np.sum(layer.forward(x)[0] * dout)), {"x": x})["x"]


@pytest.mark.parametrize("layer_cls", [Sigmoid, Tanh, ReLU])
def test_activation_backward_matches_central_differences(layer_cls, rng):
    x = rng.normal(size=(4, 3))
    x[np.abs(x) < 1e-3] = 0.5            # keep ReLU away from its kink
    dout = rng.normal(size=(4, 3))
    layer = layer_cls()
    out, cache = layer.forward(x)
    dx, grads = layer.backward(dout, cache)
    assert grads == {} and dx.shape == x.shape
    assert relative_error(dx, numeric_dx(layer, x, dout)) < 1e-8


def test_affine_backward_matches_central_differences_and_formulas(rng):
    W, b, x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 1)), rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    layer = Affine(W, b)
    out, cache = layer.forward(x)
    assert np.allclose(out, W @ x + b)
    dx, grads = layer.backward(dout, cache)
    loss = lambda: float(np.sum(layer.forward(x)[0] * dout))  # noqa: E731
    num = numerical_gradient(loss, layer.params)
    assert relative_error(grads["W"], num["W"]) < 1e-8 and relative_error(grads["b"], num["b"]) < 1e-8
    assert relative_error(dx, numeric_dx(layer, x, dout)) < 1e-8


@pytest.mark.parametrize("loss_cls", [SoftmaxCrossEntropy, MeanSquaredError])
def test_loss_layers_backward_matches_central_differences(loss_cls, rng):
    z = rng.normal(size=(3, 4))
    Y = np.eye(3)[:, [0, 2, 1, 1]]
    loss = loss_cls()
    value, cache = loss.forward(z, Y)
    dz = loss.backward(cache)
    num = numerical_gradient(lambda: loss.forward(z, Y)[0], {"z": z})["z"]
    assert relative_error(dz, num) < 1e-8


def test_softmax_cross_entropy_value_by_hand():
    z = np.array([[0.0], [np.log(3.0)]])     # softmax = (1/4, 3/4)
    value, cache = SoftmaxCrossEntropy().forward(z, np.array([[0.0], [1.0]]))
    assert value == pytest.approx(-np.log(0.75))
    assert np.allclose(SoftmaxCrossEntropy().backward(cache), [[0.25], [-0.25]])
    big, _ = SoftmaxCrossEntropy().forward(np.array([[1e4], [-1e4]]), np.array([[0.0], [1.0]]))
    assert big == pytest.approx(2e4)          # exact for huge logits, no overflow


@st.composite
def mlps(draw):
    depth = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1))
    hidden = draw(st.lists(st.sampled_from(["sigmoid", "tanh", "relu"]), min_size=depth - 1, max_size=depth - 1))
    softmax = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if softmax:
        widths[-1] = max(widths[-1], 2)
        net = MLP(widths, hidden, "softmax", "softmax_ce", seed=seed)
    else:
        net = MLP(widths, hidden, draw(st.sampled_from(["sigmoid", "tanh", "relu"])), "mse", seed=seed)
    for l in range(1, depth + 1):
        net.params[f"b{l}"][:] = rng.normal(0, 0.5, size=net.params[f"b{l}"].shape)
    B = draw(st.integers(1, 5))
    X = rng.normal(size=(widths[0], B))
    Y = np.eye(widths[-1])[:, rng.integers(0, widths[-1], B)] if softmax else rng.normal(size=(widths[-1], B))
    return net, X, Y


@settings(max_examples=60, deadline=None)
@given(mlps())
def test_sequential_matches_mlp_backward(problem):
    net, X, Y = problem
    seq = Sequential.from_mlp(net)
    loss, grads = seq.loss_and_gradients(X, Y)
    ref_loss, ref = net.loss_and_gradients(X, Y)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert list(grads) == list(net.params)
    for key in net.params:
        assert np.allclose(grads[key], ref[key], rtol=1e-10, atol=1e-12)


def test_sequential_matches_autograd(rng):
    W1, b1, W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
    X, Y = rng.normal(size=(2, 6)), np.eye(3)[:, [0, 1, 2, 2, 1, 0]]
    seq = Sequential([Affine(W1, b1), Tanh(), Affine(W2, b2)], SoftmaxCrossEntropy())

    def ag_loss(W1):                          # written from the definitions with autograd.numpy
        z = W2 @ anp.tanh(W1 @ X + b1) + b2
        logp = z - anp.log(anp.sum(anp.exp(z), axis=0))
        return anp.mean(-anp.sum(Y * logp, axis=0))
    _, grads = seq.loss_and_gradients(X, Y)
    assert np.allclose(grads["W1"], ag_grad(ag_loss)(W1), rtol=1e-10, atol=1e-12)


def test_bad_input_is_refused_with_clear_messages(rng):
    layer = Affine(np.ones((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="2 rows"):
        layer.forward(np.ones((3, 4)))
    with pytest.raises(ValueError, match="must be 2-D"):
        layer.forward(np.ones(2))
    _, cache = layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="4 columns"):
        layer.backward(np.ones((3, 5)), cache)
    with pytest.raises(ValueError, match="b must have 3 rows"):
        Affine(np.ones((3, 2)), np.zeros((2, 1)))
    _, cache = Tanh().forward(np.ones((2, 2)))
    with pytest.raises(ValueError, match="dout"):
        Tanh().backward(np.ones((2, 3)), cache)
    with pytest.raises(ValueError, match="one probability distribution"):
        SoftmaxCrossEntropy().forward(np.zeros((2, 1)), np.array([[1.0], [1.0]]))
    with pytest.raises(ValueError, match="1 columns"):
        MeanSquaredError().forward(np.zeros((1, 1)), np.zeros((1, 3)))   # no silent (B, B) broadcast
    with pytest.raises(TypeError, match="non-empty list"):
        Sequential(layer, MeanSquaredError())
    with pytest.raises(TypeError, match=r"layers\[1\] must be a Layer"):
        Sequential([layer, np.tanh], MeanSquaredError())
    with pytest.raises(TypeError, match="loss must be"):
        Sequential([layer], "mse")
    with pytest.raises(TypeError, match="caches"):
        Sequential([layer], MeanSquaredError()).backward(np.ones((3, 1)), [])
    with pytest.raises(ValueError, match="from_mlp supports"):
        Sequential.from_mlp(MLP([2, 3, 1], "gelu", seed=0))
    with pytest.raises(ValueError, match="from_mlp supports"):
        Sequential.from_mlp(MLP([2, 1], output_activation="sigmoid", loss="bce", seed=0))


def test_sequential_repr_keeps_lines_within_79_characters():
    short = Sequential([Affine(np.ones((1, 2)), np.zeros((1, 1)))], MeanSquaredError())
    assert repr(short) == "Sequential([Affine(2 -> 1)], loss=MeanSquaredError())"
    net = MLP([2, 5, 4, 3], activation=["relu", "tanh"], output_activation="softmax",
              loss="softmax_ce", seed=0)
    lines = repr(Sequential.from_mlp(net)).splitlines()
    assert lines == ["Sequential([Affine(2 -> 5), ReLU(), Affine(5 -> 4), Tanh(), Affine(4 -> 3)],",
                     "           loss=SoftmaxCrossEntropy())"]
    assert all(len(line) <= 79 for line in lines)
