"""The printed book: the PDF builds (warnings as errors) and reads as the HTML book does.

Checked with poppler-utils (``pdftotext``, ``pdfimages``) and the LaTeX log: every chapter title is
printed; no widget repr (``VBox(...``) reaches the page; every glyph has a font (no "Missing
character"); every cross-reference and citation resolves; each explorer stored in a chapter prints
as its picture, captioned. The build needs TeX: without it these tests fail (not skip), naming the
Debian packages, which ``.ci/run`` installs.
"""
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JB = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
APT_PACKAGES = ("texlive-xetex latexmk texlive-latex-extra texlive-latex-recommended "
                "texlive-fonts-recommended texlive-science fonts-freefont-otf fonts-dejavu-core "
                "poppler-utils")
TOOLS = ("xelatex", "latexmk", "makeindex", "pdftotext", "pdfimages")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def test_the_readme_and_ci_install_the_tex_packages():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    for package in APT_PACKAGES.split():
        assert re.search(rf"\b{re.escape(package)}\b", ci), f".ci/run does not install {package}"
        assert re.search(rf"\b{re.escape(package)}\b", readme), f"the README does not name {package}"
    assert "jupyter-book build . --builder pdflatex" in readme


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    """The book built as a PDF once for this module: its text per page, its images and LaTeX log."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the PDF build needs {', '.join(missing)}: "
                    f"apt-get install {APT_PACKAGES} (.ci/run installs them)")
    out = tmp_path_factory.mktemp("pdf")
    result = subprocess.run([JB, "build", "-W", "-n", "--keep-going", "--builder", "pdflatex",
                             "--path-output", str(out), str(ROOT)],
                            capture_output=True, text=True, timeout=1800)
    latex = out / "_build" / "latex"
    pdfs = sorted(latex.glob("*.pdf"))
    assert result.returncode == 0 and pdfs, result.stdout[-6000:] + result.stderr[-6000:]
    log = pdfs[0].with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    text = subprocess.run(["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True,
                          text=True, check=True).stdout
    listing = subprocess.run(["pdfimages", "-list", str(pdfs[0])], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    images = [(int(f[0]), int(f[3]), int(f[4])) for f in map(str.split, listing) if f[2] == "image"]
    return {"pages": text.split("\f"), "text": text, "images": images, "log": log}


def chapters() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [ROOT / f"{entry['file']}.ipynb" for part in toc.get("parts", [toc])
            for entry in part.get("chapters", [])]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_every_chapter_title_is_printed(pdf):
    text = flat(pdf["text"])
    titles = []
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        heading = next(line for cell in nb.cells if cell.cell_type == "markdown"
                       for line in cell.source.splitlines() if line.startswith("# "))
        titles.append(re.sub(r"^Chapter \d+\.\s+", "", heading[2:].strip()))
    assert len(titles) == 7
    for number, title in enumerate(titles, 1):
        # the table of contents line (LaTeX numbers the chapter, the title follows) and the
        # chapter's own heading, set in capitals
        assert f"{number} {flat(title)}" in text, f"chapter {number}: {title!r} is not in the contents"
        assert flat(title).upper() in text, f"chapter {number}: no heading {title!r}"


def test_no_widget_repr_is_printed(pdf):
    for repr_start in ("VBox(", "HBox(", "Image(value="):
        assert repr_start not in pdf["text"]


def test_every_glyph_has_a_font(pdf):
    missing = sorted(set(re.findall(r"Missing character: There is no .*", pdf["log"])))
    assert missing == []


def test_every_reference_and_citation_resolves(pdf):
    undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation|Hyper reference) .*undefined.*",
                           pdf["log"])
    assert undefined == [] and "There were undefined references" not in pdf["log"]
    assert "??" not in pdf["text"]
    assert re.search(r"Fig\. \d+\.\d+", pdf["text"]) and re.search(r"\(\d+\.\d+\)", pdf["text"])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def explorer_pictures() -> list[tuple[str, set]]:
    """(where, pixel sizes of its Image widgets) for every widget output that holds a picture."""
    import base64

    found = []
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        models = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                view = output.get("data", {}).get(WIDGET_VIEW)
                if not view:
                    continue
                sizes, todo = set(), [view["model_id"]]
                while todo:
                    model = models[todo.pop()]
                    if model["model_name"] == "ImageModel":
                        sizes |= {png_size(base64.b64decode(b["data"])) for b in model.get("buffers", [])
                                  if b.get("path") == ["value"]}
                    todo += [c[len("IPY_MODEL_"):] for c in model["state"].get("children", [])]
                if sizes:
                    found.append((f"{path.name}, cell {index}", sizes))
    return found


def test_every_explorer_prints_as_its_picture_with_a_caption(pdf):
    explorers = explorer_pictures()
    assert len(explorers) >= 6  # chapters 1-6 each have an explorer
    captioned = [number for number, page in enumerate(pdf["pages"], 1)
                 if "at its stored setting" in page and "the live explorer" in flat(page)]
    assert len(captioned) >= len(explorers)
    for where, sizes in explorers:
        pages = {page for page, width, height in pdf["images"] if (width, height) in sizes}
        assert pages & set(captioned), f"{where}: no picture of it on a captioned page"


# What the print extension takes from a stored view (no TeX needed) -------------------------------

def print_edition():
    import importlib.util

    spec = importlib.util.spec_from_file_location("print_edition", ROOT / "_ext" / "print_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def model(name, buffers=(), **state):
    import base64

    return {"model_name": name, "state": state,
            "buffers": [{"path": ["value"], "encoding": "base64",
                         "data": base64.b64encode(data).decode()} for data in buffers]}


def refs(*ids):
    return [f"IPY_MODEL_{i}" for i in ids]


def test_a_stack_prints_its_selected_frame_only():
    views = print_edition()
    models = {"box": model("VBoxModel", children=refs("stack", "x")),
              "stack": model("StackModel", children=refs("f0", "f1", "f2"), selected_index=1),
              "f0": model("ImageModel", [b"frame 0"], format="png"),
              "f1": model("ImageModel", [b"frame 1"], format="png"),
              "f2": model("ImageModel", [b"frame 2"], format="png"),
              "x": model("FloatSliderModel", description="x", value=3.0, readout_format=".2f")}
    view = views.widget_view("box", models)
    assert view["images"] == [(b"frame 1", "png")]
    assert view["settings"] == ["x = 3.00"]
    models["stack"]["state"]["selected_index"] = None  # the page shows no frame then
    assert views.widget_view("box", models)["images"] == []


def test_hidden_widgets_are_not_printed_and_controls_read_as_shown():
    views = print_edition()
    models = {"box": model("VBoxModel", children=refs("live", "still", "menu", "tick", "go", "out")),
              "live": model("ImageModel", [b"live"], format="png", layout="IPY_MODEL_hide"),
              "hide": model("LayoutModel", display="none"),
              "still": model("ImageModel", [b"still"], format="png"),
              "menu": model("DropdownModel", description="activation", index=1,
                            _options_labels=["sigmoid", "tanh"]),
              "tick": model("CheckboxModel", description="layer norm", value=False),
              "go": model("ButtonModel", description="run"),
              "out": model("HTMLModel", value="loss&nbsp;<b>0.25</b>\u2007, step 3")}
    view = views.widget_view("box", models)
    assert view["images"] == [(b"still", "png")]
    assert view["settings"] == ["activation = tanh", "layer norm: off"]
    assert view["texts"] == ["loss 0.25, step 3"]
    caption = views.caption_text(view, "TrainingExplorer")
    assert caption.startswith("TrainingExplorer at its stored setting (activation = tanh; layer norm: off).")
    assert "Its readout: loss 0.25, step 3." in caption and caption.endswith(views.LIVE_NOTE)
    assert views.widget_view("missing", models) == {"images": [], "texts": [], "settings": []}
