"""Notebook figures stored for high-density screens; the shared palette PNG encoder."""
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from backprop_lib.viz.png import PALETTE_TOLERANCE, encode_png
from backprop_lib.viz.style import FIGURE_DENSITY, figure_png


def test_a_notebook_figure_has_density_times_its_pixels_and_its_css_width():
    fig = Figure(figsize=(4.0, 2.0), dpi=100)
    fig.add_subplot().plot([0, 1], [1, 0])
    data, metadata = figure_png(fig)
    width, height = Image.open(io.BytesIO(data)).size
    css = round(width / FIGURE_DENSITY)
    assert metadata == {"width": css}
    assert 300 < css <= 400                       # tight bounding box: at most the 4 inches at dpi 100
    assert abs(height / width - 0.5) < 0.15


def test_an_explorer_figure_keeps_the_css_size_it_was_made_with():
    from backprop_lib.explorers.base import FigureImage

    fig = Figure(figsize=(3.0, 2.0), dpi=80)
    fig.add_subplot().plot([0, 1], [0, 1])
    plain = figure_png(fig)[1]["width"]
    FigureImage(fig)                              # raises the figure's dpi for the live image
    assert fig.dpi == 80 * 2 and figure_png(fig)[1]["width"] == plain


def test_the_glue_formatter_stores_the_css_width_as_output_metadata():
    from IPython.core.formatters import DisplayFormatter

    from backprop_lib.viz import style

    formatter = DisplayFormatter()
    formatter.formatters["image/png"].for_type(Figure, figure_png)   # what use_course_style does
    fig = Figure(figsize=(2.0, 2.0), dpi=50)
    fig.add_subplot().plot([0, 1])
    data, metadata = formatter.format(fig)
    width = Image.open(io.BytesIO(data["image/png"])).size[0]
    assert metadata["image/png"] == {"width": round(width / FIGURE_DENSITY)}
    assert style.FIGURE_DENSITY == FIGURE_DENSITY


def test_an_empty_figure_gives_no_image():
    assert figure_png(Figure()) is None


@pytest.mark.parametrize("density", [0, 8, "2", True])
def test_a_bad_density_is_refused(density):
    with pytest.raises(ValueError, match="density"):
        figure_png(Figure(), density=density)


def test_encode_png_refuses_an_image_that_is_not_rgba():
    with pytest.raises(ValueError, match="height, width, 4"):
        encode_png(np.zeros((4, 4, 3), dtype=np.uint8))


def test_a_few_colours_are_stored_exactly_with_a_palette():
    rgba = np.full((40, 60, 4), 255, dtype=np.uint8)
    rgba[10:20, 5:50, :3] = (0x8C, 0x52, 0x00)    # GRADIENT_TEXT on white
    data, palette = encode_png(rgba)
    png = Image.open(io.BytesIO(data))
    assert png.mode == "P" and palette is not None
    assert np.array_equal(np.asarray(png.convert("RGBA")), rgba)


def test_a_reused_palette_that_no_longer_fits_is_replaced():
    rgba = np.full((40, 60, 4), 255, dtype=np.uint8)
    _, palette = encode_png(rgba)                 # white only
    rgba[:, :30, :3] = (0, 0x72, 0xB2)            # FORWARD: far from white
    data, again = encode_png(rgba, palette)
    shown = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")).astype(int)
    assert np.abs(shown - rgba).max() <= PALETTE_TOLERANCE and again is not palette


def test_a_palette_that_still_fits_is_handed_back_itself():
    """The same palette image comes back (PIL keeps its colour lookup on it), and the frame it
    encodes is the one a fresh palette of the same colours gives."""
    rgba = np.full((40, 60, 4), 255, dtype=np.uint8)
    rgba[10:20, 5:50, :3] = (0x8C, 0x52, 0x00)
    _, palette = encode_png(rgba)
    moved = np.full_like(rgba, 255)
    moved[12:22, 8:53, :3] = (0x8C, 0x52, 0x00)      # the same colours, moved
    data, again = encode_png(moved, palette)
    assert again is palette
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")), moved)


@pytest.mark.parametrize("pil", ["private API", "another PIL"])
def test_mapping_onto_a_palette_gives_what_pil_quantize_gives(pil, monkeypatch):
    """encode_png maps a frame onto a reused palette without PIL's RGB copy (_onto_palette):
    the same indices as Image.quantize(palette=...), for an explorer frame and for noise; and
    the same through PIL's public API where its private one is not what it was."""
    from backprop_lib.explorers.network_explorer import NetworkExplorer
    from backprop_lib.viz import png
    from backprop_lib.viz.png import _onto_palette

    if pil == "another PIL":
        def gone(image, palette):
            raise AttributeError("'ImagingCore' object has no attribute 'convert'")
        monkeypatch.setattr(png, "_convert_onto", gone)

    view = NetworkExplorer()
    frame = np.ascontiguousarray(view.image.render_rgba())
    _, palette = encode_png(frame)
    noise = np.random.default_rng(0).integers(0, 256, (70, 90, 4), dtype=np.uint8)
    noise[..., 3] = 255
    for rgba in (frame, noise):
        height, width = rgba.shape[:2]
        rgb = Image.frombytes("RGB", (width, height), rgba, "raw", "RGBX")
        expected = rgb.quantize(palette=palette, dither=Image.Dither.NONE)
        mapped = _onto_palette(rgba, palette)
        assert mapped.mode == "P" and mapped.getpalette() == expected.getpalette()
        assert np.array_equal(np.asarray(mapped), np.asarray(expected))


def test_saying_opaque_gives_the_same_png_and_a_reused_palette_the_same_bytes():
    rgba = np.full((40, 60, 4), 255, dtype=np.uint8)
    rgba[10:20, 5:50, :3] = (0x8C, 0x52, 0x00)
    first, palette = encode_png(rgba)
    assert encode_png(rgba, opaque=True)[0] == first
    moved = np.full_like(rgba, 255)
    moved[12:22, 8:53, :3] = (0x8C, 0x52, 0x00)
    fresh, _ = encode_png(moved)
    assert encode_png(moved, palette, opaque=True)[0] == encode_png(moved, palette)[0] == fresh


@pytest.mark.parametrize("tolerance_off", [0, 1, PALETTE_TOLERANCE, PALETTE_TOLERANCE + 1])
def test_the_palette_check_agrees_with_a_channel_by_channel_check(tolerance_off):
    """palette_fits compares packed colours first and channels only where they differ: the
    same verdict as comparing every sampled pixel's channels, for an RGBA frame (the fast
    path) and its RGB copy (the plain one), at and just past the tolerance."""
    from backprop_lib.viz.png import palette_fits

    rgba = np.full((40, 60, 4), 255, dtype=np.uint8)
    rgba[8:30, 4:40, :3] = (0x8C, 0x52, 0x00)
    rgba[20:36, 30:58, :3] = (0, 0x72, 0xB2)
    _, palette = encode_png(rgba)
    shifted = rgba.copy()
    shifted[8:12, 4:40, 1] += tolerance_off       # one channel of some sampled pixels moves
    index = np.asarray(palette)[::4, ::4]
    colours = np.asarray(palette.getpalette(), dtype=int).reshape(-1, 3)
    by_channel = np.abs(colours[index] - shifted[::4, ::4, :3].astype(int)).max() <= PALETTE_TOLERANCE
    assert by_channel == (tolerance_off <= PALETTE_TOLERANCE)
    assert palette_fits(palette, shifted) == by_channel
    assert palette_fits(palette, np.ascontiguousarray(shifted[..., :3])) == by_channel
