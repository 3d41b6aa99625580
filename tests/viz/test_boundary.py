"""Decision-boundary grids and confusion matrices, against hand-made classifiers and scikit-learn."""
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix as sk_confusion

from backprop_lib import MLP
from backprop_lib.viz.boundary import (CLASS_COLORS, boundary_grid, confusion_matrix, confusion_table,
                                   grid_extent, plot_boundary, plot_confusion, predicted_classes,
                                   target_classes)
from backprop_lib.viz.style import FORWARD, GRADIENT, TARGET


def half_plane_net():
    # a = sigmoid(x1 - x2): class 1 exactly where x1 >= x2
    return MLP.from_params({"W1": [[1.0, -1.0]], "b1": [[0.0]]}, [], "sigmoid", "bce")


def test_grid_extent_by_hand():
    X = np.array([[0.0, 2.0, 1.0], [-1.0, 1.0, 3.0]])
    assert grid_extent(X, margin=0.5) == (-0.5, 2.5, -1.5, 3.5)


def test_boundary_grid_of_a_half_plane():
    grid = boundary_grid(half_plane_net(), (-1.0, 1.0, -1.0, 1.0), resolution=11)
    assert grid.classes.shape == (11, 11)
    np.testing.assert_array_equal(grid.classes, (grid.xx >= grid.yy).astype(int))
    np.testing.assert_allclose(grid.score, 1.0 / (1.0 + np.exp(-(grid.xx - grid.yy))))


def test_boundary_grid_three_classes_is_argmax():
    # logits (x1, x2, 0): the class is whichever of x1, x2, 0 is largest
    net = MLP.from_params({"W1": [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], "b1": np.zeros((3, 1))}, [],
                          "softmax", "softmax_ce")
    grid = boundary_grid(net, (-1.0, 1.0, -1.0, 1.0), resolution=9)
    expected = np.argmax(np.stack([grid.xx, grid.yy, np.zeros_like(grid.xx)]), axis=0)
    np.testing.assert_array_equal(grid.classes, expected)
    assert np.all((grid.score >= 1 / 3) & (grid.score <= 1))


def test_predicted_and_target_classes():
    np.testing.assert_array_equal(predicted_classes(np.array([[0.2, 0.5, 0.9]])), [0, 1, 1])
    np.testing.assert_array_equal(target_classes(np.array([[0, 1.0], [1.0, 0]])), [1, 0])


def test_confusion_matrix_matches_sklearn():
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    C = confusion_matrix(t, p, 4)
    np.testing.assert_array_equal(C, sk_confusion(t, p, labels=range(4)))
    assert C.sum() == 50 and np.trace(C) == np.sum(t == p)


def test_confusion_table_text():
    C = np.array([[2, 0], [1, 3]])
    assert confusion_table(C) == "true\\pred    0    1\n        0    2    .\n        1    1    3"


def test_plots_draw_with_class_colours():
    X = np.array([[-1.0, 1.0, 0.5], [0.0, 0.0, -1.0]])
    Y = np.array([[0.0, 1.0, 1.0]])
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    grid = plot_boundary(ax1, half_plane_net(), X, Y, resolution=20, title="half plane")
    assert grid.classes.shape == (20, 20) and ax1.get_title() == "half plane"
    assert not {FORWARD, GRADIENT, TARGET} & set(CLASS_COLORS)
    plot_confusion(ax2, np.array([[2, 0], [1, 3]]))
    assert [t.get_text() for t in ax2.texts] == ["2", "1", "3"]


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="2 inputs"):
        boundary_grid(MLP([3, 1]), (0, 1, 0, 1))
    with pytest.raises(ValueError, match="x_min < x_max"):
        boundary_grid(half_plane_net(), (1, 0, 0, 1))
    with pytest.raises(ValueError, match="resolution must be at least 2"):
        boundary_grid(half_plane_net(), (0, 1, 0, 1), resolution=1)
    with pytest.raises(ValueError, match="must have 2 rows"):
        grid_extent(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="equal length"):
        confusion_matrix([0, 1], [0], 2)
    with pytest.raises(ValueError, match=r"integers in 0..1"):
        confusion_matrix([0, 2], [0, 1], 2)
    with pytest.raises(ValueError, match="square"):
        confusion_table(np.zeros((2, 3)))
