"""Input checks shared by the public entry points.

Every public function of ``backprop_lib`` validates what it is given with these helpers, so a
mistake raises a ``ValueError``/``TypeError`` that names what was expected and what arrived,
instead of being broadcast by numpy into a wrong answer.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np


def as_float_matrix(value, name: str, rows: int | None = None, cols: int | None = None,
                    dtype=np.float64, batch: bool = True) -> np.ndarray:
    """Return ``value`` as a 2-D floating array, checking its shape and that it is finite.

    ``rows``/``cols`` (when given) are the required shape; a 1-D array is *refused* rather than
    reshaped, because guessing whether it is a row or a column is exactly how broadcasting bugs
    start.  ``batch`` says the columns are examples (for the wording of the errors).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a 2-D numeric array, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds here
        raise TypeError(f"{name} must be a 2-D numeric array, got {type(value).__name__}") from exc
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got complex dtype {array.dtype}")
    if array.ndim != 2:
        hint = f"; use shape ({rows}, 1)" if (array.ndim == 1 and not batch and cols == 1) else ""
        if array.ndim == 1 and rows is not None and batch:
            hint = (f"; examples are columns, so a batch of B examples has shape ({rows}, B)"
                    f" - use x.reshape({rows}, -1) for one example or a (B,) vector of targets")
        raise ValueError(f"{name} must be 2-D, got shape {array.shape}{hint}")
    if rows is not None and array.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows (one per unit), got shape {array.shape}")
    if cols is not None and array.shape[1] != cols:
        per = " (one per example)" if batch else ""
        raise ValueError(f"{name} must have {cols} columns{per}, got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}): need at least one unit and one example")
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); inputs must be finite")
    return array


def valid_name(name, registry: Mapping | Iterable[str], what: str) -> str:
    """Check that ``name`` is a string key of ``registry``; the error lists the valid names."""
    valid = sorted(registry)
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a name (str), one of {valid}; got {type(name).__name__}")
    if name not in valid:
        raise ValueError(f"unknown {what} {name!r}; valid names are {valid}")
    return name


def positive_int(value, name: str) -> int:
    """Check that ``value`` is an integer >= 1 (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def as_flag(value, name: str) -> bool:
    """Check that ``value`` is True or False (a Python or numpy bool, e.g. a checkbox's value)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def finite_scalar(value, name: str, positive: bool = False) -> float:
    """Check that ``value`` is a real finite number (and > 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def call_safely(fn: Callable[..., object], *args, **kwargs) -> tuple[object, str | None]:
    """Call code we do not control (a learner's function, a widget's update) without raising.

    Returns ``(value, None)``, or ``(None, "<Type>: <message>")`` when ``fn`` raised: checkers turn
    that text into a verdict and explorers into a status line, never into a traceback.
    """
    try:
        return fn(*args, **kwargs), None
    except Exception as exc:  # the caller's code may raise anything
        return None, describe_error(exc)


def describe_error(exc: BaseException) -> str:
    """``"<Type>: <message>"``: how a verdict or a status line names an exception."""
    return f"{type(exc).__name__}: {exc}"
