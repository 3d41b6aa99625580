"""A JupyterLab server for the browser tests and the live-latency benchmark (a plain module).

JupyterLab starts on loopback with a temporary configuration (its own config, data-free settings
and workspace folders, a random token) and serves a temporary copy of the notebooks it is given,
so autosave can never touch a committed notebook. The server and the kernels it started are
stopped whatever happens, and every wait has a time limit.
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
from contextlib import contextmanager
from pathlib import Path

from browser import free_port

# no news pop-up over the notebook
READER_SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
# the tests also render every cell in full (by default JupyterLab 4 skips rendering the cells
# outside the viewport, CSS content-visibility), so that they can look at any output
SETTINGS = {**READER_SETTINGS, "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"}}


@contextmanager
def jupyterlab_server(workdir: Path, notebooks: list[Path], settings: dict | None = None,
                      server_args: tuple[str, ...] = (), env: dict[str, str] | None = None):
    """A JupyterLab server on 127.0.0.1 serving copies of ``notebooks`` (in ``workdir/root``),
    with the user settings ``settings`` (default :data:`SETTINGS`), the extra command-line
    options ``server_args`` and environment variables ``env`` (over this process's; its kernels
    inherit them); yields ``(base_url, token)``. Its log is ``workdir/server.log``."""
    workdir = Path(workdir)
    root = workdir / "root"
    root.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        shutil.copy(notebook, root / Path(notebook).name)
    port, token = free_port(), secrets.token_hex(16)
    plugins = SETTINGS if settings is None else settings
    settings = workdir / "settings"
    for plugin, values in plugins.items():
        target = settings / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(workdir / "config"),
           "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline", **(env or {})}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--allow-root",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.expose_app_in_browser=True", f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
           f"--LabApp.user_settings_dir={settings}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *server_args]
    log_path = workdir / "server.log"
    log = open(log_path, "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        if not wait_for_url(f"{base}api/status?token={token}", server):
            raise RuntimeError("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
        yield base, token
    finally:
        stop(server)
        log.close()


def wait_for_url(url: str, process: subprocess.Popen, seconds: float = 60, every: float = 0.5) -> bool:
    """Wait until ``url`` answers (True), or ``process`` has exited or ``seconds`` have passed
    (False)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(every)


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


def open_and_run_all(context, base: str, token: str, notebook: str):
    """Open ``notebook`` in JupyterLab in a new page of ``context``, wait for its kernel, run all
    cells; returns ``(page, errors)`` (``errors`` collects the page's script errors)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}lab/tree/{notebook}?token={token}&reset", wait_until="load", timeout=60_000)
    page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')",
                           timeout=60_000)
    # wait until the notebook's kernel session is ready (cells run before that are dropped)
    page.evaluate("""async () => { const panel = window.jupyterapp.shell.currentWidget;
        await panel.context.ready; await panel.sessionContext.ready; }""")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    return page, errors


def weight_sliders(page, attach_ms: int, readout_ms: int):
    """The chapter 4 network explorer's weight sliders (labels W...), once they are on the page
    and the explorer's readout shows a loss ("L = ...")."""
    sliders = page.locator(".jp-OutputArea .widget-slider").filter(
        has=page.locator(".widget-label", has_text=re.compile(r"^W")))
    sliders.first.wait_for(state="attached", timeout=attach_ms)
    page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea .widget-html')]"
                           ".some(e => /L = /.test(e.textContent))", timeout=readout_ms)
    return sliders


def run_in_kernel(page, code: str) -> str:
    """Run ``code`` in the kernel of the notebook open in ``page`` (not as a cell: nothing is
    added to the notebook) and return what it printed; an error comes back as "ERROR <value>"."""
    return page.evaluate("""async code => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const future = kernel.requestExecute({code, silent: false, store_history: false});
        let out = '';
        future.onIOPub = msg => { if (msg.header.msg_type === 'stream') out += msg.content.text;
                                  if (msg.header.msg_type === 'error') out += 'ERROR ' + msg.content.evalue; };
        await future.done;
        return out;
    }""", code)


def wait_idle(page, seconds: float = 2.0, timeout_ms: int = 300_000) -> None:
    """Wait until the notebook's kernel has been idle for ``seconds`` in a row (every cell has run,
    and whatever the page sent the kernel on drawing the outputs has been answered). The idle
    time is counted from this call on, not from an earlier call's."""
    page.evaluate("() => { window.__idleSince = null; }")
    page.wait_for_function("""ms => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        if (kernel.status !== 'idle') { window.__idleSince = null; return false; }
        window.__idleSince = window.__idleSince || performance.now();
        return performance.now() - window.__idleSince > ms; }""", arg=1000 * seconds, polling=100,
                           timeout=timeout_ms)
