"""Figure text meets WCAG's 4.5:1 contrast against what it is drawn on, and the text shades keep
their colour's hue (an orange label still reads as a gradient)."""
import colorsys

import pytest
from matplotlib.colors import to_rgb

from backprop_lib.viz import style
from backprop_lib.viz.graph import KNOWN_FACE, PLAIN_FACE

# each text colour with the fills it is drawn on (graph nodes, network units, edge labels' white
# boxes, the equation explorer's tinted cells, which hold black or grey text)
PAIRS = [(text, fill) for text in (style.FORWARD, style.NEUTRAL, style.GRADIENT_TEXT,
                                   style.TARGET_TEXT, style.HIGHLIGHT_TEXT, style.WARNING_TEXT)
         for fill in ("white", KNOWN_FACE, PLAIN_FACE)]
PAIRS += [(text, fill) for text in ("black", style.NEUTRAL) for fill in ("#DCEBF5", "#FBEBC8")]


def test_contrast_ratio_matches_known_values():
    assert style.contrast_ratio("black", "white") == pytest.approx(21.0)
    assert style.contrast_ratio("#777777", "white") == pytest.approx(4.48, abs=0.01)
    assert style.contrast_ratio(style.GRADIENT, "white") < 3   # the reason for the text shades


@pytest.mark.parametrize("colour,fill", PAIRS)
def test_text_colours_meet_4_5_to_1_on_their_fills(colour, fill):
    assert style.contrast_ratio(colour, fill) >= 4.5


@pytest.mark.parametrize("base", list(style.TEXT_SHADES))
def test_a_text_shade_keeps_its_hue(base):
    h1 = colorsys.rgb_to_hsv(*to_rgb(base))[0]
    h2 = colorsys.rgb_to_hsv(*to_rgb(style.text_colour(base)))[0]
    assert min(abs(h1 - h2), 1 - abs(h1 - h2)) < 0.03
    assert style.text_colour(style.FORWARD) == style.FORWARD
