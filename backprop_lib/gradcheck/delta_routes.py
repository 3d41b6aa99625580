"""Independent routes to the error signals delta^(l), to check BP1-BP4 against (Chapter 3).

``MLP.backward`` computes delta^(l) = dL_x/dz^(l) by the recursion BP1 + BP2.  The functions here
get the same numbers by other means, so a notebook (or a test) can show that the recursion is
right rather than assert it:

* :func:`numerical_delta`  - nudge each z^(l)_j by +-eps and finish the forward pass from there
  (central differences in z, the definition of delta itself);
* :func:`delta_by_jacobians` - the unrolled diagonal-matrix form
  delta^(l) = Sigma'(z^(l)) (W^(l+1))^T Sigma'(z^(l+1)) ... (W^(L))^T J_L^T grad_a C,
  one explicit matrix per layer (J_L = Sigma'(z^(L)), or diag(p) - p p^T for softmax);
* :func:`per_example_mean` - run the backward pass on each column of the batch separately and
  average: the batch form of BP3/BP4 must agree with it.

Shapes: X (n_0, B), Y (n_L, B); delta^(l) (n_l, B); per-example loss C_x, batch loss
L = (1/B) sum_x C_x, so delta is the gradient of C_x, i.e. B times dL/dz^(l).
"""
from __future__ import annotations

import numpy as np

from backprop_lib._validation import finite_scalar, positive_int
from backprop_lib.gradcheck.finite_diff import central_difference_at
from backprop_lib.nn.mlp import MLP


def _check(net, layer) -> int:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    layer = positive_int(layer, "layer")
    if layer > net.num_layers:
        raise ValueError(f"layer must be between 1 and L = {net.num_layers}, got {layer}")
    return layer


def loss_from_z(net: MLP, Y, layer: int, z) -> float:
    """The batch-mean loss L when the pre-activations of ``layer`` are set to ``z`` (n_l, B)
    and the forward pass is finished from there: a^(l) = sigma(z), z^(l+1) = W^(l+1) a^(l) + b, ..."""
    layer = _check(net, layer)
    z = np.asarray(z, dtype=net.dtype)
    if z.ndim != 2 or z.shape[0] != net.sizes[layer]:
        raise ValueError(f"z must have shape ({net.sizes[layer]}, B) for layer {layer}, got {z.shape}")
    a = net.activations[layer - 1].forward(z)
    for l in range(layer + 1, net.num_layers + 1):
        z = net.params[f"W{l}"] @ a + net.params[f"b{l}"]
        a = net.activations[l - 1].forward(z)
    return net.loss(a, Y)


def numerical_delta(net: MLP, X, Y, layer: int, eps: float = 1e-6) -> np.ndarray:
    """delta^(layer) (n_l, B) by central differences in z: B (L(z + eps e_jb) - L(z - eps e_jb)) / (2 eps).

    The factor B turns the derivative of the batch mean into the per-example delta that
    ``MLP.backward`` returns.  Costs 2 n_l B partial forward passes; float64 only.
    """
    layer = _check(net, layer)
    eps = finite_scalar(eps, "eps", positive=True)
    _, cache = net.forward(X)
    z = cache[f"z{layer}"]
    B = z.shape[1]
    Y = net.as_targets(Y, B)
    z = z.copy()                       # nudged in place, one entry at a time
    delta = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        delta[idx] = B * central_difference_at(lambda: loss_from_z(net, Y, layer, z), z, idx, eps)
    return delta


def output_jacobian(net: MLP, z_L: np.ndarray) -> np.ndarray:
    """da^(L)/dz^(L) for one example z_L (n_L, 1): Sigma'(z^(L)) or, for softmax, diag(p) - p p^T."""
    return net.activations[-1].jacobian(z_L)


def delta_by_jacobians(net: MLP, x, y, layer: int) -> np.ndarray:
    """delta^(layer) (n_l, 1) for ONE example as an explicit product of matrices (the diagonal form):

        delta^(L) = J_L^T grad_a C                                        (BP1)
        delta^(l) = Sigma'(z^(l)) (W^(l+1))^T delta^(l+1),  l = L-1, ..., layer   (BP2)
    """
    layer = _check(net, layer)
    out, cache = net.forward(x)
    if out.shape[1] != 1:
        raise ValueError(f"delta_by_jacobians works on one example: x must have shape ({net.sizes[0]}, 1), "
                         f"got {np.shape(x)}")
    y = net.as_targets(y, 1)
    L = net.num_layers
    delta = output_jacobian(net, cache[f"z{L}"]).T @ net.loss_function.grad_a(out, y)
    for l in range(L - 1, layer - 1, -1):
        Sigma = net.activations[l - 1].jacobian(cache[f"z{l}"])          # diagonal (n_l, n_l)
        delta = Sigma @ net.params[f"W{l + 1}"].T @ delta
    return delta


def per_example_mean(net: MLP, X, Y) -> dict[str, np.ndarray]:
    """The mean over the batch of the gradients computed one example (column) at a time."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    out, _ = net.forward(X)
    Y = net.as_targets(Y, out.shape[1])
    X = np.asarray(X, dtype=net.dtype)
    B = X.shape[1]
    total = {k: np.zeros_like(v) for k, v in net.params.items()}
    for b in range(B):
        grads = net.backward(net.forward(X[:, b:b + 1])[1], Y[:, b:b + 1])
        for k in total:
            total[k] += grads[k] / B
    return total
