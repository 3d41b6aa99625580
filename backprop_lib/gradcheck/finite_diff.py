"""Numerical differentiation done right: forward and central differences, the numerical
Jacobian, and the error-versus-step experiment that explains why gradient checks use h ~ 1e-5
in float64.

Formulas (Taylor's theorem with f smooth near x):

    forward   D+ f(x) = (f(x + h) - f(x)) / h          = f'(x) + (h/2) f''(x)  + O(h^2)
    central   D0 f(x) = (f(x + h) - f(x - h)) / (2h)   = f'(x) + (h^2/6) f'''(x) + O(h^4)

Each value of f carries a rounding error of about eps |f(x)| (eps = machine epsilon of the
dtype), which the division by h amplifies.  Adding the two error terms,

    forward:  E(h) ~ (h/2) |f''| + 2 eps |f| / h     minimised at h* = 2 sqrt(eps |f| / |f''|)
    central:  E(h) ~ (h^2/6) |f'''| + eps |f| / h    minimised at h* = (3 eps |f| / |f'''|)^(1/3)

so h* ~ eps^(1/2) for forward and eps^(1/3) for central differences (:func:`optimal_step`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import finite_scalar

METHODS = ("forward", "central")


def _check_method(method) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    return method


def _check_step(h):
    """A positive finite step, or an array of them (then the result is one slope per step)."""
    if isinstance(h, np.ndarray):
        if not np.issubdtype(h.dtype, np.floating) or h.size == 0 or not np.all(np.isfinite(h)) or np.any(h <= 0):
            raise ValueError(f"h must hold positive finite floats, got {h!r}")
        return h
    return finite_scalar(h, "h", positive=True)


def forward_difference(f: Callable, x, h: float = 1e-8):
    """(f(x + h) - f(x)) / h: slope of f at x, error O(h).  ``x`` a number or an array, ``h`` a
    step or an array of steps (``f`` must then act elementwise; the result broadcasts)."""
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    h = _check_step(h)
    return (f(x + h) - f(x)) / h


def central_difference(f: Callable, x, h: float = 1e-5):
    """(f(x + h) - f(x - h)) / (2h): slope of f at x, error O(h^2).  ``x`` a number or an array,
    ``h`` a step or an array of steps (``f`` must then act elementwise; the result broadcasts)."""
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    h = _check_step(h)
    return (f(x + h) - f(x - h)) / (2.0 * h)


def numerical_jacobian(f: Callable[[np.ndarray], np.ndarray], x, h: float = 1e-5) -> np.ndarray:
    """Central-difference Jacobian of f: R^n -> R^m at x, shape (m, n), 2n calls of f.

    Column j is (f(x + h e_j) - f(x - h e_j)) / (2h), so J[i, j] ~ d f_i / d x_j.
    ``x`` is a 1-D float array of length n; ``f`` returns a 1-D array of length m.
    """
    if not callable(f):
        raise TypeError(f"f must be a function from a 1-D array to a 1-D array, got {type(f).__name__}")
    h = finite_scalar(h, "h", positive=True)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array (a vector of n inputs), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite")
    f0 = np.asarray(f(x.copy()), dtype=np.float64)
    if f0.ndim != 1:
        raise ValueError(f"f must return a 1-D array (m outputs), got shape {f0.shape}")
    J = np.empty((f0.size, x.size))
    for j in range(x.size):
        e_j = np.zeros_like(x)
        e_j[j] = 1.0
        J[:, j] = central_difference(lambda t, e_j=e_j: np.asarray(f(x + t * e_j), dtype=np.float64), 0.0, h)
    return J


def optimal_step(method: str, dtype, f0: float, fk: float) -> float:
    """Theoretical best step h* for ``method`` in precision ``dtype`` (see the module docstring).

    ``f0`` = |f(x)| and ``fk`` = |f''(x)| for "forward" or |f'''(x)| for "central".
    """
    _check_method(method)
    eps = float(np.finfo(np.dtype(dtype)).eps)
    f0 = abs(finite_scalar(f0, "f0"))
    fk = abs(finite_scalar(fk, "fk"))
    if f0 == 0 or fk == 0:
        raise ValueError("optimal_step needs f0 != 0 and fk != 0 (otherwise one error term vanishes)")
    if method == "forward":
        return float(2.0 * np.sqrt(eps * f0 / fk))
    return float(np.cbrt(3.0 * eps * f0 / fk))


@dataclass(frozen=True)
class ErrorCurve:
    """Median relative error |D f(x) - f'(x)| / |f'(x)| (over the points x) of one method in one
    dtype, for each step h in ``hs``."""

    method: str
    dtype: str
    hs: np.ndarray
    errors: np.ndarray

    @property
    def best_index(self) -> int:
        return int(np.argmin(self.errors))

    @property
    def best_h(self) -> float:
        """The step with the smallest measured (median) error."""
        return float(self.hs[self.best_index])

    @property
    def best_error(self) -> float:
        return float(self.errors[self.best_index])

    def error_at(self, h: float) -> float:
        """The measured error at the step in ``hs`` closest to ``h`` (in log scale)."""
        h = finite_scalar(h, "h", positive=True)
        return float(self.errors[int(np.argmin(np.abs(np.log(self.hs) - np.log(h))))])


def error_vs_step(f: Callable, exact, x, hs, method: str = "central", dtype=np.float64) -> ErrorCurve:
    """Measure the error of a finite difference of ``f`` for every step in ``hs``.

    ``x`` is one point or a 1-D array of P points and ``exact`` the true f'(x) there (nonzero,
    same shape).  Everything (x, h, f, the division) is computed in ``dtype``; ``f`` must act
    elementwise on arrays of that dtype and keep it (numpy operations, not the math module).
    The error for each h is the median over the points of |D f(x) - f'(x)| / |f'(x)|: one point
    alone gives a ragged curve, because rounding errors are sometimes lucky.
    """
    _check_method(method)
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    dt = np.dtype(dtype)
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"dtype must be a floating type such as np.float32 or np.float64, got {dt}")
    xs, exact = np.atleast_1d(np.asarray(x, dtype=np.float64)), np.atleast_1d(np.asarray(exact, dtype=np.float64))
    if xs.ndim != 1 or xs.shape != exact.shape:
        raise ValueError(f"x and exact must be one number each or 1-D arrays of the same length, "
                         f"got shapes {xs.shape} and {exact.shape}")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(exact))) or np.any(exact == 0):
        raise ValueError("x and exact must be finite and exact nonzero (errors are relative to it)")
    hs64 = np.asarray(hs, dtype=np.float64)
    if hs64.ndim != 1 or hs64.size == 0 or not np.all(np.isfinite(hs64)) or np.any(hs64 <= 0):
        raise ValueError(f"hs must be a non-empty 1-D array of positive finite steps, got shape {hs64.shape}")
    h = hs64.astype(dt)[:, None]
    if np.any(h == 0):
        raise ValueError(f"the step h = {hs64[h[:, 0] == 0].min():.1e} rounds to 0 in {dt.name}; "
                         f"use steps of at least {float(np.finfo(dt).smallest_subnormal):.1e}")
    xd = np.broadcast_to(xs.astype(dt)[None, :], (h.shape[0], xs.size))
    difference = forward_difference if method == "forward" else central_difference
    approx = np.asarray(difference(f, xd, h))       # h is in dt, so 2h stays in dt
    if approx.dtype != dt:
        raise TypeError(f"f changed the dtype from {dt} to {approx.dtype}; use numpy operations")
    errors = np.median(np.abs(approx.astype(np.float64) - exact) / np.abs(exact), axis=1)
    return ErrorCurve(method, dt.name, hs64, errors)


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
            g[idx] = central_difference_at(f, p, idx, eps)
        grads[key] = g
    return grads


def central_difference_at(f: Callable[[], float], p: np.ndarray, index: tuple[int, ...],
                          h: float = 1e-5) -> float:
    """dF/dp[index] ~ (F(p[index] + h) - F(p[index] - h)) / (2h), F = ``f()`` read at ``p``.

    ``f`` takes no arguments and reads the array ``p``, whose entry ``index`` is changed *in
    place* for the two calls and then restored (also when ``f`` raises).  Two calls of ``f``.
    """
    old = p[index]

    def f_at(value) -> float:
        p[index] = value
        return float(f())

    try:
        return central_difference(f_at, old, h)
    finally:
        p[index] = old
