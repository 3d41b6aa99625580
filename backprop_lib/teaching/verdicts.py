"""The verdict type of every checker: truthy when the answer passes, displayed as its message."""
from __future__ import annotations

from dataclasses import dataclass


PASS = "\u2714"  # heavy check mark
FAIL = "\u2718"  # heavy ballot x


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``passed`` and a human-readable ``message``."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__
