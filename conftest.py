"""pytest set-up shared by the library tests and the notebooks (nbval).

How glued figures are checked: nbval compares every output of a chapter cell with the stored one,
but it skips ``image/png`` displays, because the pixels of a figure change with the CPU (the
last bits of the plotted numbers move an anti-aliased edge). A figure glued with ``myst_nb.glue``
is stored under ``application/papermill.record/image/png`` instead, which nbval would compare
byte for byte. We skip it the same way: a figure's *numbers* are checked where they are computed,
in a compared cell (or glued text) that prints what the figure draws at the precision its lesson
needs. Its text/plain record (the figure's repr) is still compared.
"""
import pytest

GLUED_FIGURE = "application/papermill.record/image/png"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for notebook in {item.parent for item in items if type(item).__name__ == "IPyNbCell"}:
        if GLUED_FIGURE not in notebook.skip_compare:
            notebook.skip_compare = (*notebook.skip_compare, GLUED_FIGURE)
