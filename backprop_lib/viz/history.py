"""Figures for the 1986 reproductions (Chapter 7): learning curves, the symmetry network's input
weights, and a Hinton diagram of the family-trees person codes.

Every function takes arrays already computed by :mod:`backprop_lib.experiments.symmetry1986` or
:mod:`backprop_lib.experiments.family_trees` and returns a matplotlib ``Figure`` (not shown, not pyplot).
Colours follow the course: forward quantities (outputs, weights) blue, failures vermillion.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from backprop_lib.viz.style import EXTRA, FORWARD, HIGHLIGHT, HIGHLIGHT_TEXT, NEUTRAL, WARNING


def symmetry_curves(error: np.ndarray, converged_at: np.ndarray, paper_sweeps: int = 1425) -> Figure:
    """Left: E per sweep (``error`` (T + 1, S)), converged runs blue, the others vermillion, log
    scale.  Right: the fraction of the S runs converged by each sweep, with the paper's count."""
    error, converged_at = np.asarray(error, float), np.asarray(converged_at)
    if error.ndim != 2 or converged_at.shape != (error.shape[1],):
        raise ValueError(f"need error (T + 1, S) and converged_at (S,), got {error.shape} and {converged_at.shape}")
    fig = Figure(figsize=(9, 3.6))
    ax, bx = fig.subplots(1, 2)
    t = np.arange(error.shape[0])
    for s in range(error.shape[1]):
        ok = converged_at[s] >= 0
        ax.plot(t, error[:, s], color=FORWARD if ok else WARNING, lw=0.8, alpha=0.6 if ok else 0.9)
    ax.set(yscale="log", xlabel="sweep", ylabel="E (summed over 64 patterns)",
           title="error of every run")
    ax.plot([], [], color=FORWARD, label="converged"), ax.plot([], [], color=WARNING, label="not converged")
    ax.legend(loc="lower left")
    done = np.sort(converged_at[converged_at >= 0])
    frac = np.searchsorted(done, t, side="right") / error.shape[1]
    bx.plot(t, frac, color=FORWARD)
    for a in (ax, bx):
        a.axvline(paper_sweeps, color=HIGHLIGHT, ls="--", lw=1.2)
    bx.text(paper_sweeps, 0.02, f" paper: {paper_sweeps:,} sweeps", color=HIGHLIGHT_TEXT, fontsize=9)
    bx.set(ylim=(0, 1), xlabel="sweep", ylabel="fraction of runs converged",
           title="how many runs have converged")
    fig.tight_layout()
    return fig


def symmetry_weights(nets: list[tuple[np.ndarray, str]]) -> Figure:
    """One panel per (W1 (2, 6), title): the input weights of both hidden units as bars."""
    if not nets:
        raise ValueError("nets must list at least one (W1, title) pair")
    fig = Figure(figsize=(4.2 * len(nets), 3.4))
    axes = np.atleast_1d(fig.subplots(1, len(nets), sharey=True))
    x = np.arange(1, 7)
    for ax, (W1, title) in zip(axes, nets):
        W1 = np.asarray(W1, float)
        if W1.shape != (2, 6):
            raise ValueError(f"W1 must have shape (2, 6), got {W1.shape}")
        ax.bar(x - 0.18, W1[0], width=0.36, color=FORWARD, label="hidden unit 1")
        ax.bar(x + 0.18, W1[1], width=0.36, color=EXTRA[0], label="hidden unit 2")
        ax.axhline(0, color=NEUTRAL, lw=0.8)
        ax.axvline(3.5, color=NEUTRAL, lw=0.8, ls=":")
        ax.set(xticks=x, xlabel="input unit $i$ (mirror of $i$ is $7 - i$)", title=title)
    axes[0].set_ylabel("weight $W^{(1)}_{ji}$")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


def family_curves(runs: dict[str, np.ndarray]) -> Figure:
    """E per sweep for several settings: ``runs`` maps a label to an error array (T, S)."""
    fig = Figure(figsize=(7.5, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    colors = [WARNING, FORWARD, HIGHLIGHT, NEUTRAL]
    for (label, err), c in zip(runs.items(), colors):
        err = np.asarray(err, float)
        ax.plot(err, color=c, lw=0.8, alpha=0.7)
        ax.plot([], [], color=c, label=label)
    ax.set(yscale="log", xlabel="sweep", ylabel="E on the 100 training queries")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def person_codes(Wp: np.ndarray, names: list[str]) -> Figure:
    """Hinton diagram of the weights Wp (6, 24) from the person units to the 6 code units: one row
    of squares per code unit and tree (English on top, Italian below, aligned with the English
    equivalent); area ∝ |w|, blue positive, black negative.  ``names``: the 12 English names."""
    Wp = np.asarray(Wp, float)
    if Wp.shape != (6, 24) or len(names) != 12:
        raise ValueError(f"need Wp (6, 24) and 12 names, got {Wp.shape} and {len(names)} names")
    fig = Figure(figsize=(6.5, 6.2))
    ax = fig.add_subplot(1, 1, 1)
    scale = 0.9 / np.abs(Wp).max()
    for u in range(6):
        for tree in range(2):
            y0 = -(u * 3 + tree)
            for i in range(12):
                w = Wp[u, tree * 12 + i]
                side = np.sqrt(abs(w) * scale)
                ax.add_patch(Rectangle((i - side / 2, y0 - side / 2), side, side,
                                       color=FORWARD if w > 0 else EXTRA[2]))
    ax.set_xlim(-0.7, 11.7), ax.set_ylim(-17.7, 0.7)
    ax.set_xticks(range(12), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks([-(u * 3 + t) for u in range(6) for t in range(2)],
                  [f"unit {u + 1}: " + ("English" if t == 0 else "Italian") for u in range(6) for t in range(2)],
                  fontsize=8)
    ax.grid(False)
    ax.set_aspect("equal")
    fig.tight_layout()
    return fig
