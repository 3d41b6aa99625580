"""What the gradient-flow measurements of Chapter 5 mean for the backward signal and for learning.

:mod:`backprop_lib.experiments.gradient_flow` measures ||dL/dW^(l)|| per layer. This module splits
that number into its parts and follows it into training:

* :func:`delta_rms` and :func:`delta_factor` - the size of the error signal delta^(l) itself
  (BP2), per layer and as the geometric-mean factor per hidden layer;
* :func:`batch_split` - BP3 for a batch is a mean, dL/dW^(l) = (1/B) sum_b delta_b a_b^T, so
  ||dL/dW^(l)|| = alignment^(l) * mean_b ||delta_b|| ||a_b||: the per-example size times how well
  the B rank-one terms point the same way (1 if all aligned, about 1/sqrt(B) if unrelated);
* :func:`train_weight_change` - plain gradient descent, recording ||W_t^(l) - W_0^(l)|| / ||W_0^(l)||;
* :func:`activation_quantiles`, :func:`input_spread` - the forward signal a^(l), layer by layer;
* :func:`block_growth` - how much each residual block multiplies the mean square of a^(l).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import finite_scalar, positive_int
from backprop_lib.experiments.gradient_flow import FlowProfile
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.optim import SGD
from backprop_lib.nn.residual import ResidualMLP


def delta_rms(profile: FlowProfile) -> np.ndarray:
    """Root mean square of the entries of delta^(l), pooled over the profile's seeds: shape (L,)."""
    if not isinstance(profile, FlowProfile):
        raise TypeError(f"profile must be a FlowProfile, got {type(profile).__name__}")
    return np.array([np.sqrt(np.mean(d ** 2)) for d in profile.abs_delta])


def delta_factor(profile: FlowProfile) -> float:
    """Geometric mean of rms(delta^(l)) / rms(delta^(l+1)) over the hidden layers L-1 down to 2:
    (rms(delta^(2)) / rms(delta^(L-1))) ** (1 / (L - 3)). Below 1 the error signal shrinks on its
    way to the input (it vanishes), above 1 it grows. Layers 1 and L are left out: their inputs
    and outputs have other widths (n_0 = 16, n_L = 1). Needs L >= 4."""
    r = delta_rms(profile)
    L = r.size
    if L < 4:
        raise ValueError(f"delta_factor needs depth L >= 4 (two hidden layers to compare), got {L}")
    return float((r[1] / r[L - 2]) ** (1.0 / (L - 3)))


def _check_net(net) -> None:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP (or a subclass), got {type(net).__name__}")


def batch_split(net: MLP, X, Y) -> tuple[np.ndarray, np.ndarray]:
    """``(per_example, alignment)``, both (L,), with ||dL/dW^(l)||_F = alignment * per_example.

    ``per_example[l-1]`` = mean over the B examples of ||delta_b^(l)|| ||a_b^(l-1)|| (the Frobenius
    norm of one example's rank-one term of BP3); ``alignment[l-1]`` = ||mean_b delta_b a_b^T|| /
    that mean, in [0, 1] by the triangle inequality. X (n_0, B), Y (n_L, B).
    """
    _check_net(net)
    _, cache = net.forward(X)
    grads = net.backward(cache, Y)
    L = net.num_layers
    per_example, alignment = np.empty(L), np.empty(L)
    for l in range(1, L + 1):
        terms = (np.linalg.norm(grads[f"delta{l}"], axis=0)
                 * np.linalg.norm(cache[f"a{l - 1}"], axis=0))
        per_example[l - 1] = terms.mean()
        alignment[l - 1] = np.linalg.norm(grads[f"W{l}"]) / terms.mean() if terms.mean() else 0.0
    return per_example, alignment


@dataclass(frozen=True)
class WeightChangeLog:
    """``steps`` (T,): the recorded step counts; ``change`` (T, L): ||W_t^(l) - W_0^(l)||_F /
    ||W_0^(l)||_F after that many steps; ``losses`` (steps + 1,): the loss before each step and
    after the last one."""

    steps: np.ndarray
    change: np.ndarray
    losses: np.ndarray


def train_weight_change(net: MLP, X, Y, lr: float, steps: int, record=None) -> WeightChangeLog:
    """Full-batch gradient descent W <- W - lr * dL/dW (``optim.SGD``), in place on ``net``, for
    ``steps`` steps; records the relative change of every W^(l) after the step counts in
    ``record`` (default: every step). X (n_0, B), Y (n_L, B)."""
    _check_net(net)
    lr, steps = finite_scalar(lr, "lr", positive=True), positive_int(steps, "steps")
    record = range(1, steps + 1) if record is None else record
    record = sorted({positive_int(t, "record step") for t in record})
    if record[-1] > steps:
        raise ValueError(f"record asks for step {record[-1]} of a run of {steps} steps")
    L = net.num_layers
    W0 = [net.params[f"W{l}"].copy() for l in range(1, L + 1)]
    norm0 = np.array([np.linalg.norm(W) for W in W0])
    opt, losses, change = SGD(net.params, lr=lr), [], []
    for t in range(1, steps + 1):
        loss, grads = net.loss_and_gradients(X, Y)
        losses.append(loss)
        opt.step(grads)
        if t in record:
            change.append([np.linalg.norm(net.params[f"W{l}"] - W0[l - 1])
                           for l in range(1, L + 1)] / norm0)
    losses.append(net.loss_and_gradients(X, Y)[0])
    return WeightChangeLog(np.array(record), np.array(change), np.array(losses))


def _hidden_activations(net: MLP, X) -> list[np.ndarray]:
    _check_net(net)
    _, cache = net.forward(X)
    return [cache[f"a{l}"] for l in range(1, net.num_layers)]


def activation_quantiles(net: MLP, X, q=(0.1, 0.25, 0.5, 0.75, 0.9)) -> np.ndarray:
    """Quantiles ``q`` of the entries of every hidden a^(l) (all units, all B examples of
    X (n_0, B)): shape (L - 1, len(q)); row l - 1 is layer l."""
    q = np.asarray(q, dtype=float)
    if q.ndim != 1 or q.size == 0 or np.any((q < 0) | (q > 1)):
        raise ValueError(f"q must be a non-empty 1-D sequence of levels in [0, 1], got {q!r}")
    return np.array([np.quantile(a, q) for a in _hidden_activations(net, X)])


def input_spread(net: MLP, X) -> np.ndarray:
    """How much a^(l) still depends on the input: per hidden layer, the standard deviation of
    each unit over the B examples, averaged over the units. Shape (L - 1,)."""
    return np.array([a.std(axis=1).mean() for a in _hidden_activations(net, X)])


def block_growth(net: ResidualMLP, X) -> np.ndarray:
    """mean(a^(l) ** 2) / mean(a^(l-1) ** 2) for every residual block l of ``net`` (entries
    pooled over units and the B examples of X (n_0, B)): shape (number of blocks,)."""
    if not isinstance(net, ResidualMLP):
        raise TypeError(f"net must be a ResidualMLP, got {type(net).__name__}")
    _, cache = net.forward(X)
    ms = lambda l: float(np.mean(cache[f"a{l}"] ** 2))
    return np.array([ms(l) / ms(l - 1) for l, r in enumerate(net.residual, start=1) if r])
