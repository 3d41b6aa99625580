"""The chapters' compared outputs hold on every machine (README, "Outputs that hold on every CPU").

The stored outputs are what nbval compares, so these tests read them as committed: every glued
number is stored at the precision its prose prints (never the 17-digit repr, whose last digits
change with the CPU's SIMD loops and BLAS kernels), and glued figures are compared where their
numbers are computed, not pixel by pixel (see the root ``conftest.py``).
"""
import json
import math
import re
from pathlib import Path

import pytest

from backprop_lib.teaching import above, below, rounded, shown

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
RECORD = "application/papermill.record/"
REF = re.compile(r"\{glue(?::text)?\}`([\w.-]+)(?::([^`]*))?`")


def glued_values(path: Path) -> dict[str, str]:
    """name -> the text/plain a notebook stores for each glued value (not figures)."""
    values = {}
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and RECORD + "text/plain" in data and RECORD + "image/png" not in data:
                values[name] = "".join(data[RECORD + "text/plain"])
    return values


def prose_references(path: Path) -> list[tuple[str, str]]:
    """(name, format spec) of every {glue:text} reference in the markdown cells."""
    refs = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            refs += [(m[1], m[2] or "") for m in REF.finditer("".join(cell["source"]))]
    return refs


def as_float(text: str):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if "." in text or "e" in text.lower() else None


def significant_digits(text: str) -> int:
    return len(text.lstrip("-").lower().split("e")[0].replace(".", "").strip("0"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_glued_number_is_stored_as_the_prose_prints_it(path):
    values, refs = glued_values(path), prose_references(path)
    assert values, f"{path.name} stores no glued values: was it committed executed?"
    problems = []
    for name, spec in refs:
        if name not in values or "figure" in name or not spec or spec[-1] not in "eEf%":
            continue
        value = as_float(values[name])
        if value is None:
            problems.append(f"{name}: prose formats it as {spec!r}, stored {values[name]!r}")
        elif float(format(value, spec).replace(",", "").rstrip("%")) / (100 if spec.endswith("%") else 1) \
                != pytest.approx(value, rel=1e-12, abs=0):
            problems.append(f"{name}: stored {values[name]}, but the prose shows only "
                            f"{format(value, spec)} ({spec!r}): glue the rounded value")
    for name, text in values.items():
        if as_float(text) is not None and significant_digits(text) > 9:
            problems.append(f"{name}: stored with all its digits ({text})")
    assert not problems, "\n".join(problems)


def test_rounded_gives_the_number_the_prose_prints():
    assert rounded(0.47612491530699014, ".4f") == 0.4761
    assert repr(rounded(2.3e-11, ".0e")) == "2e-11"
    assert rounded(0.47612, ".1%") == 0.476
    assert rounded(12449.3, ",.0f") == 12449.0
    assert rounded(7, "d") == 7 and shown(0.31455012, ".4f") == "0.3146"


@pytest.mark.parametrize("value, fmt", [(0.125 + 1e-13, ".2f"), (2.5e-11, ".0e"), (0.0015, ".1%")])
def test_rounded_refuses_a_value_at_a_rounding_tie(value, fmt):
    with pytest.raises(ValueError, match="rounding tie"):
        rounded(value, fmt)


@pytest.mark.parametrize("value, fmt, error", [
    (float("nan"), ".2f", ValueError), ("0.5", ".2f", TypeError), (0.5, "g", ValueError),
    (0.5, "f", ValueError), (2.5, "d", TypeError), (True, ".1f", TypeError)])
def test_rounded_refuses_what_it_cannot_round(value, fmt, error):
    with pytest.raises(error):
        rounded(value, fmt)


def test_significant_digits_ignore_leading_and_trailing_zeros():
    assert significant_digits("1300000000.0") == 2 and significant_digits("0.00060516") == 5
    assert significant_digits("0.47612491530699014") == 17


def test_above_states_a_lower_bound_only_when_it_is_met():
    assert above(0.0122, 5e-4) == 5e-4
    with pytest.raises(ValueError, match="not above"):
        above(1e-5, 5e-4)


def test_below_states_the_bound_only_when_it_is_met():
    assert below(3.7e-15, 1e-12) == 1e-12 and below(-3e-13, 1e-12) == 1e-12
    with pytest.raises(ValueError, match="not below"):
        below(2e-12, 1e-12)
    with pytest.raises(ValueError, match="positive"):
        below(0.0, 0.0)
    assert math.isclose(below(0.0, 1e-9), 1e-9)
