"""A checker for hand-written backward passes: compare a learner's BP1-BP4 with ``MLP.backward``.

The learner writes a function

    learner_fn(params, cache, Y) -> {"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}

where ``params`` is the network's parameter dict (``W{l}`` of shape (n_l, n_{l-1}), ``b{l}`` of
shape (n_l, 1)), ``cache`` is what ``MLP.forward`` returns (``"a0"`` = X of shape (n_0, B) and
``"z{l}"``, ``"a{l}"`` of shape (n_l, B)) and ``Y`` are the targets (n_L, B).  The gradients must
follow the library's convention: per-example error signals, averaged over the batch in BP3/BP4,

    BP1  delta^(L) = grad_a L_x ⊙ sigma'(z^(L))        (MSE: grad_a L_x = a - y, with the 1/2)
    BP2  delta^(l) = ((W^(l+1))^T delta^(l+1)) ⊙ sigma'(z^(l))
    BP3  dL/dW^(l) = (1/B) delta^(l) (a^(l-1))^T
    BP4  dL/db^(l) = (1/B) delta^(l) 1               (the row sums of delta^(l), divided by B)

:func:`check_backward` builds random networks with seeded weights and biases, calls both, and
reports (with :func:`backprop_lib.teaching.checkers.check_arrays`) the first gradient that is off, *in the
order the backward pass computes them* (W_L, b_L, ..., W_1, b_1), so the first one named is where
the mistake starts.  It never raises because of the learner's code.
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from backprop_lib._validation import finite_scalar, positive_int, valid_name
from backprop_lib.nn.activations import HIDDEN_ACTIVATIONS
from backprop_lib.teaching.checkers import check_arrays
from backprop_lib.teaching.verdicts import FAIL, PASS, CheckResult, learner_call
from backprop_lib.nn.losses import REQUIRED_OUTPUT
from backprop_lib.nn.mlp import MLP

LearnerBackward = Callable[[dict, dict, np.ndarray], Mapping[str, np.ndarray]]


def random_problem(sizes: Sequence[int] = (3, 4, 2), activation: str = "sigmoid",
                   output_activation: str = "sigmoid", loss: str = "mse", batch: int = 5,
                   seed: int = 0) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A seeded network with random weights *and* biases, inputs X (n_0, B) and valid targets Y.

    Weights are Xavier-scaled normals, biases N(0, 0.5^2), inputs N(0, 1); targets are uniform
    in [0, 1] (MSE, BCE) or one-hot (softmax cross-entropy).
    """
    batch = positive_int(batch, "batch")
    net = MLP(list(sizes), activation=activation, output_activation=output_activation, loss=loss,
              init="xavier", seed=seed)
    rng = np.random.default_rng(10_000 + seed)
    for l in range(1, net.num_layers + 1):
        net.params[f"b{l}"] = rng.normal(0.0, 0.5, size=net.params[f"b{l}"].shape)
    X = rng.normal(size=(net.sizes[0], batch))
    n_out = net.sizes[-1]
    if loss == "softmax_ce":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, size=batch)]
    else:
        Y = rng.uniform(0.0, 1.0, size=(n_out, batch))
    return net, X, Y


def _label(key: str) -> str:
    eq = "BP3" if key[0] == "W" else "BP4"
    return f"{key} (layer {key[1:]}, {eq})"


def _hint(key: str, got, ref: np.ndarray, L: int, B: int, loss: str = "mse") -> str:
    """A sentence about the likely cause, from the shapes and values alone."""
    shape = np.shape(got)
    if shape == ref.shape and np.all(np.abs(ref) > 1e-12):
        ratio = np.asarray(got, dtype=float) / ref
        if np.allclose(ratio, B, rtol=1e-6):
            return f" A factor of B = {B}: BP3 and BP4 average over the batch, so divide the sum by B."
        if np.allclose(ratio, 1.0 / B, rtol=1e-6):
            return f" A factor of 1/B = 1/{B}: divide by B once, in BP3/BP4 (delta itself is per example)."
    if key[0] == "W" and shape == ref.shape[::-1] and shape != ref.shape:
        return f" Its shape is the transpose of {ref.shape}: BP3 is delta^(l) (a^(l-1))^T, shape (n_l, B) times (B, n_(l-1))."
    if key[0] == "W" and len(shape) == 2 and shape[0] == ref.shape[0] and shape != ref.shape:
        return (f" It has {shape[1]} columns instead of {ref.shape[1]}: BP3 for layer {key[1:]} multiplies by "
                f"the activations of layer {int(key[1:]) - 1}, a^({int(key[1:]) - 1}).")
    if key[0] == "b" and shape == (ref.shape[0],):
        return " Keep the column shape: average with axis=1, keepdims=True."
    if key[0] == "b" and len(shape) == 2 and shape[0] == ref.shape[0] and shape[1] > 1:
        return " It still has one column per example: BP4 averages delta^(l) over the batch."
    if int(key[1:]) < L:
        return (f" The layers above it are right, so look at BP2 for delta^({key[1:]}): "
                "(W^(l+1))^T delta^(l+1), times sigma'(z^(l)) of this layer.")
    if loss == "mse":
        return " This is the output layer: look at BP1, delta^(L) = (a - y) ⊙ sigma'(z^(L)) for MSE."
    return (" This is the output layer: look at BP1, which for this loss and output collapses to "
            "delta^(L) = a - y (no sigma' factor).")


def check_backward(learner_fn: LearnerBackward, *, sizes: Sequence[int] = (3, 4, 2),
                   activation: str = "sigmoid", output_activation: str = "sigmoid", loss: str = "mse",
                   batch: int = 5, trials: int = 3, seed: int = 0, rtol: float = 1e-6,
                   atol: float = 1e-10) -> CheckResult:
    """Compare ``learner_fn(params, cache, Y)`` with ``MLP.backward`` on ``trials`` random networks.

    Network ``t`` has architecture ``sizes`` and seed ``seed + t``; the batch has ``batch`` >= 2
    examples (so a missing 1/B shows) and the arrays handed to the learner are copies.  Returns a
    :class:`~backprop_lib.teaching.checkers.CheckResult` naming the first gradient that is off and by how
    much, with a hint about the likely equation.
    """
    if not callable(learner_fn):
        raise TypeError("check_backward(learner_fn): learner_fn must be a function "
                        f"(params, cache, Y) -> dict of gradients, got {type(learner_fn).__name__}")
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise ValueError(f"sizes must be a list of at least two layer widths like [3, 4, 2], got {sizes!r}")
    sizes = [positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
    valid_name(activation, HIDDEN_ACTIVATIONS, "activation")
    valid_name(loss, REQUIRED_OUTPUT, "loss")
    batch, trials = positive_int(batch, "batch"), positive_int(trials, "trials")
    if batch < 2:
        raise ValueError(f"batch must be at least 2 so that a missing 1/B is visible, got {batch}")
    rtol, atol = finite_scalar(rtol, "rtol", positive=True), finite_scalar(atol, "atol", positive=True)
    L = len(sizes) - 1
    order = [f"{k}{l}" for l in range(L, 0, -1) for k in "Wb"]
    for t in range(trials):
        net, X, Y = random_problem(sizes, activation, output_activation, loss, batch, seed + t)
        _, cache = net.forward(X)
        ref = net.backward(cache, Y)
        params = {k: v.copy() for k, v in net.params.items()}
        yours, bad = learner_call(learner_fn, params, {k: v.copy() for k, v in cache.items()}, Y.copy())
        where = f"network {t + 1} of {trials} (sizes {sizes}, batch B = {batch})"
        if bad is not None:
            return bad if not bad.attempted else CheckResult(
                False, f"{bad.message} (on {where}) Print the shapes: W{{l}} is (n_l, n_(l-1)); "
                       "z{l}, a{l} and delta are (n_l, B).")
        if not isinstance(yours, Mapping):
            return CheckResult(False, f"{FAIL} Your backward returned {type(yours).__name__}; "
                                      f"it must return a dict with keys {order}.")
        for key in order:
            if key not in yours:
                return CheckResult(False, f"{FAIL} Your gradients have no {key!r}: return a dict with "
                                          f"keys {order} (got {sorted(map(str, yours))}).")
            result = check_arrays({key: yours[key]}, {key: ref[key]}, rtol=rtol, atol=atol)
            if not result:
                got = yours.get(key)
                hint = "" if got is None else _hint(key, got, ref[key], L, batch, loss)
                return CheckResult(False, f"{result.message} [{_label(key)}, on {where}]{hint}")
    message = (f"{PASS} Correct: all {len(order)} gradients ({', '.join(order)}) match MLP.backward on "
               f"{trials} random networks with sizes {sizes} and batch B = {batch}.")
    return CheckResult(True, textwrap.fill(message, 79))          # as a notebook prints it
