"""What both scalar autodiff engines (``Value``, ``Dual``) share: the input check and sigmoid."""
from __future__ import annotations

import math


def as_real(x, name: str, kind: str) -> float:
    """``x`` as a finite float.  Anything with ``__float__`` counts as a number (ints, floats,
    NumPy scalars, Fractions) except bools and complex numbers; ``kind`` ("Value" or "Dual") names
    the node type that the engine accepts beside plain numbers, for the error message."""
    if isinstance(x, bool) or isinstance(x, complex) or not hasattr(x, "__float__"):
        raise TypeError(f"{name} must be a real number or a {kind}, got {x!r} ({type(x).__name__})")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x} (an overflow upstream?)")
    return x


def stable_sigmoid(x: float) -> float:
    """1 / (1 + e^-x) for one float, without overflow: e^x / (1 + e^x) for x < 0."""
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
