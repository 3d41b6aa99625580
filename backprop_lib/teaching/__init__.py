"""What the chapters need to teach rather than to compute: numbers for the prose, verdicts."""
from backprop_lib.teaching.prose import ChapterGlue, above, below, rounded, shown

__all__ = ["ChapterGlue", "above", "below", "rounded", "shown"]
