"""Wall-clock timing for the chapters' cost measurements (benchmarks, never tests).

Outputs of cells that print these times differ from run to run: mark such cells
``# NBVAL_IGNORE_OUTPUT`` and glue the *ratios* or fitted slopes only where they are stable.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from backprop_lib._validation import positive_int


def median_time(fn: Callable[[], object], repeat: int = 7, number: int = 1, warmup: int = 1) -> float:
    """Median seconds per call of ``fn()`` over ``repeat`` rounds of ``number`` calls each."""
    repeat = positive_int(repeat, "repeat")
    number = positive_int(number, "number")
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return float(np.median(times))


def loglog_slope(x, y) -> float:
    """Least-squares slope of log(y) against log(x): the exponent k in y ~ x^k."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"x and y must be 1-D of the same length >= 2, got {x.shape} and {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive for a log-log fit")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
