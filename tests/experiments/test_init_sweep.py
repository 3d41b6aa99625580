"""The vectorised many-seeds XOR trainer (experiments.init_sweep) against single-network training."""
import numpy as np
import pytest

from backprop_lib import MLP, xor
from backprop_lib.experiments.init_sweep import train_many_inits
from backprop_lib.nn.train import train


def test_train_many_inits_matches_single_network_training():
    X, Y = xor()
    curves = train_many_inits(X, Y, 3, [4, 9], epochs=25, lr=1.5, momentum=0.5)
    assert curves.shape == (2, 26)
    for row, seed in zip(curves, (4, 9)):
        net = MLP([2, 3, 1], "sigmoid", "sigmoid", "bce", "xavier", seed=seed)
        out, cache = net.forward(X)
        hist = train(net, X, Y, epochs=25, lr=1.5, momentum=0.5)
        np.testing.assert_allclose(row, [net.loss(out, Y, cache)] + hist.loss, rtol=1e-10)


def test_train_many_inits_rejects_bad_input():
    X, Y = xor()
    with pytest.raises(ValueError, match="one row"):
        train_many_inits(X, np.vstack([Y, Y]), 2, [0], epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="non-empty list"):
        train_many_inits(X, Y, 2, [], epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="momentum must lie"):
        train_many_inits(X, Y, 2, [0], epochs=1, lr=0.1, momentum=1.5)


def test_final_state_is_the_single_network_s_end_state():
    X, Y = xor()
    curves, state = train_many_inits(X, Y, 2, [1, 6], epochs=40, lr=2.0, momentum=0.9,
                                     final_state=True)
    np.testing.assert_array_equal(curves, train_many_inits(X, Y, 2, [1, 6], epochs=40, lr=2.0,
                                                           momentum=0.9))
    for i, seed in enumerate((1, 6)):
        net = MLP([2, 2, 1], "sigmoid", "sigmoid", "bce", "xavier", seed=seed)
        train(net, X, Y, epochs=40, lr=2.0, momentum=0.9)
        for k in net.params:
            np.testing.assert_allclose(state["params"][k][i], net.params[k], rtol=1e-10)
        out, cache = net.forward(X)
        np.testing.assert_allclose(state["a1"][i], cache["a1"], rtol=1e-10)
        _, grads = net.loss_and_gradients(X, Y)
        norm = np.sqrt(sum(np.sum(grads[k] ** 2) for k in net.params))
        assert state["grad_norm"][i] == pytest.approx(norm, rel=1e-8)
