"""The page shows the lesson, not its plumbing: no code cell a reader sees glues numbers or
carries an nbval marker, and the gluing cells are hidden and short."""
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
HIDDEN = {"remove-cell", "remove-input"}


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_visible_code_cells_hold_no_glue_or_nbval_markers(path):
    for cell in code_cells(path):
        tags = set(cell.metadata.get("tags", []))
        assert "NBVAL" not in cell.source, cell.source[:120]   # nbval markers are cell tags
        if not tags & HIDDEN:
            assert "glue" not in cell.source.replace("new_figure", ""), cell.source[:200]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_glue_cells_are_hidden_and_print_nothing(path):
    for cell in code_cells(path):
        if "glue_all" in cell.source and set(cell.metadata.get("tags", [])) & HIDDEN:
            assert not any(o.get("output_type") == "stream" for o in cell.outputs), cell.source
            assert "print(" not in cell.source, cell.source


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_a_glued_figure_is_not_also_shown_inline(path):
    """A figure glued in a hidden cell must not be drawn by the visible cell before it."""
    cells = code_cells(path)
    for before, cell in zip(cells, cells[1:]):
        if ".figure(" in cell.source and set(cell.metadata.get("tags", [])) & HIDDEN:
            shown = [o for o in before.outputs if "image/png" in o.get("data", {})]
            assert not shown, before.source[:200]
