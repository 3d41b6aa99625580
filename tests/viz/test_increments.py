"""The nudge figure of chapter 1 and the increments it draws (teaching.increments)."""
import math

import pytest

from backprop_lib.explorers.chain_composites import COMPOSITES
from backprop_lib.teaching.increments import chain_increments, increments_table
from backprop_lib.viz.increments import draw_increments

NESTED = COMPOSITES["nested"].stages          # u = x^2, v = 2u + 1, y = v^3


def test_the_quotients_telescope_and_tend_to_the_local_derivatives():
    big = chain_increments(NESTED, 2.0, 0.5)
    assert big.d_in == (0.5, 2.25, 4.5)                       # 2.5^2 - 4, then 2 du
    assert big.d_out == (2.25, 4.5, 13.5 ** 3 - 9.0 ** 3)
    assert math.prod(big.ratios) == pytest.approx(big.quotient, rel=1e-14)
    for dx in (1e-2, 1e-4, -1e-4):
        small = chain_increments(NESTED, 2.0, dx)
        for ratio, slope in zip(small.ratios, (4.0, 2.0, 243.0)):
            assert ratio == pytest.approx(slope, rel=3 * abs(dx))   # O(dx) away
    assert chain_increments(NESTED, 2.0, 1e-6).quotient == pytest.approx(1944.0, rel=1e-5)


def test_a_zero_increment_leaves_the_next_quotient_undefined():
    inc = chain_increments(NESTED, 1.0, -2.0)    # (-1)^2 = 1^2: du = 0
    assert inc.d_out[0] == 0.0 and inc.ratios[1] is None and inc.ratios[2] is None
    assert inc.quotient == 0.0


@pytest.mark.parametrize("dx, error", [(0.0, ValueError), (math.inf, ValueError), ("1", TypeError)])
def test_bad_nudges_are_refused(dx, error):
    with pytest.raises(error):
        chain_increments(NESTED, 2.0, dx)
    with pytest.raises(ValueError, match="at least one stage"):
        chain_increments((), 2.0, 0.5)


def test_the_table_fits_79_columns_and_ends_with_the_derivatives():
    table = increments_table(NESTED, 2.0, [0.5, 0.001])
    lines = table.splitlines()
    assert len(lines) == 4 and max(map(len, lines)) <= 79
    assert lines[1].split() == ["0.500", "2.2500", "4.5000", "1731.3750", "4.5000", "2.0000",
                                "384.7500", "3462.75"]
    assert lines[-1].split() == ["Δx", "→", "0", "4.0000", "2.0000", "243.0000", "1944.00"]


def test_the_figure_has_a_panel_per_stage_with_its_quotient():
    fig = draw_increments(chain_increments(NESTED, 2.0, 0.5))
    assert len(fig.axes) == 3
    texts = [{t.get_text() for t in ax.texts} for ax in fig.axes]
    assert "Δu/Δx = 4.5\ndu/dx = 4" in texts[0] and "Δy = 1731" in " ".join(texts[2])
    assert "= 3463" in fig._suptitle.get_text()
    with pytest.raises(TypeError):
        draw_increments(NESTED)
