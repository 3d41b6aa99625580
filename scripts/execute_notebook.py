"""Execute chapter notebooks top to bottom in one fresh kernel and save them with their outputs.

    python scripts/execute_notebook.py chapters/01_chain_rule.ipynb [more.ipynb ...]

Widget state is stored in the notebook metadata (so the built book can show widget views), and
the execution counts come out as 1, 2, 3, ... as nbval and the reviewers expect.  Before that
state is stored, one more cell (not saved) turns every explorer into its static-page form:
kernel-free frames for one control, every other control disabled
(``backprop_lib.explorers.static_page.freeze_all``).
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# run after the chapter's cells, in its kernel, and not saved: only chapters that imported an
# explorer have the module loaded
FREEZE_EXPLORERS = ('(lambda m: m and m.freeze_all() and None)'
                    '(__import__("sys").modules.get("backprop_lib.explorers.static_page"))')


def execute(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    nb.cells.append(nbformat.v4.new_code_cell(FREEZE_EXPLORERS))
    try:
        client.execute()
    finally:
        nb.cells.pop()
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        execute(Path(arg))
