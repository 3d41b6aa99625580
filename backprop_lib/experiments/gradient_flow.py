"""Gradient-flow experiments: how the size of dL/dW^(l) changes from the last layer to the first.

By BP2, delta^(l) = ((W^(l+1))^T delta^(l+1)) ⊙ sigma'(z^(l)), so

    ||delta^(l)|| <= max|sigma'| * ||W^(l+1)||_2 * ||delta^(l+1)||                       (bound)

and by BP3, dL/dW^(l) = (1/B) delta^(l) (a^(l-1))^T.  The functions here build deep networks on
synthetic data and measure, averaged over seeds:

* :func:`gradient_norm_profile` - ||dL/dW^(l)||_F for l = 1..L (plain, residual or layer-normalised);
* :func:`delta_bound` - the bound above, layer by layer, next to the measured ||delta^(l)||;
* :func:`dead_fraction` - the fraction of ReLU units that output 0 for every example of a batch;
* :func:`descend_with_clipping` - plain gradient descent, optionally clipped with
  ``clip_by_global_norm``.

Networks: ``depth`` = L layers with weights, L - 1 hidden layers of ``width`` units, one linear
output unit and the MSE loss, so the output layer can never be a dead ReLU.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from backprop_lib._validation import finite_scalar, as_flag, valid_name, positive_int
from backprop_lib.nn.activations import HIDDEN_ACTIVATIONS
from backprop_lib.nn.init import INITIALIZERS
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.layer_norm import LayerNormMLP
from backprop_lib.nn.optim import SGD, clip_by_global_norm, global_norm
from backprop_lib.nn.residual import ResidualMLP

FLOW_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
# max over z of |sigma'(z)|: the factor of the bound per layer
MAX_DERIVATIVE = {"identity": 1.0, "sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0}
N_IN = 16


def synthetic_data(batch: int = 64, n_in: int = N_IN, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs X (n_in, batch) ~ N(0, 1) and targets Y (1, batch) = sin(w^T x) for a fixed unit w."""
    batch, n_in = positive_int(batch, "batch"), positive_int(n_in, "n_in")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_in, batch))
    w = rng.normal(size=(1, n_in))
    return X, np.sin(w @ X / np.linalg.norm(w))


def deep_net(depth: int, activation: str = "sigmoid", init: str = "xavier", weight_scale: float = 1.0,
             width: int = 64, seed: int = 0, residual: bool = False, n_in: int = N_IN, *,
             normalize: bool = False) -> MLP:
    """An L = ``depth`` network [n_in, width, ..., width, 1] with a linear output and MSE loss.

    Weights are drawn by ``init`` and then multiplied by ``weight_scale``; biases are zero.
    ``residual=True`` gives a :class:`ResidualMLP` (hidden layers 2..L-1 are residual blocks);
    ``normalize=True`` a :class:`LayerNormMLP` (every hidden z^(l) is layer-normalised). The same
    seed draws the same weights in all three, so they differ only in the architecture.
    """
    depth = positive_int(depth, "depth")
    if depth < 2:
        raise ValueError(f"depth must be at least 2 (one hidden layer and the output), got {depth}")
    valid_name(activation, HIDDEN_ACTIVATIONS, "activation")
    valid_name(init, INITIALIZERS, "init")
    scale = finite_scalar(weight_scale, "weight_scale", positive=True)
    residual, normalize = as_flag(residual, "residual"), as_flag(normalize, "normalize")
    if residual and normalize:
        raise ValueError("residual=True and normalize=True together are not supported: "
                         "LayerNormMLP has no skip connections")
    cls = LayerNormMLP if normalize else ResidualMLP if residual else MLP
    net = cls([n_in] + [positive_int(width, "width")] * (depth - 1) + [1], activation=activation,
              output_activation="identity", loss="mse", init=init, seed=seed)
    for l in range(1, depth + 1):
        net.params[f"W{l}"] *= scale
    return net


def weight_gradient_norms(grads: dict[str, np.ndarray]) -> np.ndarray:
    """||dL/dW^(l)||_F for l = 1..L from a gradient dict ``{"W1": ..., "WL": ...}``: shape (L,)."""
    L = sum(1 for k in grads if k.startswith("W"))
    return np.array([np.linalg.norm(grads[f"W{l}"]) for l in range(1, L + 1)])


@dataclass(frozen=True)
class FlowProfile:
    """Per-layer gradient norms of one setting over several seeds.

    ``norms`` (S, L): ||dL/dW^(l)||_F per seed; ``mean`` (L,): mean over seeds; ``dead`` (S, L-1):
    fraction of dead hidden units; ``delta_zero`` (L,): the fraction of delta^(l) entries that are
    exactly 0 (ReLU units with z <= 0); ``abs_delta``: per layer, every |delta^(l)| entry pooled over
    seeds; ``delta_q`` (L, 3): their 10/50/90 % quantiles over the *non-zero* entries (0 where every
    entry is 0), computed on first use (the explorer only needs them when it shows the spread).
    """

    norms: np.ndarray
    dead: np.ndarray
    delta_zero: np.ndarray
    abs_delta: tuple[np.ndarray, ...] = field(repr=False, compare=False)

    @cached_property
    def delta_q(self) -> np.ndarray:
        return np.array([np.quantile(p[p > 0], [0.1, 0.5, 0.9]) if np.any(p > 0) else np.zeros(3)
                         for p in self.abs_delta])

    @property
    def mean(self) -> np.ndarray:
        return self.norms.mean(axis=0)

    @property
    def ratio(self) -> float | None:
        """mean ||dL/dW^(1)|| / mean ||dL/dW^(L)||, or None when the last one is exactly zero."""
        return first_last_ratio(self.mean)

    def ratio_text(self, fmt: str = ".3g") -> str:
        """The first/last ratio as text; never a division by zero."""
        return ratio_text(self.mean, fmt)


def first_last_ratio(norms) -> float | None:
    """norms[0] / norms[-1] for per-layer gradient norms (L,), or None if norms[-1] is exactly 0."""
    norms = np.asarray(norms, dtype=float)
    if norms.ndim != 1 or norms.size < 2:
        raise ValueError(f"norms must be a 1-D array of at least 2 per-layer norms, got shape {norms.shape}")
    return None if norms[-1] == 0.0 else float(norms[0] / norms[-1])


def ratio_text(norms, fmt: str = ".3g") -> str:
    """The first/last ratio formatted with ``fmt``, or the reason it is undefined (never NaN)."""
    r = first_last_ratio(norms)
    if r is None:
        return "undefined: every unit dead (the last layer's gradient is exactly 0)"
    return format(r, fmt)


def gradient_norm_profile(depth: int, activation: str = "sigmoid", init: str = "xavier",
                          weight_scale: float = 1.0, seeds=(0, 1, 2), width: int = 64,
                          residual: bool = False, batch: int = 64, *, normalize: bool = False) -> FlowProfile:
    """Measure ||dL/dW^(l)|| for l = 1..depth on :func:`synthetic_data`, one network per seed
    (``residual``, ``normalize``: see :func:`deep_net`)."""
    seeds = tuple(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in seeds):
        raise TypeError(f"seeds must be a non-empty sequence of integers, got {seeds!r}")
    X, Y = synthetic_data(batch)
    norms, dead, deltas = [], [], []
    for s in seeds:
        net = deep_net(depth, activation, init, weight_scale, width, int(s), residual, normalize=normalize)
        _, cache = net.forward(X)
        grads = net.backward(cache, Y)
        norms.append(weight_gradient_norms(grads))
        dead.append(_dead_from_cache(net, cache))
        deltas.append([np.abs(grads[f"delta{l}"]).ravel() for l in range(1, depth + 1)])
    pooled = [np.concatenate([d[l] for d in deltas]) for l in range(depth)]
    zero = np.array([float(np.mean(p == 0.0)) for p in pooled])
    return FlowProfile(np.array(norms), np.array(dead), zero, tuple(pooled))


def _dead_from_cache(net: MLP, cache) -> np.ndarray:
    """Per hidden layer: the fraction of units with sigma' = 0 on every column of the batch."""
    return np.array([float(np.mean(np.all(net.sigma_prime(cache, l) == 0.0, axis=1)))
                     for l in range(1, net.num_layers)])


def dead_fraction(net: MLP, X) -> np.ndarray:
    """Fraction of units of each hidden layer with sigma'(z^(l)) = 0 for *every* column of ``X``.

    For ReLU that means z <= 0 on the whole batch (``X`` is (n_0, B)): the unit outputs 0, by BP2
    it passes no gradient back and by BP3 its incoming weights get none: it is *dead* on this data.
    (Leaky ReLU, tanh and sigmoid units are never dead unless sigma' underflows.) Shape (L - 1,).
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP (or ResidualMLP), got {type(net).__name__}")
    _, cache = net.forward(X)
    return _dead_from_cache(net, cache)


def delta_bound(net: MLP, grads: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Measured ||delta^(l)||_F and the bound ||delta^(L)||_F * prod_{k=l+1}^{L} s * ||W^(k)||_2,
    with s = max|sigma'| of layer k-1's activation (plain MLP only). Both of shape (L,)."""
    if type(net) is not MLP:   # subclasses change BP2 (a skip term, a normalisation)
        raise TypeError("delta_bound needs a plain MLP (BP2 without a skip term or a normalisation), "
                        f"got {type(net).__name__}")
    L = net.num_layers
    measured = np.array([np.linalg.norm(grads[f"delta{l}"]) for l in range(1, L + 1)])
    bound = np.empty(L)
    bound[-1] = measured[-1]
    for l in range(L - 1, 0, -1):
        s = MAX_DERIVATIVE.get(net.activation_names[l - 1], np.inf)
        bound[l - 1] = bound[l] * s * np.linalg.norm(net.params[f"W{l + 1}"], 2)
    return measured, bound


@dataclass(frozen=True)
class DescentLog:
    """``losses`` (steps run,), ``norms`` (global gradient norm before clipping, per step);
    ``diverged`` is True when the loss left [0, ``limit``] and training stopped."""

    losses: np.ndarray
    norms: np.ndarray
    diverged: bool


def descend_with_clipping(net: MLP, X, Y, lr: float, steps: int, clip: float | None = None,
                          limit: float = 1e12) -> DescentLog:
    """Plain gradient descent p <- p - lr * g (``optim.SGD`` without momentum) for ``steps``
    steps, in place on ``net.params``; X (n_0, B), Y (n_L, B).

    With ``clip``, the gradients are first rescaled by ``clip_by_global_norm(grads, clip)``.
    Stops early, marking ``diverged``, once the loss exceeds ``limit`` (before it can overflow).
    """
    opt = SGD(net.params, lr=lr)
    steps = positive_int(steps, "steps")
    if clip is not None:
        clip = finite_scalar(clip, "clip", positive=True)
    losses, norms = [], []
    for _ in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is detected below
            loss, grads = net.loss_and_gradients(X, Y)
        losses.append(loss)
        if not np.isfinite(loss) or loss > limit:
            return DescentLog(np.array(losses), np.array(norms), True)
        norm = (clip_by_global_norm(grads, clip) if clip is not None
                else global_norm(grads, [k for k in grads if k[0] in "Wb"]))
        norms.append(norm)
        opt.step(grads)
    return DescentLog(np.array(losses), np.array(norms), False)
