"""The exercises as the committed chapters ship them: every exercise cell is a stub whose stored
output is the "not attempted yet" verdict, and the reference solution in its dropdown passes.

A stub cell is marked in its metadata (``"exercise": "<label>"``, invisible on the page).  The
test runs the chapter's first code cell (its imports), then the stub cell with every ``check_*``
function recording its verdicts; then the first ``python`` block of the ``{solution} <label>``
dropdown (the code a learner would paste), and the stub cell's checker calls again.
"""
import json
import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NOT_ATTEMPTED = "\u25cb Not attempted yet"


def source(cell) -> str:
    return "".join(cell["source"])


def exercises(path: Path):
    cells = json.loads(path.read_text())["cells"]
    markdown = "\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
    for cell in cells:
        label = cell.get("metadata", {}).get("exercise")
        if label:
            yield label, cell, markdown


def run(code: str, ns: dict) -> list:
    """Execute ``code`` with every check_* in ``ns`` recording its result; the results."""
    results = []
    for name, fn in list(ns.items()):
        if name.startswith("check_") and callable(fn):
            fn = getattr(fn, "checker", fn)

            def recording(*args, _fn=fn, **kwargs):
                results.append(_fn(*args, **kwargs))
                return results[-1]
            recording.checker = fn
            ns[name] = recording
    exec(compile(code, "<cell>", "exec"), ns)
    return results


def chapter_namespace(path: Path) -> dict:
    cells = json.loads(path.read_text())["cells"]
    first = next(source(c) for c in cells if c["cell_type"] == "code")
    ns: dict = {}
    exec("\n".join(line for line in first.splitlines() if not line.startswith("%")), ns)
    return ns


def imports_then(ns: dict, code: str) -> str:
    """Run the stub's import lines first so the checkers it imports are recorded too."""
    imports = "\n".join(line for line in code.splitlines() if line.startswith(("from ", "import ")))
    exec(imports, ns)
    return "\n".join(line for line in code.splitlines() if not line.startswith(("from ", "import ")))


CASES = [(p.name, label) for p in CHAPTERS for label, _, _ in exercises(p)]


@pytest.mark.parametrize("chapter", [p.name for p in CHAPTERS])
def test_every_chapter_has_three_self_checked_exercises(chapter):
    labels = [label for label, _, _ in exercises(ROOT / "chapters" / chapter)]
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels


@pytest.mark.parametrize("chapter,label", CASES)
def test_stub_says_not_attempted_and_the_solution_passes(chapter, label):
    matplotlib.use("Agg")
    path = ROOT / "chapters" / chapter
    cell, markdown = next((c, m) for l, c, m in exercises(path) if l == label)
    code = source(cell)
    assert "NotImplementedError" in code or "..." in code, "the cell is not a stub"
    stored = "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for o in cell["outputs"])
    assert stored.startswith(NOT_ATTEMPTED), f"stored output: {stored[:200]!r}"
    assert "Traceback" not in stored and "Error" not in stored

    ns = chapter_namespace(path)
    body = imports_then(ns, code)
    verdicts = run(body, ns)
    assert verdicts and all(not v.attempted and not v for v in verdicts), verdicts

    match = re.search(r"````\{solution\} " + re.escape(label) + r"\n(.*?)\n````\n?", markdown + "\n",
                      re.S)
    assert match, f"no dropdown solution for {label}"
    block = re.search(r"```python\n(.*?)\n```", match.group(1), re.S)
    assert block, f"the solution of {label} has no python block to paste"
    exec(compile(block.group(1), "<solution>", "exec"), ns)
    checks = "\n".join(line for line in body.splitlines()
                       if "check_" in line and not line.startswith("def "))
    verdicts = run(checks, ns)
    assert verdicts and all(v.attempted and v for v in verdicts), [str(v) for v in verdicts]
