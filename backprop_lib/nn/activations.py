"""Activation functions by name, each with the derivative that BP1 and BP2 need.

Every activation maps pre-activations ``z`` of shape ``(n_l, B)`` to activations ``a`` of the
same shape.  Elementwise activations carry ``derivative(z, a)`` = sigma'(z), so that

    BP1/BP2:  delta = grad_a ⊙ sigma'(z).

Softmax is not elementwise: its Jacobian is ``diag(p) - p p^T`` per example, and
:meth:`Activation.backward` applies it as a vector-Jacobian product instead.

Conventions: ``relu'(0) = 0`` and ``leaky_relu'(0) = 0.01`` (the left derivative at the kink);
``leaky_relu`` has slope 0.01; ``elu`` has alpha = 1; ``gelu`` is the exact ``z * Phi(z)``.
All functions are written so that large inputs (|z| = 1e4) give finite values and no warnings.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr  # standard normal CDF Phi, exact to double precision

from backprop_lib._validation import valid_name

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + e^{-z}), computed without overflow for any finite z."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z: np.ndarray) -> np.ndarray:
    """Column-wise softmax of ``z`` (C, B): p_i = e^{z_i} / sum_j e^{z_j}, shifted by the max."""
    shifted = z - np.max(z, axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=0, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Column-wise log p for logits ``z`` (C, B), exact even for logits of +-1e4."""
    shifted = z - np.max(z, axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """A named activation: ``forward(z) -> a`` and, if elementwise, ``derivative(z, a)``."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray] | None
    elementwise: bool = True

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(z)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """Return dL/dz given dL/da (all (n, B)): ``grad_a ⊙ sigma'(z)`` (BP1/BP2), or for
        softmax the vector-Jacobian product ``p ⊙ (g - sum_i p_i g_i)``."""
        if self.elementwise:
            return grad_a * self.derivative(z, a)
        return a * (grad_a - np.sum(a * grad_a, axis=0, keepdims=True))

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """The Jacobian da/dz for one example ``z`` of shape (n, 1): an (n, n) matrix
        (diagonal Sigma'(z) for elementwise activations, diag(p) - p p^T for softmax)."""
        a = self.forward(z)
        if self.elementwise:
            return np.diag(self.derivative(z, a)[:, 0])
        p = a[:, 0]
        return np.diag(p) - np.outer(p, p)


def _gelu(z):
    return z * ndtr(z)


def _gelu_derivative(z, a):
    return ndtr(z) + z * _INV_SQRT_2PI * np.exp(-0.5 * np.minimum(z * z, 1e4))


def _silu_derivative(z, a):
    s = sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation("identity", lambda z: z, lambda z, a: np.ones_like(z)),
    "sigmoid": Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a)),
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "leaky_relu": Activation("leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
                             lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)),
    "elu": Activation("elu", lambda z: np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
                      lambda z, a: np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))),
    "gelu": Activation("gelu", _gelu, _gelu_derivative),
    "silu": Activation("silu", lambda z: z * sigmoid(z), _silu_derivative),
    "softmax": Activation("softmax", softmax, None, elementwise=False),
}

HIDDEN_ACTIVATIONS = tuple(name for name, act in ACTIVATIONS.items() if act.elementwise)


def get_activation(name: str) -> Activation:
    """Look up an activation by name; the error lists the valid names."""
    return ACTIVATIONS[valid_name(name, ACTIVATIONS, "activation")]
