"""The equation explorer shows BP2's numbers: they are the library's, they agree with finite
differences of the loss with respect to z, and extreme settings stay finite."""
import html
import textwrap

import numpy as np
import pytest

from backprop_lib.explorers.equation_explorer import EquationExplorer, status_html
from backprop_lib.explorers.equation_state import SCALE_RANGE, SIZES, bp2_problem, equation_state, significant
from backprop_lib.gradcheck.delta_routes import loss_from_z


@pytest.mark.parametrize("layer,unit,act,scale", [(1, 2, "sigmoid", 1.0), (2, 4, "tanh", 0.5), (1, 0, "relu", 2.0),
                                                   (2, 1, "sigmoid", 3.0)])
def test_delta_matches_finite_differences_of_the_loss_in_z(layer, unit, act, scale):
    s = equation_state(layer, unit, act, scale)
    net, x, y = bp2_problem(act, scale)
    _, cache = net.forward(x)
    z = cache[f"z{layer}"].copy()
    eps = 1e-6
    for j in range(SIZES[layer]):
        zp, zm = z.copy(), z.copy()
        zp[j, 0] += eps
        zm[j, 0] -= eps
        fd = (loss_from_z(net, y, layer, zp) - loss_from_z(net, y, layer, zm)) / (2 * eps)
        assert s.delta[j] == pytest.approx(fd, rel=1e-5, abs=1e-10)


def test_bp2_parts_fit_together_and_have_the_shape_rule_shapes():
    s = equation_state(1, 3)
    assert s.Wt.shape == (SIZES[1], SIZES[2]) and s.delta_next.shape == (SIZES[2],)
    assert np.allclose(s.back, s.Wt @ s.delta_next)
    assert np.allclose(s.delta, s.back * s.sigma_prime)
    assert s.terms.sum() == pytest.approx(s.back[3])
    a = 1 / (1 + np.exp(-0.0))
    assert s.sigma_prime.max() <= a * (1 - a) + 1e-15          # sigmoid' <= 1/4


@pytest.mark.parametrize("scale,unit", [(1e6, 99), (1e-9, -3), (100.0, 0), (0.01, 4)])
def test_extreme_settings_are_clipped_and_finite(scale, unit):
    for act in ("sigmoid", "tanh", "relu"):
        for layer in (1, 2):
            s = equation_state(layer, unit, act, scale)
            assert SCALE_RANGE[0] <= s.scale <= SCALE_RANGE[1]
            assert 0 <= s.unit < SIZES[layer]
            for v in (s.Wt, s.delta_next, s.back, s.sigma_prime, s.delta):
                assert np.all(np.isfinite(v))
            assert "nan" not in s.table().lower() and "-0 " not in s.table()


def test_saturation_and_dead_units_are_explained():
    assert "saturated" in equation_state(1, 0, "sigmoid", 100.0).message
    dead = [j for j in range(SIZES[2]) if equation_state(2, j, "relu", 1.0).sigma_prime[j] == 0.0]
    assert dead, "the fixed network should show at least one ReLU unit that is off"
    assert "off for this input" in equation_state(2, dead[0], "relu", 1.0).message


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="hidden layer, 1..2"):
        equation_state(3, 0)
    with pytest.raises(ValueError, match="hidden layer"):
        equation_state(0, 0)
    with pytest.raises(TypeError, match="unit must be an integer"):
        equation_state(1, 1.5)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        equation_state(1, 0, "softmax")
    with pytest.raises(ValueError, match="scale must be finite"):
        equation_state(1, 0, "sigmoid", float("nan"))
    with pytest.raises(TypeError, match="scale must be a real number"):
        equation_state(1, 0, "sigmoid", "big")


def test_widget_shows_what_explorer_state_computes():
    w = EquationExplorer(layer=1, unit=2)
    for layer, unit, act, scale in [(2, 4, "tanh", 0.5), (1, 3, "relu", 2.0), (2, 0, "sigmoid", 10.0)]:
        # the slider shows units 1-based, the state's index is 0-based
        w.layer.value, w.unit.value, w.activation.value, w.scale.value = layer, unit + 1, act, scale
        ref = equation_state(layer, unit, act, w.scale.value)
        cells = w.drawing.cells
        shown_delta = [t.get_text() for r, t in (row[0] for row in cells["delta"]) if t.get_visible()]
        assert shown_delta == [significant(v) for v in ref.delta]
        shown_row = [t.get_text() for r, t in cells["Wt"][unit] if t.get_visible()]
        assert shown_row == [significant(v) for v in ref.Wt[unit]]
        assert w.status.value == status_html(ref)
        assert html.escape(ref.formula()) in w.status.value and html.escape(ref.message) in w.status.value
        highlighted = [i for i, row in enumerate(cells["sigma_prime"]) if row[0][1].get_fontweight() == "bold"
                       and row[0][1].get_visible()]
        assert highlighted == [unit]
    w.layer.value, w.unit.value = 2, 5
    w.layer.value = 1                                  # layer 1 has 4 units: unit 5 is clipped to 4
    assert w.unit.value == 4 and "unit j = 4" in equation_state(1, w.unit.value - 1).table()
    assert "row 4: the weights out of unit 4" in w.drawing.titles["Wt"].get_text()
    assert w.image.widget.value[:4] == b"\x89PNG"


def test_the_printed_table_refuses_a_rounding_tie_the_widget_does_not():
    assert significant(0.12345, 4) in ("0.1234", "0.1235")             # the figure and the status line
    with pytest.raises(ValueError, match="rounding tie"):
        significant(0.12345, 4, check_tie=True)                        # the compared table
    assert significant(-0.021114533535334, 4, check_tie=True) == "-0.02111"
    s = equation_state(1, 3, "sigmoid", 10 ** 0.5)              # the chapter's fixed setting
    assert s.formula(check_ties=True) == s.formula()
    assert s.table().endswith(textwrap.fill(s.message, 72))


def test_units_are_shown_one_based():
    """Issue 18: the proofs and chapter 4 number units from 1; so do the slider, the figure,
    the formula and the table (the index into the arrays stays 0-based)."""
    s = equation_state(1, 0, "sigmoid", 1.0)
    assert "unit j = 1" in s.table() and s.formula().startswith("delta^(1)_1 = ")
    assert "sigma'(z^(1)_1)" in s.message or "sigma'(z^(1)_1)" in s.table()
    w = EquationExplorer(layer=2, unit=0)
    assert (w.unit.min, w.unit.max, w.unit.value) == (1, SIZES[2], 1)
    assert "unit 1" in w.drawing.titles["Wt"].get_text()
