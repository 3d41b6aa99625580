"""SGD with momentum and clipping by global norm."""
import numpy as np
import pytest

from backprop_lib.nn.optim import SGD, clip_by_global_norm, global_norm


def test_plain_gradient_descent_step():
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    SGD(params, lr=0.1).step({"W1": np.array([[10.0, -10.0]]), "b1": np.array([[1.0]])})
    np.testing.assert_allclose(params["W1"], [[0.0, 3.0]])
    np.testing.assert_allclose(params["b1"], [[0.4]])


def test_momentum_accumulates_velocity_by_hand():
    params = {"w": np.array([0.0])}
    opt = SGD(params, lr=0.5, momentum=0.9)
    g = {"w": np.array([1.0])}
    opt.step(g)  # v = -0.5, w = -0.5
    opt.step(g)  # v = 0.9 * -0.5 - 0.5 = -0.95, w = -1.45
    np.testing.assert_allclose(opt.velocity["w"], [-0.95])
    np.testing.assert_allclose(params["w"], [-1.45])
    opt.reset()
    np.testing.assert_array_equal(opt.velocity["w"], [0.0])


def test_momentum_on_a_quadratic_converges():
    params = {"w": np.array([5.0, -3.0])}
    opt = SGD(params, lr=0.05, momentum=0.9)
    for _ in range(300):
        opt.step({"w": 2 * params["w"]})  # gradient of ||w||^2
    assert np.linalg.norm(params["w"]) < 1e-6


def test_optimizer_checks_its_arguments():
    params = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\), got 1.0"):
        SGD(params, lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        SGD(params, lr=0.0)
    with pytest.raises(ValueError, match=r"grads is missing \['w'\]"):
        SGD(params, lr=0.1).step({})
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(3,\), params\['w'\] has \(2,\)"):
        SGD(params, lr=0.1).step({"w": np.zeros(3)})


def test_clip_by_global_norm_rescales_all_arrays_together():
    grads = {"W1": np.array([[3.0]]), "b1": np.array([[4.0]]), "delta1": np.array([[100.0]])}
    before = clip_by_global_norm(grads, max_norm=1.0)
    assert before == pytest.approx(5.0)  # deltas are not parameters and are not counted
    np.testing.assert_allclose([grads["W1"][0, 0], grads["b1"][0, 0]], [0.6, 0.8])
    assert global_norm(grads, ["W1", "b1"]) == pytest.approx(1.0)
    assert grads["delta1"][0, 0] == 100.0


def test_clip_leaves_small_gradients_alone():
    grads = {"W1": np.array([[0.3]]), "b1": np.array([[0.4]])}
    clip_by_global_norm(grads, max_norm=1.0)
    np.testing.assert_array_equal(grads["W1"], [[0.3]])
    with pytest.raises(ValueError, match="max_norm must be > 0"):
        clip_by_global_norm(grads, max_norm=-1.0)
