"""A :class:`~backprop_lib.explorers.base.FigureImage` that redraws only the artists that change (blitting).

Rendering a whole figure with Agg costs tens of milliseconds (axes, ticks, circles, labels); an
explorer update only changes a few texts and lines.  ``BlitFigureImage`` marks those artists
*animated*, renders everything else once into a cached background, and on each refresh restores
the background and draws the dynamic artists on top; :meth:`FigureImage.render_png` encodes the pixels.
The picture is identical to a full redraw; only the work differs.  The dynamic texts are
redrawn at every move, so they become :class:`~backprop_lib.viz.glyph_text.LabelText` (the same
pixels as ``Text`` for less work a draw).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.image import AxesImage
from matplotlib.text import Text

from backprop_lib.explorers.base import FigureImage
from backprop_lib.viz.glyph_text import LabelText


class BlitFigureImage(FigureImage):
    """``BlitFigureImage(figure, dynamic)``: show ``figure`` in an image widget, redrawing only the
    artists in ``dynamic`` on :meth:`refresh`.  Call :meth:`invalidate` after changing anything
    else (e.g. axis limits) so the background is rendered again."""

    def __init__(self, figure, dynamic: Iterable[Artist], alt: str = ""):
        self.dynamic = list(dynamic)
        if not all(isinstance(a, Artist) for a in self.dynamic):
            raise TypeError("dynamic must be matplotlib artists (lines, texts, ...) of the figure")
        for artist in self.dynamic:
            artist.set_animated(True)
            if type(artist) is Text:        # a plain Text (not an Annotation, not a subclass)
                artist.__class__ = LabelText
        self._backgrounds = {}      # one per dpi (a 1x frame while a control moves, the full one after)
        super().__init__(figure, alt)

    def invalidate(self) -> None:
        """Forget the cached backgrounds; the next refresh renders the whole figure."""
        self._backgrounds.clear()

    def _draw(self) -> np.ndarray:
        """The figure at its current dpi: the cached background and the dynamic artists on it."""
        canvas = self.figure.canvas
        background = self._backgrounds.get(self.figure.dpi)
        if background is None:
            # Axes.draw skips animated lines and texts but still composites an animated AxesImage
            # (matplotlib keeps images in its image-compositing pass), so a cached background
            # would hold the current image and every blit would paint the new one over it: hide
            # the dynamic images while the background is rendered.
            images = [a for a in self.dynamic if isinstance(a, AxesImage) and a.get_visible()]
            for image in images:
                image.set_visible(False)
            try:
                canvas.draw()
                self._backgrounds[self.figure.dpi] = canvas.copy_from_bbox(self.figure.bbox)
            finally:
                for image in images:
                    image.set_visible(True)
        else:
            canvas.restore_region(background)
        for artist in self.dynamic:                 # in the order given (the caller's z-order)
            self.figure.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())

