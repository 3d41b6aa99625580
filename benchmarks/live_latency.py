"""Live latency, end to end: a weight slider of chapter 4's network explorer in real JupyterLab.

    python benchmarks/live_latency.py [--presses 120] [--warmup 10]
    python benchmarks/live_latency.py --kernel-stages   # the Python side alone, no browser
    python benchmarks/live_latency.py --nagle           # without the course's server extension
    python benchmarks/live_latency.py --stored-frames   # the round trip without the drawing
    python benchmarks/live_latency.py --no-readouts     # the picture alone: no status, no table
    python benchmarks/live_latency.py --trace FILE      # Chromium's trace of the measured presses
    python benchmarks/live_latency.py --presser detached  # the page presses, no DevTools client

Starts JupyterLab on loopback (tests/lab_server.py, a temporary copy of the chapter), opens the
chapter in Debian's Chromium driven by Playwright with the network blocked, runs all cells,
focuses the first W slider of the network explorer and presses the arrow keys (right, left, ...,
so the weight stays near its published value). In the page, a capturing keydown listener stamps
each press and a MutationObserver stamps each change of the explorer image's ``src``; the image's
``decode()`` stamps when the new picture is ready to paint. Per press: milliseconds from the key
press to the new ``src`` (``src``) and to the decoded image (``decoded``). Each press waits for
the previous picture and for the kernel to be idle again, then 30 ms, so presses do not queue up.

The server and the kernel stamp the same presses with the wall clock (``time.time()``): the
server's extension ``server_stamps.py`` (this folder; loaded only here) when it passes each
kernel message on, the kernel when it takes the page's message (``dispatch_shell``) and when its
IOPub thread sends each reply. The page's stamps are put on the same clock
(``performance.timeOrigin``, corrected by the page clock's offset from ``Date.now()``, read
before and after each press; ``page_clock_offset_ms`` gives it at the first and the last). ``route_stages``
joins the three logs press by press into the move's way: page -> server -> kernel -> (the update)
-> picture on IOPub -> server -> page, and the kernel's "busy" status on the same way back
(``stage_median_ms``, ``route_p90_ms``).

Prints the machine load and the per-stage numbers, then, last, one JSON line: median and p95 of
both latencies, the image's size (pixels and bytes), the press count and the load average, and
this machine's speed at the same drawing without a browser (``headless_1x_draw_png_ms``, the
1x frame's draw and PNG; ``headless_update_ms``, a whole update at full density), measured
first, so that runs on two machines can be compared (``--raw FILE`` keeps every press and the
kernel's and server's stamps).
The kernel inherits this process's environment (PYTHONPATH picks the library it imports).
JupyterLab loads the course's server extension (backprop_lib.explorers.websocket: TCP_NODELAY on
the kernel websocket) unless ``--nagle``; the JSON says which (``tcp_nodelay``, read from the
server's log).
A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(Path(__file__).resolve().parent)]

from browser import CHROMIUM_FLAGS, chromium_path, free_port, loopback_only, offline_browser  # noqa: E402
from server_stamps import ENV as SERVER_STAMPS_ENV  # noqa: E402
from lab_server import (READER_SETTINGS, jupyterlab_server, open_and_run_all, run_in_kernel,  # noqa: E402
                        stop, wait_for_url, wait_idle, weight_sliders)

CHAPTER = ROOT / "chapters" / "04_worked_example.ipynb"
EXTENSION = "backprop_lib.explorers.websocket"      # the course's Jupyter server extension

INSTRUMENT = """handle => {
    const out = handle.closest('.jp-OutputArea-output');
    const img = out.querySelector('img');
    // one record per press: the key press, the first message the page sends to the kernel after
    // it, the first large message (the image) the kernel sends back, the new src, the decoded image
    const bench = {pairs: [], pending: null, unprompted: 0, bytes: 0, size: null, sharpSize: null};
    document.addEventListener('keydown', () => {
        bench.pending = {key: performance.now(), sent: null, first: null, received: null, src: null,
                         decoded: null, sharp: null, sharpDecoded: null};
    }, true);
    const ws = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel._ws;
    if (ws) {
        const send = ws.send.bind(ws);
        ws.send = data => {
            if (bench.pending && bench.pending.sent === null) bench.pending.sent = performance.now();
            return send(data);
        };
        // stamped before JupyterLab handles the message (its handler sets the new src at once)
        const handler = ws.onmessage;
        ws.onmessage = event => {
            const size = event.data.byteLength ?? event.data.size ?? event.data.length;
            const p = bench.pending;
            if (p && p.sent !== null && p.first === null) p.first = performance.now();
            if (p && p.received === null && size > 8000) p.received = performance.now();
            return handler.call(ws, event);
        };
    }
    new MutationObserver(() => {
        // a full-density frame that follows a 1x one (the reader stopped moving)
        if (bench.pending === null) {
            const last = bench.pairs[bench.pairs.length - 1], at = performance.now();
            if (last === undefined) { bench.unprompted += 1; return; }
            img.decode().then(() => {
                if (last.sharp === null) { last.sharp = at; last.sharpDecoded = performance.now(); }
                bench.sharpSize = [img.naturalWidth, img.naturalHeight];
                fetch(img.src).then(r => r.blob()).then(b => { bench.sharpBytes = b.size; }).catch(() => {});
            }).catch(() => {});
            return;
        }
        const pair = bench.pending;
        pair.src = performance.now();
        bench.pending = null;
        bench.pairs.push(pair);
        img.decode().then(() => {
            pair.decoded = performance.now();
            bench.size = [img.naturalWidth, img.naturalHeight, img.clientWidth, img.clientHeight];
        }).catch(() => { pair.decoded = NaN; }).finally(wake);
        // the picture's bytes: counted in a data URL's text; a Blob URL's are fetched once the
        // picture is decoded (reading it beside the decode would slow the decode down)
        const src = img.src;
        if (src.startsWith('data:')) {
            const b64 = src.slice(src.indexOf(',') + 1);
            bench.bytes = b64.length / 4 * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
        } else if (bench.pairs.length === 1) {
            img.decode().then(() => fetch(src)).then(r => r.blob()).then(b => { bench.bytes = b.size; })
                .catch(() => {});
        }
    }).observe(img, {attributes: true, attributeFilter: ['src']});
    // done(n): a promise that settles once the n-th press is answered and decoded and the kernel
    // is idle; checked when a picture is decoded and when the kernel's status changes (no polling:
    // Playwright's wait_for_function runs its check at every animation frame, and those frames
    // would load the machine the round trip runs on)
    const kernel = () => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const waiters = new Set();
    function wake() { for (const check of [...waiters]) check(); }
    kernel().statusChanged.connect(wake);
    bench.done = (n, ms) => new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`press ${n}: no answer in ${ms} ms`)); }, ms);
        function check() {
            const pair = bench.pairs[n - 1];
            if (pair !== undefined && pair.decoded !== null && kernel().status === 'idle') {
                waiters.delete(check); clearTimeout(timer); resolve(true);
            }
        }
        waiters.add(check);
        check();
    });
    bench.origin = performance.timeOrigin;    // page stamps + origin ~ the wall clock (ms)
    window.__bench = bench;
    return [img.naturalWidth, img.naturalHeight, img.clientWidth, img.clientHeight];
}"""
# the page's stamps (performance.timeOrigin + now(), a monotonic clock) against its wall clock
# (Date.now(), which the server's and the kernel's time.time() read): the difference (ms) at the
# moment Date.now() ticks to a new millisecond. On the course VM the two drift apart by up to
# 5 ms a second (the wall clock is being slewed), so it is read before and after every press.
PAGE_CLOCK = """() => {
    const start = Date.now();
    let now;
    while ((now = Date.now()) === start) {}
    return now - (performance.timeOrigin + performance.now());
}"""
# the pair of the last press is complete and the kernel has finished the whole update (the
# status line and table are sent after the image): INSTRUMENT's done(n)
DONE = """n => window.__bench.done(n, 30000)"""
# ... and its full-density frame has come and been decoded
SHARP_DONE = """n => window.__bench.pairs.length >= n && window.__bench.pairs[n - 1].sharpDecoded !== null"""
# --presser page / detached: the page presses the keys itself (a keydown and a keyup on the
# focused slider handle, which noUiSlider handles as it does a real key), waiting as above;
# started after `delay` ms (time for Playwright to let go of the browser); at the end it has
# the kernel run `code` (which tells the benchmark it is done) and keeps the page clock's offsets
DRIVE = """([first, count, gap, delay, code]) => {
    const bench = window.__bench, handle = document.activeElement;
    const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
    const clock = """ + PAGE_CLOCK + """;
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    window.__drive = (async () => {
        await sleep(delay);
        const offsets = [], start = performance.now();
        for (let i = first; i < first + count; i++) {
            const key = i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft';
            for (const type of ['keydown', 'keyup'])
                handle.dispatchEvent(new KeyboardEvent(type, {key, code: key, bubbles: true, cancelable: true}));
            await bench.done(i + 1, 30000);
            offsets.push(clock());
            await sleep(gap);
        }
        const wall = performance.now() - start;
        kernel.requestExecute({code, silent: true, store_history: false});
        return {offsets, wall};
    })();
    return handle.getAttribute('role');
}"""
PRESSERS = ("playwright", "page", "detached")


# run in the notebook's kernel (chapter 4 calls its explorer `explorer`): time the explorer's
# update and its image's redraw and PNG inside the live kernel, press by press
KERNEL_TIMERS = """
import json as _bench_json, resource as _bench_resource, time as _bench_time
_bench_ms = {"update": [], "render_rgba": [], "render_png": [], "update_cpu": [], "update_preempted": []}
def _bench_wrap(obj, name, key=None, cpu=False):
    fn = getattr(obj, name)
    def timed(*args, **kwargs):
        start, start_cpu = _bench_time.perf_counter(), _bench_time.thread_time()
        switches = _bench_resource.getrusage(_bench_resource.RUSAGE_THREAD).ru_nivcsw if cpu else 0
        try:
            return fn(*args, **kwargs)
        finally:
            _bench_ms[key or name].append(1e3 * (_bench_time.perf_counter() - start))
            if cpu:     # the main thread's own CPU time, and how often it was made to wait
                _bench_ms[(key or name) + "_cpu"].append(1e3 * (_bench_time.thread_time() - start_cpu))
                _bench_ms[(key or name) + "_preempted"].append(
                    _bench_resource.getrusage(_bench_resource.RUSAGE_THREAD).ru_nivcsw - switches)
    setattr(obj, name, timed)
_bench_wrap(explorer, "update", cpu=True)
# the draw (FigureImage._draw; render_rgba in a library from before it, to compare the two)
_bench_wrap(explorer.image, "_draw" if hasattr(explorer.image, "_draw") else "render_rgba", "render_rgba")
_bench_wrap(explorer.image, "render_png")
# the wall clock when the kernel takes a shell message (dispatch_shell) and when its IOPub thread
# hands each message to its socket: [time, msg_type, execution_state, bytes]
_bench_ms["dispatch"], _bench_ms["iopub"] = [], []
_bench_kernel = get_ipython().kernel
_bench_dispatch = _bench_kernel.dispatch_shell
async def _bench_timed_dispatch(*args, **kwargs):
    _bench_ms["dispatch"].append(_bench_time.time())
    return await _bench_dispatch(*args, **kwargs)
_bench_kernel.dispatch_shell = _bench_timed_dispatch
_bench_iopub = _bench_kernel.iopub_thread.socket
_bench_iopub_send = _bench_iopub.send_multipart
def _bench_timed_send(parts, *args, **kwargs):
    now = _bench_time.time()
    try:
        frames = [p if isinstance(p, bytes) else bytes(p) for p in parts]
        i = frames.index(b"<IDS|MSG>")
        kind = _bench_json.loads(frames[i + 2])["msg_type"]
        state = _bench_json.loads(frames[i + 5]).get("execution_state") if kind == "status" else None
        _bench_ms["iopub"].append([now, kind, state, sum(map(len, frames))])
    except Exception:
        pass
    return _bench_iopub_send(parts, *args, **kwargs)
_bench_iopub.send_multipart = _bench_timed_send
"""
# --stored-frames: the explorer's update replaced by sending one of two frames drawn beforehand
# (1x, as while moving), so a press costs the kernel ~0.1 ms: the round trip without the drawing
KERNEL_STORED_FRAMES = """
_bench_frames = [explorer.image.render_png(1.0)]
explorer.state.set_param("W1", (0, 0), explorer.state.params["W1"][0, 0] + 0.01)
explorer.update()
_bench_frames.append(explorer.image.render_png(1.0))
def _bench_stored_frame(_i=[0]):
    _i[0] += 1
    explorer.image._show(_bench_frames[_i[0] % 2], live=True)     # as a live frame is sent
explorer.update = _bench_stored_frame
"""
# --no-readouts: the explorer's status line and gradient table stay as they are (its update writes
# them to plain objects), so a press changes only the picture and the slider on the page
KERNEL_NO_READOUTS = """
import types as _bench_types
explorer.status = _bench_types.SimpleNamespace(value=explorer.status.value)
explorer.table = _bench_types.SimpleNamespace(value=explorer.table.value)
"""
# --trace: what Chromium's trace records (the renderer's tasks, style, layout, paint, layerize)
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc",
                    "gpu", "v8"]
KERNEL_READ = "import json as _bench_json; print(_bench_json.dumps(_bench_ms))"
IMAGE_BYTES = 8000      # a message this large is the picture (the page's listener uses the same)


def _index(times, after: float, before: float = np.inf) -> int | None:
    """The index of the first of the sorted ``times`` in [after, before) (None: none, or NaN)."""
    if not np.isfinite(after):
        return None
    i = int(np.searchsorted(times, after))
    return i if i < len(times) and times[i] < before else None


def _first(times, after: float, before: float = np.inf) -> float:
    """The first of the sorted ``times`` at or after ``after`` and before ``before`` (NaN: none)."""
    i = _index(times, after, before)
    return float("nan") if i is None else float(times[i])


def route_stages(pairs: list[dict], origin: float, kernel_ms: dict, server: list[list],
                 page_offsets=0.0) -> dict:
    """Each press's way through the page, the server and the kernel, from the three logs (in
    wall-clock ms: a page stamp + ``origin`` + the press's ``page_offsets``, the page's clock
    against its wall clock, one for all or one per press): per stage, one value (ms) per press,
    NaN where a stamp is missing.

    The page sends the new value (``sent``); the server takes it from the websocket (``in``) and
    the kernel takes it from its socket (``dispatch``); the kernel's IOPub thread sends its
    "busy" status, then, after the update, the picture (a message over ``IMAGE_BYTES``); the server
    writes each to the websocket (``out``) and the page's handler receives it."""
    dispatch = sorted(1e3 * t for t in kernel_ms.get("dispatch", []))
    iopub = sorted((1e3 * t, kind, state, size) for t, kind, state, size in kernel_ms.get("iopub", []))
    busy = [t for t, kind, state, _ in iopub if kind == "status" and state == "busy"]
    images = [t for t, _, _, size in iopub if size > IMAGE_BYTES]
    server_in = sorted(1e3 * line[1] for line in server if line[0] == "in")
    outs = sorted((1e3 * line[1], 1e3 * line[2], line[3], line[4]) for line in server if line[0] == "out")
    busy_out = [(a, b) for a, b, _, kind in outs if kind == "status"]
    image_out = [(a, b) for a, b, size, _ in outs if size > IMAGE_BYTES]
    names = ("sent_to_server", "server_to_kernel", "kernel_busy_wait", "busy_to_server", "busy_server_to_page",
             "kernel_to_image", "image_to_server", "server_write", "server_to_page")
    stages = {name: [] for name in names}

    def passed(spans, after: float, before: float):
        """The first (start, end) of the server's ``spans`` that starts in [after, before)."""
        i = _index([a for a, _ in spans], after, before)
        return (np.nan, np.nan) if i is None else spans[i]

    offsets = np.broadcast_to(np.asarray(page_offsets, dtype=float), (len(pairs),))
    for p, offset in zip(pairs, offsets):
        wall = origin + offset
        sent, src = wall + p["sent"], wall + p["src"]
        first, received = wall + p["first"], wall + p["received"]
        t_in = _first(server_in, sent, src)
        t_disp = _first(dispatch, t_in, src)
        t_busy = _first(busy, t_disp, src)
        t_image = _first(images, t_disp, src)
        busy_start, busy_end = passed(busy_out, t_busy, src)
        image_start, image_end = passed(image_out, t_image, received)
        for name, value in zip(names, (t_in - sent, t_disp - t_in, t_busy - t_disp, busy_start - t_busy,
                                       first - busy_end, t_image - t_disp, image_start - t_image,
                                       image_end - image_start, received - image_end)):
            stages[name].append(value)
    return {name: np.asarray(v, dtype=float) for name, v in stages.items()}


def percentile(values, q: float) -> float:
    """The ``q``-th percentile of the measured ``values`` (NaN: not measured, e.g. a picture
    replaced before it was decoded, which the result counts as ``decode_failed``)."""
    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).any():       # none measured (--stored-frames has no sharp frames)
        return float("nan")
    return float(np.nanpercentile(values, q))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _process_group(cmdline: str) -> str | None:
    """Which part of the round trip a process is, from its command line (None: not one)."""
    if "ipykernel" in cmdline:
        return "kernel"
    if "jupyter-lab" in cmdline or "jupyterlab" in cmdline or "jupyter_server" in cmdline:
        return "server"
    if "chrom" in cmdline:
        # a Chromium child may rewrite its command line with spaces between the arguments
        kind = next((a.split("=", 1)[1] for a in cmdline.replace("\0", " ").split() if a.startswith("--type=")),
                    "browser")
        return f"chromium {kind}"
    if "playwright" in cmdline or "live_latency" in cmdline:
        return "benchmark (Python and Playwright's driver)"
    return None


def playwright_drivers() -> int:
    """How many Playwright drivers this process runs (Linux ``/proc``): 0 while detached."""
    count = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        count += ppid == os.getpid() and b"run-driver" in cmdline
    return count


def cpu_by_process() -> dict[str, float]:
    """CPU seconds used so far by the processes of the round trip, summed by part (Linux
    ``/proc``; empty elsewhere): where the machine's time goes while the presses run."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used: dict[str, float] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")    # NUL-separated
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = _process_group(cmdline)
        if group is not None:
            used[group] = used.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


class DetachableBrowser:
    """Debian's Chromium started by the benchmark on a DevTools port, so that Playwright can let
    go of it while the page presses the keys itself (``--presser detached``) and connect again
    afterwards. While Playwright is attached, Chromium sends it every websocket frame the page
    gets (DevTools' Network domain, which Playwright keeps on), the pictures too: work a
    reader's browser does not do. Offline as ``offline_browser`` is while Playwright is
    attached (its route records what was refused); while detached, every host but 127.0.0.1
    fails to resolve."""

    def __init__(self, allowed_origin: str, profile: Path):
        self.origin, self.blocked, self._pw = allowed_origin, [], None
        self.port = free_port()
        flags = [*CHROMIUM_FLAGS, f"--remote-debugging-port={self.port}", f"--user-data-dir={profile}",
                 "--window-size=1280,900", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
        self.process = subprocess.Popen([chromium_path(), *flags, "about:blank"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        if not wait_for_url(f"http://127.0.0.1:{self.port}/json/version", self.process, every=0.2):
            self.close()
            raise RuntimeError("Chromium did not open its DevTools port")

    def attach(self):
        """Connect Playwright; returns the browser's (only) context, network blocked."""
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        context = self._pw.chromium.connect_over_cdp(f"http://127.0.0.1:{self.port}").contexts[0]
        context.route("**/*", loopback_only(self.origin, self.blocked))
        return context

    def reattach(self, errors: list[str]):
        """Connect again; returns JupyterLab's page (its script errors appended to ``errors``)."""
        page = next(p for p in self.attach().pages if "/lab/" in p.url)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    def detach(self) -> None:
        """Stop Playwright (its driver's DevTools connection closes; Chromium and the page stay)."""
        if self._pw is not None:
            self._pw.stop()
            self._pw = None

    def close(self) -> None:
        self.detach()
        stop(self.process)


@contextmanager
def detachable_browser(allowed_origin: str):
    profile = Path(tempfile.mkdtemp(prefix="live-latency-chromium-"))
    try:
        browser = DetachableBrowser(allowed_origin, profile)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def measure(presses: int, warmup: int, settled: int, windowing: str | None, nagle: bool = False,
            stored_frames: bool = False, readouts: bool = True, trace: Path | None = None,
            presser: str = "playwright") -> dict:
    settings = dict(READER_SETTINGS)
    if windowing:
        settings["@jupyterlab/notebook-extension/tracker"] = {"windowingMode": windowing}
    # the server stamps each kernel message (server_stamps.py, from this folder); --nagle: Jupyter
    # Server's own kernel websockets, without the course's extension
    server_args = ("--ServerApp.jpserver_extensions=server_stamps=True",
                   *((f"--ServerApp.jpserver_extensions={EXTENSION}=False",) if nagle else ()))
    with tempfile.TemporaryDirectory(prefix="live-latency-") as tmp:
        stamps = Path(tmp) / "server_stamps.jsonl"
        path = os.pathsep.join(filter(None, (str(Path(__file__).parent), os.environ.get("PYTHONPATH"))))
        env = {"PYTHONPATH": path, SERVER_STAMPS_ENV: str(stamps)}
        with jupyterlab_server(Path(tmp), [CHAPTER], settings, server_args, env) as (base, token):
            if presser == "playwright":
                with offline_browser(base) as (context, blocked):
                    measured = (*_press(context, base, token, presses, warmup, settled, stored_frames,
                                        readouts, trace), blocked)
            else:
                with detachable_browser(base) as browser:
                    measured = (*_press(browser.attach(), base, token, presses, warmup, settled,
                                        stored_frames, readouts, browser=browser,
                                        detach=presser == "detached"), browser.blocked)
        # what the server did with the kernel websocket (backprop_lib.explorers.websocket logs it)
        log = (Path(tmp) / "server.log").read_text()
        nodelay = "on" if "TCP_NODELAY 1" in log else "off"
        server = [json.loads(line) for line in stamps.read_text().splitlines()] if stamps.exists() else []
    result = _result(*measured, server, nodelay, presses, warmup, settled, windowing, stored_frames)
    result["readouts"], result["presser"] = readouts, presser
    return result


def _press(context, base: str, token: str, presses: int, warmup: int, settled: int, stored_frames: bool,
           readouts: bool = True, trace: Path | None = None, browser: DetachableBrowser | None = None,
           detach: bool = False):
    """Open the chapter, run it, press the keys: ``(label, size, bench, kernel_ms, errors)``, the
    slider's label, the image's size, the page's record, the kernel's and the page's errors.
    Without ``readouts`` the explorer leaves its status line and table alone; with ``trace``,
    Chromium's trace of the measured presses is written there. With ``browser`` (context is its)
    the page presses the measured keys itself, and with ``detach`` Playwright lets go of the
    browser meanwhile."""
    page, errors = open_and_run_all(context, base, token, CHAPTER.name)
    sliders = weight_sliders(page, attach_ms=300_000, readout_ms=120_000)
    wait_idle(page, 2.0)      # every cell has run (later cells move the explorers)
    label = sliders.first.locator(".widget-label").text_content()
    handle = sliders.first.locator("[role=slider]").first
    handle.scroll_into_view_if_needed()
    handle.click()
    size = handle.evaluate(INSTRUMENT)
    offsets = [page.evaluate(PAGE_CLOCK)]
    setup = run_in_kernel(page, KERNEL_STORED_FRAMES) if stored_frames else ""
    setup += "" if readouts else run_in_kernel(page, KERNEL_NO_READOUTS)
    timers = setup + run_in_kernel(page, KERNEL_TIMERS)
    total = warmup + presses
    for i in range(total if browser is None else warmup):
        if i == warmup:
            if trace is not None:
                context.browser.start_tracing(page=page, path=str(trace), categories=TRACE_CATEGORIES)
            drivers, cpu_before, wall_before = playwright_drivers(), cpu_by_process(), time.perf_counter()
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.evaluate(DONE, i + 1)
        offsets.append(page.evaluate(PAGE_CLOCK))
        page.wait_for_timeout(30)
    if browser is None:
        cpu_after, wall = cpu_by_process(), time.perf_counter() - wall_before
    else:
        page, cpu_before, cpu_after, wall, driven, drivers = _press_in_page(browser, page, errors, warmup,
                                                                           presses, detach)
        offsets += driven
    if trace is not None:
        context.browser.stop_tracing()
    # then presses that each wait for the full-density frame (the reader stops after one move)
    for i in range(total, total + settled):
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function(SHARP_DONE, arg=i + 1, timeout=30_000)
        page.wait_for_timeout(30)
    bench = page.evaluate("() => window.__bench")
    bench["clock_offsets"] = offsets       # before the first press, then after each
    # CPU ms a measured press, by process (each press also waits 30 ms and for an idle kernel)
    bench["cpu_ms_per_press"] = {k: round(1e3 * (v - cpu_before.get(k, 0.0)) / presses, 1)
                                 for k, v in sorted(cpu_after.items())}
    bench["cpu_ms_per_press"]["wall clock"] = round(1e3 * wall / presses, 1)
    bench["drivers"] = drivers
    kernel_ms = json.loads(run_in_kernel(page, KERNEL_READ)) if not timers else {}
    page.close()
    return label, size, bench, kernel_ms, errors


def _press_in_page(browser: DetachableBrowser, page, errors: list[str], first: int, count: int, detach: bool):
    """Presses ``first`` .. ``first + count - 1``, by the page itself (DRIVE), Playwright detached
    meanwhile if ``detach``; returns ``(page, cpu_before, cpu_after, wall_seconds, offsets,
    drivers)``, the page (found again after a detach), each process's CPU seconds before the
    first and after the last press, the presses' wall time, the page clock's offset after each
    and how many Playwright drivers ran while the page pressed."""
    with tempfile.TemporaryDirectory(prefix="live-latency-drive-") as tmp:
        marker = Path(tmp) / "done"
        delay_ms = 3000 if detach else 300
        started = time.perf_counter()
        role = page.evaluate(DRIVE, [first, count, 30, delay_ms, f"open({str(marker)!r}, 'w').close()"])
        if role != "slider":
            raise RuntimeError(f"the focused element is not the slider's handle (role {role!r})")
        if detach:
            browser.detach()
        left = started + delay_ms / 1e3 - time.perf_counter()
        if left < 0.05:
            raise RuntimeError(f"the presses began {-left:.2f} s before Playwright let go of the browser")
        time.sleep(left - 0.05)
        drivers = playwright_drivers()
        cpu_before = cpu_by_process()
        deadline = time.monotonic() + 60 + count * 30
        while not marker.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the page did not finish its presses")
            time.sleep(0.05)
        cpu_after = cpu_by_process()
    if detach:
        page = browser.reattach(errors)
    driven = page.evaluate("() => window.__drive")
    return page, cpu_before, cpu_after, driven["wall"] / 1e3, driven["offsets"], drivers


def _result(label, size, bench, kernel_ms, errors, blocked, server, nodelay, presses, warmup, settled,
            windowing, stored_frames) -> dict:
    total = warmup + presses
    pairs = bench["pairs"][warmup:total]
    if len(bench["pairs"]) != total + settled:
        raise RuntimeError(f"{len(bench['pairs'])} key presses answered by a new image, expected {total + settled}")
    still = bench["pairs"][total:]
    sharp_ms = np.array([p["sharp"] - p["key"] for p in still], dtype=float)
    sharp_decoded_ms = np.array([p["sharpDecoded"] - p["key"] for p in still], dtype=float)
    stamps = {k: np.array([p[k] if p[k] is not None else np.nan for p in pairs], dtype=float)
              for k in ("key", "sent", "first", "received", "src", "decoded")}
    src_ms, decoded_ms = stamps["src"] - stamps["key"], stamps["decoded"] - stamps["key"]
    # the round trip in stages (medians): the page handles the key press and sends the new
    # value; the kernel's first reply (its "busy" status) arrives; then the image (the Python
    # update, PNG encode and transfer); the widget manager sets the img src; the browser decodes
    stages = {"key_to_sent": stamps["sent"] - stamps["key"],
              "sent_to_first_reply": stamps["first"] - stamps["sent"],  # transport, kernel wakes up
              "first_reply_to_image": stamps["received"] - stamps["first"],  # Python update, transfer
              "received_to_src": stamps["src"] - stamps["received"], "src_to_decoded": stamps["decoded"] - stamps["src"]}
    # ... and the same way through the server and the kernel, from their own stamps
    clock = np.asarray(bench["clock_offsets"], dtype=float)
    offsets = (clock[warmup:total] + clock[warmup + 1:total + 1]) / 2      # around each press
    route = route_stages(pairs, bench["origin"], kernel_ms, server, offsets) if kernel_ms else {}
    stages.update(route)
    stage_ms = {name: float(np.nanmedian(v)) if np.isfinite(v).any() else None for name, v in stages.items()}
    route_p90 = {name: float(np.nanpercentile(v, 90)) if np.isfinite(v).any() else None for name, v in route.items()}
    # inside the kernel (same presses): the explorer's update, of which the redraw and the PNG
    if kernel_ms:
        update, rgba, png = (np.asarray(kernel_ms[k][warmup:total], dtype=float)
                             for k in ("update", "render_rgba", "render_png"))
        cpu, preempted = (np.asarray(kernel_ms.get(k, [])[warmup:total], dtype=float)
                          for k in ("update_cpu", "update_preempted"))
        if len(cpu) == len(update):     # the update's own CPU time, and the share of presses it
            stage_ms.update(kernel_update_cpu=float(np.median(cpu)),      # was made to wait in
                            kernel_update_preempted_share=float(np.mean(preempted > 0)))
        stage_ms.update(kernel_update=float(np.median(update)),
                        kernel_draw=float(np.median(rgba)) if len(rgba) else None,
                        kernel_encode=float(np.median(png - rgba)) if len(rgba) and len(png) == len(rgba) else None)
    return {"slider": label, "presses": presses, "pairs": pairs, "kernel_ms": kernel_ms, "server_stamps": server,
            "src_median_ms": percentile(src_ms, 50), "src_p95_ms": percentile(src_ms, 95),
            "decoded_median_ms": percentile(decoded_ms, 50), "decoded_p95_ms": percentile(decoded_ms, 95),
            "decode_failed": int(np.isnan(decoded_ms).sum()),
            "stage_median_ms": stage_ms, "route_p90_ms": route_p90, "settled_presses": settled,
            "cpu_ms_per_press": bench.get("cpu_ms_per_press", {}),
            "playwright_drivers_during_presses": bench.get("drivers"),
            "page_clock_offset_ms": [float(clock[warmup]), float(clock[total])],   # first, last press
            "sharp_src_median_ms": percentile(sharp_ms, 50), "sharp_decoded_median_ms": percentile(sharp_decoded_ms, 50),
            "sharp_image_px": bench["sharpSize"], "sharp_image_bytes": bench.get("sharpBytes"),
            "windowing": windowing or "JupyterLab's default", "tcp_nodelay": nodelay, "stored_frames": stored_frames,
            "image_px": bench["size"][:2] if bench["size"] else size[:2],
            "image_css_px": bench["size"][2:] if bench["size"] else size[2:],
            "image_bytes": bench["bytes"], "unprompted_images": bench["unprompted"], "page_errors": errors,
            "blocked": sorted(set(blocked))[:5]}


def kernel_stages(repeat: int = 41) -> dict:
    """The Python side of one press, without JupyterLab: the explorer's whole update (what the
    slider's observer runs), the figure's redraw (``render_rgba``) and redraw + PNG
    (``render_png``; encode = the difference), medians in ms, for the same weight slider."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    from backprop_lib.experiments.timing import median_time
    from backprop_lib.explorers.network_explorer import NetworkExplorer
    from backprop_lib.viz.style import use_course_style

    use_course_style()
    explorer = NetworkExplorer()
    slider = next(iter(explorer.param_sliders.values()))
    values = [slider.value + 0.01, slider.value]
    state = {"i": 0}

    def press():
        state["i"] += 1
        slider.value = values[state["i"] % 2]

    image = explorer.image
    update = 1e3 * median_time(press, repeat=repeat, warmup=3)
    draw = 1e3 * median_time(image.render_rgba, repeat=repeat, warmup=3)
    draw_png = 1e3 * median_time(image.render_png, repeat=repeat, warmup=3)
    png = image.render_png()
    # the frame answering a move in a live kernel: drawn and encoded at 1x
    preview = 1e3 * median_time(lambda: image.render_png(1.0), repeat=repeat, warmup=3)
    return {"update_ms": update, "draw_ms": draw, "encode_ms": draw_png - draw, "png_bytes": len(png),
            "preview_draw_png_ms": preview, "preview_png_bytes": len(image.render_png(1.0)),
            "image_px": list(image.render_rgba().shape[1::-1]), "load": load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=120)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--settled", type=int, default=15,
                        help="presses that each wait for the full-density frame")
    parser.add_argument("--windowing", default=None,
                        help="JupyterLab's notebook windowing mode (default: JupyterLab's own, "
                             "contentVisibility; the tests use none)")
    parser.add_argument("--nagle", action="store_true",
                        help="without the course's server extension: Nagle's algorithm on the "
                             "kernel websocket, as Jupyter Server has it")
    parser.add_argument("--stored-frames", action="store_true",
                        help="the kernel answers each press with a frame drawn beforehand: the "
                             "round trip without the drawing (no full-density presses)")
    parser.add_argument("--no-readouts", action="store_true",
                        help="the explorer leaves its status line and gradient table alone: the "
                             "page's cost of the picture and the slider alone")
    parser.add_argument("--trace", type=Path, default=None,
                        help="write Chromium's trace of the measured presses to this JSON file")
    parser.add_argument("--presser", choices=PRESSERS, default="playwright",
                        help="who presses the measured keys: Playwright (default); the page itself "
                             "(page); the page, with Playwright disconnected from Chromium "
                             "meanwhile (detached: no DevTools client, as in a reader's browser)")
    parser.add_argument("--kernel-stages", action="store_true", help="time the Python side only")
    parser.add_argument("--raw", type=Path, default=None,
                        help="write every measured press's page stamps (ms) and the kernel's own "
                             "timings to this JSON file")
    args = parser.parse_args()
    if args.presses < 1 or args.warmup < 0 or args.settled < 0:
        parser.error(f"--presses must be at least 1 and --warmup, --settled at least 0, got "
                     f"{args.presses}, {args.warmup}, {args.settled}")
    if args.trace is not None and args.presser != "playwright":
        parser.error("--trace needs --presser playwright (the trace is Playwright's)")
    if args.kernel_stages:
        print(json.dumps({"kernel_stages": kernel_stages()}, sort_keys=True))
        return
    # this machine's speed at the same drawing, headless, so that runs on other machines compare
    before = load()             # before the headless timing below, which loads the machine
    stages = kernel_stages(repeat=21)
    start = time.perf_counter()
    settled = 0 if args.stored_frames else args.settled
    result = measure(args.presses, args.warmup, settled, args.windowing, args.nagle, args.stored_frames,
                     readouts=not args.no_readouts, trace=args.trace, presser=args.presser)
    pairs, kernel_ms, server = result.pop("pairs"), result.pop("kernel_ms"), result.pop("server_stamps")
    if args.raw is not None:
        args.raw.write_text(json.dumps({"pairs": pairs, "kernel_ms": kernel_ms, "server_stamps": server,
                                        "warmup": args.warmup}))
    result["load_before"], result["load_after"] = before, load()
    result["cores"] = os.cpu_count()
    result["headless_1x_draw_png_ms"] = stages["preview_draw_png_ms"]
    result["headless_update_ms"] = stages["update_ms"]
    result["seconds"] = round(time.perf_counter() - start, 1)
    print(f"{result['presses']} presses on {result['slider']}: key -> new src median "
          f"{result['src_median_ms']:.1f} ms, p95 {result['src_p95_ms']:.1f} ms; key -> decoded median "
          f"{result['decoded_median_ms']:.1f} ms, p95 {result['decoded_p95_ms']:.1f} ms "
          f"; stages (median ms) { {k: v if v is None else round(v, 1) for k, v in result['stage_median_ms'].items()} }; image {result['image_px']} px shown at "
          f"{result['image_css_px']} CSS px, {result['image_bytes']} bytes; after one press and a pause, "
          f"key -> full-density src median {result['sharp_src_median_ms']:.1f} ms ({result['sharp_image_px']} px, "
          f"{result['sharp_image_bytes']} bytes); kernel websocket TCP_NODELAY {result['tcp_nodelay']}; "
          f"load {before} -> {result['load_after']}")
    print(json.dumps({"live_latency": result}, sort_keys=True))


if __name__ == "__main__":
    main()
