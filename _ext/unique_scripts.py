"""Sphinx extension: drop repeated <script> entries from every HTML page.

Jupyter Book 1.x fires sphinx-thebe's set-up twice, so each page declared
``const THEBE_JS_URL`` twice, and the second declaration threw "Identifier 'THEBE_JS_URL' has
already been declared" in the browser console (the togglebutton selector was repeated too).
Keeping only the first of identical script entries removes the error without touching any theme.
"""


def _identity(script) -> tuple:
    # An inline script may have filename None or "" (both mean "no file"): compare them as equal.
    filename = str(getattr(script, "filename", script) or "")
    attributes = getattr(script, "attributes", {}) or {}
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = _identity(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
