"""Datasets: shapes, labels, seeds, argument checks, and the worked 2-3-1 example."""
import numpy as np
import pytest

from backprop_lib import blobs, one_hot, spiral, xor
from backprop_lib.data.worked_231 import PUBLISHED, SIZES, net_231, params_231, parameter_names, unicode_name, xy_231


def test_xor_truth_table():
    X, Y = xor()
    assert X.shape == (2, 4) and Y.shape == (1, 4)
    np.testing.assert_array_equal(Y[0], np.logical_xor(X[0] > 0.5, X[1] > 0.5))


def test_xor_repeats_with_noise_are_seeded():
    X1, Y1 = xor(repeats=5, noise=0.1, seed=3)
    X2, _ = xor(repeats=5, noise=0.1, seed=3)
    assert X1.shape == (2, 20) and Y1.shape == (1, 20)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1[0], np.logical_xor(X1[0].round() > 0.5, X1[1].round() > 0.5))


def test_blobs_are_balanced_and_separated():
    X, Y = blobs(n=400, separation=6.0, seed=1)
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    assert Y.sum() == 200
    mean1, mean0 = X[:, Y[0] == 1].mean(axis=1), X[:, Y[0] == 0].mean(axis=1)
    assert np.linalg.norm(mean1 - mean0) == pytest.approx(6.0, rel=0.1)
    assert not np.array_equal(X, blobs(n=400, separation=6.0, seed=2)[0])


def test_spiral_shapes_and_one_hot():
    X, Y = spiral(n_per_class=50, classes=3, seed=0)
    assert X.shape == (2, 150) and Y.shape == (3, 150)
    np.testing.assert_array_equal(Y.sum(axis=0), 1.0)
    np.testing.assert_array_equal(Y.sum(axis=1), 50.0)
    assert np.all(np.linalg.norm(X, axis=0) <= 1.0 + 1e-12)


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 1], [0, 0], [1, 0]])
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2, got 0\.\.3"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(TypeError, match="integers"):
        one_hot(np.array([0.0, 1.0]), 2)


@pytest.mark.parametrize("call,exc", [
    (lambda: xor(repeats=0), ValueError), (lambda: xor(noise=-1.0), ValueError),
    (lambda: blobs(n=1), ValueError), (lambda: blobs(std=0.0), ValueError),
    (lambda: spiral(classes=0), ValueError), (lambda: spiral(n_per_class=2.5), TypeError),
])
def test_bad_arguments(call, exc):
    with pytest.raises(exc):
        call()


def test_worked_231_reproduces_the_published_forward_pass():
    net = net_231()
    X, Y = xy_231()
    assert net.sizes == list(SIZES) and X.shape == (2, 1) and Y.shape == (1, 1)
    out, cache = net.forward(X)
    assert np.allclose(cache["z1"][:, 0], [0.3775, 0.3925, 0.4075], atol=1e-12)   # W1 x + b1 by hand
    assert out[0, 0] == pytest.approx(0.803158, abs=5e-7)
    assert net.loss(out, Y) == pytest.approx(0.314550, abs=5e-7)
    assert net.activation_names == ["sigmoid", "sigmoid"] and net.loss_name == "mse"
    assert net_231("tanh").activation_names == ["tanh", "tanh"]


def test_worked_231_hands_out_fresh_copies():
    params = params_231()
    params["W1"][0, 0] = 9.0
    assert params_231()["W1"][0, 0] == 0.15 and PUBLISHED["W1"][0][0] == 0.15
    net = net_231(params=params)
    params["W1"][0, 0] = 7.0                          # the network copied its parameters
    assert net.params["W1"][0, 0] == 9.0
    with pytest.raises(TypeError):
        PUBLISHED["W1"] = ((0.0, 0.0),)                # read-only
    assert {k: v.shape for k, v in params_231().items()} == {"W1": (3, 2), "b1": (3, 1), "W2": (1, 3),
                                                            "b2": (1, 1)}


def test_worked_231_parameter_names_in_book_order():
    names = parameter_names()
    params = params_231()
    assert [name for *_, name in names[:3]] == ["W(1)_11", "W(1)_12", "W(1)_21"]
    assert [params[key][idx] for key, idx, _ in names] == [0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.35, 0.35,
                                                           0.35, 0.40, 0.45, 0.50, 0.60]
    assert [unicode_name(name) for *_, name in names[-4:]] == ["W⁽²⁾₁₁", "W⁽²⁾₁₂", "W⁽²⁾₁₃", "b⁽²⁾₁"]
