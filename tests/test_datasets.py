"""Datasets: shapes, labels, seeds, and argument checks."""
import numpy as np
import pytest

from backprop_lib import blobs, one_hot, spiral, xor


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
