"""Shared pieces of the browser tests: a headless Chromium driven by Playwright, network blocked.

Chromium is Debian's (`apt-get install chromium`; `.ci/run` installs it); Playwright never
downloads a browser of its own. Every request that does not go to the loopback server under test
is aborted and recorded, so a page that needs the internet fails its test.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium not found: install Debian's package (apt-get install chromium) "
                           "or set CHROMIUM to the browser's path; .ci/run installs it.")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_directory(root: Path):
    """Serve ``root`` over HTTP on loopback; yields the base URL (ends with '/')."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass


def loopback_only(allowed_origin: str, blocked: list[str]):
    """A Playwright route handler that lets ``allowed_origin`` (and data: and blob: URLs) through
    and aborts every other request, appending its URL to ``blocked``."""
    origin = urlparse(allowed_origin)

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("data", "blob") or (url.hostname, url.port) == (origin.hostname, origin.port):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")
    return route


@contextmanager
def offline_browser(allowed_origin: str):
    """A Playwright browser context in which only ``allowed_origin`` answers.

    Yields ``(context, blocked)`` where ``blocked`` lists every URL that was refused.
    """
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", loopback_only(allowed_origin, blocked))
            yield context, blocked
        finally:
            browser.close()
