"""The repository keeps its promises: CI runs the README's test command, and the package installs."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(python3 -m pip install -r [^\n]+)\n```", (ROOT / "README.md").read_text())


def test_readme_has_the_two_commands():
    build, test = readme_commands()[:2]
    assert "requirements.txt" in build and "jupyter-book build -W" in build
    assert "requirements-test.txt" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_unchanged():
    test_command = readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_jupyter_book_is_pinned_below_2():
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert int(pins["jupyter-book"].split(".")[0]) == 1


def test_package_imports_from_any_directory(tmp_path):
    out = subprocess.run([sys.executable, "-c", "from backprop_lib import MLP; print(MLP([2, 1]))"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("MLP(sizes=[2, 1]")


def test_every_explorer_is_introduced_by_the_kernel_note():
    """A widget cell on a static page is preceded by the note saying how to get a kernel."""
    import nbformat
    import yaml

    from backprop_lib.explorers.base import KERNEL_NOTE

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["parse"]["myst_substitutions"]["kernel_note"] == KERNEL_NOTE
    widget_cells = 0
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        for i, cell in enumerate(cells):
            if (cell.cell_type == "code" and "nbval-ignore-output" in cell.metadata.get("tags", [])
                    and ".widget" in cell.source):
                widget_cells += 1
                before = next(c for c in reversed(cells[:i]) if c.cell_type == "markdown")
                # an explorer whose only control moves on the static page says so instead
                assert (":::{note}\n{{ kernel_note }}" in before.source
                        or ":::{note}\nThis explorer needs no kernel" in before.source), (
                    f"{path.name}, cell {i}")
    assert widget_cells >= 7  # chapters 1-7 each have an explorer


def test_binder_and_launch_buttons_are_configured():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["launch_buttons"]["binderhub_url"].startswith("https://")
    assert config["launch_buttons"]["colab_url"].startswith("https://")
    assert config["repository"]["url"].startswith("https://")
    assert config["html"]["use_download_button"] is True
    # repo2docker: Python version and an install of the course package from the root
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()


def test_the_index_page_clones_the_repository_of_the_config():
    import yaml
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    intro = (ROOT / "intro.md").read_text()
    assert f"git clone {url}\n" in intro and "<this repository>" not in intro
