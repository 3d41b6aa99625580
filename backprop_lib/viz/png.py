"""PNG encoding for the course's figures: a palette of 256 colours when it is close enough.

A course figure is a few hues and their anti-aliased blends, so a palette PNG (8 bits a pixel)
shows it within a few levels of its true colours at a third of the bytes of an RGB PNG, and a
fast zlib level is enough. :func:`encode_png` falls back to a lossless PNG when no palette of 256
colours comes within :data:`PALETTE_TOLERANCE` of the pixels (a photograph, a smooth colour map)
and for a transparent image. Used by the explorers' live images (``FigureImage``) and the
notebooks' static figures (``use_course_style``).
"""
from __future__ import annotations

import io

import numpy as np

# largest difference (per channel, 0-255) between a sampled pixel and its palette colour
PALETTE_TOLERANCE = 24


def pixel_density(value) -> float:
    """``value`` as image pixels per CSS pixel, a number from 1 to 4 (ValueError otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 4:
        raise ValueError(f"density must be a number from 1 to 4 (image pixels per CSS pixel), "
                         f"got {value!r}")
    return float(value)


def encode_png(rgba: np.ndarray, palette=None, compress_level: int = 1, opaque: bool | None = None):
    """``(png_bytes, palette)`` for an (height, width, 4) uint8 image.

    ``palette`` is the palette image returned by an earlier call (or ``None``): it is reused
    when it still fits (mapping pixels to a fixed palette is ~4x cheaper than choosing one) and
    then returned again, else a new one is chosen. The returned palette is ``None`` when the PNG
    is lossless. ``opaque=True`` says that every pixel is opaque (a figure drawn over an opaque
    face: drawing over it never lowers the alpha), which spares a pass over the alpha channel
    (~0.7 ms for a 840 x 430 frame); otherwise the alpha channel is checked."""
    from PIL import Image

    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"rgba must be an (height, width, 4) array, got shape {rgba.shape}")
    buffer = io.BytesIO()
    height, width = rgba.shape[:2]
    if not opaque and rgba[..., 3].min() < 255:
        Image.fromarray(rgba).save(buffer, format="png", compress_level=compress_level)
        return buffer.getvalue(), None
    if palette is not None:
        quantized = _onto_palette(rgba, palette)
        if palette_fits(quantized, rgba):
            # hand back the same palette image: PIL keeps its colour lookup on it, so the next
            # frame maps its pixels ~3x faster than through a fresh copy of the palette
            quantized.save(buffer, format="png", compress_level=compress_level)
            return buffer.getvalue(), palette
    # PIL's raw decoder drops the alpha bytes ~5x faster than a numpy slice copy or convert("RGB")
    image = Image.frombytes("RGB", (width, height), rgba, "raw", "RGBX")
    octree = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    quantized = image.quantize(palette=true_colours(octree, rgba), dither=Image.Dither.NONE)
    if not palette_fits(quantized, rgba):
        quantized = None
    (quantized or image).save(buffer, format="png", compress_level=compress_level)
    return buffer.getvalue(), quantized


def _onto_palette(rgba: np.ndarray, palette):
    """The opaque ``rgba`` mapped onto ``palette``'s colours (no dithering): what
    ``Image.quantize(palette=...)`` gives for its RGB copy, without the copy. PIL keeps an RGB
    pixel in 4 bytes and maps the first three onto the palette, so its converter reads the
    image's own buffer as RGBA (``frombuffer`` shares it); ``quantize`` takes only an "RGB" or
    "L" image, hence PIL's converter itself (tested: the same indices as ``quantize``)."""
    from PIL import Image

    height, width = rgba.shape[:2]
    image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
    palette.load()
    try:
        return _convert_onto(image, palette)
    except (AttributeError, TypeError, ValueError):     # another PIL: its public way, with a copy
        return image.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE)


def _convert_onto(image, palette):
    """What ``quantize(palette=...)`` does (PIL 10-13), on ``image`` as it is (PIL's private API)."""
    from PIL import Image

    quantized = image._new(image.im.convert("P", Image.Dither.NONE, palette.im))
    quantized.palette = palette.palette.copy()
    return quantized


def true_colours(quantized, rgb: np.ndarray, stride: int = 3):
    """``quantized`` with each palette entry replaced by the most common true colour of the
    (sampled) pixels it stands for: an octree palette holds cluster means, so the white of the
    figure would become 254 and a text colour a shade off; the figure's own colours are exact."""
    index = np.asarray(quantized)[::stride, ::stride].reshape(-1).astype(np.int64)
    sample = rgb[::stride, ::stride, :3].reshape(-1, 3).astype(np.int64)
    keys, counts = np.unique(index << 24 | sample[:, 0] << 16 | sample[:, 1] << 8 | sample[:, 2],
                             return_counts=True)
    order = np.lexsort((counts, keys >> 24))        # by palette index, then by count
    keys = keys[order]
    last = np.r_[(keys[1:] >> 24) != (keys[:-1] >> 24), True]  # the most common of each index
    palette = np.asarray(quantized.getpalette(), dtype=np.int64).reshape(-1, 3)
    best = keys[last]
    palette[best >> 24] = np.stack([best >> 16 & 255, best >> 8 & 255, best & 255], axis=1)
    refined = quantized.copy()
    refined.putpalette(palette.astype(np.uint8).reshape(-1).tolist())
    return refined


def palette_fits(quantized, rgb: np.ndarray, stride: int = 4) -> bool:
    """Whether the palette image ``quantized`` is within :data:`PALETTE_TOLERANCE` of ``rgb`` on
    every ``stride``-th row and column (a sample: checking every pixel would cost as much as
    choosing the palette). Most pixels of a course figure are exactly their palette colour, so
    those are found first by comparing packed colours, and only the others channel by channel
    (~0.4 ms instead of ~0.65 ms for a 840 x 430 frame)."""
    palette = np.asarray(quantized.getpalette(), dtype=np.int16).reshape(-1, 3)
    index = np.asarray(quantized)[::stride, ::stride]
    sample = rgb[::stride, ::stride, :3]
    if rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 4 and rgb.flags.c_contiguous:
        packed = palette.astype(np.uint32)
        packed = packed[:, 0] | packed[:, 1] << 8 | packed[:, 2] << 16
        pixels = rgb.view("<u4")[..., 0][::stride, ::stride] & 0xFFFFFF   # R | G << 8 | B << 16
        off = packed[index] != pixels
        index, sample = index[off], sample[off]
    error = np.abs(palette[index] - sample.astype(np.int16))
    return bool(error.max(initial=0) <= PALETTE_TOLERANCE)
