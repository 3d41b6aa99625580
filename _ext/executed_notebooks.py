"""Sphinx extension: the book shows the outputs stored in each chapter; refuse stale or failed ones.

The book is built with ``execute_notebooks: "off"``: every chapter is committed executed (top to
bottom in one kernel, widget state included: ``scripts/execute_notebook.py``), and the test suite's
strict nbval re-runs each chapter and compares every output, so executing the notebooks again in
the build would only repeat that work (a clean build took 97.5 s with execution, 8.8 s without).  What
the build must still refuse, and does here, is a chapter whose stored outputs cannot be right:

* a code cell that was never executed (``execution_count`` is null): the page would show no output;
* a stored error (a traceback), unless the cell is tagged ``raises-exception`` (myst-nb's tag for a
  cell meant to raise).
"""
from __future__ import annotations

import json
from pathlib import Path

from sphinx.errors import ExtensionError


def notebook_problems(path: Path) -> list[str]:
    """What is wrong with the stored outputs of the notebook at ``path`` (empty: nothing)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    problems = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code" or not "".join(cell.get("source", "")).strip():
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("execution_count") is None:
            problems.append(f"cell {index} was never executed")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and "raises-exception" not in tags:
            problems.append(f"cell {index} stored an error: {errors[0].get('ename')}: {errors[0].get('evalue')}")
    return problems


def check_notebooks(app, env, docnames) -> None:
    found = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if path.suffix == ".ipynb":
            found += [f"{path.relative_to(app.srcdir)}: {p}" for p in notebook_problems(path)]
    if found:
        raise ExtensionError("chapters must be committed executed, without errors "
                             "(python3 scripts/execute_notebook.py chapters/NN_name.ipynb):\n  "
                             + "\n  ".join(found))


def setup(app):
    app.connect("env-before-read-docs", check_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
