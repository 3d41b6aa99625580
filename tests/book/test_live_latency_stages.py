"""The live-latency benchmark's stage split: each press's page, server and kernel stamps are
joined in the order a move goes (benchmarks/live_latency.py route_stages), and the server
extension reads a kernel message's type (benchmarks/server_stamps.py)."""
import json
import math

from helpers import load_benchmark as load


def press(origin, key):
    """A press's page stamps (ms after ``origin``): sent 1, first reply 20, image 40, src 41."""
    return {"key": key - origin, "sent": key + 1 - origin, "first": key + 20 - origin,
            "received": key + 40 - origin, "src": key + 41 - origin}


def logs(key, big=30_000):
    """The kernel's and the server's stamps of the press made at ``key`` (seconds in the logs)."""
    s = 1e-3
    kernel = {"dispatch": [(key + 4) * s],
              "iopub": [[(key + 7) * s, "status", "busy", 300], [(key + 8) * s, "comm_msg", None, 500],
                        [(key + 33) * s, "comm_msg", None, big], [(key + 36) * s, "status", "idle", 300]]}
    server = [["in", (key + 2) * s, (key + 2.5) * s, 400],
              ["out", (key + 9) * s, (key + 9.5) * s, 300, "status"],
              ["out", (key + 10) * s, (key + 10.5) * s, 500, "comm_msg"],
              ["out", (key + 35) * s, (key + 35.5) * s, big, "comm_msg"],
              ["out", (key + 37) * s, (key + 37.5) * s, 300, "status"]]
    return kernel, server


def test_each_stage_is_the_time_between_its_two_stamps():
    bench = load("live_latency")
    origin = 1.7e12
    keys = [origin + 1000, origin + 2000]
    kernels, servers = zip(*(logs(k) for k in keys))
    kernel = {name: [x for k in kernels for x in k[name]] for name in ("dispatch", "iopub")}
    server = [line for s in servers for line in s]
    stages = bench.route_stages([press(origin, k) for k in keys], origin, kernel, server)
    expected = {"sent_to_server": 1, "server_to_kernel": 2, "kernel_busy_wait": 3, "busy_to_server": 2,
                "busy_server_to_page": 20 - 9.5, "kernel_to_image": 29, "image_to_server": 2,
                "server_write": 0.5, "server_to_page": 40 - 35.5}
    assert set(stages) == set(expected)
    for name, value in expected.items():
        assert len(stages[name]) == 2
        for got in stages[name]:
            assert math.isclose(got, value, abs_tol=1e-3), (name, got, value)


def test_the_page_clock_is_put_on_the_wall_clock():
    bench = load("live_latency")
    origin = 1.7e12
    key = origin + 1000
    kernel, server = logs(key)
    # the page's clock runs 3 ms behind its wall clock: its stamps read 3 ms early
    early = {name: value - 3 for name, value in press(origin, key).items()}
    stages = bench.route_stages([early], origin, kernel, server, page_offsets=3.0)
    assert math.isclose(stages["sent_to_server"][0], 1, abs_tol=1e-3)
    assert math.isclose(stages["server_to_page"][0], 4.5, abs_tol=1e-3)
    uncorrected = bench.route_stages([early], origin, kernel, server)
    assert math.isclose(uncorrected["sent_to_server"][0], 4, abs_tol=1e-3)
    # one offset per press (the page's clock drifts from the wall clock during a run)
    keys = [origin + 1000, origin + 2000]
    kernels, servers = zip(*(logs(k) for k in keys))
    kernel = {name: [x for k in kernels for x in k[name]] for name in ("dispatch", "iopub")}
    pairs = [{name: value - drift for name, value in press(origin, k).items()} for k, drift in zip(keys, (2, 7))]
    stages = bench.route_stages(pairs, origin, kernel, [line for s in servers for line in s], [2.0, 7.0])
    assert all(math.isclose(v, 1, abs_tol=1e-3) for v in stages["sent_to_server"])


def test_a_missing_stamp_leaves_only_its_stages_unknown():
    bench = load("live_latency")
    origin = 1.7e12
    key = origin + 1000
    kernel, server = logs(key, big=5_000)      # no message large enough to be the picture
    stages = bench.route_stages([press(origin, key)], origin, kernel, server)
    for name in ("kernel_to_image", "image_to_server", "server_write", "server_to_page"):
        assert math.isnan(stages[name][0]), name
    assert math.isclose(stages["kernel_busy_wait"][0], 3, abs_tol=1e-3)
    # the server's stamp of the picture missing: not taken from the next press
    kernel, server = logs(key)
    next_kernel, next_server = logs(key + 1000)
    server = [line for line in server if line[3] < 8000] + next_server
    stages = bench.route_stages([press(origin, key)], origin, kernel, server)
    assert math.isnan(stages["image_to_server"][0]) and math.isnan(stages["server_to_page"][0])
    assert math.isclose(stages["kernel_to_image"][0], 29, abs_tol=1e-3)
    # an earlier press's stamps are not taken for this one's
    early_kernel, early_server = logs(key - 1000)
    stages = bench.route_stages([press(origin, key)], origin, early_kernel, early_server)
    assert all(math.isnan(v[0]) for v in stages.values())


def test_the_server_reads_a_kernel_messages_type_from_its_header():
    stamps = load("server_stamps")
    header = json.dumps({"msg_type": "comm_msg", "msg_id": "1"}).encode()
    frames = [b"kernel.ident", b"<IDS|MSG>", b"hmac", header, b"{}", b"{}", b"{}"]
    assert stamps._msg_type(frames) == "comm_msg"
    assert stamps._msg_type([b"no delimiter"]) == "?"
    assert stamps._msg_type([b"<IDS|MSG>", b"hmac", b"not json"]) == "?"

    class Frame:                        # what pyzmq hands the server without copying
        def __init__(self, data):
            self.bytes = data

    assert stamps._msg_type([Frame(f) for f in frames]) == "comm_msg"
    assert stamps._size(Frame(b"12345")) == 5 == stamps._size("12345")


def test_the_processes_of_the_round_trip_are_told_apart_by_their_command_lines():
    """cpu_by_process sums CPU time by part of the round trip: the kernel, the server, each
    kind of Chromium process (whose children may join their arguments with spaces), the
    benchmark's own driver; anything else is left out."""
    group = load("live_latency")._process_group
    assert group("/usr/bin/python3\0-m\0ipykernel_launcher\0-f\0/tmp/k.json") == "kernel"
    assert group("/usr/bin/python3\0-m\0jupyterlab\0--no-browser") == "server"
    assert group("/usr/lib/chromium/chromium\0--type=renderer\0--lang=en-US") == "chromium renderer"
    assert group("/usr/lib/chromium/chromium --type=gpu-process --no-sandbox") == "chromium gpu-process"
    assert group("/usr/lib/chromium/chromium\0--headless\0--no-sandbox") == "chromium browser"
    assert group("node\0/x/playwright/driver/package/cli.js\0run-driver").startswith("benchmark")
    assert group("/usr/sbin/sshd\0-D") is None


def test_cpu_by_process_counts_a_benchmark_process_time():
    """A process that spins for 0.3 s of CPU under the benchmark's name adds at least 0.3 s to
    the benchmark's part, and the count stays below what the machine could have run."""
    import os
    import subprocess
    import sys
    import time

    import pytest

    if not os.path.isdir("/proc/self"):
        pytest.skip("cpu_by_process reads Linux's /proc")
    bench = load("live_latency")
    name = "benchmark (Python and Playwright's driver)"
    # this test's own process counts too when its command line names the benchmark
    ours = bench._process_group(open("/proc/self/cmdline", "rb").read().decode(errors="replace")) == name
    before, own, wall = bench.cpu_by_process().get(name, 0.0), time.process_time(), time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", "import sys, time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.3: pass\nsys.stdin.read()", "live_latency"],
                             stdin=subprocess.PIPE)
    try:
        used = 0.0
        while used < 0.3 and time.monotonic() - wall < 30:
            time.sleep(0.05)
            used = bench.cpu_by_process().get(name, 0.0) - before - ours * (time.process_time() - own)
        assert 0.3 <= used <= (time.monotonic() - wall) * os.cpu_count() + 0.05
    finally:
        child.communicate(b"")


def test_no_readouts_keeps_the_status_and_table_and_still_redraws_the_picture():
    """--no-readouts: after the benchmark's snippet runs in the kernel, a move redraws the picture
    but sends neither the status line nor the table (their widgets keep the values they had)."""
    from backprop_lib.explorers.network_explorer import NetworkExplorer

    explorer = NetworkExplorer()
    status, table = explorer.status, explorer.table
    shown = status.value, table.value, explorer.image.png
    exec(load("live_latency").KERNEL_NO_READOUTS, {"explorer": explorer})
    slider = next(iter(explorer.param_sliders.values()))
    slider.value = slider.value + 0.5
    assert (status.value, table.value) == shown[:2]
    assert explorer.image.png != shown[2]
    # the explorer computed the new readouts (written where the page does not see them)
    assert explorer.status.value != shown[0] and explorer.table.value != shown[1]
