"""What the chapters need to teach rather than to compute: numbers for the prose, verdicts."""
from .prose import ChapterGlue, above, below, rounded, shown

__all__ = ["ChapterGlue", "above", "below", "rounded", "shown"]
