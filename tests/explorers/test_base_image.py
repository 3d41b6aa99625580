"""FigureImage: drawn for high-density screens, shown at the figure's 1x size, sent compactly."""
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from backprop_lib.explorers.base import PALETTE_TOLERANCE, PIXEL_DENSITY, FigureImage
from backprop_lib.explorers.blit import BlitFigureImage


def line_figure(dpi=80, figsize=(3.0, 2.0)):
    fig = Figure(figsize=figsize, dpi=dpi)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1], color="#0072B2")
    ax.set_title("a title", fontsize=8)
    return fig, line


def decoded(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def test_the_png_has_density_times_the_pixels_of_its_css_size():
    fig, _ = line_figure(dpi=80, figsize=(3.0, 2.0))
    view = FigureImage(fig)
    assert view.css_size == (240, 160)                      # 3 x 2 inches at the figure's dpi
    width, height = decoded(bytes(view.widget.value)).size
    assert (width, height) == (round(240 * PIXEL_DENSITY), round(160 * PIXEL_DENSITY))
    assert view.render_rgba().shape[:2] == (height, width)


def test_the_widget_is_laid_out_at_the_css_size_and_never_wider_than_its_column():
    fig, _ = line_figure(dpi=80, figsize=(3.0, 2.0))
    layout = FigureImage(fig).widget.layout
    assert (layout.width, layout.max_width, layout.height) == ("240px", "100%", "auto")


def test_density_one_draws_at_the_figure_dpi():
    fig, _ = line_figure(dpi=50)
    view = FigureImage(fig, density=1)
    assert decoded(view.render_png()).size == (150, 100) and fig.dpi == 50


def test_a_second_image_of_the_same_figure_keeps_its_css_size():
    fig, _ = line_figure(dpi=80)
    FigureImage(fig)
    again = FigureImage(fig)
    assert again.css_size == (240, 160) and fig.dpi == 80 * PIXEL_DENSITY


@pytest.mark.parametrize("density", [0, 0.5, 5, "2", True, float("nan")])
def test_a_bad_density_is_refused(density):
    fig, _ = line_figure()
    with pytest.raises(ValueError, match="density"):
        FigureImage(fig, density=density)


def test_an_opaque_figure_is_sent_with_a_palette_close_to_its_pixels():
    fig, line = line_figure()
    view = FigureImage(fig)
    png = decoded(bytes(view.widget.value))
    assert png.mode == "P"
    shown = np.asarray(png.convert("RGB")).astype(int)
    exact = view.render_rgba()[..., :3].astype(int)
    assert np.abs(shown - exact).max() <= PALETTE_TOLERANCE
    assert np.abs(shown - exact).max(axis=-1).mean() < 1     # most pixels exact


def test_a_new_colour_gets_a_new_palette():
    fig, line = line_figure()
    view = FigureImage(fig)
    line.set_color("#E69F00")                                # orange: not in the first palette
    line.set_linewidth(8)
    view.refresh()
    shown = np.asarray(decoded(bytes(view.widget.value)).convert("RGB")).astype(int)
    exact = view.render_rgba()[..., :3].astype(int)
    assert np.abs(shown - exact).max() <= PALETTE_TOLERANCE
    orange = np.all(np.abs(shown - [0xE6, 0x9F, 0x00]) <= 2, axis=-1)
    assert orange.sum() > 100


def test_a_figure_with_too_many_colours_is_sent_losslessly():
    fig = Figure(figsize=(2.0, 2.0), dpi=50)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.imshow(np.random.default_rng(0).random((100, 100, 3)), interpolation="nearest")
    view = FigureImage(fig)
    png = decoded(bytes(view.widget.value))
    assert png.mode == "RGB"
    assert np.array_equal(np.asarray(png), view.render_rgba()[..., :3])


def test_a_transparent_figure_keeps_its_alpha_losslessly():
    fig, _ = line_figure()
    fig.patch.set_alpha(0.0)
    view = FigureImage(fig)
    png = decoded(bytes(view.widget.value))
    assert png.mode == "RGBA"
    assert np.array_equal(np.asarray(png), view.render_rgba())


def test_a_live_frame_leaves_the_figure_at_1x_and_a_cell_draws_at_full_density(monkeypatch):
    """While the reader moves a control the figure stays at 1x between frames (changing the dpi
    invalidates every transform); render_rgba and a cell's refresh are at full density."""
    from backprop_lib.explorers import base

    fig, line = line_figure(dpi=80)
    line.set_animated(True)
    view = BlitFigureImage(fig, [line])
    monkeypatch.setattr(base, "answering_the_page", lambda: True)
    class Pending:                                          # a full-density frame to come
        def cancel(self):
            pass

    monkeypatch.setattr(base, "_later", lambda delay, callback: Pending())
    dpis = []
    monkeypatch.setattr(fig, "set_dpi", lambda dpi, set_dpi=fig.set_dpi: (dpis.append(dpi), set_dpi(dpi)))
    for y in (0.2, 0.4, 0.6):
        line.set_ydata([0, y])
        view._sharpen = None
        view.refresh()
        assert decoded(view.png).size == view.css_size
    assert dpis == [80] and fig.dpi == 80                  # one change of dpi for three frames
    live = view.png
    assert view.render_rgba().shape[:2] == (round(160 * PIXEL_DENSITY), round(240 * PIXEL_DENSITY))
    monkeypatch.setattr(base, "answering_the_page", lambda: False)
    view.refresh()
    assert decoded(view.png).size == (round(240 * PIXEL_DENSITY), round(160 * PIXEL_DENSITY))
    # the last 1x frame is the full-density picture at 1x: drawn again at 1x it is the same
    view._at_density(1.0)
    assert view.render_png(1.0) == live


def test_the_png_of_an_emptied_live_image_is_empty(monkeypatch):
    """The static page empties an image it no longer shows; after a live frame it is a URL."""
    from backprop_lib.explorers import base

    fig, _ = line_figure(dpi=80)
    view = FigureImage(fig)
    monkeypatch.setattr(base, "answering_the_page", lambda: True)
    monkeypatch.setattr(base, "_later", lambda delay, callback: None)
    view.refresh()
    # no event loop, so no 1x frame first: the full-density frame, as a data URL
    assert view.widget.format == "url"
    assert decoded(view.png).size == tuple(round(PIXEL_DENSITY * c) for c in view.css_size)
    view.widget.value = b""
    assert view.png == b""


def test_a_blitted_image_is_drawn_at_the_same_density():
    fig, line = line_figure(dpi=60)
    line.set_animated(True)
    view = BlitFigureImage(fig, [line])
    line.set_data([0, 1], [1, 0])
    view.refresh()
    assert decoded(bytes(view.widget.value)).size == (round(180 * PIXEL_DENSITY), round(120 * PIXEL_DENSITY))
    assert view.widget.layout.width == "180px"


# ---------------------------------------------------------------------- moving: 1x, then sharp
class FakeKernel:
    """What answering_the_page asks a kernel: the message it is handling."""

    def __init__(self, msg_type):
        self.msg_type = msg_type

    def get_parent(self):
        return {"header": {"msg_type": self.msg_type}}


@pytest.mark.parametrize("msg_type, answering", [("comm_msg", True), ("execute_request", False)])
def test_a_comm_message_is_the_reader_moving_a_control_and_a_cell_is_not(monkeypatch, msg_type, answering):
    import IPython

    from backprop_lib.explorers import base

    shell = type("Shell", (), {"kernel": FakeKernel(msg_type)})()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert base.answering_the_page() is answering


def test_outside_a_kernel_nothing_is_answering_the_page():
    from backprop_lib.explorers.base import answering_the_page

    assert answering_the_page() is False


def blit_view():
    fig, line = line_figure(dpi=80, figsize=(3.0, 2.0))
    return BlitFigureImage(fig, [line]), line


def test_a_move_answered_in_a_kernel_sends_1x_now_and_the_full_density_frame_once_it_stops(monkeypatch):
    import asyncio

    from backprop_lib.explorers import base

    view, line = blit_view()
    full_size = decoded(bytes(view.widget.value)).size
    monkeypatch.setattr(base, "answering_the_page", lambda: True)
    monkeypatch.setattr(base, "SHARPEN_AFTER_S", 0.05)
    frames, urls = [], []

    def sent(change):   # a frame answering the reader is a data URL (decoded in the page, no Blob URL)
        frames.append(decoded(view.png).size)
        urls.append((view.widget.format, bytes(change["new"])[:22]))

    view.widget.observe(sent, names="value")

    async def moves():
        # three moves, each cancelling the full-density frame the one before asked for (no
        # await between them: however long a refresh takes, no timer can fire in between)
        for y in (0.2, 0.4, 0.6):
            line.set_ydata([0, y])
            view.refresh()
        assert frames == [view.css_size] * 3   # each answered at 1x at once
        # the event loop runs timers in the order of their deadlines: the full-density frame
        # (0.05 s after the last move) comes before this sleep ends, however busy the machine
        await asyncio.sleep(0.2)

    asyncio.run(moves())
    assert frames == [view.css_size] * 3 + [full_size]
    assert urls == [("url", b"data:image/png;base64,")] * 4
    # the full-density frame shows the last move, the same picture as a refresh from a cell,
    # which sends plain PNG bytes again
    sharp = view.png
    monkeypatch.setattr(base, "answering_the_page", lambda: False)
    view.refresh()
    assert view.widget.format == "png" and bytes(view.widget.value)[:4] == b"\x89PNG"
    assert decoded(sharp).size == full_size
    assert np.array_equal(np.asarray(decoded(sharp).convert("RGB")),
                          np.asarray(decoded(bytes(view.widget.value)).convert("RGB")))
    assert view.figure.dpi == 80 * PIXEL_DENSITY           # the figure is left at its full dpi


def test_without_an_event_loop_a_move_is_answered_at_full_density(monkeypatch):
    from backprop_lib.explorers import base

    view, line = blit_view()
    monkeypatch.setattr(base, "answering_the_page", lambda: True)
    line.set_ydata([0, 0.3])
    view.refresh()
    assert view.widget.format == "url"
    assert decoded(view.png).size == (round(240 * PIXEL_DENSITY), round(160 * PIXEL_DENSITY))
    assert view._sharpen is None
