"""Small synthetic datasets, each a function with a seed.  Examples are columns: X is (2, B).

* :func:`xor` - the four XOR points (optionally repeated with noise), targets (1, B).
* :func:`blobs` - two Gaussian blobs, binary targets (1, B) for BCE.
* :func:`spiral` - the three-class spiral, one-hot targets (C, B) for softmax cross-entropy.
"""
from __future__ import annotations

import numpy as np

from backprop_lib._validation import finite_scalar, positive_int


def one_hot(labels, num_classes: int) -> np.ndarray:
    """One-hot matrix (num_classes, B) for integer ``labels`` of shape (B,)."""
    num_classes = positive_int(num_classes, "num_classes")
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array of class indices, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}")
    Y = np.zeros((num_classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def xor(repeats: int = 1, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """XOR: inputs (2, 4*repeats) at the corners of the unit square plus N(0, noise^2) jitter;
    targets (1, 4*repeats) equal to x_1 XOR x_2."""
    repeats = positive_int(repeats, "repeats")
    noise = finite_scalar(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    corners = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    X = np.tile(corners, repeats)
    Y = np.tile(np.array([[0.0, 1.0, 1.0, 0.0]]), repeats)
    X = X + np.random.default_rng(seed).normal(0.0, noise, size=X.shape) if noise > 0 else X
    return X, Y


def blobs(n: int = 200, separation: float = 3.0, std: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two isotropic Gaussian blobs in 2-D, centres ``separation`` apart; half the points each.

    Returns X (2, n) and binary targets Y (1, n) (class 1 is the blob at +separation/2).
    """
    n = positive_int(n, "n")
    if n < 2:
        raise ValueError(f"n must be at least 2 (one point per blob), got {n}")
    separation = finite_scalar(separation, "separation")
    std = finite_scalar(std, "std", positive=True)
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    centres = np.where(labels == 1, separation / 2, -separation / 2)
    X = np.vstack([centres, centres]) / np.sqrt(2) + rng.normal(0.0, std, size=(2, n))
    return X, labels[None, :].astype(float)


def spiral(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The interleaved spiral of CS231n: ``classes`` arms of ``n_per_class`` points each.

    Returns X (2, classes * n_per_class) and one-hot Y (classes, classes * n_per_class).
    """
    n_per_class = positive_int(n_per_class, "n_per_class")
    classes = positive_int(classes, "classes")
    noise = finite_scalar(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    labels = np.repeat(np.arange(classes), n_per_class)
    theta = (labels * 4.0 + radius * 4.0) + rng.normal(0.0, noise, size=radius.size)
    X = np.vstack([radius * np.sin(theta), radius * np.cos(theta)])
    return X, one_hot(labels, classes)
