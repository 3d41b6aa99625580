"""Sphinx extension: accessibility repairs in the HTML of every page.

docutils writes a bibliography as ``<div role="list">`` whose entries carry
``role="doc-biblioentry"``, a DPUB-ARIA role deprecated in ARIA 1.3 that is not a list item, so a
screen reader announces a list with no items (axe-core: aria-required-children, critical). The
entries are given ``role="listitem"``; their ids, labels and back-links are unchanged.
"""


def repair(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", repair)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
