"""Shared test set-up: a non-interactive matplotlib backend, the hypothesis profile and the rng fixture.

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
# the dice); `HYPOTHESIS_PROFILE=explore pytest tests/nn/test_gradients_property.py` searches afresh.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
