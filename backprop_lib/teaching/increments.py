"""Nudge the input of a chain and follow the increments: the chain rule before the limit.

For a chain of stages x -> u -> v -> y and a nudge dx, every stage turns the increment of its
input into an increment of its output (du = h(x + dx) - h(x), then dv, then dy).  Whenever no
increment is zero, the difference quotient of the whole chain is *exactly* the product of the
stages' quotients (the fractions telescope):

    dy/dx = (dy/dv) (dv/du) (du/dx)        (increments, not derivatives)

and as dx -> 0 each quotient tends to its stage's local derivative: the chain rule.  A quotient
whose input increment is 0 is undefined; the proof's auxiliary function replaces it by the
local derivative (Chapter 1).

A stage is anything with ``fn``, ``dfn``, ``var_in``, ``var_out`` and ``formula`` (the chain-rule
explorer's ``Stage``).  :func:`chain_increments` is pure; :func:`increments_table` prints one row
per nudge; :func:`backprop_lib.viz.increments.draw_increments` draws one nudge.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backprop_lib._validation import finite_scalar
from backprop_lib.teaching.prose import shown


@dataclass(frozen=True)
class ChainIncrements:
    """One nudge: stage k maps ``inputs[k]`` to ``outputs[k]``; the nudge moves its input by
    ``d_in[k]`` and its output by ``d_out[k]`` (``d_in[0] = dx``, ``d_in[k + 1] = d_out[k]``).
    ``ratios[k] = d_out[k] / d_in[k]`` (None when ``d_in[k] == 0``); ``slopes[k]`` is the
    stage's local derivative at ``inputs[k]``."""

    stages: tuple
    x: float
    dx: float
    inputs: tuple[float, ...]
    outputs: tuple[float, ...]
    d_in: tuple[float, ...]
    d_out: tuple[float, ...]
    ratios: tuple[float | None, ...]
    slopes: tuple[float, ...]

    @property
    def quotient(self) -> float:
        """The difference quotient of the whole chain, dy/dx with increments."""
        return self.d_out[-1] / self.dx


def chain_increments(stages: Sequence, x: float, dx: float) -> ChainIncrements:
    """Run ``stages`` at ``x`` and at ``x + dx`` and record every stage's increments."""
    if not stages:
        raise ValueError("stages must hold at least one stage")
    x, dx = finite_scalar(x, "x"), finite_scalar(dx, "dx")
    if dx == 0:
        raise ValueError("dx must be nonzero: a nudge of 0 has no quotient")
    inputs, outputs, d_in, d_out, ratios, slopes = [], [], [], [], [], []
    u, du = x, dx
    for s in stages:
        out, out_nudged = float(s.fn(u)), float(s.fn(u + du))
        inputs.append(u)
        outputs.append(out)
        d_in.append(du)
        d_out.append(out_nudged - out)
        ratios.append(None if du == 0 else (out_nudged - out) / du)
        slopes.append(float(s.dfn(u)))
        u, du = out, out_nudged - out
    return ChainIncrements(tuple(stages), x, dx, tuple(inputs), tuple(outputs), tuple(d_in),
                           tuple(d_out), tuple(ratios), tuple(slopes))


def increments_table(stages: Sequence, x: float, dxs: Sequence[float]) -> str:
    """One row per nudge in ``dxs``: the increments, each stage's quotient and the chain's
    quotient; a last row with the local derivatives (the limit dx -> 0)."""
    names = ["x"] + [s.var_out for s in stages]
    cols = [f"Δ{n}" for n in names] + [f"Δ{b}/Δ{a}" for a, b in zip(names, names[1:])]
    cols.append(f"Δ{names[-1]}/Δx")
    width = [7] + [10] * (len(cols) - 1)

    def row(cells):
        return "".join(f"{c:>{w}}" for c, w in zip(cells, width))
    lines = [row(cols)]
    for dx in dxs:
        inc = chain_increments(stages, x, dx)
        cells = [shown(dx, ".3f")] + [shown(d, ".4f") for d in inc.d_out]
        cells += ["undefined" if r is None else shown(r, ".4f") for r in inc.ratios]
        cells.append(shown(inc.quotient, ".2f"))
        lines.append(row(cells))
    inc = chain_increments(stages, x, 1.0)
    product = 1.0
    for d in inc.slopes:
        product *= d
    limit = ["Δx → 0"] + [""] * len(stages) + [shown(d, ".4f") for d in inc.slopes]
    limit.append(shown(product, ".2f"))
    lines.append(row(limit))
    return "\n".join(lines)
