"""The history timeline: every entry is sourced in references.bib and cited in the chapter."""
import json
import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from backprop_lib.viz.timeline import STRANDS, TIMELINE, Event, timeline_figure

ROOT = Path(__file__).resolve().parents[2]
BIB_KEYS = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(), flags=re.M))


def test_every_entry_has_a_bib_key_in_references_bib():
    missing = [e.key for e in TIMELINE if e.key not in BIB_KEYS]
    assert not missing, f"keys missing from references.bib: {missing}"


def test_the_bib_entry_carries_the_same_year():
    bib = (ROOT / "references.bib").read_text()
    for e in TIMELINE:
        entry = bib.split("{" + e.key + ",", 1)[1].split("\n}", 1)[0]
        year = re.search(r"year\s*=\s*\{(\d{4})\}", entry).group(1)
        assert int(year) == e.year, (e.key, year, e.year)


def test_the_issue_s_milestones_are_all_there():
    wanted = {(1960, "Kelley"), (1961, "Bryson"), (1962, "Dreyfus"), (1967, "Amari"),
              (1969, "Bryson & Ho"), (1970, "Linnainmaa"), (1980, "Speelpenning"),
              (1974, "Werbos"), (1982, "Parker"), (1985, "Parker"), (1985, "LeCun"),
              (1986, "Rumelhart, Hinton & Williams")}
    assert wanted <= {(e.year, e.who) for e in TIMELINE}
    assert [e.year for e in TIMELINE] == sorted(e.year for e in TIMELINE)
    assert all(e.strand in STRANDS for e in TIMELINE)


def test_the_chapter_cites_every_timeline_key():
    nb = ROOT / "chapters" / "07_history.ipynb"
    assert nb.exists(), "chapters/07_history.ipynb is missing"
    text = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"]
                     if c["cell_type"] == "markdown")
    cited = set()
    for group in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", text):
        cited |= {k.strip() for k in group.split(",")}
    assert {e.key for e in TIMELINE} <= cited
    assert cited <= BIB_KEYS, f"cited but not in references.bib: {cited - BIB_KEYS}"


def test_figure_has_one_marker_per_event():
    fig = timeline_figure()
    assert isinstance(fig, Figure)
    markers = [l for l in fig.axes[0].lines if l.get_marker() == "o"]
    assert len(markers) == len(TIMELINE)


def test_figure_refuses_bad_input():
    with pytest.raises(TypeError, match="non-empty list of timeline.Event"):
        timeline_figure([])
    with pytest.raises(TypeError, match="timeline.Event"):
        timeline_figure([(1986, "x")])
    with pytest.raises(ValueError, match="unknown strand.*'physics'.*valid strands"):
        timeline_figure([Event(1900, "A", "b", "c", "physics")])


def test_the_chapter_s_table_agrees_with_the_timeline_data():
    nb = ROOT / "chapters" / "07_history.ipynb"
    text = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"]
                     if c["cell_type"] == "markdown")
    rows = re.findall(r"^\| (\d{4}) \| ([^|]+?) \|[^|]+\| \{cite:p\}`([^`]+)` \|$", text, flags=re.M)
    assert [(int(y), who, key) for y, who, key in rows] == [(e.year, e.who, e.key) for e in TIMELINE]
