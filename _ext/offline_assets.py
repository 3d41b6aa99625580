"""Sphinx extension: serve the ipywidgets HTML manager from the book itself (pages work offline).

``_ext/static/vendor`` holds @jupyter-widgets/html-manager 1.0.6 (its AMD bundle and icon fonts)
and RequireJS 2.3.7 (see ``SOURCES.txt`` there). They are added to ``html_static_path`` here, at
``config-inited``, and not through the book's ``_static`` folder: Jupyter Book 1.x links every
``.js`` under a static folder it knows into *every* page (and did so twice), while these files
belong only on pages that store widget state — myst-nb adds them there through
``nb_ipywidgets_js`` (see ``_config.yml``), in the order given.
"""
from pathlib import Path

STATIC = Path(__file__).parent / "static"


def add_static_path(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app):
    app.connect("config-inited", add_static_path)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
