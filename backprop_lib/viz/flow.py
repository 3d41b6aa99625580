"""Figures for Chapter 5 (gradient flow): per-layer gradient profiles, weight change in training
and the forward signal per layer.

Every function takes arrays computed by :mod:`backprop_lib.experiments.gradient_flow` or
:mod:`backprop_lib.experiments.flow_learning` and returns a matplotlib ``Figure`` (not pyplot).
Colours keep the course's meaning: gradients and everything they move (weight changes) orange,
in a light and a dark shade told apart by line style too; forward values (activations, the loss)
blue. Labels sit at the end of their line, in a text shade that meets 4.5:1 on white.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from backprop_lib.viz.style import (
    EXTRA, FORWARD, GRADIENT, GRADIENT_TEXT, NEUTRAL)

DARK_GRADIENT = GRADIENT_TEXT          # the second shade of orange (lines and their labels)
_SHADES = ((GRADIENT, "-", "o"), (DARK_GRADIENT, "--", "s"), (NEUTRAL, ":", "^"))


def _label_at(ax, x, ys, labels, ha="right", min_gap=0.09) -> None:
    """Write ``labels`` next to x at heights ``ys`` (log axis), pushed apart by ``min_gap`` of
    the axis' decades so that two labels never overlap."""
    lo, hi = np.log10(ax.get_ylim())
    order = np.argsort(ys)
    pos = np.log10(np.asarray(ys, float))[order]
    gap = min_gap * (hi - lo)
    for k in range(1, pos.size):
        pos[k] = max(pos[k], pos[k - 1] + gap)
    for k, j in enumerate(order):
        ax.text(x, 10 ** pos[k], labels[j], ha=ha, va="center", fontsize=9, color=GRADIENT_TEXT)


def init_profiles(profiles: Mapping[tuple[str, str], object], activations, inits) -> Figure:
    """One panel per activation; in each, the mean ||dL/dW^(l)|| over seeds for every init in
    ``inits`` (at most 3) with a band from the smallest to the largest seed, labelled at layer 1.
    ``profiles[a, i]`` is a ``FlowProfile`` (``norms`` (S, L), ``mean`` (L,))."""
    activations, inits = list(activations), list(inits)
    if not 1 <= len(inits) <= len(_SHADES):
        raise ValueError(f"inits must name 1 to {len(_SHADES)} initialisations, got {inits}")
    missing = [(a, i) for a in activations for i in inits if (a, i) not in profiles]
    if missing:
        raise ValueError(f"profiles has no entry for {missing}")
    ncols = 2 if len(activations) > 1 else 1
    nrows = -(-len(activations) // ncols)
    fig = Figure(figsize=(4.2 * ncols, 2.9 * nrows))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True)).ravel()
    for ax, a in zip(axes, activations):
        ends = []
        for i, (colour, ls, marker) in zip(inits, _SHADES):
            p = profiles[a, i]
            layers = np.arange(1, p.mean.size + 1)
            ax.fill_between(layers, p.norms.min(axis=0), p.norms.max(axis=0), color=colour,
                            alpha=0.25, lw=0)
            ax.semilogy(layers, p.mean, ls=ls, marker=marker, ms=3.5, color=colour, lw=1.8)
            ends.append(p.mean[0])
        ax.set_xlim(-3.2, layers[-1] + 0.8)
        ax.set_xticks([1, 5, 10, 15, 20] if layers[-1] >= 20 else layers)
        ax.set_title(a, fontsize=11)
        _label_at(ax, 0.4, ends, inits)
    for ax in axes[len(activations):]:
        ax.set_visible(False)
    for ax in axes[::ncols]:
        ax.set_ylabel("||dL/dW^(l)|| (log)")
    for ax in axes[-ncols:]:
        ax.set_xlabel("layer l (1 = next to the input)")
    fig.tight_layout()
    return fig


def weight_change(logs: Mapping[str, object], layers=(1, 10, 20)) -> Figure:
    """One panel per run: the relative change ||W_t^(l) - W_0^(l)|| / ||W_0^(l)|| against the
    step for the ``layers`` named (at most 3, 1-based), labelled at their ends; last panel: the
    training loss of every run. ``logs`` maps a title to a ``WeightChangeLog``."""
    if not logs:
        raise ValueError("logs must hold at least one run")
    layers = list(layers)
    if not 1 <= len(layers) <= len(_SHADES):
        raise ValueError(f"layers must name 1 to {len(_SHADES)} layers, got {layers}")
    n = len(logs)
    fig = Figure(figsize=(3.4 * (n + 1), 3.3))
    axes = fig.subplots(1, n + 1)
    for ax, (title, log) in zip(axes, logs.items()):
        L = log.change.shape[1]
        if any(not 1 <= l <= L for l in layers):
            raise ValueError(f"layers must lie in 1..{L}, got {layers}")
        for l, (colour, ls, _) in zip(layers, _SHADES):
            ax.semilogy(log.steps, log.change[:, l - 1], ls=ls, color=colour, lw=1.8)
        ax.set_xlim(0, log.steps[-1] * 1.3)
        _label_at(ax, log.steps[-1] * 1.02, log.change[-1, [l - 1 for l in layers]],
                  [f"layer {l}" for l in layers], ha="left")
        ax.set(title=title, xlabel="gradient-descent step")
    axes[0].set_ylabel("||W_t - W_0|| / ||W_0|| (log)")
    bx = axes[-1]
    for k, ((title, log), ls) in enumerate(zip(logs.items(), ("-", "--", ":"))):
        bx.plot(np.arange(log.losses.size), log.losses, ls=ls, color=FORWARD, lw=1.8)
        mid = log.losses.size // 2
        bx.text(mid, log.losses[mid] * (1.15 if k % 2 == 0 else 0.87), title.split(",")[0],
                color=FORWARD, fontsize=9, va="bottom" if k % 2 == 0 else "top", ha="center")
    bx.set(yscale="log", xlabel="gradient-descent step", ylabel="training loss L (log)",
           title="loss")
    fig.tight_layout()
    return fig


def activation_bands(quantiles: Mapping[str, np.ndarray], spread: Mapping[str, np.ndarray]) -> Figure:
    """Forward view. One panel per network: the 10-90 % and 25-75 % bands and the median of the
    entries of a^(l) against the layer (``quantiles[title]`` (L - 1, 5), levels 0.1, 0.25, 0.5,
    0.75, 0.9). Last panel: ``spread[title]`` (L - 1,), how much a^(l) varies over the inputs
    (log scale), one line per network, labelled at its end."""
    if not quantiles or set(quantiles) != set(spread):
        raise ValueError("quantiles and spread must name the same, non-empty set of networks")
    n = len(quantiles)
    fig = Figure(figsize=(3.4 * (n + 1), 3.3))
    axes = fig.subplots(1, n + 1)
    for ax, (title, q) in zip(axes, quantiles.items()):
        q = np.asarray(q, float)
        if q.ndim != 2 or q.shape[1] != 5:
            raise ValueError(f"quantiles[{title!r}] must have shape (L - 1, 5), got {q.shape}")
        layers = np.arange(1, q.shape[0] + 1)
        ax.fill_between(layers, q[:, 0], q[:, 4], color=FORWARD, alpha=0.2, lw=0,
                        label="10-90 %")
        ax.fill_between(layers, q[:, 1], q[:, 3], color=FORWARD, alpha=0.4, lw=0,
                        label="25-75 %")
        ax.plot(layers, q[:, 2], color=FORWARD, lw=1.8, label="median")
        ax.set(title=title, xlabel="hidden layer l", ylim=(min(0.0, q.min()) - 0.05, None))
    axes[0].set_ylabel("entries of a^(l)")
    axes[0].legend(loc="lower center", fontsize=8, ncol=3)
    bx = axes[-1]
    for (title, s), (colour, ls) in zip(spread.items(), ((FORWARD, "-"), (EXTRA[2], "--"))):
        s = np.asarray(s, float)
        layers = np.arange(1, s.size + 1)
        keep = s > 0
        bx.semilogy(layers[keep], s[keep], ls=ls, color=colour, lw=1.8)
        mid = np.nonzero(keep)[0][keep.sum() // 2]
        bx.text(layers[mid], s[mid] * 1.5, " " + title.split(",")[0], color=colour, fontsize=9,
                ha="left", va="bottom")
    bx.set(xlabel="hidden layer l", ylabel="std over the inputs (log)",
           title="what is left of the input")
    fig.tight_layout()
    return fig
