"""The independent reference the backward-pass tests compare against: each network's forward pass
written from its definition with ``autograd.numpy`` and differentiated by autograd, so the only thing
shared with the library is the maths.  Used by test_gradients_property (MLP), test_residual
(ResidualMLP) and test_normalization (LayerNormMLP), which differ only in the hidden-layer step.
"""
from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd import grad
from autograd.scipy.special import erf

AG_ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "elu": lambda z: anp.where(z > 0, z, anp.exp(anp.minimum(z, 0.0)) - 1.0),
    "gelu": lambda z: z * 0.5 * (1.0 + erf(z / anp.sqrt(2.0))),
    "silu": lambda z: z / (1.0 + anp.exp(-z)),
    "softmax": lambda z: anp.exp(z - anp.max(z, axis=0)) / anp.sum(anp.exp(z - anp.max(z, axis=0)), axis=0),
}
AG_LOSSES = {  # batch means, written from the definitions
    "mse": lambda a, Y: anp.mean(0.5 * anp.sum((a - Y) ** 2, axis=0)),
    "bce": lambda a, Y: anp.mean(-anp.sum(Y * anp.log(a) + (1 - Y) * anp.log(1 - a), axis=0)),
    "softmax_ce": lambda a, Y: anp.mean(-anp.sum(Y * anp.log(a), axis=0)),
}
AG_LOSSES_OF_LOGITS = {  # -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z;  -y log softmax(z)
    ("sigmoid", "bce"): lambda z, Y: anp.mean(anp.sum(anp.logaddexp(0.0, z) - Y * z, axis=0)),
    ("softmax", "softmax_ce"): lambda z, Y: anp.mean(-anp.sum(
        Y * (z - anp.max(z, axis=0) - anp.log(anp.sum(anp.exp(z - anp.max(z, axis=0)), axis=0))), axis=0)),
}


def param_keys(L: int) -> list[str]:
    return [f"{k}{l}" for l in range(1, L + 1) for k in "Wb"]


def plain_hidden_step(l, z, a_prev, sigma):
    """a^(l) = sigma(z^(l)): the MLP's hidden layer."""
    return sigma(z)


def autograd_gradients(net, X, Y, hidden_step=plain_hidden_step) -> dict:
    """dL/dW^(l), dL/db^(l) by autograd.  ``hidden_step(l, z, a_prev, sigma)`` returns a^(l) of a
    hidden layer l < L; the output layer is always a^(L) = sigma(z^(L))."""
    L = net.num_layers
    keys = param_keys(L)

    def loss_of(theta):
        a = X
        for l in range(1, L + 1):
            z = anp.dot(theta[2 * l - 2], a) + theta[2 * l - 1]
            sigma = AG_ACTIVATIONS[net.activation_names[l - 1]]
            a = hidden_step(l, z, a, sigma) if l < L else sigma(z)
        pair = (net.activation_names[-1], net.loss_name)
        if pair in AG_LOSSES_OF_LOGITS:
            # the same loss written on the logits: log(1 - sigmoid(z)) computed as written loses
            # every digit once a saturates, and the reference must not be the less accurate side
            return AG_LOSSES_OF_LOGITS[pair](z, Y)
        return AG_LOSSES[net.loss_name](a, Y)

    return dict(zip(keys, grad(loss_of)([net.params[k] for k in keys])))


def random_biases_and_data(net, rng, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Give ``net`` non-zero biases (so every term of BP4 is exercised) and draw inputs X (n_0, B)
    and targets Y (n_L, B) that suit its loss, in that order from ``rng``."""
    sizes = net.sizes
    for l in range(1, net.num_layers + 1):
        net.params[f"b{l}"][:] = rng.normal(0, 0.5, size=(sizes[l], 1))
    X = rng.normal(size=(sizes[0], batch))
    if net.loss_name == "softmax_ce":
        Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], size=batch)]
    elif net.loss_name == "bce":
        Y = rng.uniform(size=(sizes[-1], batch))
    else:
        Y = rng.normal(size=(sizes[-1], batch))
    return X, Y
