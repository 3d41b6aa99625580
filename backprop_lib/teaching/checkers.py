"""Checkers for the exercises: compare a learner's code with a trusted reference and say, in
words, what is right and what is off.

Every checker returns a :class:`CheckResult`; it is truthy when the answer passes and displays
as its message, so ``check_derivative(my_df, f)`` as the last line of a cell prints the verdict.
Checkers never raise because of the learner's code: an exception inside it becomes the verdict.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from backprop_lib._validation import call_safely, finite_scalar, positive_int
from backprop_lib.gradcheck.finite_diff import central_difference, numerical_jacobian
from backprop_lib.teaching.verdicts import FAIL, PASS, CheckResult, learner_call


def _is_nice_ratio(r: float) -> bool:
    """True when r or 1/r is (nearly) a whole number other than 1, e.g. 2, 3, 0.5."""
    return any(abs(q - round(q)) < 1e-3 and round(q) not in (0, 1) for q in (abs(r), 1 / abs(r)))


def _ratio_text(r: float) -> str:
    q = abs(r)
    return f"{round(q)}" if abs(q - round(q)) < 1e-3 and round(q) > 1 else f"1/{round(1 / q)}"


def matching_hint(got, candidates, rtol: float = 1e-7, atol: float = 1e-12) -> str:
    """The hint of the first ``(value, hint)`` in ``candidates`` that ``got`` equals (same shape,
    numerically close): how a checker recognises a typical mistake.  ``""`` when none matches."""
    got = np.asarray(got, dtype=float)
    for value, hint in candidates:
        value = np.asarray(value, dtype=float)
        if value.shape == got.shape and np.allclose(got, value, rtol=rtol, atol=atol):
            return hint
    return ""


def check_derivative(df: Callable[[float], float], f: Callable[[float], float], *, points=None,
                     n_points: int = 5, low: float = -2.0, high: float = 2.0, seed: int = 0,
                     h: float = 1e-5, rtol: float = 1e-6, atol: float = 1e-8) -> CheckResult:
    """Check a learner's derivative ``df`` of a scalar function ``f`` against central differences.

    The points are ``points`` if given, else ``n_points`` uniform draws from [low, high] (seeded).
    Passes when |df(x) - slope| <= atol + rtol * |slope| at every point.
    """
    if not callable(df) or not callable(f):
        raise TypeError("check_derivative(df, f): both arguments must be functions of one number")
    if points is None:
        n_points = positive_int(n_points, "n_points")
        low, high = finite_scalar(low, "low"), finite_scalar(high, "high")
        if not low < high:
            raise ValueError(f"need low < high, got low={low}, high={high}")
        points = np.random.default_rng(seed).uniform(low, high, size=n_points)
    points = [float(p) for p in np.atleast_1d(np.asarray(points, dtype=float))]
    for x in points:
        slope, err = call_safely(central_difference, f, x, h)
        if err:
            return CheckResult(False, f"{FAIL} f itself raised {err} at x = {x:.4g}.")
        yours, bad = learner_call(df, x)
        if bad is not None:
            return bad if not bad.attempted else CheckResult(False, f"{bad.message} (at x = {x:.4g})")
        try:
            yours = float(yours)
        except (TypeError, ValueError):
            return CheckResult(False, f"{FAIL} Your derivative returned {yours!r} at x = {x:.4g}; "
                                      "it should return one number.")
        if not np.isfinite(yours):
            return CheckResult(False, f"{FAIL} Your derivative returned {yours} at x = {x:.4g}.")
        gap = abs(yours - slope)
        if gap > atol + rtol * abs(slope):
            hint = ""
            if slope != 0 and abs(yours / slope + 1) < 1e-3:
                hint = " The sign is flipped."
            elif slope != 0 and yours != 0 and _is_nice_ratio(yours / slope):
                hint = (f" Your value is {yours / slope:.3g} times the slope: off by a factor of "
                        f"{_ratio_text(yours / slope)}; check the inner derivative the chain rule multiplies in.")
            return CheckResult(False, f"{FAIL} Not yet: at x = {x:.4g} your derivative gives {yours:.6g}, "
                                      f"but the slope of f there is {slope:.6g} (central differences).{hint}")
    # the gaps themselves are rounding noise (their digits change with the CPU): state the bound
    return CheckResult(True, f"{PASS} Correct: your derivative matches central differences at "
                             f"{len(points)} points (relative tolerance {rtol:.0e}).")


def check_arrays(yours: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray], *,
                 rtol: float = 1e-6, atol: float = 1e-10, what: str = "gradient") -> CheckResult:
    """Compare a learner's dict of arrays (e.g. gradients) with a reference dict, key by key.

    The message names the first key that is missing, has the wrong shape, or is off, and by how
    much (relative error, the worst entry, and the ratio when it is a constant factor).
    """
    if not isinstance(yours, Mapping):
        return CheckResult(False, f"{FAIL} Expected a dict like {{{', '.join(map(repr, expected))}}}, "
                                  f"got {type(yours).__name__}.")
    for key, ref in expected.items():
        ref = np.asarray(ref, dtype=float)
        if key not in yours:
            return CheckResult(False, f"{FAIL} Your {what}s have no {key!r} (expected keys {list(expected)}).")
        try:
            got = np.asarray(yours[key], dtype=float)
        except (TypeError, ValueError):
            return CheckResult(False, f"{FAIL} {key!r} is not an array of numbers.")
        if got.shape != ref.shape:
            hint = ""
            if got.shape == ref.shape[::-1]:
                hint = " That is the transposed shape: check the order of the product."
            elif ref.ndim == 2 and ref.shape[1] == 1 and got.shape == ref.shape[:1]:
                hint = " A column is (n, 1): keep the axis with keepdims=True."
            return CheckResult(False, f"{FAIL} {key!r} has shape {got.shape}, expected "
                                      f"{ref.shape}.{hint}")
        if not np.all(np.isfinite(got)):
            return CheckResult(False, f"{FAIL} {key!r} contains NaN or infinite values.")
        if not np.allclose(got, ref, rtol=rtol, atol=atol):
            diff = np.abs(got - ref)
            idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
            rel = np.linalg.norm(got - ref) / max(np.linalg.norm(got) + np.linalg.norm(ref), 1e-300)
            msg = (f"{FAIL} {key!r} is off (relative error {rel:.2g}); the largest difference is at "
                   f"index {tuple(int(i) for i in idx)}: yours {got[idx]:.6g}, expected {ref[idx]:.6g}.")
            nz = np.abs(ref) > 1e-12
            if np.any(nz):
                ratios = got[nz] / ref[nz]
                if np.allclose(ratios, ratios[0], rtol=1e-6) and not np.isclose(ratios[0], 1.0):
                    msg += f" Every entry is {ratios[0]:.4g} times the expected one: a missing or extra factor?"
            if got.shape == ref.shape and got.ndim == 2 and got.shape[0] == got.shape[1] \
                    and np.allclose(got, ref.T, rtol=rtol, atol=atol):
                msg += " It equals the transpose of the expected array."
            return CheckResult(False, msg)
    if len(expected) == 1:
        return CheckResult(True, f"{PASS} Correct: the {what} matches.")
    return CheckResult(True, f"{PASS} All {len(expected)} {what}s match ({', '.join(expected)}).")


def check_jacobian(jac: Callable[[np.ndarray], np.ndarray], f: Callable[[np.ndarray], np.ndarray],
                   n: int, *, points=None, n_points: int = 3, low: float = -2.0, high: float = 2.0,
                   seed: int = 0, h: float = 1e-5, rtol: float = 1e-6, atol: float = 1e-8) -> CheckResult:
    """Check a learner's Jacobian function ``jac`` of f: R^n -> R^m against central differences.

    The points are the rows of ``points`` (shape (k, n)) if given, else ``n_points`` seeded
    uniform draws from [low, high]^n.  Passes when every entry satisfies
    |J_yours - J_numerical| <= atol + rtol |J_numerical|.  Never raises because of ``jac``.
    """
    if not callable(jac) or not callable(f):
        raise TypeError("check_jacobian(jac, f, n): jac and f must be functions of a 1-D array")
    n = positive_int(n, "n")
    if points is None:
        n_points = positive_int(n_points, "n_points")
        low, high = finite_scalar(low, "low"), finite_scalar(high, "high")
        if not low < high:
            raise ValueError(f"need low < high, got low={low}, high={high}")
        points = np.random.default_rng(seed).uniform(low, high, size=(n_points, n))
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != n:
        raise ValueError(f"points must have shape (k, {n}), got {points.shape}")
    for x in points:
        where = "x = (" + ", ".join(f"{v:.3g}" for v in x) + ")"
        ref, err = call_safely(numerical_jacobian, f, x, h)
        if err:
            return CheckResult(False, f"{FAIL} f itself raised {err} at {where}.")
        yours, bad = learner_call(jac, x.copy())
        if bad is not None:
            return bad if not bad.attempted else CheckResult(False, f"{bad.message} (at {where})")
        try:
            yours = np.asarray(yours, dtype=np.float64)
        except (TypeError, ValueError):
            return CheckResult(False, f"{FAIL} Your Jacobian returned {type(yours).__name__}, not an array of numbers.")
        if yours.shape != ref.shape:
            hint = " It has the transposed shape: rows are outputs, columns are inputs." \
                if yours.shape == ref.shape[::-1] else ""
            return CheckResult(False, f"{FAIL} Your Jacobian has shape {yours.shape}; f has {ref.shape[0]} "
                                      f"outputs and {n} inputs, so it must be {ref.shape}.{hint}")
        if not np.all(np.isfinite(yours)):
            return CheckResult(False, f"{FAIL} Your Jacobian contains NaN or infinite values at {where}.")
        gap = np.abs(yours - ref)
        bad = gap > atol + rtol * np.abs(ref)
        if np.any(bad):
            i, j = np.unravel_index(int(np.argmax(np.where(bad, gap, -1.0))), gap.shape)
            return CheckResult(False, f"{FAIL} Not yet: at {where}, entry [{i}, {j}] (d f_{i} / d x_{j}) is "
                                      f"{yours[i, j]:.6g}, but central differences give {ref[i, j]:.6g}.")
    return CheckResult(True, f"{PASS} Correct: your {ref.shape[0]}x{n} Jacobian matches central differences at "
                             f"{len(points)} points.")
