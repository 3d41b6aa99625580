"""Text drawn from cached glyphs (backprop_lib.viz.glyph_text) against matplotlib's own Agg text."""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from backprop_lib.viz.glyph_text import GlyphCanvasAgg, GlyphRendererAgg, LabelText, string_bitmap

NUMBERS = ["0.5933", "-6.05e-4", "δ -0.0123", "L: 0.1234 → 0.0456", "y = 0.50", "1.50e+0"]
WORDS = ["gradient steps taken", "AVWa fi", "loss history", "Wij"]


@pytest.mark.parametrize("size", [7.5, 9, 12])
@pytest.mark.parametrize("weight", ["normal", "bold"])
def test_metrics_are_matplotlibs_to_within_a_pixel_or_two(size, weight):
    prop = FontProperties(size=size, weight=weight)
    fast, exact = GlyphRendererAgg(200, 100, 144), RendererAgg(200, 100, 144)
    for text, bound in [(t, 1.7) for t in NUMBERS] + [(t, 2.1) for t in WORDS]:
        w, h, d = fast.get_text_width_height_descent(text, prop, False)
        w0, h0, d0 = exact.get_text_width_height_descent(text, prop, False)
        assert (h, d) == (h0, d0), text
        assert abs(w - w0) <= bound, (text, w, w0)


def test_a_string_bitmap_has_freetypes_ink_in_about_the_same_place():
    prop = FontProperties(size=9, weight="bold")
    renderer = GlyphRendererAgg(200, 100, 144)
    for text in NUMBERS:
        bitmap = string_bitmap(renderer._face(prop), text)[0].astype(float)
        font = RendererAgg(200, 100, 144)._prepare_font(prop)
        font.set_text(text, 0.0, flags=get_hinting_flag())
        font.draw_glyphs_to_bitmap(antialiased=True)
        exact = np.asarray(font.get_image(), dtype=float)
        assert abs(bitmap.shape[0] - exact.shape[0]) <= 1 and abs(bitmap.shape[1] - exact.shape[1]) <= 2
        assert bitmap.sum() == pytest.approx(exact.sum(), rel=0.05), text   # the same amount of ink
        h, w = min(bitmap.shape[0], exact.shape[0]), min(bitmap.shape[1], exact.shape[1])
        columns = lambda a: a[:h, :w].sum(axis=0) / a[:h, :w].sum()     # noqa: E731
        # where the ink is, column by column: half a pixel of shift per glyph at most
        assert np.abs(np.cumsum(columns(bitmap)) - np.cumsum(columns(exact))).max() < 0.06, text


def figure_with(texts, canvas_class):
    fig = Figure(figsize=(3, 1.5), dpi=100)
    canvas_class(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    for i, (text, kwargs) in enumerate(texts):
        ax.text(0.5, 0.85 - 0.3 * i, text, ha="center", va="center", **kwargs)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def test_each_text_has_matplotlibs_ink_in_the_same_place():
    texts = [("-6.05e-4", dict(rotation=30, rotation_mode="anchor", fontweight="bold",
                               bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))),
             ("δ 0.0121", dict(color="#8a5000")), ("L: 0.1234 → 0.0456", {})]
    for text in texts:
        fast, exact = figure_with([text], GlyphCanvasAgg), figure_with([text], FigureCanvasAgg)
        ink, ink0 = (255 - a.mean(axis=-1) for a in (fast, exact))
        assert ink0.sum() > 50 * 255                                # the text is there
        assert ink.sum() == pytest.approx(ink0.sum(), rel=0.05), text[0]   # as much ink
        rows, cols = np.indices(ink.shape)
        centre = [(ink * rows).sum() / ink.sum(), (ink * cols).sum() / ink.sum()]
        centre0 = [(ink0 * rows).sum() / ink0.sum(), (ink0 * cols).sum() / ink0.sum()]
        assert np.allclose(centre, centre0, atol=1.5), text[0]      # within ~a pixel


def test_maths_text_is_drawn_by_matplotlib_itself():
    texts = [("$a^{(1)}_2$", {}), (r"$\delta = \partial L / \partial z$", {})]
    assert np.array_equal(figure_with(texts, GlyphCanvasAgg), figure_with(texts, FigureCanvasAgg))


def test_blank_and_empty_strings_draw_nothing_and_measure_nothing():
    renderer = GlyphRendererAgg(50, 50, 100)
    prop = FontProperties(size=9)
    assert renderer.get_text_width_height_descent("", prop, False) == (0.0, 0.0, 0.0)
    assert renderer.get_text_width_height_descent(" ", prop, False) == \
        RendererAgg(50, 50, 100).get_text_width_height_descent(" ", prop, False)
    blank = figure_with([(" ", {}), ("", {})], GlyphCanvasAgg)
    assert blank.min() == 255


def test_the_canvas_keeps_one_renderer_per_dpi():
    fig = Figure(figsize=(2, 1), dpi=80)
    canvas = GlyphCanvasAgg(fig)
    first = canvas.get_renderer()
    assert isinstance(first, GlyphRendererAgg)
    fig.set_dpi(160)
    second = canvas.get_renderer()
    assert second is not first and second.dpi == 160
    fig.set_dpi(80)
    assert canvas.get_renderer() is first                     # its glyphs are kept


def _labelled_figure(canvas_class, texts):
    """A figure with the given texts (kwargs for ax.text) on a ``canvas_class`` canvas."""
    fig = Figure(figsize=(3, 2), dpi=100)
    canvas_class(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    made = [ax.text(**kw) for kw in texts]
    return fig, made


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _faded(image, dpi):
    """An agg filter: the text's pixels at half their alpha (Text.draw applies it)."""
    image = image.copy()
    image[..., 3] *= 0.5
    return image, 0, 0


LABELS = [
    dict(x=0.5, y=0.5, s="6.05e-4", fontsize=7.5, fontweight="bold", ha="center", va="center", rotation=-24.5,
         rotation_mode="anchor", bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none")),
    dict(x=0.1, y=0.8, s="δ -0.0123", color="tab:orange", va="top"),
    dict(x=0.9, y=0.2, s="y = 0.50", ha="right", va="baseline", alpha=0.6),
    dict(x=0.1, y=0.3, s="L: 0.31\n(5 steps)", fontsize=8),           # two lines: Text.draw
    dict(x=0.5, y=0.1, s=r"$a^{(1)}_2$", fontsize=9),                  # maths: Text.draw
    dict(x=0.6, y=0.6, s=r"costs \$5", fontsize=9),                    # an escaped dollar
    dict(x=0.3, y=0.5, s="", fontsize=9),
    dict(x=0.2, y=0.9, s="faded 0.25", fontsize=9, agg_filter=_faded),          # Text.draw
    dict(x=0.05, y=0.65, s="a long label that wraps at the figure's edge", wrap=True),   # Text.draw
]


@pytest.mark.parametrize("canvas_class", [GlyphCanvasAgg, FigureCanvasAgg])
def test_a_label_text_draws_the_same_pixels_as_text(canvas_class):
    fig, texts = _labelled_figure(canvas_class, LABELS)
    before = _pixels(fig)
    for text in texts:
        text.__class__ = LabelText
    assert np.array_equal(_pixels(fig), before)
    assert np.any(before[..., :3] != 255)


@pytest.mark.parametrize("change", [
    lambda t: t.set_text("-1.50e+0"), lambda t: t.set_fontsize(11), lambda t: t.set_rotation(40),
    lambda t: t.set_ha("left"), lambda t: t.set_va("bottom"), lambda t: t.set_fontweight("normal"),
    lambda t: t.figure.set_dpi(160), lambda t: t.set_text("two\nlines"),
    lambda t: (t.set_text("two\nlines"), t.set_linespacing(2.5))])
def test_a_label_text_lays_itself_out_again_after_any_change(change):
    """The remembered layout is never reused for a text that changed: after each change the
    label draws what a plain Text with the same change draws."""
    label_fig, (label,) = _labelled_figure(GlyphCanvasAgg, LABELS[:1])
    plain_fig, (plain,) = _labelled_figure(GlyphCanvasAgg, LABELS[:1])
    label.__class__ = LabelText
    first = _pixels(label_fig)
    assert np.array_equal(first, _pixels(plain_fig))
    change(label)
    change(plain)
    assert np.array_equal(_pixels(label_fig), _pixels(plain_fig))
    assert not (first.shape == _pixels(label_fig).shape and np.array_equal(first, _pixels(label_fig)))


def test_a_blitted_image_draws_its_plain_texts_as_label_texts():
    from matplotlib.text import Annotation, Text

    from backprop_lib.explorers.blit import BlitFigureImage
    fig = Figure(figsize=(2, 1), dpi=50)
    ax = fig.add_axes([0, 0, 1, 1])
    text, note = ax.text(0.1, 0.5, "0.5933"), ax.annotate("a", (0.5, 0.5))
    BlitFigureImage(fig, [text, note])
    assert type(text) is LabelText and isinstance(text, Text)
    assert type(note) is Annotation          # a subclass keeps its own draw


def test_a_string_drawn_again_comes_from_the_face_and_the_store_is_bounded(monkeypatch):
    """The face keeps a string's layout and bitmap for its next draw (the same pixels, no
    FreeType work), and drops them all once it holds STRINGS_KEPT strings."""
    from backprop_lib.viz import glyph_text

    face = GlyphRendererAgg(200, 100, 144)._face(FontProperties(size=9))
    first = string_bitmap(face, "0.5933")
    assert string_bitmap(face, "0.5933") is first                 # kept
    fresh = glyph_text._string_bitmap(face, "0.5933")             # drawn again from the glyphs
    assert np.array_equal(fresh[0], first[0]) and fresh[1:] == first[1:]
    monkeypatch.setattr(glyph_text, "STRINGS_KEPT", 3)
    for k in range(7):
        string_bitmap(face, f"{k}.25")
        assert len(face.bitmaps) <= 3 and len(face.layouts) <= 3
    assert string_bitmap(face, "6.25") is string_bitmap(face, "6.25")


def test_the_face_follows_the_font_properties_and_the_font_families():
    """A text's font is looked up once per set of properties, not per draw: a change of the
    properties (even of the same FontProperties object) or of the rcParams that name the
    generic families' fonts gives the face of the new font."""
    import matplotlib as mpl

    renderer = GlyphRendererAgg(200, 100, 144)
    prop = FontProperties(family="sans-serif", size=8)
    small = renderer._face(prop)
    assert renderer._face(prop) is small and renderer._face(FontProperties(family="sans-serif", size=8)) is small
    prop.set_size(12)                          # the same object, changed after it was looked up
    assert renderer._face(prop).size == 12 and small.size == 8
    prop.set_size(8)
    assert renderer._face(prop) is small
    with mpl.rc_context({"font.sans-serif": ["DejaVu Serif"]}):
        serif = renderer._face(prop)
        assert "Serif" in serif.font.fname and "Serif" not in small.font.fname
    assert renderer._face(prop) is small
