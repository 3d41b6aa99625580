"""The bundled 8x8 digits in the book's layout (examples are columns, one-hot targets).

Expected values come from scikit-learn's own loader and its documentation: 1797 images of
8x8 pixels with integer values 0..16, ten classes.
"""
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import load_digits

from backprop_lib.data.digits import as_images, load_digits_arrays, load_digits_split, plot_digit_row


def test_arrays_are_the_scaled_sklearn_digits():
    X, labels = load_digits_arrays()
    raw = load_digits()
    assert X.shape == (64, 1797) and labels.shape == (1797,)
    np.testing.assert_array_equal(X * 16.0, raw.data.T)          # documented pixel range 0..16
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.bincount(labels), np.bincount(raw.target))
    np.testing.assert_array_equal(as_images(X[:, :3]), raw.images[:3] / 16.0)


def test_split_sizes_and_partition():
    d = load_digits_split(val_fraction=0.15, test_fraction=0.2, seed=0)
    assert d.sizes() == (1797 - 359 - 270, 270, 359)   # round(0.2 * 1797), round(0.15 * 1797)
    _, labels = load_digits_arrays()
    all_labels = np.concatenate([d.labels_train, d.labels_val, d.labels_test])
    np.testing.assert_array_equal(np.bincount(all_labels), np.bincount(labels))
    for X, Y, lab in ((d.X_train, d.Y_train, d.labels_train), (d.X_test, d.Y_test, d.labels_test)):
        assert X.shape[0] == 64 and Y.shape == (10, X.shape[1])
        np.testing.assert_array_equal(Y.sum(axis=0), 1.0)
        np.testing.assert_array_equal(np.argmax(Y, axis=0), lab)
    # every (image, label) pair of the split is a pair of the full data set
    full = {(tuple(col), int(l)) for col, l in zip(load_digits_arrays()[0].T, labels)}
    assert all((tuple(col), int(l)) in full for col, l in zip(d.X_test.T, d.labels_test))


def test_split_is_seeded():
    a, b, c = load_digits_split(seed=3), load_digits_split(seed=3), load_digits_split(seed=4)
    np.testing.assert_array_equal(a.X_val, b.X_val)
    assert not np.array_equal(a.labels_test, c.labels_test)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="sum to less than 1"):
        load_digits_split(val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(ValueError, match="must be >= 0"):
        load_digits_split(val_fraction=-0.1)
    with pytest.raises(TypeError, match="val_fraction must be a real number"):
        load_digits_split(val_fraction="0.1")
    with pytest.raises(ValueError, match=r"shape \(64, B\)"):
        as_images(np.zeros((63, 2)))


def test_plot_digit_row_titles():
    X, labels = load_digits_arrays()
    fig = Figure()
    axes = fig.subplots(1, 3)
    plot_digit_row(axes, X[:, :3], labels[:3], [9, 9, 9])
    assert [ax.get_title() for ax in axes] == [f"true {l} → pred 9" for l in labels[:3]]
    with pytest.raises(ValueError, match="one axis and one label per digit"):
        plot_digit_row(axes, X[:, :2], labels[:2])
