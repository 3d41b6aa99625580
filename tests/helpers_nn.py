"""Plain helpers shared by the network tests (no fixtures; test files import from here only).

* The independent reference the backward-pass tests compare against: each network's forward pass
  written from its definition with ``autograd.numpy`` and differentiated by autograd, so the only
  thing shared with the library is the maths.  MLP, ResidualMLP and LayerNormMLP differ only in
  the hidden-layer step (:func:`hidden_step`).
* ``make_problem``: a network of a given class with non-zero biases, and inputs/targets that suit
  its loss; ``batch_loss`` for difference quotients.
* The course's worked 2-3-1 example (course brief) with its published inputs.
"""
from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd import grad
from autograd.scipy.special import erf

from backprop_lib import MLP, numerical_gradient
from backprop_lib.nn.layer_norm import LayerNormMLP
from backprop_lib.nn.residual import ResidualMLP

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


def flat(grads, L: int) -> np.ndarray:
    """The gradients of W1, b1, ..., WL, bL as one vector."""
    return np.concatenate([grads[k].ravel() for k in param_keys(L)])


def ag_layer_norm(z, eps):
    """zhat = (z - mean(z)) / sqrt(var(z) + eps), per column, from the definition."""
    mu = anp.mean(z, axis=0, keepdims=True)
    var = anp.mean((z - mu) ** 2, axis=0, keepdims=True)
    return (z - mu) / anp.sqrt(var + eps)


def hidden_step(net):
    """``step(l, z, a_prev, sigma)`` -> a^(l) of a hidden layer l < L, from each class's definition:

    MLP          a^(l) = sigma(z^(l))
    ResidualMLP  a^(l) = a^(l-1) + sigma(z^(l)) when n_l = n_{l-1}, else sigma(z^(l))
    LayerNormMLP a^(l) = sigma(layer_norm(z^(l)))
    """
    if isinstance(net, LayerNormMLP):
        return lambda l, z, a_prev, sigma: sigma(ag_layer_norm(z, net.eps))
    if isinstance(net, ResidualMLP):
        sizes = net.sizes
        return lambda l, z, a_prev, sigma: a_prev + sigma(z) if sizes[l] == sizes[l - 1] else sigma(z)
    return lambda l, z, a_prev, sigma: sigma(z)


def autograd_gradients(net, X, Y) -> dict:
    """dL/dW^(l), dL/db^(l) by autograd, with the hidden step of ``net``'s class; the output layer
    is always a^(L) = sigma(z^(L))."""
    L = net.num_layers
    keys = param_keys(L)
    step = hidden_step(net)

    def loss_of(theta):
        a = X
        for l in range(1, L + 1):
            z = anp.dot(theta[2 * l - 2], a) + theta[2 * l - 1]
            sigma = AG_ACTIVATIONS[net.activation_names[l - 1]]
            a = step(l, z, a, sigma) if l < L else sigma(z)
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


def make_problem(cls, widths, hidden, out_act, loss, seed, batch=5, init="xavier", **extra):
    """``(net, X, Y)``: a ``cls`` network seeded with ``seed`` (``extra``: e.g. LayerNormMLP's eps),
    random biases, and a batch of ``batch`` examples drawn from the same seed."""
    net = cls(widths, activation=hidden, output_activation=out_act, loss=loss, init=init, seed=seed, **extra)
    X, Y = random_biases_and_data(net, np.random.default_rng(seed), batch)
    return net, X, Y


def batch_loss(net, X, Y) -> float:
    """The batch-mean loss of ``net`` on (X, Y), from the logits where the loss allows it (exact
    when the output saturates, so a difference quotient of it keeps its digits)."""
    out, cache = net.forward(X)
    return net.loss(out, Y, cache)


def small_net(seed=0, loss="bce") -> MLP:
    """The small 2-3-1 network of the training tests: tanh + sigmoid/BCE, or sigmoid + identity/MSE."""
    if loss == "bce":
        return MLP([2, 3, 1], "tanh", "sigmoid", "bce", seed=seed)
    return MLP([2, 3, 1], "sigmoid", "identity", "mse", seed=seed)


def fd_grads(net, X, Y) -> dict[str, np.ndarray]:
    """Central-difference gradient (step 1e-6) of the batch-mean loss for every parameter,
    independent of BP."""
    return numerical_gradient(lambda: batch_loss(net, X, Y), net.params, eps=1e-6)


def activation_inputs(net, cache, l: int) -> np.ndarray:
    """What layer l's activation reads: zhat^(l) in a layer-normalised hidden layer, else z^(l)."""
    return cache.get(f"zhat{l}", cache[f"z{l}"])
