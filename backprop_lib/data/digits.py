"""The 8x8 handwritten digits that ship inside scikit-learn (``sklearn.datasets.load_digits``;
no download): 1797 greyscale images of the digits 0-9, pixel values 0..16.

:func:`load_digits_split` returns them in the book's layout: examples are columns, pixels scaled
to [0, 1] (divided by 16), so X has shape (64, B); targets are one-hot, shape (10, B); the split
into training, validation and test parts is a seeded permutation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import finite_scalar
from backprop_lib.data.toy import one_hot

NUM_CLASSES = 10
IMAGE_SHAPE = (8, 8)
PIXEL_MAX = 16.0


@dataclass(frozen=True)
class DigitsSplit:
    """Three parts of the digits: X_* (64, B_*), Y_* one-hot (10, B_*), labels_* (B_*,) ints."""

    X_train: np.ndarray
    Y_train: np.ndarray
    labels_train: np.ndarray
    X_val: np.ndarray
    Y_val: np.ndarray
    labels_val: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    labels_test: np.ndarray

    def sizes(self) -> tuple[int, int, int]:
        """(training, validation, test) numbers of examples."""
        return self.X_train.shape[1], self.X_val.shape[1], self.X_test.shape[1]


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits: X (64, 1797) scaled to [0, 1] and integer labels (1797,)."""
    from sklearn.datasets import load_digits  # bundled with scikit-learn, read from disk

    data = load_digits()
    return np.ascontiguousarray(data.data.T / PIXEL_MAX), data.target.astype(np.int64)


def load_digits_split(val_fraction: float = 0.15, test_fraction: float = 0.2, seed: int = 0) -> DigitsSplit:
    """Shuffle the digits with ``seed`` and cut them into test, validation and training parts.

    round(test_fraction * N) examples go to the test part, round(val_fraction * N) to validation,
    the rest to training (N = 1797).  Both fractions must be >= 0 and sum to less than 1.
    """
    val_fraction = finite_scalar(val_fraction, "val_fraction")
    test_fraction = finite_scalar(test_fraction, "test_fraction")
    if val_fraction < 0 or test_fraction < 0 or val_fraction + test_fraction >= 1:
        raise ValueError("val_fraction and test_fraction must be >= 0 and sum to less than 1, got "
                         f"{val_fraction} and {test_fraction}")
    X, labels = load_digits_arrays()
    N = labels.size
    order = np.random.default_rng(seed).permutation(N)
    n_test, n_val = int(round(test_fraction * N)), int(round(val_fraction * N))
    parts = (order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test])
    out = []
    for idx in parts:
        lab = labels[idx]
        Y = one_hot(lab, NUM_CLASSES) if lab.size else np.zeros((NUM_CLASSES, 0))
        out += [X[:, idx], Y, lab]
    return DigitsSplit(*out)


def as_images(X) -> np.ndarray:
    """Columns of X (64, B) back to images, shape (B, 8, 8)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != 64:
        raise ValueError(f"X must have shape (64, B) (one flattened 8x8 digit per column), got {X.shape}")
    return X.T.reshape(-1, *IMAGE_SHAPE)


def plot_digit_row(axes, X, true_labels, predicted_labels=None) -> None:
    """Draw the digits in the columns of X (64, k) on ``k`` axes, titled with their labels.

    With ``predicted_labels`` each title reads "true 3 → pred 8"; pixels are drawn in grey
    (0 white, 1 black), the way the scanned digits looked.
    """
    images = as_images(X)
    axes = list(np.ravel(axes))
    true_labels = np.asarray(true_labels)
    if len(axes) != images.shape[0] or true_labels.shape != (images.shape[0],):
        raise ValueError(f"need one axis and one label per digit: {len(axes)} axes, "
                         f"{images.shape[0]} digits, labels of shape {true_labels.shape}")
    for k, ax in enumerate(axes):
        ax.imshow(images[k], cmap="gray_r", vmin=0.0, vmax=1.0)
        title = f"true {true_labels[k]}"
        if predicted_labels is not None:
            title += f" → pred {int(np.asarray(predicted_labels)[k])}"
        ax.set_title(title, fontsize=9)
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
