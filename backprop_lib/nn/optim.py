"""Optimisers and gradient clipping, acting in place on a parameter dict.

SGD with momentum, as in Rumelhart, Hinton & Williams (1986):

    v <- alpha * v - eta * g,        p <- p + v

(``momentum = 0`` is plain gradient descent, p <- p - eta * g).  Clipping by global norm rescales
all gradients together when their joint norm exceeds ``max_norm``:

    g <- g * min(1, max_norm / ||g||),   ||g|| = sqrt(sum over arrays of sum g^2).
"""
from __future__ import annotations

import math

from collections.abc import Iterable, Mapping, MutableMapping

import numpy as np

from backprop_lib._validation import finite_scalar


def _param_keys(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> list[str]:
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
        raise TypeError("params and grads must be dicts of arrays")
    keys = list(params)
    missing = [k for k in keys if k not in grads]
    if missing:
        raise ValueError(f"grads is missing {missing}; it must have every key of params {keys}")
    for k in keys:
        if np.shape(grads[k]) != np.shape(params[k]):
            raise ValueError(f"grads[{k!r}] has shape {np.shape(grads[k])}, params[{k!r}] has {np.shape(params[k])}")
    return keys


def global_norm(grads: Mapping[str, np.ndarray], keys: Iterable[str] | None = None) -> float:
    """sqrt of the sum of squares of every entry of the arrays named by ``keys`` (default: all).

    The per-array sums are added with ``math.fsum`` (exactly rounded): the built-in ``sum`` adds
    floats differently from Python 3.12 on, which moved the last bits of a clipped training run.
    """
    keys = list(grads) if keys is None else list(keys)
    return math.sqrt(math.fsum(float(np.sum(np.square(grads[k]))) for k in keys))


def clip_by_global_norm(grads: MutableMapping[str, np.ndarray], max_norm: float,
                        keys: Iterable[str] | None = None) -> float:
    """Rescale ``grads[k]`` for k in ``keys`` (default: the W and b keys) so their global norm is
    at most ``max_norm``; returns the norm *before* clipping.  Modifies ``grads`` in place."""
    max_norm = finite_scalar(max_norm, "max_norm", positive=True)
    keys = [k for k in grads if k[0] in "Wb"] if keys is None else list(keys)
    norm = global_norm(grads, keys)
    if norm > max_norm:
        scale = max_norm / norm
        for k in keys:
            grads[k] = grads[k] * scale
    return norm


class SGD:
    """Gradient descent with optional momentum on a parameter dict (updated in place).

    ``opt = SGD(net.params, lr=0.1, momentum=0.9)``; then ``opt.step(grads)`` once per batch.
    ``opt.velocity`` holds v for every parameter (zeros at the start).
    """

    def __init__(self, params: MutableMapping[str, np.ndarray], lr: float, momentum: float = 0.0):
        if not isinstance(params, MutableMapping):
            raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
        self.params = params
        self.lr = finite_scalar(lr, "lr", positive=True)
        self.momentum = finite_scalar(momentum, "momentum")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {self.momentum}")
        self.velocity = {k: np.zeros_like(p) for k, p in params.items()}

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """v <- momentum * v - lr * g;  p <- p + v, for every parameter."""
        for k in _param_keys(self.params, grads):
            v = self.velocity[k]
            if self.momentum == 0.0:  # plain gradient descent: v = -lr * g (kept, so a later
                np.multiply(grads[k], -self.lr, out=v)  # phase with momentum starts from it)
                self.params[k] += v
                continue
            v *= self.momentum
            v -= self.lr * grads[k]
            self.params[k] += v

    def reset(self) -> None:
        """Forget the velocity (as at construction)."""
        for v in self.velocity.values():
            v[...] = 0.0
