"""The verdict type of every checker, and the one way a checker calls a learner's code.

A verdict is truthy when the answer passes and displays as its message, wrapped to the code column
(79 characters), so a checker call as the last line of a cell prints a readable verdict.  An
exercise cell ships as a stub whose body raises ``NotImplementedError`` (or a value left as
``...``): its checker answers "not attempted yet", never a traceback.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import describe_error

PASS = "\u2714"  # heavy check mark
FAIL = "\u2718"  # heavy ballot x
TODO = "\u25cb"  # white circle: not attempted yet
WIDTH = 79       # the code column of the book


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``passed``, a human-readable ``message``, and ``attempted``
    (False while the exercise cell is still the stub it ships as)."""

    passed: bool
    message: str
    attempted: bool = True

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return "\n".join(textwrap.fill(part, WIDTH, break_long_words=False, break_on_hyphens=False,
                                       subsequent_indent="  ")
                         for part in self.message.split("\n"))

    __str__ = __repr__


def not_attempted(what: str) -> CheckResult:
    """The verdict for an exercise cell still as it ships: ``what`` names what to fill in."""
    return CheckResult(False, f"{TODO} Not attempted yet: {what}, then run this cell again.",
                       attempted=False)


def _name(fn, start: bool = False) -> str:
    name = getattr(fn, "__name__", "")
    if name and name != "<lambda>":
        return f"`{name}`"
    return "Your function" if start else "your function"


def learner_call(fn: Callable, *args, **kwargs) -> tuple[object, CheckResult | None]:
    """Call a learner's function: ``(value, None)``, or ``(None, verdict)`` when it is still a
    stub (raises ``NotImplementedError``), raised anything else, or returned ``None`` or ``...``."""
    if not callable(fn):
        return None, CheckResult(False, f"{FAIL} Expected a function, got {type(fn).__name__}.")
    try:
        value = fn(*args, **kwargs)
    except NotImplementedError:
        return None, not_attempted(f"fill in the body of {_name(fn)}")
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
        return None, CheckResult(False, f"{FAIL} {_name(fn, True)} raised {describe_error(exc)}.")
    if value is None or value is Ellipsis:
        return None, CheckResult(False, f"{FAIL} {_name(fn, True)} returned {value!r}: is the "
                                        "return statement missing?")
    return value, None


def learner_number(fn: Callable, *args, what: str = "one number") -> tuple[float | None, CheckResult | None]:
    """:func:`learner_call` for a function that must return one real number: ``(float, None)``,
    or ``(None, verdict)`` when it is a stub, raised, returned nothing, or returned something
    that is not one finite number (a list, a string, a complex, nan...); ``what`` names the
    number in that verdict ("the learning rate")."""
    value, bad = learner_call(fn, *args)
    if bad is not None:
        return None, bad
    kind = type(value).__name__
    if isinstance(value, (bool, str, bytes)) or np.ndim(value) != 0:
        return None, CheckResult(False, f"{FAIL} Return {what}, got {kind}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, CheckResult(False, f"{FAIL} Return {what}, got {kind}.")
    if not math.isfinite(number):
        return None, CheckResult(False, f"{FAIL} Return {what}, got {number!r}.")
    return number, None
