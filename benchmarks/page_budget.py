"""Page budget of the built book: each chapter page, its HTML plus the images it loads, <= 3 MB.

    python benchmarks/page_budget.py [_build/html]

The HTML holds the stored widget state, so an explorer's static frames (base64 PNGs inside it)
count there; the images are the files its ``<img src>`` tags load (figures, glued figures).
Scripts, styles and fonts are shared by every page (and cached), so they are not counted.
Prints one row per chapter page and, last, one JSON line.
"""
from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

BUDGET_MB = 3.0
WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            src = dict(attrs).get("src")
            if src and not src.startswith("data:"):
                self.srcs.append(src)


def page_size(page: Path) -> dict:
    """Bytes of ``page`` (HTML), of the local images it loads, of its widget state, and the
    number of static frames that state holds (children of the explorers' frame Stacks)."""
    text = page.read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(text)
    files = {(page.parent / unquote(urlparse(src).path)).resolve() for src in parser.srcs
             if not urlparse(src).scheme}
    images = sum(f.stat().st_size for f in files if f.is_file())
    state_bytes, frames = 0, 0
    for match in WIDGET_STATE.finditer(text):
        state_bytes += len(match.group(1).encode())
        models = json.loads(match.group(1)).get("state", {})
        frames += sum(len(m["state"].get("children", [])) for m in models.values()
                      if m.get("model_name") == "StackModel")
    html = len(text.encode())
    return {"html": html, "images": images, "widget_state": state_bytes, "frames": frames,
            "total_mb": (html + images) / 1e6}


def page_sizes(html_dir: Path) -> dict[str, dict]:
    """:func:`page_size` of every chapter page of a built book (``.../_build/html``)."""
    return {p.stem: page_size(p) for p in sorted((Path(html_dir) / "chapters").glob("*.html"))}


def main() -> None:
    html_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
    sizes = page_sizes(html_dir)
    if not sizes:
        sys.exit(f"no chapter pages under {html_dir}/chapters: build the book first")
    print(f"{'page':<26}{'HTML kB':>9}{'of it state':>12}{'images kB':>10}{'frames':>7}{'total MB':>9}")
    for name, s in sizes.items():
        ok = "" if s["total_mb"] <= BUDGET_MB else f"  OVER {BUDGET_MB:g} MB"
        print(f"{name:<26}{s['html'] / 1e3:>9.0f}{s['widget_state'] / 1e3:>12.0f}{s['images'] / 1e3:>10.0f}"
              f"{s['frames']:>7}{s['total_mb']:>9.2f}{ok}")
    print(json.dumps({"page_mb": {k: round(v["total_mb"], 3) for k, v in sizes.items()}}, sort_keys=True))


if __name__ == "__main__":
    main()
