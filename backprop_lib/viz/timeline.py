"""The history of backpropagation as data: one record per dated contribution, each with the
BibTeX key (in ``references.bib``) of the source that carries the date, and a timeline figure.

Three strands meet in 1986: gradients of multistage systems in optimal control, reverse-mode
accumulation of derivatives (automatic differentiation), and learning in neural networks.
"""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from backprop_lib.viz.style import EXTRA, HIGHLIGHT, NEUTRAL

STRANDS = {"control": "optimal control", "ad": "automatic differentiation", "nn": "neural networks"}
ROW_GAP = 2.6   # data units between strands: room for two levels of labels
STRAND_COLORS = {"control": HIGHLIGHT, "ad": EXTRA[0], "nn": EXTRA[2]}


@dataclass(frozen=True)
class Event:
    """One dated contribution: ``year``, ``who``, ``what`` (one sentence), ``key`` (BibTeX key of
    the source), ``strand`` (a key of ``STRANDS``)."""

    year: int
    who: str
    what: str
    key: str
    strand: str


TIMELINE: list[Event] = [
    Event(1960, "Kelley", "gradient method for optimal flight paths: the adjoint equations run "
          "backwards in time give the gradient of the cost", "kelley1960gradient", "control"),
    Event(1961, "Bryson", "gradient method for multi-stage allocation processes: multipliers "
          "computed stage by stage from the last stage back", "bryson1961gradient", "control"),
    Event(1962, "Dreyfus", "the same gradient of optimal control derived from the chain rule alone, "
          "by a recursion that runs backwards from the final stage", "dreyfus1962numerical", "control"),
    Event(1967, "Amari", "adaptive pattern classifiers trained by stochastic gradient descent on "
          "an average loss", "amari1967theory", "nn"),
    Event(1969, "Bryson & Ho", "textbook 'Applied Optimal Control' with the backward sweep for "
          "multistage systems", "bryson1969applied", "control"),
    Event(1970, "Linnainmaa", "master's thesis: the reverse accumulation of derivatives through an "
          "algorithm's elementary steps, framed as rounding-error analysis", "linnainmaa1970representation", "ad"),
    Event(1974, "Werbos", "PhD thesis (Harvard): 'ordered derivatives' computed backwards through a "
          "model, with a discussion of neural-network-like models", "werbos1974beyond", "nn"),
    Event(1976, "Linnainmaa", "the 1970 method published in BIT", "linnainmaa1976taylor", "ad"),
    Event(1980, "Speelpenning", "PhD thesis (Illinois): a compiler that turns a program into one "
          "computing its partial derivatives in reverse order", "speelpenning1980compiling", "ad"),
    Event(1982, "Werbos", "backpropagation spelled out for neural networks (IFIP conference of 1981, "
          "proceedings 1982)", "werbos1982applications", "nn"),
    Event(1982, "Parker", "'learning-logic': invention report at Stanford", "parker1982learning", "nn"),
    Event(1985, "Parker", "'learning-logic' technical report at MIT", "parker1985learning", "nn"),
    Event(1985, "LeCun", "a learning procedure for multilayer threshold-like networks (Cognitiva 85)",
          "lecun1985procedure", "nn"),
    Event(1986, "Rumelhart, Hinton & Williams", "'Learning representations by back-propagating "
          "errors' in Nature: hidden units learn useful features", "rumelhart1986learning", "nn"),
]


def timeline_figure(events: list[Event] | None = None, width: float = 8.0) -> Figure:
    """A horizontal timeline: one marker per event on a year axis, one row per strand, with the
    author names as labels.  Returns a matplotlib ``Figure`` (not shown)."""
    events = TIMELINE if events is None else list(events)
    if not events or not all(isinstance(e, Event) for e in events):
        raise TypeError("events must be a non-empty list of timeline.Event records")
    bad = sorted({e.strand for e in events} - set(STRANDS))
    if bad:
        raise ValueError(f"unknown strand(s) {bad}; valid strands are {sorted(STRANDS)}")
    rows = {s: ROW_GAP * i for i, s in enumerate(reversed(list(STRANDS)))}
    fig = Figure(figsize=(width, 5.4))
    ax = fig.add_subplot(1, 1, 1)
    for strand in STRANDS:
        placed: list[tuple[int, int, int]] = []          # (year, side, level) already labelled
        for i, e in enumerate(sorted((e for e in events if e.strand == strand), key=lambda e: e.year)):
            side = 1 if i % 2 == 0 else -1
            near = [lv for yr, sd, lv in placed if sd == side and abs(yr - e.year) < 4]
            level = max(near) + 1 if near else 0
            placed.append((e.year, side, level))
            y = rows[strand]
            ax.plot([e.year], [y], "o", color=STRAND_COLORS[strand], ms=8, zorder=3)
            label = e.who.replace(" & ", "\n& ") + f" {e.year}" if len(e.who) > 15 else f"{e.who} {e.year}"
            ax.annotate(label, (e.year, y), xytext=(0, side * (10 + 26 * level)), textcoords="offset points",
                        ha="center", va="bottom" if side > 0 else "top", fontsize=9,
                        arrowprops={"arrowstyle": "-", "color": NEUTRAL, "lw": 0.6} if level else None)
    years = [e.year for e in events]
    ax.set_xlim(min(years) - 2, max(years) + 4)
    ax.set_ylim(-2.2, ROW_GAP * (len(STRANDS) - 1) + 1.2)
    ax.set_yticks(list(rows.values()), [STRANDS[s] for s in rows])
    ax.set_xlabel("year")
    ax.grid(axis="y", alpha=0.0)
    for s, y in rows.items():
        ax.axhline(y, color=STRAND_COLORS[s], lw=1, alpha=0.4, zorder=1)
    fig.tight_layout()
    return fig
