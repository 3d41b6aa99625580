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


class FigureImage:
    """A matplotlib figure shown through an ``ipywidgets.Image`` and redrawn in place.

    Build the figure and its artists once; on every control change, update the artists
    (``line.set_data``, ``text.set_text``, ...) and call :meth:`refresh`, which renders the same
    figure to PNG (Agg, no pyplot state, no ``Output`` widget whose capture would leak into the
    notebook) and puts the bytes in the image widget.  Tests call ``refresh`` without a display.
    """

    def __init__(self, figure, alt: str = ""):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure = figure
        FigureCanvasAgg(figure)  # attach an Agg canvas, whatever the notebook backend is
        self.widget = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        if alt:
            self.widget.description = alt
        self.refresh()

    def render_png(self) -> bytes:
        import io

        buffer = io.BytesIO()
        self.figure.canvas.print_png(buffer)
        return buffer.getvalue()

    def refresh(self) -> None:
        """Render the figure as it is now into the image widget."""
        self.widget.value = self.render_png()
