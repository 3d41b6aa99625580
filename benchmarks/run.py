"""Benchmarks for the course (a benchmark, not a test: nothing here asserts a time).

    python benchmarks/run.py [--skip-build] [--skip-nbval] [--skip-torch] [--skip-live]

Prints a readable table, then, last, one JSON line with the measurements:
build_clean_s, build_cached_s, page_mb (per chapter page), nbval_s, widget_ms (per explorer),
bwd_fwd_ratio_f64/_f32, torch_step_ratio, fd_speedup, live_latency (benchmarks/live_latency.py: a
chapter 4 slider in JupyterLab, key press to new image, median and p95 ms).  PyTorch is needed only
here: pip install -r requirements-bench.txt.
A build or nbval run that fails is still timed and reported: its row says FAILED with the runner's
last line, and the JSON line carries ``<measure>_failed`` (e.g. ``nbval_s_failed``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from backprop_lib import MLP, numerical_gradient  # noqa: E402
from backprop_lib.nn.optim import SGD  # noqa: E402
from backprop_lib.experiments.timing import median_time  # noqa: E402

TARGETS = {"page_mb": 3.0, "build_clean_s": 60, "build_cached_s": 10, "nbval_s": 60, "widget_ms": 50,
           "bwd_fwd_ratio_f64": 2.3, "bwd_fwd_ratio_f32": 2.3, "torch_step_ratio": 1.2,
           "live_p95_ms": 33}


@dataclass(frozen=True)
class Run:
    """A timed command: its wall-clock seconds, exit code and last line of output."""

    seconds: float
    returncode: int
    last_line: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def timed(cmd: list[str], cwd: Path = ROOT) -> Run:
    """Run ``cmd`` and time it. A failing command is recorded, not raised: a benchmark run that
    finds a failing build or nbval run says so in its table and JSON line."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return Run(seconds, proc.returncode, lines[-1].strip("= ") if lines else "")


def build_times() -> tuple[Run, Run, dict]:
    """The clean and the cached build, and the size of each chapter page of that build
    (benchmarks/page_budget.py)."""
    from page_budget import page_sizes

    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or "jupyter-book"
    with tempfile.TemporaryDirectory() as out:
        cmd = [jb, "build", "-W", "-n", "--keep-going", "--path-output", out, str(ROOT)]
        clean, cached = timed(cmd), timed(cmd)
        return clean, cached, page_sizes(Path(out) / "_build" / "html")


def nbval_times() -> tuple[Run, Run]:
    """Strict nbval over all chapters as the README runs it (one worker per core, each notebook in
    one worker) and in one process."""
    cmd = [sys.executable, "-m", "pytest", "chapters", "-q"]
    return timed(cmd + ["-n", "auto", "--dist", "loadfile"]), timed(cmd)


def record(results: dict, name: str, run: Run) -> None:
    """Store a timed run in the JSON results; a failed one also as ``<name>_failed``."""
    results[name] = run.seconds
    if not run.ok:
        results[f"{name}_failed"] = f"exit {run.returncode}: {run.last_line}"


def big_mlp(dtype) -> tuple[MLP, np.ndarray, np.ndarray]:
    """4 hidden layers of 1024 ReLU units, batch 256, 10 linear outputs, MSE."""
    net = MLP([1024] * 5 + [10], activation="relu", output_activation="identity", loss="mse",
              init="he", seed=0, dtype=dtype)
    rng = np.random.default_rng(0)
    return net, rng.normal(size=(1024, 256)).astype(dtype), rng.normal(size=(10, 256)).astype(dtype)


def bwd_fwd_ratio(dtype) -> tuple[float, float, float]:
    net, X, Y = big_mlp(dtype)
    out, cache = net.forward(X)
    fwd = median_time(lambda: net.forward(X), repeat=15)
    bwd = median_time(lambda: net.backward(cache, Y), repeat=15)
    return fwd, bwd, bwd / fwd


def torch_step_ratio(dtype=np.float32) -> tuple[float, float, float]:
    import torch

    net, X, Y = big_mlp(dtype)
    opt = SGD(net.params, lr=1e-3)

    def ours():
        _, grads = net.loss_and_gradients(X, Y)
        opt.step(grads)

    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    layers = []
    for l in range(1, net.num_layers + 1):
        lin = torch.nn.Linear(net.sizes[l - 1], net.sizes[l], dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(net.params[f"W{l}"]))
            lin.bias.copy_(torch.from_numpy(net.params[f"b{l}"][:, 0]))
        layers += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    topt = torch.optim.SGD(model.parameters(), lr=1e-3)
    Xt, Yt = torch.from_numpy(X.T.copy()), torch.from_numpy(Y.T.copy())  # torch: examples are rows

    def theirs():
        topt.zero_grad(set_to_none=True)
        loss = 0.5 * ((model(Xt) - Yt) ** 2).sum(dim=1).mean()
        loss.backward()
        topt.step()

    t_ours = median_time(ours, repeat=15)
    t_torch = median_time(theirs, repeat=15)
    return t_ours, t_torch, t_ours / t_torch


def fd_speedup() -> tuple[int, float, float, float]:
    net = MLP([30, 120, 50, 10], activation="tanh", output_activation="identity", loss="mse", seed=0)
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(30, 64)), rng.normal(size=(10, 64))
    t_bp = median_time(lambda: net.loss_and_gradients(X, Y), repeat=15)
    start = time.perf_counter()
    numerical_gradient(lambda: net.loss(net.forward(X)[0], Y), net.params)
    t_fd = time.perf_counter() - start
    return net.num_params, t_fd, t_bp, t_fd / t_bp


def widget_times() -> dict[str, float]:
    from widget_updates import EXPLORER_UPDATES

    result = {}
    for name, make_update in EXPLORER_UPDATES.items():
        update = make_update()
        result[name] = 1e3 * median_time(update, repeat=21, warmup=2)
    return result


def live_latency() -> tuple[dict | None, Run]:
    """benchmarks/live_latency.py in its own process (it starts JupyterLab and Chromium): its
    JSON line, or ``None`` with the failed run."""
    run = timed([sys.executable, str(ROOT / "benchmarks" / "live_latency.py")])
    try:
        return json.loads(run.last_line)["live_latency"], run
    except (ValueError, KeyError):
        return None, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-nbval", action="store_true")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--skip-live", action="store_true", help="skip the JupyterLab slider latency")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    threads = os.cpu_count() or 1
    rows, results = [], {}

    def row(name, value, unit, note="", failed=""):
        target = TARGETS.get(name)
        ok = "" if target is None else ("meets" if value <= target else "MISSES") + f" target <= {target}"
        if failed:
            ok, note = "FAILED", f"{failed}; {note}"
        rows.append(f"{name:<22}{value:>12.3f} {unit:<4} {ok:<20} {note}")

    if not args.skip_build:
        clean, cached, pages = build_times()
        for name, run in (("build_clean_s", clean), ("build_cached_s", cached)):
            record(results, name, run)
            row(name, run.seconds, "s", failed=results.get(f"{name}_failed", ""))
        results["page_mb"] = {page: round(size["total_mb"], 3) for page, size in pages.items()}
        for page, size in pages.items():     # HTML (with the stored widget state) + its images
            target = TARGETS["page_mb"]
            ok = ("meets" if size["total_mb"] <= target else "MISSES") + f" target <= {target:g}"
            rows.append(f"{'page_mb[' + page[:2] + ']':<22}{size['total_mb']:>12.3f} MB   {ok:<20} "
                        f"{page}: HTML {size['html'] / 1e3:.0f} kB ({size['frames']} static frames), "
                        f"images {size['images'] / 1e3:.0f} kB")
    if not args.skip_nbval:
        parallel, serial = nbval_times()
        record(results, "nbval_s", parallel)
        record(results, "nbval_serial_s", serial)
        row("nbval_s", parallel.seconds, "s", f"-n auto ({os.cpu_count()} workers): {parallel.last_line}; "
            f"one process: {serial.seconds:.1f} s, {serial.last_line}", failed=results.get("nbval_s_failed", ""))
    with threadpool_limits(limits=threads):
        results["widget_ms"] = widget_times()
        for name, ms in results["widget_ms"].items():
            rows.append(f"{'widget_ms[' + name + ']':<22}{ms:>12.3f} ms   "
                        f"{('meets' if ms <= 50 else 'MISSES') + ' target <= 50':<20}")
        for label, dtype in (("f64", np.float64), ("f32", np.float32)):
            fwd, bwd, ratio = bwd_fwd_ratio(dtype)
            results[f"bwd_fwd_ratio_{label}"] = ratio
            row(f"bwd_fwd_ratio_{label}", ratio, "x", f"forward {fwd * 1e3:.1f} ms, backward {bwd * 1e3:.1f} ms (FLOPs say 2.0)")
        if not args.skip_torch:
            import torch

            torch.set_num_threads(threads)
            ours, theirs, ratio = torch_step_ratio()
            results["torch_step_ratio"] = ratio
            row("torch_step_ratio", ratio, "x", f"ours {ours * 1e3:.1f} ms, torch {theirs * 1e3:.1f} ms "
                                                f"(float32, {threads} threads, torch {torch.__version__})")
        P, t_fd, t_bp, speedup = fd_speedup()
        results["fd_speedup"] = speedup
        row("fd_speedup", speedup, "x", f"P = {P}: finite differences {t_fd:.2f} s, backprop {t_bp * 1e3:.2f} ms")

    if not args.skip_live:
        live, run = live_latency()
        if live is None:
            results["live_p95_ms_failed"] = f"exit {run.returncode}: {run.last_line}"
            row("live_p95_ms", 0.0, "ms", failed=results["live_p95_ms_failed"])
        else:
            results["live_latency"] = live
            row("live_p95_ms", live["src_p95_ms"], "ms",
                f"median {live['src_median_ms']:.1f} ms over {live['presses']} key presses on a chapter 4 "
                f"slider in JupyterLab (key -> new image src; decoded: p95 {live['decoded_p95_ms']:.1f} ms, "
                f"{live.get('decode_failed', 0)} replaced before decoded); "
                f"image {live['image_px'][0]}x{live['image_px'][1]} px at {live['image_css_px'][0]} CSS px; "
                f"kernel websocket TCP_NODELAY {live.get('tcp_nodelay')}; load {live['load_before']}")
    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)" for i in threadpool_info())
    import matplotlib

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, matplotlib {matplotlib.__version__}, BLAS: {blas}")
    print(f"{'measure':<22}{'value':>12} {'unit':<4} {'target':<20} note")
    print("\n".join(rows))
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
