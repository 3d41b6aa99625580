"""Gradient checking: central differences over any parameter dict, and the relative error.

The book's measure for comparing an analytic gradient g_a with a numerical one g_n is

    rel(g_a, g_n) = ||g_a - g_n|| / (||g_a|| + ||g_n||)        (0 when both are zero),

which is scale-free.  In float64 with eps = 1e-5, central differences are accurate to about
1e-10 relative, so a correct backward pass gives rel < 1e-7; between 1e-7 and 1e-5 is usually
a kink (ReLU at 0) or a badly scaled loss; above 1e-5 is almost always a bug.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import finite_scalar

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


def numerical_gradient(f: Callable[[], float], params: Mapping[str, np.ndarray], eps: float = 1e-5,
                       keys: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Central-difference gradient of ``f()`` with respect to every entry of ``params``.

    ``f`` takes no arguments and reads ``params`` (which are perturbed *in place* one entry at a
    time and restored): dF/dp ≈ (f(p + eps) - f(p - eps)) / (2 eps).  Costs 2P calls of ``f``.
    The arrays must be float64: in float32 the rounding error swamps the difference.
    """
    eps = finite_scalar(eps, "eps", positive=True)
    if not callable(f):
        raise TypeError(f"f must be a function of no arguments returning a float, got {type(f).__name__}")
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    keys = list(params) if keys is None else list(keys)
    grads = {}
    for key in keys:
        if key not in params:
            raise ValueError(f"unknown parameter {key!r}; params has {sorted(params)}")
        p = params[key]
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            raise TypeError(f"params[{key!r}] must be a float64 numpy array (gradient checks need "
                            f"double precision), got {type(p).__name__} {getattr(p, 'dtype', '')}")
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            f_plus = float(f())
            p[idx] = old - eps
            f_minus = float(f())
            p[idx] = old
            g[idx] = (f_plus - f_minus) / (2.0 * eps)
        grads[key] = g
    return grads


@dataclass(frozen=True)
class GradCheckRow:
    name: str
    shape: tuple[int, ...]
    relative_error: float
    max_abs_diff: float

    @property
    def verdict(self) -> str:
        return verdict(self.relative_error)


@dataclass(frozen=True)
class GradCheckResult:
    """One row per parameter array; ``max_error`` is the worst relative error."""

    rows: tuple[GradCheckRow, ...]

    @property
    def max_error(self) -> float:
        return max(row.relative_error for row in self.rows)

    def passed(self, threshold: float = EXCELLENT) -> bool:
        return self.max_error < threshold

    def table(self) -> str:
        """A text table that reads the same on every machine.

        A relative error below ``EXCELLENT`` is rounding noise, whose digits change with the CPU:
        it is shown as the bound it meets (``< 1e-07``), and its ``max |diff|`` as ``noise``.
        Larger errors (a kink, a bug) are shown to two significant digits.
        """
        lines = [f"{'param':<8}{'shape':<12}{'rel. error':>12}{'max |diff|':>12}  verdict"]
        for r in self.rows:
            if r.relative_error < EXCELLENT:
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
                              float(np.max(np.abs(analytic[k] - numeric[k]))))
                 for k in numeric)
    return GradCheckResult(rows)
