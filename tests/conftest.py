"""Shared test set-up: a non-interactive matplotlib backend and small helpers."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

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


# The worked 2-3-1 example of the course brief: parameters and the published numbers.
PUBLISHED_231 = {
    "params": {
        "W1": [[0.15, 0.20], [0.25, 0.30], [0.35, 0.40]],
        "b1": [[0.35], [0.35], [0.35]],
        "W2": [[0.40, 0.45, 0.50]],
        "b2": [[0.60]],
    },
    "x": [[0.05], [0.10]],
    "y": [[0.01]],
}
