"""The symmetry-detection experiment of Rumelhart, Hinton & Williams (1986), vectorised.

Task: 6 binary inputs, all 2^6 = 64 patterns as the columns of ``X`` (6, 64); the target is 1 when
the pattern is mirror-symmetric about its centre (x_1 = x_6, x_2 = x_5, x_3 = x_4; 8 of the 64) and
0 otherwise.  Network 6-2-1, sigmoid everywhere, error E = ½ Σ_p (y_p − d_p)^2 *summed* over the
64 patterns, full-batch gradient descent with momentum (the paper's ε = 0.1, α = 0.9):

    Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1).

``backprop_lib.MLP.backward`` returns gradients of the batch-*mean* loss, so ∂E/∂w = 64 × those;
:func:`train_with_mlp` does exactly that with ``MLP`` and ``optim.SGD``.
:func:`train_symmetry_runs` runs many seeds at once with the same equations (BP1..BP4, stacked
over a leading seed axis S, and the same ``optim.SGD`` update) so that dozens of runs take a few
seconds; the tests check the two give the same trajectory.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backprop_lib._validation import finite_scalar, positive_int
from backprop_lib.nn.activations import sigmoid
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.optim import SGD

N_INPUTS = 6
SHAPES = {"W1": (2, 6), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}


def patterns() -> tuple[np.ndarray, np.ndarray]:
    """All 64 patterns ``X`` (6, 64) (column p is p in binary, most significant bit first) and
    targets ``d`` (1, 64): 1.0 for the 8 mirror-symmetric patterns, else 0.0."""
    p = np.arange(2 ** N_INPUTS)
    X = ((p[None, :] >> np.arange(N_INPUTS - 1, -1, -1)[:, None]) & 1).astype(float)
    d = np.all(X == X[::-1], axis=0).astype(float)[None, :]
    return X, d


def init_params(seed: int, scale: float = 0.3) -> dict[str, np.ndarray]:
    """Weights and biases uniform in [−scale, scale] (the paper: 0.3), drawn W1, b1, W2, b2 in
    that order from ``np.random.default_rng(seed)``."""
    scale = finite_scalar(scale, "scale", positive=True)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    return {k: rng.uniform(-scale, scale, size=s) for k, s in SHAPES.items()}


def summed_gradients(params: dict[str, np.ndarray], X: np.ndarray, d: np.ndarray):
    """Outputs y (S, 1, 64), E per seed (S,) and ∂E/∂params summed over patterns, for params
    stacked over seeds: W1 (S, 2, 6), b1 (S, 2, 1), W2 (S, 1, 2), b2 (S, 1, 1).

    BP1 δ2 = (y − d) ⊙ y(1 − y);  BP2 δ1 = W2ᵀ δ2 ⊙ a1(1 − a1);
    BP3 ∂E/∂W = Σ_p δ aᵀ;  BP4 ∂E/∂b = Σ_p δ  (sums, not means)."""
    a1 = sigmoid(params["W1"] @ X + params["b1"])
    y = sigmoid(params["W2"] @ a1 + params["b2"])
    E = 0.5 * np.sum((y - d) ** 2, axis=(1, 2))
    d2 = (y - d) * y * (1 - y)                                         # BP1
    d1 = (np.swapaxes(params["W2"], 1, 2) @ d2) * a1 * (1 - a1)        # BP2
    grads = {"W2": d2 @ np.swapaxes(a1, 1, 2), "b2": d2.sum(2, keepdims=True),   # BP3, BP4
             "W1": d1 @ X.T, "b1": d1.sum(2, keepdims=True)}
    return y, E, grads


def train_symmetry_runs(seeds: Sequence[int], sweeps: int, lr: float = 0.1,
                        momentum: float = 0.9, tol: float = 0.1, scale: float = 0.3) -> dict:
    """Train one network per seed for ``sweeps`` full sweeps (all seeds at once).

    Converged at sweep t when, with the weights after t updates, every one of the 64 outputs is
    within ``tol`` of its target.  Returns ``params`` (stacked, final), ``converged_at`` (S,) int
    (−1: never within the budget), ``error`` (sweeps + 1, S): E before each update and at the end,
    ``max_dev`` (sweeps + 1, S): max_p |y_p − d_p|, and ``outputs`` (S, 64) at the end."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must list at least one integer seed")
    sweeps = positive_int(sweeps, "sweeps")
    tol = finite_scalar(tol, "tol", positive=True)
    X, d = patterns()
    inits = [init_params(s, scale) for s in seeds]
    params = {k: np.stack([p[k] for p in inits]) for k in SHAPES}
    opt = SGD(params, lr=lr, momentum=momentum)   # Δw = −ε ∂E/∂w + α Δw_prev
    S = len(seeds)
    converged = np.full(S, -1)
    error, max_dev = np.empty((sweeps + 1, S)), np.empty((sweeps + 1, S))
    for t in range(sweeps + 1):
        y, E, grads = summed_gradients(params, X, d)
        error[t], max_dev[t] = E, np.abs(y - d).max(axis=(1, 2))
        converged[(converged < 0) & (max_dev[t] < tol)] = t
        if t == sweeps:
            break
        opt.step(grads)
    return {"seeds": seeds, "params": params, "converged_at": converged, "error": error,
            "max_dev": max_dev, "outputs": y[:, 0, :]}


def train_with_mlp(seed: int, sweeps: int, lr: float = 0.1, momentum: float = 0.9) -> MLP:
    """The same run with ``backprop_lib.MLP`` and ``optim.SGD``: MLP's gradients are batch means,
    so they are multiplied by B = 64 to give the paper's summed ∂E/∂w."""
    sweeps = positive_int(sweeps, "sweeps")
    X, d = patterns()
    net = MLP.from_params(init_params(seed), activation="sigmoid", output_activation="sigmoid",
                          loss="mse")
    opt = SGD(net.params, lr=lr, momentum=momentum)
    B = X.shape[1]
    for _ in range(sweeps):
        _, grads = net.loss_and_gradients(X, d)
        opt.step({k: B * grads[k] for k in net.params})
    return net


def mirror_ratios(W1: np.ndarray) -> np.ndarray:
    """For hidden weights W1 (2, 6): per hidden unit, the three mirror-pair magnitudes
    (|w_1|+|w_6|)/2, (|w_2|+|w_5|)/2, (|w_3|+|w_4|)/2 sorted and divided by the smallest,
    shape (2, 3); the paper's solution gives (1, 2, 4)."""
    W1 = np.asarray(W1, dtype=float)
    if W1.shape != (2, 6):
        raise ValueError(f"W1 must have shape (2, 6), got {W1.shape}")
    mags = (np.abs(W1[:, :3]) + np.abs(W1[:, ::-1][:, :3])) / 2
    mags = np.sort(mags, axis=1)
    return mags / mags[:, :1]


def antisymmetry(W1: np.ndarray) -> float:
    """max |w_i + w_{7−i}| / max |w|: 0 when mirror-image weights are exactly equal and opposite."""
    W1 = np.asarray(W1, dtype=float)
    if W1.shape != (2, 6):
        raise ValueError(f"W1 must have shape (2, 6), got {W1.shape}")
    return float(np.abs(W1 + W1[:, ::-1]).max() / np.abs(W1).max())


def matches_1_2_4(W1: np.ndarray, rtol: float = 0.1) -> bool:
    """True when both hidden units' sorted mirror-pair magnitudes are in the ratio 1 : 2 : 4
    to within ``rtol`` (relative), the paper's solution."""
    rtol = finite_scalar(rtol, "rtol", positive=True)
    return bool(np.allclose(mirror_ratios(W1), [[1, 2, 4], [1, 2, 4]], rtol=rtol, atol=0.0))


def half_sum_gap(W1: np.ndarray) -> np.ndarray:
    """Why the ratios work, per hidden unit (2,): the 8 patterns of the left half (inputs 1-3)
    give 8 sums Σ_i x_i w_i; return the smallest gap between two of them divided by the largest
    |w_i|.  Positive means every left half has its own sum, so only its mirror image on the
    right (weights −w) can cancel it: true for 1 : 2 : 4, and also for e.g. 2 : 3 : 4."""
    W1 = np.asarray(W1, dtype=float)
    if W1.shape != (2, 6):
        raise ValueError(f"W1 must have shape (2, 6), got {W1.shape}")
    halves = patterns()[0][3:, :8]           # the 8 patterns of 3 bits, as columns (3, 8)
    sums = np.sort(W1[:, :3] @ halves, axis=1)
    return np.diff(sums, axis=1).min(axis=1) / np.abs(W1[:, :3]).max(axis=1)


def first_below(max_dev: np.ndarray, level: float) -> np.ndarray:
    """Per run (S,): the first sweep t with max_dev[t] < ``level`` (−1: never); ``max_dev`` is the
    (T + 1, S) array returned by :func:`train_symmetry_runs`.  ``level`` = tol gives
    ``converged_at``; 0.5 means every output on the correct side of 0.5."""
    max_dev = np.asarray(max_dev, dtype=float)
    if max_dev.ndim != 2:
        raise ValueError(f"max_dev must be a (sweeps + 1, S) array, got shape {max_dev.shape}")
    below = max_dev < finite_scalar(level, "level", positive=True)
    return np.where(below.any(axis=0), below.argmax(axis=0), -1)
