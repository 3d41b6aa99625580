"""Sphinx extension: the printed book (LaTeX/PDF). Every explorer appears as its stored picture.

A chapter stores each explorer's output as an ipywidgets view (the mime type
``application/vnd.jupyter.widget-view+json``, whose ``model_id`` points into the widget state in
the notebook's metadata) beside a ``text/plain`` repr (``VBox(children=(Image(value=b'\\x89PNG...``).
The HTML book draws the view from the state; the LaTeX builder would print the repr. For the
``latex`` builder only, this post-transform replaces each widget output, before myst-nb picks a
mime type, by what the HTML page shows:

* the ``Image`` widgets of the view's tree (walked from ``model_id``; of a ``Stack``, ``Tab`` or
  ``Accordion`` only the selected child, of any box only children not hidden by their layout),
  as one figure whose caption names the explorer, its stored setting and readout, and says that
  the live version runs in the HTML book or in JupyterLab;
* a view with no image (a progress bar) prints the text its labels show, on one line;
* a view with neither prints nothing.

No widget repr reaches the PDF. A second post-transform drops the "Chapter N. " that starts each
chapter title: LaTeX numbers chapters itself (its heading, running header and table of contents
would read "Chapter 5. Chapter 5. Gradient flow" otherwise). The HTML build is unchanged: neither
transform runs there.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LIVE_NOTE = ("A still of one setting: the live explorer, with its controls, runs in the HTML book "
             "(Binder or Colab) or in JupyterLab.")
SELECTING = {"StackModel", "TabModel", "AccordionModel"}    # show one child: selected_index
CHOOSING = {"DropdownModel", "ToggleButtonsModel", "RadioButtonsModel", "SelectModel",
            "SelectionSliderModel"}
MAX_SETTINGS = 6            # a caption lists at most this many control settings
MAX_READOUT = 160           # a one-line readout longer than this is left to the page's tables
FORMATS = {"png": "png", "jpeg": "jpg", "jpg": "jpg"}

logger = logging.getLogger(__name__)


def _model_id(ref: Any) -> str | None:
    return ref[len("IPY_MODEL_"):] if isinstance(ref, str) and ref.startswith("IPY_MODEL_") else None


def _image_bytes(model: dict) -> bytes | None:
    for buffer in model.get("buffers", []):
        if buffer.get("path") == ["value"]:
            data = buffer.get("data", "")
            return base64.b64decode(data) if buffer.get("encoding", "base64") == "base64" else None
    value = model.get("state", {}).get("value")
    if isinstance(value, str) and value:
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            return None
    return None


def _text(markup: str) -> str:
    """The text an HTML/Label widget shows, whitespace collapsed (figure spaces included)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    text = " ".join(text.replace("\u2007", " ").replace("\xa0", " ").split())
    return re.sub(r" ([,;.:])", r"\1", text)


def _hidden(state: dict, models: dict) -> bool:
    layout = models.get(_model_id(state.get("layout")) or "", {}).get("state", {})
    return layout.get("display") == "none" or layout.get("visibility") == "hidden"


def _setting(model_name: str, state: dict) -> str | None:
    """``description = shown value`` for a control, None for anything else."""
    label = state.get("description") or ""
    if model_name in CHOOSING:
        labels, index = state.get("_options_labels") or [], state.get("index")
        if not label or not isinstance(index, int) or not 0 <= index < len(labels):
            return None
        return f"{label} = {labels[index]}"
    if model_name == "CheckboxModel" and label:
        return f"{label}: {'on' if state.get('value') else 'off'}"
    if model_name.endswith("SliderModel") or model_name.endswith("TextModel"):
        value = state.get("value")
        if not label or not isinstance(value, (int, float)):
            return None
        fmt = state.get("readout_format") or ("d" if isinstance(value, int) else ".3g")
        try:
            shown = format(value, fmt)
        except (ValueError, TypeError):
            shown = f"{value:.3g}"
        return f"{label} = {shown}"
    return None


def widget_view(model_id: str, models: dict) -> dict:
    """What the static page shows of the view ``model_id``: images, texts and control settings."""
    found: dict = {"images": [], "texts": [], "settings": []}

    def walk(mid: str | None, seen: frozenset) -> None:
        model = models.get(mid or "")
        if model is None or mid in seen:
            return
        name, state = model.get("model_name", ""), model.get("state", {})
        if _hidden(state, models):
            return
        if name == "ImageModel":
            data = _image_bytes(model)
            fmt = FORMATS.get(str(state.get("format", "png")).lower())
            if data and fmt:
                found["images"].append((data, fmt))
        elif name in ("HTMLModel", "LabelModel", "HTMLMathModel"):
            markup = state.get("value") or ""
            for kind, data in re.findall(r"src=[\"']data:image/(png|jpeg);base64,([^\"']+)", markup):
                found["images"].append((base64.b64decode(data), FORMATS[kind]))
            text = _text(markup)
            if text:
                found["texts"].append(text)
        else:
            setting = _setting(name, state)
            if setting:
                found["settings"].append(setting)
        children = [_model_id(c) for c in state.get("children", [])]
        if name in SELECTING:
            index = state.get("selected_index")
            shown = isinstance(index, int) and 0 <= index < len(children)
            children = [children[index]] if shown else []
        for child in children:
            walk(child, seen | {mid})

    walk(model_id, frozenset())
    return found


def explorer_name(cell: nodes.Element | None) -> str | None:
    """The class of the object whose ``.widget`` the cell shows (``ChainRuleExplorer``), if named."""
    if cell is None:
        return None
    source = "\n".join(block.astext() for block in cell.findall(nodes.literal_block)
                       if "cell_input" in block.parent.get("classes", []))
    shown = re.findall(r"^\s*(\w+)\.widget\s*$", source, flags=re.M)
    if not shown:
        return None
    made = re.findall(rf"^\s*{shown[-1]}\s*=\s*([A-Z]\w*)\(", source, flags=re.M)
    return made[-1] if made else None


def caption_text(view: dict, name: str | None) -> str:
    what = f"{name}" if name else "The explorer"
    settings = view["settings"]
    shown = "; ".join(settings[:MAX_SETTINGS])
    if len(settings) > MAX_SETTINGS:
        shown += f"; and {len(settings) - MAX_SETTINGS} more controls"
    text = f"{what} at its stored setting" + (f" ({shown})." if shown else ".")
    readouts = [t for t in view["texts"] if len(t) <= MAX_READOUT]
    if readouts:
        text += " Its readout: " + "; ".join(readouts) + "."
    return f"{text} {LIVE_NOTE}"


class WidgetViewsForPrint(SphinxPostTransform):
    """Replace widget-view outputs by their stored images (LaTeX builder only)."""

    default_priority = 3  # before myst-nb's SelectMimeType (4) picks the text/plain repr
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        models = self.widget_models()
        bundles = [node for node in self.document.findall(nodes.container)
                   if node.get("nb_element") == "mime_bundle"
                   and any(child.get("mime_type") == WIDGET_VIEW for child in node.children)]
        for bundle in bundles:
            view_node = next(c for c in bundle.children if c.get("mime_type") == WIDGET_VIEW)
            model_id = self.model_id(view_node)
            if model_id not in models:
                logger.warning("a widget view with no stored widget state (model %s): re-execute the "
                               "chapter with scripts/execute_notebook.py", model_id, location=bundle)
            view = widget_view(model_id or "", models)
            bundle.replace_self(self.print_nodes(bundle, view))

    def widget_models(self) -> dict:
        """The widget models of every notebook (model ids are unique), as myst-nb stored them."""
        models: dict = {}
        for data in getattr(self.env, "nb_metadata", {}).values():
            entry = data.get("js_files", {}).get("ipywidgets_state")
            if entry and entry[1].get("body"):
                models.update(json.loads(entry[1]["body"]).get("state", {}))
        return models

    @staticmethod
    def model_id(view_node: nodes.Element) -> str | None:
        match = re.search(r'"model_id"\s*:\s*"([0-9a-zA-Z_-]+)"', view_node.astext())
        return match.group(1) if match else None

    def print_nodes(self, bundle: nodes.Element, view: dict) -> list[nodes.Node]:
        if not view["images"]:
            text = " ".join(view["texts"])
            if not text:
                return []
            block = nodes.literal_block(text, text, classes=["output", "text_plain"])
            block["language"] = "none"
            return [block]
        cell = next((a for a in self.ancestors(bundle) if "cell" in a.get("classes", [])), None)
        figure = nodes.figure(classes=["widget-view-print"])
        figure["align"] = "center"
        for data, fmt in view["images"]:
            figure += nodes.image(uri=self.image_file(data, fmt), candidates={})
            figure[-1]["candidates"] = {"*": figure[-1]["uri"]}
        figure += nodes.caption("", caption_text(view, explorer_name(cell)))
        return [figure]

    @staticmethod
    def ancestors(node: nodes.Node):
        while node.parent is not None:
            node = node.parent
            yield node

    def image_file(self, data: bytes, fmt: str) -> str:
        """Write the picture where the LaTeX builder copies images from; return its path."""
        name = f"widget-view-{hashlib.sha256(data).hexdigest()[:16]}.{fmt}"
        folder = Path(self.app.doctreedir) / "widget_views"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if not path.exists():
            path.write_bytes(data)
        # the builder copies builder.images (source path -> name in the output folder)
        self.app.builder.images[str(path)] = name
        return str(path)


class ChapterTitlesForPrint(SphinxPostTransform):
    """``Chapter 5. Gradient flow`` -> ``Gradient flow`` in section titles (LaTeX builder only)."""

    default_priority = 3
    builders = ("latex",)
    prefix = re.compile(r"^Chapter \d+\.\s+")

    def run(self, **kwargs: Any) -> None:
        for title in list(self.document.findall(nodes.title)):
            if not isinstance(title.parent, nodes.section) or not title.children:
                continue
            first = title.children[0]
            if isinstance(first, nodes.Text) and self.prefix.match(first.astext()):
                title.replace(first, nodes.Text(self.prefix.sub("", first.astext())))


def setup(app):
    app.add_post_transform(WidgetViewsForPrint)
    app.add_post_transform(ChapterTitlesForPrint)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
