"""Gradient checking: central differences over any parameter dict, and the relative error.

The book's measure for comparing an analytic gradient g_a with a numerical one g_n is

    rel(g_a, g_n) = ||g_a - g_n|| / (||g_a|| + ||g_n||)        (0 when both are zero),

which is scale-free.  In float64 with eps = 1e-5, central differences are accurate to about
1e-10 relative, so a correct backward pass gives rel < 1e-7; between 1e-7 and 1e-5 is usually
a kink (ReLU at 0) or a badly scaled loss; above 1e-5 is almost always a bug.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from backprop_lib.gradcheck.finite_diff import numerical_gradient

EXCELLENT = 1e-7
ACCEPTABLE = 1e-5


def relative_error(analytic, numerical) -> float:
    """||a - n|| / (||a|| + ||n||) for two arrays of the same shape (0.0 when both are zero)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error needs arrays of the same shape, got {a.shape} and {n.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    if denom == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n) / denom)


def verdict(error: float) -> str:
    """A one-word reading of a relative error: 'excellent', 'acceptable' or 'wrong'."""
    if error < EXCELLENT:
        return "excellent"
    if error < ACCEPTABLE:
        return "acceptable"
    return "wrong"


@dataclass(frozen=True)
class GradCheckRow:
    name: str
    shape: tuple[int, ...]
    relative_error: float
    max_abs_diff: float
    all_zero: bool = False   # both gradients exactly 0: nothing was compared (0/0)

    @property
    def verdict(self) -> str:
        return "n/a" if self.all_zero else verdict(self.relative_error)


@dataclass(frozen=True)
class GradCheckResult:
    """One row per parameter array; ``max_error`` is the worst relative error."""

    rows: tuple[GradCheckRow, ...]

    @property
    def max_error(self) -> float:
        """The worst relative error over the rows that compared something (0.0 if none did)."""
        return max((row.relative_error for row in self.rows if not row.all_zero), default=0.0)

    def passed(self, threshold: float = EXCELLENT) -> bool:
        """Every compared row below ``threshold``, and at least one row not all zero."""
        return any(not row.all_zero for row in self.rows) and self.max_error < threshold

    def table(self) -> str:
        """A text table that reads the same on every machine.

        A relative error below ``EXCELLENT`` is rounding noise, whose digits change with the CPU:
        it is shown as the bound it meets (``< 1e-07``), and its ``max |diff|`` as ``noise``.
        Larger errors (a kink, a bug) are shown to two significant digits.
        """
        lines = [f"{'param':<8}{'shape':<12}{'rel. error':>12}{'max |diff|':>12}  verdict"]
        for r in self.rows:
            if r.all_zero:   # 0/0: an all-zero gradient checks nothing (e.g. an input x = 0)
                rel, diff = "n/a", "all zero"
            elif r.relative_error < EXCELLENT:
                rel, diff = f"< {EXCELLENT:.0e}", "noise"
            else:
                rel, diff = f"{r.relative_error:.1e}", f"{r.max_abs_diff:.1e}"
            lines.append(f"{r.name:<8}{str(r.shape):<12}{rel:>12}{diff:>12}  {r.verdict}")
        return "\n".join(lines)


def check_gradients(net, X, Y, eps: float = 1e-5, keys: Iterable[str] | None = None) -> GradCheckResult:
    """Compare ``net.backward`` with central differences of ``net.loss`` for a batch X, Y.

    ``net`` is an ``MLP`` (anything with ``params``, ``forward``, ``loss`` and ``backward``).
    """
    out, cache = net.forward(X)
    analytic = net.backward(cache, Y)

    def loss() -> float:
        return net.loss(net.forward(X)[0], Y)

    numeric = numerical_gradient(loss, net.params, eps=eps, keys=keys)
    rows = tuple(GradCheckRow(k, tuple(numeric[k].shape), relative_error(analytic[k], numeric[k]),
                              float(np.max(np.abs(analytic[k] - numeric[k]))),
                              bool(not np.any(analytic[k]) and not np.any(numeric[k])))
                 for k in numeric)
    return GradCheckResult(rows)
