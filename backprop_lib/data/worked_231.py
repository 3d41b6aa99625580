"""The worked 2-3-1 example of the course brief, owned once: chapter 4, the network explorer, the tests.

Two inputs, three sigmoid hidden units, one sigmoid output, loss L = 1/2 (a^(2) - y)^2, at

    W^(1) = [[0.15, 0.20], [0.25, 0.30], [0.35, 0.40]]  (3, 2)    b^(1) = 0.35 each  (3, 1)
    W^(2) = [[0.40, 0.45, 0.50]]                          (1, 3)    b^(2) = 0.60       (1, 1)
    x = (0.05, 0.10)  (2, 1)                                        y = 0.01

:data:`PUBLISHED` holds these numbers (read-only); :func:`params_231`, :func:`xy_231` and
:func:`net_231` return fresh arrays and networks built from them; :func:`parameter_names` lists
the 13 parameters in book order with their names, :func:`unicode_name` the names as printed.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from backprop_lib.nn.mlp import MLP

SIZES = (2, 3, 1)
PUBLISHED: Mapping[str, tuple] = MappingProxyType({
    "W1": ((0.15, 0.20), (0.25, 0.30), (0.35, 0.40)), "b1": ((0.35,), (0.35,), (0.35,)),
    "W2": ((0.40, 0.45, 0.50),), "b2": ((0.60,),),
})
X = ((0.05,), (0.10,))     # the input x, (2, 1)
Y = 0.01                   # the target y
SUBSCRIPTS = "\u2080\u2081\u2082\u2083"          # subscript 0..3, for "x₁" and "W⁽¹⁾₁₂"
_SUPERSCRIPT_LAYER = {1: "\u207d\u00b9\u207e", 2: "\u207d\u00b2\u207e"}


def params_231() -> dict[str, np.ndarray]:
    """A fresh copy of the published parameters as float arrays: W1 (3, 2), b1 (3, 1), W2 (1, 3),
    b2 (1, 1)."""
    return {key: np.array(value, dtype=float) for key, value in PUBLISHED.items()}


def xy_231() -> tuple[np.ndarray, np.ndarray]:
    """Fresh arrays of the published example: x (2, 1) and y (1, 1)."""
    return np.array(X, dtype=float), np.array([[Y]])


def net_231(activation: str = "sigmoid", params: Mapping[str, np.ndarray] | None = None) -> MLP:
    """The 2-3-1 network: ``activation`` in both layers (sigmoid in the book), loss
    L = 1/2 (a^(2) - y)^2 (``"mse"``), with ``params`` (copied) or the published ones."""
    return MLP.from_params(params_231() if params is None else params, activation, activation, "mse")


def parameter_names() -> list[tuple[str, tuple[int, int], str]]:
    """The 13 parameters in book order as (key, 0-based numpy index, ASCII name): the book's
    W^(l)_{jk} (1-based j, k) is ``params["W{l}"][j - 1, k - 1]``, named "W(l)_jk"; b^(l)_j is
    ``params["b{l}"][j - 1, 0]``, named "b(l)_j"."""
    names = []
    for l in (1, 2):
        n, m = SIZES[l], SIZES[l - 1]
        names += [(f"W{l}", (j, k), f"W({l})_{j + 1}{k + 1}") for j in range(n) for k in range(m)]
        names += [(f"b{l}", (j, 0), f"b({l})_{j + 1}") for j in range(n)]
    return names


def unicode_name(name: str) -> str:
    """"W(1)_12" -> "W⁽¹⁾₁₂" (superscript layer, subscript indices), for tables and sliders."""
    if not isinstance(name, str) or "(" not in name or ")_" not in name:
        raise ValueError(f"name must look like 'W(1)_12' or 'b(2)_1', got {name!r}")
    letter, rest = name.split("(", 1)
    layer, idx = rest.split(")_")
    if layer not in ("1", "2") or not idx.isdigit() or any(c not in "123" for c in idx):
        raise ValueError(f"name must look like 'W(1)_12' or 'b(2)_1', got {name!r}")
    return letter + _SUPERSCRIPT_LAYER[int(layer)] + "".join(SUBSCRIPTS[int(c)] for c in idx)
