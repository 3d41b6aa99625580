"""Draw one nudge of a chain: every stage's increment triangle, secant and tangent.

One panel per stage: the stage's curve (blue) near the point the signal passes through, the
point and its nudged image (blue dots), the run (input increment) and the rise (output
increment) as the legs of a right triangle, the secant through both points (orange, slope =
the stage's difference quotient) and the tangent (dotted orange, slope = the local derivative).
The numbers come from :func:`backprop_lib.teaching.increments.chain_increments`.
"""
from __future__ import annotations

import numpy as np

from backprop_lib.teaching.increments import ChainIncrements
from backprop_lib.viz.style import FORWARD, GRADIENT, GRADIENT_TEXT, NEUTRAL, new_figure


def _num(x: float) -> str:
    return f"{x:.4g}"


def draw_increments(inc: ChainIncrements, figsize: tuple[float, float] | None = None):
    """A figure with one panel per stage of ``inc`` (see the module docstring)."""
    if not isinstance(inc, ChainIncrements):
        raise TypeError(f"inc must be a ChainIncrements, got {type(inc).__name__}")
    n = len(inc.stages)
    fig, axes = new_figure(1, n, figsize=figsize or (2.5 * n + 0.2, 3.4), layout="constrained")
    axes = np.atleast_1d(axes)
    for k, (ax, s) in enumerate(zip(axes, inc.stages)):
        u, v, du, dv = inc.inputs[k], inc.outputs[k], inc.d_in[k], inc.d_out[k]
        lo, hi = sorted((u - 0.45 * du, u + 1.45 * du))
        grid = np.linspace(lo, hi, 200)
        ax.plot(grid, s.fn(grid), color=FORWARD, lw=2)
        ax.plot([u, u + du], [v, v + dv], "o", color=FORWARD, ms=6, zorder=4)
        ax.plot([u, u + du, u + du], [v, v, v + dv], color=NEUTRAL, lw=1.2, ls="--")
        ax.plot([u, u + du], [v, v + dv], color=GRADIENT, lw=2)
        slope = inc.slopes[k]
        ax.plot(grid, v + slope * (grid - u), color=GRADIENT, lw=1.5, ls=":")
        ax.text(u + du / 2, v, f"Δ{s.var_in} = {_num(du)}", color=FORWARD, ha="center",
                va="top", fontsize=9, bbox=dict(fc="white", ec="none", pad=1))
        ax.text(u + du, v + dv / 2, f" Δ{s.var_out} = {_num(dv)}", color=FORWARD, ha="left",
                va="center", fontsize=9, bbox=dict(fc="white", ec="none", pad=1))
        ratio = inc.ratios[k]
        quotient = "undefined" if ratio is None else _num(ratio)
        ax.set_title(s.formula, fontsize=11)
        ax.text(0.04, 0.96, f"Δ{s.var_out}/Δ{s.var_in} = {quotient}\n"
                f"d{s.var_out}/d{s.var_in} = {_num(slope)}", transform=ax.transAxes,
                ha="left", va="top", color=GRADIENT_TEXT, fontsize=10)
        ax.set_xlabel(s.var_in)
        ax.set_ylabel(s.var_out)
        ax.margins(x=0.05, y=0.12)
        ax.set_ylim(top=ax.get_ylim()[1] + 0.3 * (ax.get_ylim()[1] - ax.get_ylim()[0]))
    factors = " · ".join(_num(r) for r in reversed(inc.ratios) if r is not None)
    fig.suptitle(f"x = {_num(inc.x)} nudged by Δx = {_num(inc.dx)}:  Δy/Δx = {factors}"
                 f" = {_num(inc.quotient)}", fontsize=11)
    return fig
