"""The chain-rule explorer: the numbers it shows come from hand calculus and autograd, the kink
is reported as one-sided slopes (never NaN), extreme x is clipped, and bad input is refused."""
import math

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as ag_grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib.explorers.chain_composites import COMPOSITES
from backprop_lib.explorers.chain_rule import H, ChainRuleExplorer, chain_state
from backprop_lib.gradcheck.finite_diff import central_difference

AUTOGRAD = {
    "cube": lambda x: (2 * x + 1) ** 3,
    "nested": lambda x: (2 * x**2 + 1) ** 3,
    "sin_square": lambda x: anp.sin(x**2),
    "relu_square": lambda x: (anp.maximum(x, 0.0) + 1) ** 2,
}


def test_worked_example_by_hand():
    s = chain_state("nested", 3.0)
    assert s.inputs == (3.0, 9.0, 19.0) and s.outputs == (9.0, 19.0, 6859.0)
    assert s.slopes == (6.0, 2.0, 1083.0) and s.product == 12996.0
    assert s.numerical == pytest.approx(12996.0, rel=1e-9)
    assert "dy/dx = 12996.0000" in s.table()


@pytest.mark.parametrize("key", sorted(COMPOSITES))
@pytest.mark.parametrize("x", [-3.0, -1.3, -0.5, 0.7, 2.2, 3.0])
def test_product_matches_autograd_and_numerical(key, x):
    s = chain_state(key, x)
    assert s.product == pytest.approx(ag_grad(AUTOGRAD[key])(x), rel=1e-12, abs=1e-12)
    assert s.outputs[-1] == pytest.approx(AUTOGRAD[key](x))
    assert s.numerical == pytest.approx(central_difference(COMPOSITES[key], x, H))
    assert s.numerical == pytest.approx(s.product, rel=1e-6, abs=1e-6)
    assert not s.message


def test_kink_shows_one_sided_slopes_not_nan():
    s = chain_state("relu_square", 0.0)
    assert s.slopes[0] is None and s.one_sided[0] == (0.0, 1.0)
    assert s.product is None and s.product_sides == (0.0, 2.0)      # 0 * 2 and 1 * 2 by hand
    assert s.numerical == pytest.approx(1.0, abs=1e-4)               # the average of 0 and 2
    text = s.table()
    assert "does not exist" in text and "nan" not in text.lower()
    assert chain_state("relu_square", 1e-12).slopes[0] is None       # slider round-off still counts


def test_near_the_kink_the_straddling_difference_is_flagged():
    s = chain_state("relu_square", H / 10)
    assert s.product == pytest.approx(2.0) and "straddles" in s.message


@pytest.mark.parametrize("x", [1e300, -1e300, 3.0000001, -50.0])
def test_extreme_x_is_clipped_and_finite(x):
    for key in COMPOSITES:
        s = chain_state(key, x)
        assert s.x == max(min(x, 3.0), -3.0)
        shown = [*s.inputs, *s.outputs, s.numerical, *(d for d in s.slopes if d is not None)]
        assert all(math.isfinite(v) for v in shown)
        assert "outside" in s.message


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown composite 'tan'; valid names"):
        chain_state("tan", 1.0)
    with pytest.raises(TypeError, match="composite must be a name"):
        chain_state(3, 1.0)
    with pytest.raises(ValueError, match="finite"):
        chain_state("cube", float("nan"))
    with pytest.raises(TypeError, match="real number"):
        chain_state("cube", "1.0")


def test_widget_shows_what_chain_state_computes():
    w = ChainRuleExplorer(key="cube", x=1.0)
    for key, x in [("cube", 1.0), ("nested", 3.0), ("relu_square", 0.0), ("sin_square", -2.0), ("nested", -0.35)]:
        w.choice.value = key
        w.x.value = x                          # the observers call update
        ref = chain_state(key, x)
        assert ref.table() in w.status.value
        n = len(COMPOSITES[key].stages)
        assert [ax.get_visible() for ax in w.axes] == [k < n for k in range(3)]
        for k in range(n):
            assert tuple(w.points[k].get_data()[1]) == (ref.outputs[k],)
            (x0, x1), (y0, y1) = w.tangents[k][1].get_data()
            slope = ref.slopes[k] if ref.slopes[k] is not None else ref.one_sided[k][1]
            assert (y1 - y0) / (x1 - x0) == pytest.approx(slope)
            stage = COMPOSITES[key].stages[k]                 # each panel names its own values
            text = w.texts[k].get_text()
            assert f"{stage.var_in} = {ref.inputs[k]:.4g}," in text
            assert f"{stage.var_out} = {ref.outputs[k]:.4g}" in text
            assert "nan" not in text.lower()
        assert "nan" not in w.summary.get_text().lower()
        assert ("does not exist" in w.summary.get_text()) == (ref.product is None)
    assert w.image.widget.value[:4] == b"\x89PNG"


def test_widget_reports_errors_instead_of_raising(monkeypatch):
    import backprop_lib.explorers.chain_rule as module

    w = ChainRuleExplorer()

    def broken(key, x):
        raise ValueError("something went wrong")

    monkeypatch.setattr(module, "chain_state", broken)
    w.x.value = 2.0                            # must not raise: safe_call catches it
    assert w.status.value == "<code>ValueError: something went wrong</code>"


def test_widget_refuses_bad_arguments_and_clips_x():
    with pytest.raises(ValueError, match="unknown composite 'tan'"):
        ChainRuleExplorer(key="tan")
    with pytest.raises(TypeError, match="real number"):
        ChainRuleExplorer(x="2")
    w = ChainRuleExplorer(key="cube", x=1e9)              # clipped to the slider's end
    assert w.x.value == 3.0 and chain_state("cube", 3.0).table() in w.status.value


def test_fast_redraw_shows_the_same_picture_as_a_full_redraw():
    # After 3 stages -> 2 stages, nothing of the hidden third panel may remain on the image.
    import io

    from PIL import Image

    w = ChainRuleExplorer(key="nested", x=2.0)
    w.choice.value = "relu_square"
    w.x.value = 0.0
    shown = np.asarray(Image.open(io.BytesIO(w.image.widget.value)).convert("RGBA"))
    for artist in w.image.dynamic:
        artist.set_animated(False)
    w.figure.canvas.draw()
    full = np.asarray(w.figure.canvas.buffer_rgba())
    # the widget's PNG has a palette of 256 colours: a pixel differs when it is further from
    # the full redraw than the palette's tolerance
    from backprop_lib.explorers.base import PALETTE_TOLERANCE

    differ = np.any(np.abs(shown.astype(int) - full) > PALETTE_TOLERANCE, axis=-1)
    # Only drawing order differs (a moving line drawn over a spine instead of under it): a few
    # pixels (per CSS pixel). A left-over point, tangent or text of the hidden panel would be
    # hundreds.
    assert shown.shape == full.shape and differ.sum() < 20 * w.image.density ** 2


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(COMPOSITES)), st.floats(-3.0, 3.0))
def test_any_x_matches_autograd_or_reports_the_kink(key, x):
    s = chain_state(key, x)
    if s.product is None:                                    # only exactly at the ReLU kink
        assert key == "relu_square" and abs(x) <= 1e-9
        assert s.product_sides == pytest.approx((0.0, 2.0))            # 0 * 2 and 1 * 2 by hand
    else:
        assert s.product == pytest.approx(ag_grad(AUTOGRAD[key])(x), rel=1e-12, abs=1e-12)
    assert all(math.isfinite(v) for v in (*s.inputs, *s.outputs, s.numerical))
