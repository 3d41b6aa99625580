"""The live-latency benchmark's in-page presser (benchmarks/live_latency.py ``--presser``): the
page presses the weight slider's keys itself, and with ``detached`` Playwright lets go of
Chromium meanwhile (no DevTools client, as in a reader's browser) and finds the page again."""
import subprocess
import sys
from pathlib import Path

from helpers import load_benchmark as load

ROOT = Path(__file__).resolve().parents[2]


def test_the_page_presses_the_keys_while_playwright_is_detached():
    bench = load("live_latency")
    result = bench.measure(presses=3, warmup=1, settled=1, windowing=None, presser="detached")
    assert result["presser"] == "detached" and result["slider"].startswith("W")
    assert result["blocked"] == [] and result["page_errors"] == []
    assert result["playwright_drivers_during_presses"] == 0     # Playwright had let go
    # every measured press got a picture, decoded, after the page sent the new value
    pairs = result["pairs"]
    assert len(pairs) == 3
    for pair in pairs:
        assert pair["sent"] is not None and pair["src"] is not None and pair["decoded"] is not None
        assert pair["key"] < pair["sent"] < pair["src"] <= pair["decoded"]
    # ... drawn for it: the explorer updated once a press (warm-up, 3 by the page, the settled one,
    # pressed by Playwright once it is attached again)
    assert len(result["kernel_ms"]["update"]) == 5
    # the page clock's offset was read after each of the page's presses too
    assert all(abs(x) < 1e4 for x in result["page_clock_offset_ms"])


def test_a_trace_needs_playwright_to_press():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "live_latency.py"), "--presser",
                          "detached", "--trace", "t.json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "--trace needs --presser playwright" in run.stderr
