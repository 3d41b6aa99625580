"""benchmarks/run.py reports a failing build or nbval run instead of stopping without its JSON."""
import sys

from helpers import load_benchmark


def load_runner():
    return load_benchmark("run")


def test_a_failing_run_is_timed_and_recorded_as_failed():
    run = load_runner()
    failing = run.timed([sys.executable, "-c", "print('2 failed, 5 passed'); raise SystemExit(1)"])
    results = {}
    run.record(results, "nbval_s", failing)
    assert not failing.ok and results["nbval_s"] == failing.seconds > 0
    assert results["nbval_s_failed"] == "exit 1: 2 failed, 5 passed"


def test_a_passing_run_has_no_failure_entry():
    run = load_runner()
    results = {}
    run.record(results, "build_clean_s", run.timed([sys.executable, "-c", "print('ok')"]))
    assert set(results) == {"build_clean_s"}
