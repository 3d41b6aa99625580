"""Many XOR-sized networks trained at once, to measure how often training succeeds.

Whether plain gradient descent solves XOR depends on the random starting weights.  To measure the
*fraction* of initialisations that converge we train S networks, one per seed, stacked along a
leading axis, so one NumPy operation updates all of them.  The equations are BP1-BP4, written
out for the stack, and the momentum update of :class:`backprop_lib.nn.optim.SGD`, which acts on
stacked arrays as they are (tests check them against :func:`backprop_lib.nn.train.train` on
single networks).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backprop_lib._validation import positive_int
from backprop_lib.nn.activations import sigmoid
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.optim import SGD
from backprop_lib.nn.train import checked_xy


def train_many_inits(X, Y, hidden: int, seeds: Sequence[int], *, epochs: int, lr: float,
                     momentum: float = 0.0, init: str = "xavier", final_state: bool = False):
    """Full-batch training of one 2-layer sigmoid + BCE network per seed, all at once.

    The S networks ``MLP([n_0, hidden, 1], "sigmoid", "sigmoid", "bce", init, seed)`` are stacked
    along a leading axis (W1: (S, hidden, n_0), ...) and trained with the same BP1-BP4 and
    momentum updates as :func:`backprop_lib.nn.train.train`, vectorised over seeds.  Returns
    the loss curves (S, epochs + 1): column 0 is the loss before training.  Y must be (1, B).
    With ``final_state=True`` it returns ``(curves, state)``: ``state`` holds the final stacked
    ``params``, the hidden activations ``a1`` (S, hidden, B) and ``grad_norm`` (S,), the norm of
    the whole gradient (all four parameter arrays) at the end of training.
    """
    X, Y = checked_xy(X, Y)
    if Y.shape[0] != 1:
        raise ValueError(f"Y must have one row (binary targets), got shape {Y.shape}")
    hidden, epochs = positive_int(hidden, "hidden"), positive_int(epochs, "epochs")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must be a non-empty list of integers")
    nets = [MLP([X.shape[0], hidden, 1], "sigmoid", "sigmoid", "bce", init, seed=s) for s in seeds]
    P = {k: np.stack([n.params[k] for n in nets]) for k in ("W1", "b1", "W2", "b2")}
    opt = SGD(P, lr=lr, momentum=momentum)          # v <- momentum v - lr g, p <- p + v
    B = X.shape[1]
    curves = np.empty((len(seeds), epochs + 1))
    for t in range(epochs + 1):
        Z1 = P["W1"] @ X + P["b1"]
        A1 = sigmoid(Z1)
        Z2 = P["W2"] @ A1 + P["b2"]                                          # (S, 1, B)
        curves[:, t] = np.mean(np.maximum(Z2, 0) - Z2 * Y + np.log1p(np.exp(-np.abs(Z2))), axis=(1, 2))
        d2 = sigmoid(Z2) - Y                                                 # BP1, sigmoid + BCE
        d1 = (np.swapaxes(P["W2"], 1, 2) @ d2) * A1 * (1.0 - A1)             # BP2
        G = {"W2": d2 @ np.swapaxes(A1, 1, 2) / B, "b2": d2.mean(axis=2, keepdims=True),  # BP3, BP4
             "W1": d1 @ X.T / B, "b1": d1.mean(axis=2, keepdims=True)}
        if t == epochs:
            break
        opt.step(G)
    if not final_state:
        return curves
    grad_norm = np.sqrt(sum(np.sum(g ** 2, axis=(1, 2)) for g in G.values()))
    return curves, {"params": P, "a1": A1, "grad_norm": grad_norm}
