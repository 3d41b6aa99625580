"""Shared check: an explorer's blitted picture is the picture a full redraw gives."""
from __future__ import annotations

import numpy as np


def assert_blit_matches_full_redraw(image, max_differ: float = 0.002) -> None:
    """``image`` is a BlitFigureImage after some updates.  Its blitted frame must equal a full
    redraw of the same figure except for a few pixels where z-order differs (a dynamic artist
    drawn over a static one it would be under); the dynamic artists must change the picture."""
    blit = image.render_rgba().copy()
    canvas = image.figure.canvas
    canvas.draw()                                  # animated (dynamic) artists are skipped here
    static_only = np.asarray(canvas.buffer_rgba()).copy()
    for artist in image.dynamic:
        artist.set_animated(False)
    try:
        canvas.draw()                              # everything, in z-order
        full = np.asarray(canvas.buffer_rgba()).copy()
    finally:
        for artist in image.dynamic:
            artist.set_animated(True)
        image.invalidate()
    assert blit.shape == full.shape
    assert np.any(np.any(static_only != full, axis=-1)), "the dynamic artists draw nothing"
    differ = np.any(blit != full, axis=-1).mean()
    assert differ < max_differ, f"{differ:.4f} of the pixels differ from a full redraw"
