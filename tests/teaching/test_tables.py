"""Deterministic tables: fixed-precision formatting, aligned text, escaped HTML, clear errors."""
import numpy as np
import pytest

from backprop_lib.teaching.tables import Table, format_number, matrix_table


@pytest.mark.parametrize("value,precision,expected", [
    (0.3775, 6, "0.377500"),
    (0.00060516, 8, "0.00060516"),         # 8 decimals keep the published digits
    (0.00060516, 6, "0.000605"),          # 1e-4 <= |v|: still fixed-point at precision 6
    (0.0000123456, 6, "1.2346e-05"),      # below 10^-(6-2): scientific with 4 decimals
    (-2.5e7, 4, "-2.50e+07"),             # >= 1e6: scientific, at least 2 decimals
    (0.0, 6, "0.000000"),
    (3, 6, "3"),
    (np.int64(13), 6, "13"),
    (True, 6, "True"),
    ("W(1)_11", 6, "W(1)_11"),
    (float("nan"), 6, "nan"),
    (float("-inf"), 6, "-inf"),
])
def test_format_number(value, precision, expected):
    assert format_number(value, precision) == expected


def test_text_table_is_aligned_and_fixed():
    t = Table.from_columns("unit j", [1, 2, 3], {"z": [0.3775, 0.3925, 0.4075], "a": [0.5, -0.25, 1.0]},
                           precision=4, title="layer 1")
    lines = t.text().splitlines()
    assert lines[0] == "layer 1"
    assert lines[1].split() == ["unit", "j", "z", "a"]
    assert lines[3].split() == ["1", "0.3775", "0.5000"]
    assert lines[4].split() == ["2", "0.3925", "-0.2500"]
    # numbers are right-aligned: every row has the same length, and str() is the text form
    assert len({len(line) for line in lines[1:]}) == 1
    assert str(t) == t.text() == repr(t)


def test_html_table_escapes_and_right_aligns():
    t = Table.from_rows(["name <i>", "value"], [["a&b", 0.5]], precision=3, title="x < y")
    html = t._repr_html_()
    assert html.startswith('<table class="bp-table"><caption>x &lt; y</caption>')
    assert ">name &lt;i&gt;</th>" in html and ">a&amp;b</th>" in html
    assert html.count("<tr>") == 2 and html.count("<td ") == 1
    assert 'text-align:right;font-family:monospace">0.500</td>' in html
    assert "<i>" not in html


def test_matrix_table_labels_are_one_based():
    m = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    t = matrix_table("dL/dW^(1)", m, precision=2)
    assert t.header == ("dL/dW^(1): j \\ k", "k=1", "k=2")
    assert t.rows == (("j=1", "1.00", "2.00"), ("j=2", "3.00", "4.00"), ("j=3", "5.00", "6.00"))
    assert matrix_table("v", np.ones((2, 1)), row_name="i", col_name="c").header == ("v: i \\ c", "c=1")


def test_numpy_rows_are_accepted():
    t = Table.from_rows(["a", "b"], [np.array([1.5, 2.5])], precision=1)
    assert t.rows == (("1.5", "2.5"),)


def test_bad_input_is_refused_with_a_useful_message():
    with pytest.raises(ValueError, match="row 0 has 1 cells, the header has 2"):
        Table.from_rows(["a", "b"], [[1.0]])
    with pytest.raises(TypeError, match="header must be a non-empty list"):
        Table.from_rows("ab", [[1.0, 2.0]])
    with pytest.raises(TypeError, match="rows must be a list"):
        Table.from_rows(["a"], "rows")
    with pytest.raises(ValueError, match="precision must be a positive integer"):
        Table.from_rows(["a"], [[1.0]], precision=0)
    with pytest.raises(TypeError, match="columns must be a non-empty dict"):
        Table.from_columns("j", [1], {})
    with pytest.raises(ValueError, match="column 'z' has 2 entries, the index has 3"):
        Table.from_columns("j", [1, 2, 3], {"z": [1.0, 2.0]})
    with pytest.raises(ValueError, match="must be a 2-D matrix, got shape \\(3,\\)"):
        matrix_table("v", np.ones(3))
    with pytest.raises(TypeError, match="name must be a string"):
        matrix_table(3, np.ones((2, 2)))


@pytest.mark.parametrize("precision", [1, 2])
def test_low_precision_does_not_turn_ordinary_numbers_scientific(precision):
    assert format_number(0.5, precision) == f"{0.5:.{precision}f}"
    assert format_number(0.01, precision) == "1.00e-02"


def test_format_number_refuses_a_bad_precision():
    with pytest.raises(ValueError, match="precision must be a positive integer, got 0"):
        format_number(1.0, 0)
    with pytest.raises(TypeError, match="precision must be a positive integer"):
        format_number(1.0, 2.5)


def test_a_number_at_a_rounding_tie_is_refused():
    # 0.5606875 = 0.5 * 1.121375, a delta of the worked example with ReLU: at 6 decimals its last
    # digit depends on the last bit of the float, so a table printing it would differ between CPUs
    tie = 0.5 * 1.121375
    with pytest.raises(ValueError, match="rounding tie of '.6f'.*another precision than 6"):
        Table.from_rows(["delta"], [[tie]], precision=6)
    with pytest.raises(ValueError, match="rounding tie"):
        Table.from_columns("j", [1], {"delta": [tie]}, precision=6)
    with pytest.raises(ValueError, match="rounding tie"):
        matrix_table("delta", np.array([[tie]]), precision=6)
    with pytest.raises(ValueError, match="rounding tie of '.4e'"):    # the scientific branch too
        format_number(1.23455e-05, 6, check_tie=True)
    assert Table.from_rows(["delta"], [[tie]], precision=8).rows == (("0.56068750",),)
    # unchecked on request (a widget, whose view is never compared) and by format_number's default
    assert Table.from_rows(["delta"], [[tie]], precision=6, check_ties=False).rows[0][0] in ("0.560687", "0.560688")
    assert format_number(tie, 6) in ("0.560687", "0.560688")


def test_a_number_near_a_tie_but_far_beyond_cpu_noise_is_shown():
    # 1e-10 (relative) above the tie: 1e5 times the ~1e-15 by which CPUs differ
    assert format_number(0.5606875 * (1 + 1e-10), 6, check_tie=True) == "0.560688"
    assert format_number(0.36280360510625104, 8, check_tie=True) == "0.36280361"   # the worked step
    with pytest.raises(TypeError, match="check_tie must be True or False"):
        format_number(0.5, 6, check_tie="yes")
