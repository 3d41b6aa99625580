"""Agg text from cached glyphs, for figures that are redrawn at every slider move.

matplotlib's Agg renderer lays out and rasterizes every string with FreeType each time it is
drawn (``FT2Font.set_text``, then ``draw_glyphs_to_bitmap``), and text layout asks for the same
string's metrics first. An explorer redraws ~20 numbers per move, so at 2x density this is most
of its redraw (~8 of ~11 ms for chapter 4's network explorer). :class:`GlyphRendererAgg`
rasterizes each character once per font, size and dpi and builds a string from those bitmaps:

* metrics (width, height, descent) come from the glyphs' boxes and their pen positions, which
  are FreeType's own (advances and kerning as in ``set_text``): heights and descents as
  matplotlib's; widths within 1.7 px for numbers (2.1 px for the worst string of letters
  measured: FreeType's box of a glyph moves a little with its sub-pixel pen position), so
  alignment, rotation and text boxes stay where they were;
* the bitmap places each glyph at the whole pixel nearest its pen position (FreeType renders it
  at the sub-pixel offset), so a glyph may sit up to half a pixel from where matplotlib puts it.

In chapter 4's network explorer this cuts the redraw of its 21 texts from ~8.6 to ~5.7 ms at 2x
(the rest is matplotlib's layout of each text); 2% of the frame's pixels differ from matplotlib's
own text rendering, all at glyph edges.

Each face also keeps the layouts and bitmaps of the strings it drew last (a move of one weight
in chapter 4 changes 2 of the explorer's 21 texts), and the renderer looks a text's font files
up once per set of font properties and family rcParams (matplotlib looks them up at every
draw): the same pixels, and chapter 4's 21 texts redrawn unchanged at 1x in 4.6-5.8 ms instead
of 7.7-8.4 ms (on a VM ~2.5x slower than the one of the timings above).

Maths text (``$...$``) and TeX go through matplotlib's own renderer. :class:`GlyphCanvasAgg` is
an Agg canvas whose renderer is a ``GlyphRendererAgg``: a figure attached to it draws every plain
string this way, in a full draw and in a blit alike.

Most of what is left is matplotlib's own bookkeeping around each text. :class:`LabelText` is a
``Text`` that draws the same pixels with less of it: it lays a string out once per draw (a text
with a box laid it out twice, once for the box) and skips the wrapping context of
``Text.draw`` when the text does not wrap. The explorers' redrawn texts are ``LabelText``
(:class:`~backprop_lib.explorers.blit.BlitFigureImage` makes them so): in chapter 4's network
explorer their redraw at 1x takes ~2.4 ms instead of ~4.4 ms.
"""
from __future__ import annotations

from math import cos, radians, sin

import numpy as np
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import Kerning
from matplotlib.text import Text

__all__ = ["GlyphCanvasAgg", "GlyphRendererAgg", "LabelText", "string_bitmap"]


class _Glyph:
    """One character rendered alone at pen position 0: its bitmap (with FreeType's one-pixel
    margin), its box in 26.6 fixed point (FreeType's ``set_text`` box) and its glyph index."""

    __slots__ = ("image", "x_min", "x_max", "y_min", "y_max", "index")

    def __init__(self, font, char: str, flags, antialiased: bool):
        font.set_text(char, 0.0, flags=flags)
        font.draw_glyphs_to_bitmap(antialiased=antialiased)
        self.image = np.array(font.get_image(), dtype=np.uint8)
        width, height = font.get_width_height()
        self.x_min = font.get_bitmap_offset()[0]
        self.y_min = -font.get_descent()
        self.x_max, self.y_max = self.x_min + width, self.y_min + height
        self.index = font.get_char_index(ord(char))


class _Face:
    """The glyphs of one font at one size, dpi and set of flags, rendered on first use, and the
    layouts and bitmaps of the last :data:`STRINGS_KEPT` strings drawn with them (an explorer
    redraws the same numbers at most moves: 19 of chapter 4's 21 texts are unchanged by a move
    of one weight)."""

    def __init__(self, font, size: float, dpi: float, flags, antialiased: bool):
        self.font, self.size, self.dpi = font, size, dpi
        self.flags, self.antialiased = flags, antialiased
        self.glyphs: dict[str, _Glyph] = {}
        self.advances: dict[str, int] = {}
        self.kerning: dict[tuple[int, int], int] = {}
        self.layouts: dict[str, tuple] = {}
        self.bitmaps: dict[str, tuple] = {}

    def _sized(self):
        """The FT2Font at this face's size (matplotlib shares one FT2Font per font file)."""
        self.font.set_size(self.size, self.dpi)
        return self.font

    def glyph(self, char: str) -> _Glyph:
        glyph = self.glyphs.get(char)
        if glyph is None:
            self._sized()
            glyph = self.glyphs[char] = _Glyph(self.font, char, self.flags, self.antialiased)
            # the pen advance after this glyph (26.6), as set_text applies it: the second of two
            # glyphs starts here (minus the pair's kerning, which is added back below)
            pens = self.font.set_text(char + char, 0.0, flags=self.flags)
            pair = self.font.get_kerning(glyph.index, glyph.index, Kerning.DEFAULT) if len(pens) > 1 else 0
            self.advances[char] = int(round(pens[1][0])) - pair if len(pens) > 1 else 0
        return glyph

    def kern(self, left: int, right: int) -> int:
        key = (left, right)
        value = self.kerning.get(key)
        if value is None:
            value = self.kerning[key] = int(self._sized().get_kerning(left, right, Kerning.DEFAULT))
        return value

    def layout(self, text: str):
        """The glyphs of ``text`` and their pen positions (26.6), and the string's box."""
        known = self.layouts.get(text)
        if known is None:
            known = _kept(self.layouts, text, self._layout(text))
        return known

    def bitmap(self, text: str):
        """:func:`string_bitmap` of ``text``, kept for the next draw of it."""
        known = self.bitmaps.get(text)
        if known is None:
            known = _kept(self.bitmaps, text, _string_bitmap(self, text))
        return known

    def _layout(self, text: str):
        glyphs, pens = [], []
        pen, previous = 0, None
        for char in text:
            glyph = self.glyph(char)
            if previous is not None:
                pen += self.kern(previous.index, glyph.index)
            glyphs.append(glyph)
            pens.append(pen)
            pen += self.advances[char]
            previous = glyph
        if not glyphs:
            return glyphs, pens, (0, 0, 0, 0)
        box = (min(p + g.x_min for g, p in zip(glyphs, pens)), min(g.y_min for g in glyphs),
               max(p + g.x_max for g, p in zip(glyphs, pens)), max(g.y_max for g in glyphs))
        if box[0] > box[2]:            # only blanks: FreeType's box is empty
            box = (0, 0, 0, 0)
        return glyphs, pens, box


_FAMILY_RCPARAMS = ("font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace")
STRINGS_KEPT = 512      # layouts and bitmaps kept per face (all dropped when it is full)


def _kept(store: dict, key, value):
    """Put ``value`` in ``store`` (emptied first when it holds STRINGS_KEPT entries); return it."""
    if len(store) >= STRINGS_KEPT:
        store.clear()
    store[key] = value
    return value


def string_bitmap(face: _Face, text: str):
    """``(bitmap, x_min, descent)`` of ``text`` (bitmap uint8, the others 26.6), with the layout
    of ``FT2Font.set_text`` + ``draw_glyphs_to_bitmap``. The face keeps the bitmap for the next
    draw of ``text``, so it is not to be written to (Agg's ``draw_text_image`` takes only a
    writeable array, so it is not marked read-only)."""
    return face.bitmap(text)


def _string_bitmap(face: _Face, text: str):
    glyphs, pens, (x_min, y_min, x_max, y_max) = face.layout(text)
    bitmap = np.zeros(((y_max - y_min) // 64 + 2, (x_max - x_min) // 64 + 2), dtype=np.uint8)
    for glyph, pen in zip(glyphs, pens):
        image = glyph.image
        left = int(round((pen + glyph.x_min - x_min) / 64))
        top = int(round((y_max - glyph.y_max) / 64))
        h = min(image.shape[0], bitmap.shape[0] - top)
        w = min(image.shape[1], bitmap.shape[1] - left)
        if h > 0 and w > 0:
            target = bitmap[top:top + h, left:left + w]
            np.maximum(target, image[:h, :w], out=target)
    return bitmap, x_min, -y_min


class GlyphRendererAgg(RendererAgg):
    """A ``RendererAgg`` that draws plain text from cached glyph bitmaps (see the module)."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._faces: dict[tuple, _Face] = {}
        self._by_prop: dict[tuple, _Face] = {}     # (font properties, antialiased, rcParams) -> face

    def _face(self, prop, antialiased: bool = True) -> _Face:
        # matplotlib looks a font's files up again at every draw; the answer depends on the font
        # properties and the rcParams of the generic families (findfont's own cache key)
        key = (prop, antialiased, tuple(tuple(rcParams[name]) for name in _FAMILY_RCPARAMS))
        face = self._by_prop.get(key)
        if face is None:      # kept under a copy: the text's own properties may change later
            face = _kept(self._by_prop, (prop.copy(),) + key[1:], self._find_face(prop, antialiased))
        return face

    def _find_face(self, prop, antialiased: bool) -> _Face:
        paths = tuple(fontManager._find_fonts_by_props(prop))
        size = prop.get_size_in_points()
        key = (paths, size, self.dpi, antialiased)
        face = self._faces.get(key)
        if face is None:
            font = get_font(list(paths))
            font.clear()
            face = self._faces[key] = _Face(font, size, self.dpi, get_hinting_flag(), antialiased)
        return face

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        _, _, (x_min, y_min, x_max, y_max) = self._face(prop).layout(s)
        return (x_max - x_min) / 64.0, (y_max - y_min) / 64.0, -y_min / 64.0

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        bitmap, x_min, descent = string_bitmap(self._face(prop, bool(gc.get_antialiased())), s)
        d = descent / 64.0
        x = round(x + x_min / 64.0 + d * sin(radians(angle)))
        y = round(y + d * cos(radians(angle)))
        self._renderer.draw_text_image(bitmap, x, y + 1, angle, gc)


class GlyphCanvasAgg(FigureCanvasAgg):
    """An Agg canvas that renders with :class:`GlyphRendererAgg`. It keeps one renderer (and its
    glyphs) for each size and dpi the figure is drawn at: an explorer switches between 1x and 2x."""

    def get_renderer(self):
        w, h = self.figure.bbox.size
        key = w, h, self.figure.dpi
        renderers = self.__dict__.setdefault("_glyph_renderers", {})
        if key not in renderers:
            renderers[key] = GlyphRendererAgg(w, h, self.figure.dpi)
        self.renderer, self._lastKey = renderers[key], key
        return self.renderer


class LabelText(Text):
    """A ``Text`` that draws the same pixels as ``Text`` with less work per draw.

    * ``_get_layout`` remembers its last answer with everything it depends on (the string, font,
      rotation, alignment, line spacing, renderer and dpi), so the box of a boxed text and the
      text itself share one layout; any change (a new string, size, angle, dpi) lays it out again;
    * a single line of plain text that does not wrap, has no path effects, agg filter or
      rasterization and no maths is drawn without ``Text.draw``'s wrapping context (which sets
      the string twice to the same value); anything else is drawn by ``Text.draw`` (and a
      wrapping text is laid out afresh each time).
    """

    def _layout_key(self, renderer):
        return (id(renderer), renderer.dpi, self.get_figure(root=True).dpi, self._text, self.get_rotation(),
                self._horizontalalignment, self._verticalalignment, self._multialignment, self._rotation_mode,
                self._linespacing, hash(self._fontproperties), self.get_usetex(), self.get_parse_math(),
                self._wrap)

    def _get_layout(self, renderer):
        if self._wrap:                  # Text.draw lays out the wrapped string: no memo
            return super()._get_layout(renderer)
        key = self._layout_key(renderer)
        memo = self.__dict__.get("_layout_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        layout = super()._get_layout(renderer)
        self._layout_memo = (key, layout)
        return layout

    def draw(self, renderer):
        text = self._text
        if (not self.get_visible() or text == "" or self._wrap or self.get_usetex() or self.get_path_effects()
                or self.get_agg_filter() is not None or self.get_rasterized()
                or "\n" in text or np.ma.is_masked(self._x) or np.ma.is_masked(self._y)):
            return super().draw(renderer)
        clean, ismath = self._preprocess_math(text)
        posx, posy = self.get_transform().transform((float(self.convert_xunits(self._x)),
                                                     float(self.convert_yunits(self._y))))
        if ismath or not (np.isfinite(posx) and np.isfinite(posy)):
            return super().draw(renderer)        # maths, or Text.draw's handling of a bad position
        self._renderer = renderer
        _, ((_, _, x, y),), _ = self._get_layout(renderer)
        renderer.open_group("text", self.get_gid())
        if self._bbox_patch:
            self.update_bbox_position_size(renderer)
            self._bbox_patch.draw(renderer)
        gc = renderer.new_gc()
        gc.set_foreground(self.get_color())
        gc.set_alpha(self.get_alpha())
        gc.set_url(self._url)
        gc.set_antialiased(self._antialiased)
        self._set_gc_clip(gc)
        y = y + posy
        if renderer.flipy():
            y = renderer.get_canvas_width_height()[1] - y
        renderer.draw_text(gc, x + posx, y, clean, self._fontproperties, self.get_rotation(), ismath=False,
                           mtext=self)
        gc.restore()
        renderer.close_group("text")
        self.stale = False
