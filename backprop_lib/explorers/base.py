"""Shared pieces for the chapters' interactive explorers.

Every explorer is split in two: a *pure* update function (state in, numbers and artists out),
which tests drive without a display, and a thin ipywidgets view that calls it.  ``safe_call``
guarantees the view never shows a traceback: whatever the controls say, the learner sees either
the result or a one-line message in the status area (:class:`ExplorerView`).  ``clip`` keeps a
setting inside its slider's range, so any input gives finite numbers.
"""
from __future__ import annotations

import base64
import math
from collections.abc import Callable
from decimal import Decimal

import numpy as np

from backprop_lib._validation import call_safely
from backprop_lib.viz import png
from backprop_lib.viz.glyph_text import GlyphCanvasAgg

# the note above every explorer; the book shows it through the MyST substitution {{ kernel_note }}
KERNEL_NOTE = ('On the HTML page one control of the explorer below moves (its settings were computed '
               'when the chapter was executed); the others need a running Python kernel. Use the rocket button at the top of '
               'the HTML page to open this chapter on Binder (everything installed) or Colab (install the '
               "course package first with `%pip install` and this repository's `git+` URL), or run it "
               'in JupyterLab on your own machine (see the README).')


def safe_call(fn: Callable[..., object], *args, on_error: Callable[[str], None] | None = None, **kwargs):
    """Call ``fn``; on any exception report ``"<Type>: <message>"`` through ``on_error`` (if given)
    and return ``None`` instead of raising, so a widget callback never surfaces a traceback."""
    value, error = call_safely(fn, *args, **kwargs)
    if error is not None and on_error is not None:
        on_error(error)
    return value


def clip(value: float, low: float, high: float) -> float:
    """``value`` limited to [low, high] (a control's range), as a float."""
    return float(min(max(value, low), high))


class ExplorerView:
    """What every explorer view shares: a status line (``self.status``, an ``ipywidgets.HTML``)
    that shows an error as one line of text, and control observers that never raise."""

    status: object

    def _error(self, message: str) -> None:
        self.status.value = f"<code>{message}</code>"

    def _observe(self, controls, callback: Callable[[], object]) -> None:
        """Run ``callback`` (through :func:`safe_call`) whenever one of ``controls`` changes value,
        except when the page only drew a slider again (:func:`page_redrew`). A callback reads a
        slider through :func:`reader_value`."""
        for control in controls:
            track_shown(control)
            control.observe(lambda change: None if page_redrew(change)
                            else safe_call(callback, on_error=self._error), names="value")

    def _on_click(self, button, callback: Callable[..., object], *args) -> None:
        """Run ``callback(*args)`` (through :func:`safe_call`) whenever ``button`` is clicked."""
        button.on_click(lambda _button: safe_call(callback, *args, on_error=self._error))


# Explorer images are drawn with this many image pixels per CSS pixel and shown at their 1x size,
# so text stays sharp on high-density screens (issue 21); 2 quadruples the pixels of a frame.
PIXEL_DENSITY = 2.0
# frames are sent as palette PNGs within this tolerance of their pixels (backprop_lib.viz.png)
PALETTE_TOLERANCE = png.PALETTE_TOLERANCE
# While the reader moves a control, frames are drawn at 1x (a quarter of the pixels to draw,
# encode, send and decode); this long after the last move the same picture follows at full density.
SHARPEN_AFTER_S = 0.25


def answering_the_page() -> bool:
    """Is this kernel handling a message from the page (the reader moved a control), rather than
    running a cell? Outside a kernel (tests, scripts) the answer is no."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent() if kernel is not None else None
        return bool(parent) and parent.get("header", {}).get("msg_type") == "comm_msg"
    except Exception:  # no IPython, an unknown kernel: a cell or a script
        return False


def _float_slider_kind(control) -> str | None:
    """"log" for an ``ipywidgets.FloatLogSlider``, "linear" for a ``FloatSlider``, else ``None``."""
    import ipywidgets as widgets

    if isinstance(control, widgets.FloatLogSlider):
        return "log"
    if isinstance(control, widgets.FloatSlider):
        return "linear"
    return None


def _decimals(*numbers: float) -> int:
    """The most digits after the decimal point among ``numbers`` as written (0.05 -> 2, -3.0 -> 0)."""
    return max(max(0, -Decimal(repr(float(x))).normalize().as_tuple().exponent) for x in numbers)


def slider_step(control, value: float) -> float:
    """The step of the float slider ``control`` nearest ``value``, as the decimal it is written
    with: the grid is ``min + k * step`` (of the exponent, for a ``FloatLogSlider``), so with
    ``min=-1, step=0.01`` both 0.1499999999999999 and 0.14987 give 0.15. Any other control's
    value is returned as it is."""
    kind = _float_slider_kind(control)
    if kind is None:
        return value
    value = float(value)
    if kind == "log":
        if not value > 0:
            return value
        exponent = math.log(value, control.base)
    else:
        exponent = value
    k = round((exponent - control.min) / control.step)
    on_grid = round(control.min + k * control.step, _decimals(control.min, control.step))
    return float(control.base ** on_grid) if kind == "log" else float(on_grid)


def reader_value(control, value: float | None = None) -> float:
    """``value`` (default: ``control.value``) as an explorer computes with it. The page's slider
    puts its handle on a float of its grid and sends that float (0.1499999999999999 for 0.15:
    :func:`page_float`); a float slider's value within a billionth of a step of one of its
    steps is that step's decimal (:func:`slider_step`). A value the kernel set off the grid
    (0.14987 after a gradient step, 0.123 from a cell) and any other control's value are
    returned as they are, and so is the kernel's value of a tracked slider (:func:`track_shown`)
    that the page only drew again: its handle's float on the same step (0.1499999999999999
    for 0.14987) is not the reader's choice."""
    kind = _float_slider_kind(control)
    if value is None:
        value = control.value
        kernel = control.__dict__.get("_kernel_value")
        if kind is not None and kernel is not None and kernel != value \
                and math.isfinite(float(kernel)) and math.isfinite(float(value)) \
                and slider_step(control, kernel) == slider_step(control, value):
            value = kernel
    if kind is None or not math.isfinite(float(value)):
        return value
    step = slider_step(control, value)
    if kind == "log":
        close = abs(math.log(float(value), control.base) - math.log(step, control.base)) <= 1e-9 * control.step \
            if value > 0 and step > 0 else False
    else:
        close = abs(float(value) - step) <= 1e-9 * control.step
    return step if close else float(value)


def page_float(control, value: float) -> float:
    """The float the page's slider (noUiSlider) puts its handle on for ``value``: the value as a
    percentage of the range, put on the nearest step (in percent) and turned back into a value
    (for 0.15 with min -1, max 1, step 0.01: 0.1499999999999999; of the exponent, for a
    ``FloatLogSlider``). The page sends it to the kernel when it differs from the value."""
    kind = _float_slider_kind(control)
    if kind is None or not math.isfinite(float(value)) or (kind == "log" and not value > 0):
        return value
    x = math.log(float(value), control.base) if kind == "log" else float(value)
    span = control.max - control.min
    step = control.step * 100 / span
    percent = step * round((min(max(x, control.min), control.max) - control.min) * 100 / span / step)
    x = percent * span / 100 + control.min
    return control.base ** x if kind == "log" else x


def from_the_page(control) -> bool:
    """Is ``control``'s value being set from a message of the page about this control (the
    reader moved it, or the page drew it)? ipywidgets holds the property lock of the values
    it applies while it applies them; anything else (a cell, a button's action, the explorer
    syncing its sliders) is the kernel's."""
    return "value" in getattr(control, "_property_lock", {})


# how many values the kernel showed a slider that the page may still send back. The page sends
# them back in order, and each one it sends ends the record up to it, so the record grows only
# while the kernel moves the slider and the page sends nothing (its cell off screen, say). Past
# this many the oldest go, and one of those arriving late counts as the reader's move (taking
# every value not in the record as late instead would refuse the reader's moves)
SHOWN_KEPT = 32


def track_shown(control) -> None:
    """Keep, for :func:`page_redrew`, the steps of the float slider ``control`` that the kernel
    has shown the page since the page last sent a value back (at most :data:`SHOWN_KEPT`):
    those the page may send back, and the one shown last. The page puts the slider's handle on
    a float of its grid when it draws the slider or the kernel moves it, and sends that float
    when it is not the value (:func:`page_float`); a value that is its own float (0.5 on the
    grid -1 + k * 0.01) is kept only while it is the last one shown.

    When the page sends back a value shown before the last (it drew the slider, and then the
    kernel moved on: "run all", or a cell setting two values), ipywidgets hands the page its
    message's echo, so the page's slider would go back to that value and the kernel's value
    with it, while the explorer shows the last one (seen in JupyterLab, tested there); the
    kernel shows the slider its last value again."""
    if _float_slider_kind(control) is None or control.__dict__.get("_tracking_shown"):
        return
    step, low, high = control.step, control.min, control.max
    if not (isinstance(step, (int, float)) and step > 0 and high > low):
        raise ValueError(f"a float slider with a step > 0 and max > min was expected, got "
                         f"{type(control).__name__} {control.description!r} with min={low!r}, "
                         f"max={high!r}, step={step!r}")
    control._tracking_shown = True
    control._shown_steps = [slider_step(control, control.value)]
    control._kernel_value = control.value

    def shown(change):
        answer = _page_answer(change)
        if answer == "late":
            control._restoring = True
            try:
                control.value = control._kernel_value   # ipywidgets sends it: not the locked value
            finally:
                control._restoring = False
            return
        if answer == "redraw":
            return
        control._kernel_value = change["new"]
        if answer == "move":
            return
        steps = control._shown_steps
        # a step the page will not send back (its float is the value itself) needs no record,
        # unless it is the last one shown (the page drawing the slider again sends nothing)
        if steps and steps[-1] == slider_step(control, change["old"]) \
                and page_float(control, change["old"]) == change["old"]:
            steps.pop()
        steps.append(slider_step(control, change["new"]))
        del steps[:-SHOWN_KEPT]

    control.observe(shown, names="value")


def _page_answer(change) -> str:
    """What a change of a float slider is: "kernel" (a cell, a button's action, the explorer
    syncing its sliders), "move" (the reader moved it on the page), "redraw" (the page drew the
    value shown last again) or "late" (the page drew a value shown before the last). Decided
    once per change: every observer of the slider gets the same answer."""
    control = change["owner"]
    if _float_slider_kind(control) is None or not from_the_page(control):
        return "kernel"
    decided = control.__dict__.setdefault("_page_answers", [])
    for seen, answer in decided:
        if seen is change:                      # asked again by another observer
            return answer
    if control.__dict__.get("_restoring"):      # the kernel showing its value again (above)
        decided[:] = decided[-3:] + [(change, "redraw")]
        return "redraw"
    step = slider_step(control, change["new"])
    steps = control.__dict__.setdefault("_shown_steps", [slider_step(control, change["old"])])
    if step not in steps:
        steps[:] = [step]                       # the reader's move: the page shows it now
        answer = "move"
    elif steps.index(step) == len(steps) - 1:
        steps[:] = [step]                       # the page drew the last value again
        answer = "redraw"
    else:
        # the page has drawn every value shown up to this one, so it sends none of them back
        del steps[:steps.index(step) + 1]
        answer = "late"
    decided[:] = decided[-3:] + [(change, answer)]
    return answer


def page_redrew(change) -> bool:
    """Is this change of a float slider (a traitlets change: ``owner``, ``old``, ``new``) the page
    drawing the slider, not the reader moving it? Drawing a slider whose value is not the
    float its handle sits on (0.15, or 0.14987 after a gradient step, on the grid -1 + k * 0.01)
    makes the page send the handle's float (0.1499999999999999), and it may arrive late: after
    "run all", the kernel reads it when the later cells have run, so it can carry a value the
    kernel showed before (the published weight, before the gradient steps). A change from the
    page (:func:`from_the_page`) to a step the kernel has shown the slider since the page last
    sent one (:func:`track_shown`) is the page drawing it; any other change from the page is
    the reader's move, and a change the kernel makes is never a redraw.

    What cannot be told apart: the reader moving the slider to a step the kernel showed while
    the page did not draw the slider (JupyterLab draws only the cells on screen), when the
    page has sent nothing back since. The kernel then shows its value again (the handle goes
    back, and the reader's next move counts). Nor is a second page on the same kernel told
    apart from the first: its messages count against the same record."""
    return _page_answer(change) in ("redraw", "late")


def _later(delay: float, callback: Callable[[], None]):
    """``callback`` after ``delay`` seconds on the kernel's event loop (a handle with ``cancel()``),
    or ``None`` when no event loop is running."""
    import asyncio

    try:
        return asyncio.get_running_loop().call_later(delay, callback)
    except RuntimeError:
        return None


class FigureImage:
    """A matplotlib figure shown through an ``ipywidgets.Image`` and redrawn in place.

    Build the figure and its artists once; on every control change, update the artists
    (``line.set_data``, ``text.set_text``, ...) and call :meth:`refresh`, which renders the same
    figure to PNG (Agg, no pyplot state, no ``Output`` widget whose capture would leak into the
    notebook) and puts the bytes in the image widget.  Tests call ``refresh`` without a display.

    The figure's dpi at construction is its size on the page: a ``Figure(figsize=(8, 4), dpi=80)``
    is shown 640 x 320 CSS pixels wide (``css_size``; at most the column's width), and drawn with
    ``density`` (default :data:`PIXEL_DENSITY`) image pixels per CSS pixel, i.e. at dpi 160.
    When a refresh answers a control the reader moved in a running kernel, the frame is drawn at
    1x and the full-density frame follows :data:`SHARPEN_AFTER_S` after the last refresh; a
    refresh from a cell (and so every stored output and static frame) is at full density.
    Frames that answer the reader are sent as ``data:`` URLs, a cell's as PNG bytes
    (:meth:`_show`); :attr:`png` is the picture shown, either way.
    Text is drawn from cached glyphs (:mod:`backprop_lib.viz.glyph_text`).
    """

    def __init__(self, figure, alt: str = "", density: float = PIXEL_DENSITY):
        import ipywidgets as widgets

        self.density = png.pixel_density(density)
        self.figure = figure
        # an Agg canvas whatever the notebook backend is; its text is drawn from cached glyphs
        GlyphCanvasAgg(figure)
        # the page size comes from the dpi the figure was made with (remembered on the figure, so a
        # second FigureImage of the same figure does not double it again)
        self.css_dpi = float(getattr(figure, "_css_dpi", figure.dpi))
        figure._css_dpi = self.css_dpi
        figure.set_dpi(self.css_dpi * self.density)
        width, height = figure.get_size_inches()
        self.css_size = (round(width * self.css_dpi), round(height * self.css_dpi))
        # the last palette image (PIL, mode "P") at each density, reused while it fits
        self._palettes: dict[float, object] = {}
        self._sharpen = None        # the pending full-density frame (an event-loop handle)
        # No `tooltip` here: the ipywidgets HTML manager (1.0.6) fails to render an Image that has one.
        # On the static page the image gets its text alternative from _ext/static/vendor/4-widget-labels.js.
        self.alt = alt
        self.widget = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{self.css_size[0]}px", max_width="100%", height="auto"))
        self.refresh()

    def render_rgba(self) -> np.ndarray:
        """The figure as it is now at the image's density, as an (height, width, 4) uint8 array."""
        self._at_density(self.density)
        return self._draw()

    def _draw(self) -> np.ndarray:
        """Draw the figure at its current dpi (a full Agg draw); its pixels (Agg's buffer)."""
        self.figure.canvas.draw()
        return np.asarray(self.figure.canvas.buffer_rgba())

    def _at_density(self, density: float) -> None:
        """Put the figure at ``density`` image pixels per CSS pixel. The figure stays there until
        another density is asked for: while the reader moves a control, every frame is at 1x,
        and changing the dpi invalidates every transform of the figure (~0.6 ms a frame)."""
        dpi = self.css_dpi * density
        if self.figure.dpi != dpi:
            self.figure.set_dpi(dpi)

    def _opaque(self) -> bool:
        """Is every pixel of a frame opaque? Agg draws the figure's face under everything, and
        drawing over an opaque pixel leaves it opaque."""
        patch = self.figure.patch
        return bool(patch.get_visible() and patch.get_facecolor()[3] == 1.0)

    def render_png(self, density: float | None = None) -> bytes:
        """The figure drawn at ``density`` (default: the image's) as PNG
        (:func:`backprop_lib.viz.png.encode_png`): an opaque figure with a palette of 256 colours
        when that palette is within ``PALETTE_TOLERANCE`` of every sampled pixel (at 2x density
        the network explorer's frame takes ~9 ms and ~65 kB where a lossless RGB PNG takes ~30 ms
        and ~190 kB); the palette of the last frame at that density is reused while it fits.
        Otherwise, and for a transparent figure, a lossless PNG. zlib level 1: level 6 takes ~3x
        longer for a ~10% smaller file. The figure is left at ``density`` (:meth:`_at_density`)."""
        density = self.density if density is None else density
        self._at_density(density)
        data, self._palettes[density] = png.encode_png(self._draw(), self._palettes.get(density),
                                                       opaque=self._opaque())
        return data

    def refresh(self, fresh_palette: bool = False) -> None:
        """Render the figure as it is now into the image widget; ``fresh_palette`` picks the
        palette from this picture alone (not the last frame's), so the bytes depend only on what
        the figure shows (the static page's frames are rendered so). Answering the reader's move
        in a kernel, a 1x frame now and the full-density one once the moves stop."""
        if fresh_palette:
            self._palettes.clear()
        if self._sharpen is not None:
            self._sharpen.cancel()
            self._sharpen = None
        if answering_the_page():
            self._sharpen = _later(SHARPEN_AFTER_S, self._sharpen_now) if self.density > 1 else None
            self._show(self.render_png(1.0 if self._sharpen is not None else None), live=True)
            return
        self._show(self.render_png(), live=False)

    def _sharpen_now(self) -> None:
        """The full-density frame of the picture shown at 1x (run by the event loop)."""
        self._sharpen = None
        value, _error = call_safely(self.render_png)
        if value is not None:
            self._show(value, live=True)

    def _show(self, png_bytes: bytes, live: bool) -> None:
        """Put ``png_bytes`` in the image widget. A frame that answers the reader goes as a
        ``data:`` URL (format "url"): the browser decodes it in the page, where the PNG bytes of
        a "png" image go through a Blob URL and the browser process first (chapter 4: 8 ms from
        the new src to the decoded picture instead of 16 ms, for a third more bytes on the
        wire). A frame drawn by a cell (every stored output and static frame) is plain PNG."""
        with self.widget.hold_sync():
            if live:
                self.widget.format = "url"
                self.widget.value = b"data:image/png;base64," + base64.b64encode(png_bytes)
            else:
                self.widget.format = "png"
                self.widget.value = png_bytes

    @property
    def png(self) -> bytes:
        """The PNG bytes the image widget shows (read back from its data URL after a live frame;
        empty for an emptied image)."""
        value = bytes(self.widget.value)
        if self.widget.format == "url":
            _, comma, data = value.partition(b",")
            return base64.b64decode(data) if comma else b""
        return value
