"""One update of each chapter's explorer (compute + redraw), driven headlessly.

Each entry builds an explorer once and returns a function that performs one control change and
the redraw it triggers; benchmarks/run.py reports the median milliseconds per call.
"""
from __future__ import annotations

EXPLORER_UPDATES: dict = {}
