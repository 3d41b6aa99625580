"""Shared test set-up: a non-interactive matplotlib backend, the hypothesis profile and fixtures.

Plain helpers live in tests/helpers.py (and tests/helpers_nn.py); no test imports from here."""
import os

import matplotlib

# this process only: an MPLBACKEND environment variable would reach nbval's kernels, and a glued
# figure under Agg loses its image/png output there
matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import settings

# CI and a plain `pytest` draw the same examples every run (a red CI means the code changed, not
# the dice); `HYPOTHESIS_PROFILE=explore pytest tests/test_gradients_property.py` searches afresh.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The whole book built once per test session (warnings are errors); yields the HTML folder."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run([jb, "build", "-W", "-n", "--keep-going", "--path-output", str(out), str(root)],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return out / "_build" / "html"
