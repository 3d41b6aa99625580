"""What the chapters need to teach rather than to compute: numbers for the prose, verdicts."""
from .prose import ChapterGlue, below, rounded, shown

__all__ = ["ChapterGlue", "below", "rounded", "shown"]
