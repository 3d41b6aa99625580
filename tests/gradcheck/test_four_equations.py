"""The independent routes to delta agree with the published 2-3-1 numbers and with MLP.backward."""
import numpy as np
import pytest
from backprop_lib.data.worked_231 import net_231, xy_231

from backprop_lib import MLP
from backprop_lib.gradcheck.delta_routes import (
    delta_by_jacobians, loss_from_z, numerical_delta, per_example_mean)

# The course's worked 2-3-1 example (course brief): sigmoid layers, L = 1/2 (a - y)^2.
X, Y = xy_231()
DELTA1 = np.array([[0.012103], [0.013577], [0.015041]])
DELTA2 = np.array([[0.125394]])


def test_published_deltas_by_both_independent_routes():
    net = net_231()
    for layer, ref in ((1, DELTA1), (2, DELTA2)):
        assert np.allclose(numerical_delta(net, X, Y, layer), ref, atol=1e-6)
        assert np.allclose(delta_by_jacobians(net, X, Y, layer), ref, atol=1e-6)


def test_loss_from_z_reproduces_the_forward_loss():
    net = net_231()
    _, cache = net.forward(X)
    assert loss_from_z(net, Y, 1, cache["z1"]) == pytest.approx(0.314550, abs=1e-6)
    assert loss_from_z(net, Y, 2, cache["z2"]) == pytest.approx(0.314550, abs=1e-6)


@pytest.mark.parametrize("hidden,out,loss", [("tanh", "sigmoid", "bce"), ("gelu", "softmax", "softmax_ce"),
                                             ("sigmoid", "identity", "mse")])
def test_routes_agree_with_backward_on_deeper_nets_and_batches(hidden, out, loss):
    net = MLP([3, 5, 4, 3], activation=hidden, output_activation=out, loss=loss, seed=1)
    rng = np.random.default_rng(2)
    Xb = rng.normal(size=(3, 4))
    Yb = np.eye(3)[:, [0, 2, 1, 2]] if loss == "softmax_ce" else rng.uniform(size=(3, 4))
    grads = net.backward(net.forward(Xb)[1], Yb)
    for layer in (1, 2, 3):
        assert np.allclose(numerical_delta(net, Xb, Yb, layer), grads[f"delta{layer}"], rtol=1e-6, atol=1e-9)
        one = delta_by_jacobians(net, Xb[:, :1], Yb[:, :1], layer)
        assert np.allclose(one, grads[f"delta{layer}"][:, :1], rtol=1e-10, atol=1e-14)
    mean = per_example_mean(net, Xb, Yb)
    for k in net.params:
        assert np.allclose(mean[k], grads[k], rtol=1e-10, atol=1e-14)


def test_bad_input_is_refused():
    net = net_231()
    with pytest.raises(TypeError, match="net must be an MLP"):
        numerical_delta("net", X, Y, 1)
    with pytest.raises(ValueError, match="between 1 and L = 2"):
        numerical_delta(net, X, Y, 3)
    with pytest.raises(TypeError, match="layer must be a positive integer"):
        delta_by_jacobians(net, X, Y, 1.0)
    with pytest.raises(ValueError, match="one example"):
        delta_by_jacobians(net, np.ones((2, 3)), np.ones((1, 3)) * 0.5, 1)
    with pytest.raises(ValueError, match=r"z must have shape \(3, B\)"):
        loss_from_z(net, Y, 1, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="eps must be > 0"):
        numerical_delta(net, X, Y, 1, eps=0.0)
    with pytest.raises(ValueError, match=r"Y \(targets\) must have 2 columns"):
        per_example_mean(net, np.ones((2, 2)), Y)
