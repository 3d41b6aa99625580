"""The course's colours and plot style, shared by every figure.

Colour meaning is the same everywhere (Okabe-Ito palette, safe for the common colour-vision
deficiencies): forward values blue, gradients and error signals orange, targets green.
"""
from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

FORWARD = "#0072B2"    # blue: activations, pre-activations, outputs
GRADIENT = "#E69F00"   # orange: gradients, error signals delta
TARGET = "#009E73"     # bluish green: targets y
HIGHLIGHT = "#CC79A7"  # reddish purple: the one thing a figure points at
WARNING = "#D55E00"    # vermillion: divergence, errors, dead units
NEUTRAL = "#666666"    # grey: axes, guides, inactive elements
EXTRA = ("#56B4E9", "#F0E442", "#000000")  # sky blue, yellow, black for further series

# Text in a figure meets WCAG's 4.5:1 against white and the pale fills it sits on
# (tests/viz/test_style.py). FORWARD and NEUTRAL already do; the lighter hues get a darker shade
# of the same hue for text, so a label keeps its colour's meaning (orange: a gradient).
GRADIENT_TEXT = "#8C5200"   # 6.3:1 on white, 5.9:1 on the graph's pale orange
TARGET_TEXT = "#006B4F"     # 6.5:1 on white
HIGHLIGHT_TEXT = "#9C3D78"  # 6.3:1 on white
WARNING_TEXT = "#A84300"    # 6.1:1 on white
TEXT_SHADES = {GRADIENT: GRADIENT_TEXT, TARGET: TARGET_TEXT, HIGHLIGHT: HIGHLIGHT_TEXT,
               WARNING: WARNING_TEXT}


def text_colour(colour: str) -> str:
    """The shade of a palette colour to write text in (the colour itself if it is dark enough)."""
    return TEXT_SHADES.get(colour, colour)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21); text needs 4.5, large bold text 3."""
    from matplotlib.colors import to_rgb

    def luminance(colour) -> float:
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


COLORS = {"forward": FORWARD, "gradient": GRADIENT, "target": TARGET, "highlight": HIGHLIGHT,
          "warning": WARNING, "neutral": NEUTRAL}
# A qualitative cycle for several series (e.g. one per activation or per class).
CYCLE = (FORWARD, GRADIENT, TARGET, HIGHLIGHT, WARNING, EXTRA[0], EXTRA[2])

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (6.4, 4.0),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=list(CYCLE)),
}


# A notebook's figures (shown at the end of a cell or glued) are stored with FIGURE_DENSITY image
# pixels per CSS pixel, so their text is sharp on high-density screens; the output's "width"
# metadata (myst-nb puts it on the page's <img>, JupyterLab honours it) keeps them at the size
# their dpi gives: a 6.4 x 4 inch figure at dpi 100 is 640 CSS pixels wide, drawn 1280 wide.
FIGURE_DENSITY = 2


def figure_png(fig, density: float = FIGURE_DENSITY) -> tuple[bytes, dict] | None:
    """``(png, {"width": css_width})`` for a notebook figure: drawn like the inline backend
    (tight bounding box, the figure's face colour) at ``density`` times its dpi, encoded with
    :func:`backprop_lib.viz.png.encode_png` (a 256-colour palette when it is within its
    tolerance, else lossless).  An explorer's figure, whose dpi its live image has raised,
    keeps the dpi it was made with (``_css_dpi``).  An empty figure gives ``None`` (no image),
    as in IPython."""
    import io

    import numpy as np
    from PIL import Image

    from backprop_lib.viz.png import encode_png, pixel_density

    density = pixel_density(density)
    if not fig.axes and not fig.lines:
        return None
    css_dpi = float(getattr(fig, "_css_dpi", fig.dpi))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=css_dpi * density, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    rgba = np.asarray(Image.open(buffer).convert("RGBA"))
    data, _ = encode_png(rgba, compress_level=6)
    return data, {"width": round(rgba.shape[1] / density)}


def _store_figures_at_density() -> None:
    """In IPython, show matplotlib figures through :func:`figure_png`."""
    try:
        from IPython import get_ipython
    except ImportError:  # the library works without IPython
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


def use_course_style() -> None:
    """Apply the course's matplotlib style (call once at the top of a chapter, after
    ``%matplotlib inline``); in a notebook, figures are stored for high-density screens."""
    plt.rcParams.update(STYLE)
    _store_figures_at_density()


def new_figure(nrows: int = 1, ncols: int = 1, *, mosaic=None, figsize=None, layout=None,
               **subplots_kw):
    """``(fig, axes)`` like ``plt.subplots`` (or ``plt.subplot_mosaic`` with ``mosaic``), but the
    figure is not registered with pyplot: a notebook does not show it at the end of the cell, so
    a chapter shows it once, where the prose places it (``{glue:figure}``)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout=layout)
    if mosaic is not None:
        return fig, fig.subplot_mosaic(mosaic, **subplots_kw)
    return fig, fig.subplots(nrows, ncols, **subplots_kw)
