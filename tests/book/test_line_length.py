"""Code a learner reads fits the book's column: every line of a code cell, of its stored printed
output and of a solution's python block is at most 79 characters; no cell shows a bare
matplotlib repr (``<matplotlib.legend.Legend at 0x...>``) under its code."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"   # the page shows the widget, not its repr


def long_lines(path: Path) -> list[str]:
    found = []
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        source = "".join(cell["source"])
        texts = []
        if cell["cell_type"] == "markdown":
            texts = re.findall(r"```python\n(.*?)\n```", source, re.S)
        elif cell["cell_type"] == "code":
            texts = [source]
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if WIDGET not in data:
                    texts.append("".join(out.get("text", "")) + "".join(data.get("text/plain", "")))
        found += [f"cell {i}: {len(line)}: {line[:60]}" for text in texts
                  for line in text.splitlines() if len(line) > 79]
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_line_fits_79_characters(path):
    assert long_lines(path) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_cell_shows_a_bare_matplotlib_repr(path):
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("data", {}).get("text/plain", ""))
            if out.get("output_type") == "execute_result" and WIDGET not in out.get("data", {}):
                assert not re.match(r"<(matplotlib\.|Axes|Figure)", text), text[:80]
