"""End to end in JupyterLab: run the worked 2-3-1 chapter, move a weight slider, see the loss change.

JupyterLab starts on loopback with a temporary configuration (its own config, data-free settings
and workspace folders, a random token) and serves a temporary copy of the chapter, so autosave can
never touch the committed notebook. Debian's Chromium, driven by Playwright with the network
blocked, opens the notebook, runs all cells, focuses the first W-slider of the network explorer
and presses the arrow key; the loss the explorer prints must change. The server is stopped
whatever happens, and every wait has a time limit.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from browser import free_port, offline_browser

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "chapters" / "04_worked_example.ipynb"
SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
# "L = 0.216984" or "L = ½(a⁽²⁾ − y)² = 0.216984": the number after the last "=" of the loss
LOSS = re.compile(r"L = (?:[^=\n]*= )?(-?[0-9]+\.[0-9]+)")


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on 127.0.0.1 serving a copy of the chapter; yields (base_url, token)."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(CHAPTER, root / CHAPTER.name)
    port, token = free_port(), secrets.token_hex(16)
    settings = tmp_path / "settings"
    # render every cell (JupyterLab 4 otherwise only puts cells near the viewport in the page), and
    # no news pop-up over the notebook
    for plugin, values in SETTINGS.items():
        target = settings / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--allow-root", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
           f"--LabApp.user_settings_dir={settings}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base, token
    finally:
        stop(server)
        log.close()


def stop(server: subprocess.Popen) -> None:
    """Stop the server and the kernels it started (one process group)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            pass
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def shown_loss(page) -> float | None:
    texts = page.eval_on_selector_all(".jp-OutputArea .widget-html", "els => els.map(e => e.innerText)")
    for text in texts:
        match = LOSS.search(text)
        if match:
            return float(match.group(1))
    return None


def test_moving_a_weight_slider_changes_the_loss(jupyterlab):
    base, token = jupyterlab
    with offline_browser(base) as (context, blocked):
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}lab/tree/{CHAPTER.name}?token={token}&reset", wait_until="load", timeout=60_000)
        page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')",
                               timeout=60_000)
        # wait until the notebook's kernel session is ready (cells run before that are dropped)
        page.evaluate("""async () => { const panel = window.jupyterapp.shell.currentWidget;
            await panel.context.ready; await panel.sessionContext.ready; }""")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        sliders = page.locator(".jp-OutputArea .widget-slider").filter(
            has=page.locator(".widget-label", has_text=re.compile(r"^W")))
        sliders.first.wait_for(state="attached", timeout=180_000)
        page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea .widget-html')]"
                               ".some(e => /L = /.test(e.innerText))", timeout=60_000)
        before = shown_loss(page)
        label = sliders.first.locator(".widget-label").inner_text()
        handle = sliders.first.locator("[role=slider]").first
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)  # drag the handle to the right, as a reader would
        page.mouse.down()
        page.mouse.move(x + 40, y, steps=8)
        page.mouse.up()
        page.wait_for_function(
            "b => [...document.querySelectorAll('.jp-OutputArea .widget-html')].some(e => {"
            " const m = /L = (?:[^=\\n]*= )?(-?[0-9]+\\.[0-9]+)/.exec(e.innerText); return m && parseFloat(m[1]) !== b; })",
            arg=before, timeout=30_000)
        after = shown_loss(page)
        page.close()
    assert before is not None and after is not None
    assert after != before, f"moving {label} left the loss at {before}"
    assert errors == [], errors
    assert blocked == [], f"JupyterLab asked the network for {sorted(set(blocked))[:5]}"
