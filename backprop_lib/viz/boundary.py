"""Decision boundaries of 2-D classifiers and confusion matrices.

* :func:`boundary_grid` evaluates a network on a regular grid covering the data (inputs are
  columns, so the grid is fed as one (2, G*G) batch) and returns the predicted class per cell.
* :func:`plot_boundary` draws that as filled regions with the data points on top.
* :func:`confusion_matrix` counts C[i, j] = number of examples of true class i predicted as j;
  :func:`confusion_table` prints it as fixed-width text, :func:`plot_confusion` as an image.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import as_float_matrix, finite_scalar, positive_int
from backprop_lib.viz.style import EXTRA, HIGHLIGHT, NEUTRAL

# Class colours: deliberately NOT blue/orange/green, which mean forward values, gradients and
# targets in every figure of the book.  Sky blue, yellow and reddish purple (Okabe-Ito).
CLASS_COLORS = (EXTRA[0], EXTRA[1], HIGHLIGHT)


@dataclass(frozen=True)
class BoundaryGrid:
    """``xx``, ``yy`` (G, G) grid coordinates; ``classes`` (G, G) predicted class (int);
    ``score`` (G, G): P(class 1) for one output unit, the winning probability otherwise."""

    xx: np.ndarray
    yy: np.ndarray
    classes: np.ndarray
    score: np.ndarray


def grid_extent(X, margin: float = 0.5) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the points X (2, B), widened by ``margin``."""
    X = as_float_matrix(X, "X (2-D points)", rows=2)
    margin = finite_scalar(margin, "margin")
    return (float(X[0].min() - margin), float(X[0].max() + margin),
            float(X[1].min() - margin), float(X[1].max() + margin))


def predicted_classes(out: np.ndarray) -> np.ndarray:
    """Class per column of a network output (n_L, B): threshold 0.5 for n_L = 1, else argmax."""
    out = as_float_matrix(out, "out (network output)")
    return (out[0] >= 0.5).astype(int) if out.shape[0] == 1 else np.argmax(out, axis=0)


def target_classes(Y) -> np.ndarray:
    """Class per column of targets (n_L, B): 0/1 for one row, argmax of one-hot otherwise."""
    Y = as_float_matrix(Y, "Y (targets)")
    return (Y[0] >= 0.5).astype(int) if Y.shape[0] == 1 else np.argmax(Y, axis=0)


def boundary_grid(net, extent: tuple[float, float, float, float], resolution: int = 100) -> BoundaryGrid:
    """Evaluate ``net`` (2 inputs) on a ``resolution`` x ``resolution`` grid over ``extent``."""
    if not hasattr(net, "predict") or getattr(net, "sizes", [None])[0] != 2:
        raise TypeError(f"net must be an MLP with 2 inputs, got {net!r}")
    resolution = positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    if len(extent) != 4:
        raise ValueError(f"extent must be (x_min, x_max, y_min, y_max), got {extent!r}")
    x0, x1, y0, y1 = (finite_scalar(v, "extent") for v in extent)
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"extent needs x_min < x_max and y_min < y_max, got {extent!r}")
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(over="ignore", invalid="ignore"):
        out = net.predict(np.vstack([xx.ravel(), yy.ravel()]))
    classes = predicted_classes(out).reshape(xx.shape)
    score = (out[0] if out.shape[0] == 1 else out.max(axis=0)).reshape(xx.shape)
    return BoundaryGrid(xx, yy, classes, score)


def plot_boundary(ax, net, X, Y, resolution: int = 100, margin: float = 0.5, title: str | None = None):
    """Filled class regions of ``net`` with the points X (2, B) coloured by their targets Y."""
    grid = boundary_grid(net, grid_extent(X, margin), resolution)
    labels = target_classes(Y)
    n_classes = max(2, int(labels.max()) + 1, int(grid.classes.max()) + 1)
    if n_classes > len(CLASS_COLORS):
        raise ValueError(f"plot_boundary draws at most {len(CLASS_COLORS)} classes, got {n_classes}")
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(CLASS_COLORS[:n_classes])
    ax.contourf(grid.xx, grid.yy, grid.classes, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.35)
    ax.scatter(X[0], X[1], c=labels, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5, s=14,
               edgecolors="#333333", linewidths=0.5)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    if title:
        ax.set_title(title)
    return grid


def confusion_matrix(true_labels, predicted_labels, num_classes: int) -> np.ndarray:
    """C (num_classes, num_classes) with C[i, j] = #examples of true class i predicted as j."""
    num_classes = positive_int(num_classes, "num_classes")
    t, p = np.asarray(true_labels), np.asarray(predicted_labels)
    if t.ndim != 1 or t.shape != p.shape:
        raise ValueError(f"true and predicted labels must be 1-D of equal length, got {t.shape} and {p.shape}")
    for name, a in (("true_labels", t), ("predicted_labels", p)):
        if a.size and (not np.issubdtype(a.dtype, np.integer) or a.min() < 0 or a.max() >= num_classes):
            raise ValueError(f"{name} must be integers in 0..{num_classes - 1}")
    C = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(C, (t, p), 1)
    return C


def confusion_table(C: np.ndarray) -> str:
    """Fixed-width text: rows are true classes, columns predictions, zeros shown as '.'."""
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square matrix, got shape {C.shape}")
    k = C.shape[0]
    lines = ["true\\pred" + "".join(f"{j:>5}" for j in range(k))]
    for i in range(k):
        lines.append(f"{i:>9}" + "".join(f"{(C[i, j] if C[i, j] else '.'):>5}" for j in range(k)))
    return "\n".join(lines)


def plot_confusion(ax, C: np.ndarray, title: str | None = None):
    """Draw C as an image with the counts written in the cells."""
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square matrix, got shape {C.shape}")
    k = C.shape[0]
    ax.imshow(np.log1p(C), cmap="Blues")
    for i in range(k):
        for j in range(k):
            if C[i, j]:
                ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if i == j else "black")
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted digit", ylabel="true digit")
    ax.grid(False)
    if title:
        ax.set_title(title)
    ax.tick_params(colors=NEUTRAL)
    return ax
