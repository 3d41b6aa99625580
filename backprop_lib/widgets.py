"""Shared pieces for the chapters' interactive explorers.

Every explorer is split in two: a *pure* update function (state in, numbers and artists out),
which tests drive without a display, and a thin ipywidgets view that calls it.  ``safe_call``
guarantees the view never shows a traceback: whatever the controls say, the learner sees either
the result or a one-line message in the status area.
"""
from __future__ import annotations

from collections.abc import Callable

KERNEL_NOTE = ("The controls below need a running Python kernel: open this chapter in JupyterLab "
               "(see the README) or on Binder. On the static page you see one fixed setting.")


def safe_call(fn: Callable[..., object], *args, on_error: Callable[[str], None] | None = None, **kwargs):
    """Call ``fn``; on any exception report ``"<Type>: <message>"`` through ``on_error`` (if given)
    and return ``None`` instead of raising, so a widget callback never surfaces a traceback."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # a widget must survive any input
        if on_error is not None:
            on_error(f"{type(exc).__name__}: {exc}")
        return None
