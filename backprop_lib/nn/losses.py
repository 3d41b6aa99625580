"""Loss functions by name: the batch-mean value and the per-example gradient dL/da.

Convention (the same in the book's prose): for a batch of B examples (columns),

* ``"mse"``        L = (1/B) sum_x  1/2 ||a - y||^2
* ``"bce"``        L = (1/B) sum_x -sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)]
* ``"softmax_ce"`` L = (1/B) sum_x -sum_i y_i log p_i     (p = softmax output, y one-hot)

``grad_a(a, Y)`` returns the gradient of the *per-example* loss, shape (n_L, B); the network
divides by B once, in BP3/BP4.  Values at saturated outputs stay finite without warnings: from
probabilities ``a``, logs are clipped at the smallest positive double (log = -708); from logits
(``value_from_logits``) the loss is exact for any finite logit.

The two cancellations taught in the book are ``OUTPUT_ERROR_SHORTCUTS``: for sigmoid + BCE and
softmax + softmax-CE, BP1 collapses to delta^(L) = a - y.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import valid_name
from backprop_lib.nn.activations import log_softmax

_TINY = np.finfo(np.float64).tiny


def _safe_log(x: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(x, _TINY))


def _mse_value(a, Y):
    return 0.5 * np.sum((a - Y) ** 2, axis=0)


def _bce_value(a, Y):
    return -np.sum(Y * _safe_log(a) + (1.0 - Y) * _safe_log(1.0 - a), axis=0)


def _bce_grad(a, Y):
    # d/da of -[y log a + (1-y) log(1-a)] = (a - y) / (a (1 - a)); clipped so it stays finite.
    denom = np.maximum(a * (1.0 - a), _TINY)
    return (a - Y) / denom


def _bce_from_logits(z, Y):
    # -[y log s(z) + (1-y) log(1-s(z))] = max(z, 0) - z y + log(1 + e^{-|z|})
    return np.sum(np.maximum(z, 0.0) - z * Y + np.log1p(np.exp(-np.abs(z))), axis=0)


def _ce_value(a, Y):
    return -np.sum(Y * _safe_log(a), axis=0)


def _ce_grad(a, Y):
    return -Y / np.maximum(a, _TINY)


def _ce_from_logits(z, Y):
    return -np.sum(Y * log_softmax(z), axis=0)


@dataclass(frozen=True)
class Loss:
    """A named loss. ``per_example(a, Y)`` has shape (B,); ``grad_a`` has the shape of ``a``."""

    name: str
    per_example: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad_a: Callable[[np.ndarray, np.ndarray], np.ndarray]
    per_example_from_logits: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    target_range: tuple[float, float] | None = None
    targets_are_distributions: bool = False

    def value(self, a: np.ndarray, Y: np.ndarray) -> float:
        """Batch-mean loss for outputs ``a`` and targets ``Y``, both (n_L, B)."""
        return float(np.mean(self.per_example(a, Y)))

    def value_from_logits(self, z: np.ndarray, Y: np.ndarray) -> float:
        """Batch-mean loss computed from the output pre-activations (exact when saturated)."""
        if self.per_example_from_logits is None:
            raise ValueError(f"loss {self.name!r} has no logits form")
        return float(np.mean(self.per_example_from_logits(z, Y)))

    def validate_targets(self, Y: np.ndarray) -> None:
        """Raise ``ValueError`` if ``Y`` is not a valid target for this loss."""
        if self.target_range is not None:
            lo, hi = self.target_range
            if Y.min() < lo or Y.max() > hi:
                raise ValueError(f"{self.name} targets must lie in [{lo:g}, {hi:g}], "
                                 f"got values from {Y.min():g} to {Y.max():g}")
        if self.targets_are_distributions:
            sums = Y.sum(axis=0)
            if not np.allclose(sums, 1.0, atol=1e-6):
                worst = int(np.argmax(np.abs(sums - 1.0)))
                raise ValueError(f"{self.name} targets must be one-hot (each column sums to 1), "
                                 f"column {worst} sums to {sums[worst]:g}")


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse_value, lambda a, Y: a - Y),
    "bce": Loss("bce", _bce_value, _bce_grad, _bce_from_logits, target_range=(0.0, 1.0)),
    "softmax_ce": Loss("softmax_ce", _ce_value, _ce_grad, _ce_from_logits, target_range=(0.0, 1.0),
                       targets_are_distributions=True),
}

# (output activation, loss) pairs for which BP1 simplifies to delta^(L) = a - y exactly.
OUTPUT_ERROR_SHORTCUTS = {("sigmoid", "bce"), ("softmax", "softmax_ce")}

# The output activation each loss needs (None: any).
REQUIRED_OUTPUT = {"mse": None, "bce": "sigmoid", "softmax_ce": "softmax"}


def get_loss(name: str) -> Loss:
    """Look up a loss by name; the error lists the valid names."""
    return LOSSES[valid_name(name, LOSSES, "loss")]
