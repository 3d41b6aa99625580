"""The book builds with warnings as errors, and a chapter whose stored outputs cannot be right (a
cell never executed, a stored traceback) fails the build.

The book shows the outputs committed in each chapter (``execute_notebooks: "off"``); strict nbval
(the chapters' tests) checks that a fresh run reproduces every one of them.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JB = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
BUILD_CMD = [JB, "build", "-W", "-n", "--keep-going"]


def build(source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*BUILD_CMD, "--path-output", str(out), str(source)],
                          capture_output=True, text=True, timeout=1800)


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", [toc]):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


def test_book_builds_with_warnings_as_errors(built_book):
    html = built_book  # the session fixture builds with -W and fails on any warning
    for name in toc_files():
        page = html / f"{Path(name).with_suffix('')}.html"
        assert page.exists(), f"{page} was not built"
    # MathJax is served by the book itself (readers may be offline)
    assert (html / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert '_static/mathjax/tex-chtml.js' in (html / "intro.html").read_text()
    # each page declares the Thebe configuration once (twice is a script error in the browser)
    for page in html.rglob("*.html"):
        if "_static" not in page.parts:
            assert page.read_text().count("const THEBE_JS_URL") <= 1, page


def tiny_book(tmp_path: Path, cells, execute: bool) -> Path:
    """A one-chapter book with this repository's configuration and extensions."""
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "_config.yml", book)
    shutil.copy(ROOT / "references.bib", book)
    shutil.copytree(ROOT / "_ext", book / "_ext")  # the config's local Sphinx extensions
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: chapter\n")
    (book / "intro.md").write_text("# Intro\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Chapter"), *cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if execute:
        from nbclient import NotebookClient
        NotebookClient(nb, kernel_name="python3", allow_errors=True).execute()
    nbformat.write(nb, book / "chapter.ipynb")
    return book


def test_a_chapter_that_raised_fails_the_build(tmp_path):
    book = tiny_book(tmp_path, [nbformat.v4.new_code_cell("x = 2"), nbformat.v4.new_code_cell("1 / 0")], execute=True)
    result = build(book, tmp_path / "out")
    assert result.returncode != 0
    assert "cell 2 stored an error: ZeroDivisionError" in result.stdout + result.stderr


def test_a_chapter_committed_without_outputs_fails_the_build(tmp_path):
    book = tiny_book(tmp_path, [nbformat.v4.new_code_cell("print(1)")], execute=False)
    result = build(book, tmp_path / "out")
    assert result.returncode != 0
    assert "chapter.ipynb: cell 1 was never executed" in result.stdout + result.stderr


def test_an_executed_chapter_builds_and_shows_its_stored_output(tmp_path):
    cells = [nbformat.v4.new_code_cell("print(6 * 7)"),
             nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]})]
    book = tiny_book(tmp_path, cells, execute=True)
    result = build(book, tmp_path / "out")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = (tmp_path / "out" / "_build" / "html" / "chapter.html").read_text()
    assert "42" in page and "ZeroDivisionError" in page     # the tagged cell's traceback is shown


@pytest.mark.parametrize("name", toc_files())
def test_toc_entries_exist(name):
    matches = list(ROOT.glob(f"{name}.*")) if Path(name).suffix == "" else [ROOT / name]
    assert any(m.suffix in {".md", ".ipynb"} and m.exists() for m in matches), name
