"""The composites of the chain-rule explorer: y = f_k(...f_2(f_1(x))) as named stages.

Each :class:`Stage` is one function with its derivative, written out by hand (the explorer shows
their product beside a central difference, so they must not come from the same code); a stage may
have kinks, inputs where it has no derivative.  :data:`COMPOSITES` are the chapter's examples.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Stage:
    """One stage ``out = fn(in)`` with derivative ``dfn``; ``kinks`` are inputs where it has none.
    Beside a kink ``dfn`` is the derivative of the smooth piece, so its one-sided limits are
    ``dfn`` evaluated just left and just right of the kink."""

    formula: str
    var_in: str
    var_out: str
    fn: Callable[[np.ndarray], np.ndarray]
    dfn: Callable[[np.ndarray], np.ndarray]
    kinks: tuple[float, ...] = ()


@dataclass(frozen=True)
class Composite:
    """``label`` (as the dropdown shows it), the ``stages`` in order and the slider's ``x_range``;
    calling it runs the stages: the whole composite y(x), for the central difference."""

    label: str
    stages: tuple[Stage, ...]
    x_range: tuple[float, float] = (-3.0, 3.0)

    def __call__(self, x):
        for s in self.stages:
            x = s.fn(x)
        return x


COMPOSITES: dict[str, Composite] = {
    "cube": Composite("y = (2x + 1)³", (
        Stage("u = 2x + 1", "x", "u", lambda x: 2 * x + 1, lambda x: 2 + 0 * x),
        Stage("y = u³", "u", "y", lambda u: u * u * u, lambda u: 3 * u * u))),
    "nested": Composite("y = f(g(h(x))), h = x², g = 2u + 1, f = v³", (
        Stage("u = h(x) = x²", "x", "u", lambda x: x * x, lambda x: 2 * x),
        Stage("v = g(u) = 2u + 1", "u", "v", lambda u: 2 * u + 1, lambda u: 2 + 0 * u),
        Stage("y = f(v) = v³", "v", "y", lambda v: v * v * v, lambda v: 3 * v * v))),
    "sin_square": Composite("y = sin(x²)", (
        Stage("u = x²", "x", "u", lambda x: x * x, lambda x: 2 * x),
        Stage("y = sin u", "u", "y", np.sin, np.cos))),
    "relu_square": Composite("y = (relu(x) + 1)², with a kink", (
        Stage("u = relu(x)", "x", "u", lambda x: np.maximum(x, 0.0),
              lambda x: np.where(np.asarray(x) > 0, 1.0, 0.0), kinks=(0.0,)),
        Stage("y = (u + 1)²", "u", "y", lambda u: (u + 1) ** 2, lambda u: 2 * (u + 1)))),
}
