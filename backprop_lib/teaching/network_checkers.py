"""Checkers for the exercises of chapters 3 and 4: BP1 for sigmoid + cross-entropy, a central-
difference gradient, the error signals of a changed 2-3-1 network, a ranking of its gradients and
one gradient step.  Each names the likely slip; none raises because of the learner's code."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from backprop_lib.data.worked_231 import net_231, params_231, parameter_names, xy_231
from backprop_lib.gradcheck.finite_diff import central_difference
from backprop_lib.nn.activations import sigmoid
from backprop_lib.teaching.checkers import check_arrays, matching_hint
from backprop_lib.teaching.verdicts import FAIL, PASS, CheckResult, learner_call, not_attempted


def _bce_of_z(z, y):
    """Per-entry binary cross-entropy of sigmoid(z) against y, written on the logits."""
    return np.logaddexp(0.0, z) - y * z


def check_bp1_sigmoid_bce(fn: Callable, seed: int = 3) -> CheckResult:
    """Check ``fn(a, y) -> delta^(L)`` for a sigmoid output and the cross-entropy loss (a, y of
    shape (n_L, B)) against central differences of the per-example loss in z^(L)."""
    rng = np.random.default_rng(seed)
    z, y = rng.normal(0.0, 2.0, size=(2, 5)), rng.uniform(size=(2, 5))
    a = sigmoid(z)
    want = central_difference(lambda zz: _bce_of_z(zz, y), z, 1e-6)
    got, bad = learner_call(fn, a.copy(), y.copy())
    if bad is not None:
        return bad
    hint = matching_hint(got, (
        ((a - y) * a * (1 - a), " That is (a - y) sigma'(z), MSE's BP1: with the cross-entropy the "
                                "factor sigma'(z) cancels."),
        (y - a, " The sign is flipped: delta = dC/dz."),
        ((a - y) / a.shape[1], " delta is per example: the 1/B belongs to BP3 and BP4.")), rtol=1e-6)
    result = check_arrays({"delta": got}, {"delta": want}, rtol=1e-6, atol=1e-9, what="error signal")
    return result if result or not hint else CheckResult(False, f"{FAIL} Not yet.{hint}")


def check_numerical_gradient(fn: Callable, seed: int = 4) -> CheckResult:
    """Check ``fn(loss, W, h) -> dloss/dW`` by central differences, where ``loss()`` reads ``W``
    (perturbed in place, as a gradient check perturbs a network's weights)."""
    rng = np.random.default_rng(seed)
    W, X, C = rng.normal(size=(3, 4)), rng.normal(size=(4, 6)), rng.normal(size=(3, 6))
    W0 = W.copy()

    def loss():
        return float(np.sum(np.tanh(W @ X) * C))

    want = ((1.0 - np.tanh(W @ X) ** 2) * C) @ X.T          # the exact gradient
    got, bad = learner_call(fn, loss, W, 1e-5)
    if bad is not None:
        return bad
    if not np.array_equal(W, W0):
        return CheckResult(False, f"{FAIL} W changed: put each entry back after probing it "
                                  "(W[i] = old), or later entries are measured at a moved point.")
    forward = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        old = W[i]
        W[i] = old + 1e-5
        up = loss()
        W[i] = old
        forward[i] = (up - loss()) / 1e-5
    hint = matching_hint(got, (
        (2 * want, " Every entry is twice the slope: divide by 2h, the distance between the "
                   "two probes."),
        (forward, " That is the one-sided difference (error O(h)): probe both W + h and W - h.")),
        rtol=1e-6)
    result = check_arrays({"dW": got}, {"dW": want}, rtol=1e-7, atol=1e-9)
    return result if result or not hint else CheckResult(False, f"{FAIL} Not yet.{hint}")


def w13_problem() -> tuple[dict, np.ndarray, np.ndarray, dict]:
    """The worked 2-3-1 example with W^(2)_13 = 0.90: params, x, y and the library's gradients."""
    params = params_231()
    params["W2"] = np.array([[0.40, 0.45, 0.90]])
    x, y = xy_231()
    net = net_231(params=params)
    return params, x, y, net.backward(net.forward(x)[1], y)


def check_w13_deltas(fn: Callable) -> CheckResult:
    """Check ``fn(W2, a1, b2, y) -> (delta2, delta1)`` (BP1, BP2; (1, 1) and (3, 1)) for the worked
    example with W^(2)_13 = 0.90, against ``MLP.backward``."""
    params, x, y, ref = w13_problem()
    a1 = sigmoid(params["W1"] @ x + params["b1"])
    got, bad = learner_call(fn, params["W2"].copy(), a1.copy(), params["b2"].copy(), y.copy())
    if bad is not None:
        return bad
    if not (isinstance(got, tuple) and len(got) == 2):
        return CheckResult(False, f"{FAIL} Return the pair (delta2, delta1).")
    d2, d1 = ref["delta2"], ref["delta1"]
    old = params_231()["W2"]
    a2_old = sigmoid(old @ a1 + params["b2"])
    d2_old = (a2_old - y) * a2_old * (1 - a2_old)
    hint = matching_hint(got[1], (
        (params["W2"].T @ d2, " delta1 lacks the factor sigma'(z^(1)) = a1 (1 - a1) of BP2."),
        (old.T @ d2 * a1 * (1 - a1), " BP2 used the old W^(2) (W_13 = 0.50): use the changed one."),
        (old.T @ d2_old * a1 * (1 - a1), " That is the published network's delta1: use the "
                                         "changed W^(2) in the forward pass and in BP2."),
        (-d1, " The sign is flipped: BP1 starts from a^(2) - y.")), rtol=1e-6)
    result = check_arrays({"delta2": got[0], "delta1": got[1]}, {"delta2": d2, "delta1": d1},
                          what="error signal")
    return result if result or not hint else CheckResult(False, f"{result.message}{hint}")


RANKED = ("b(2)_1", "W(2)_13", "b(1)_3", "W(1)_32", "W(1)_31")


def check_ranking(names) -> CheckResult:
    """Check a ranking (largest first) of the five gradients of ``RANKED`` of the published 2-3-1
    network, computed by ``MLP.backward``; the message names the equation that decides a swap."""
    if names is Ellipsis:
        return not_attempted("replace ... by your list of the five names, largest first")
    if not isinstance(names, (list, tuple)) or sorted(map(str, names)) != sorted(RANKED):
        return CheckResult(False, f"{FAIL} Give a list of these five names, each once: "
                                  f"{', '.join(RANKED)}.")
    net = net_231()
    x, y = xy_231()
    grads = net.backward(net.forward(x)[1], y)
    value = {name: abs(grads[key][idx]) for key, idx, name in parameter_names() if name in RANKED}
    want = sorted(RANKED, key=lambda n: -value[n])
    for i, (yours, right) in enumerate(zip(names, want)):
        if yours != right:
            why = {"W(1)_31": "BP3: dL/dW(1)_3k = delta(1)_3 x_k, and x_1 = x_2 / 2",
                   "W(1)_32": "BP3: dL/dW(1)_3k = delta(1)_3 x_k, and x_1 = x_2 / 2",
                   "b(1)_3": "BP2: delta(1)_3 = W(2)_13 delta(2) sigma'(z(1)_3), "
                             "a factor below 1/8",
                   "W(2)_13": "BP3: dL/dW(2)_13 = delta(2) a(1)_3, and a(1)_3 < 1",
                   "b(2)_1": "BP4: dL/db(2) = delta(2) itself"}[right]
            return CheckResult(False, f"{FAIL} Place {i + 1} should be {right}, you have {yours}. "
                                      f"Look at {why}.")
    return CheckResult(True, f"{PASS} Correct: the order of MLP.backward's gradients.")


def check_gd_step(fn: Callable) -> CheckResult:
    """Check ``fn(params, grads, eta) -> new params`` (one gradient step, every W and b) on the
    worked example with eta = 0.5: compared with p - eta * dL/dp, and the loss it reaches."""
    net = net_231()
    x, y = xy_231()
    grads = net.backward(net.forward(x)[1], y)
    eta, params = 0.5, params_231()
    want = {k: params[k] - eta * grads[k] for k in params}
    got, bad = learner_call(fn, params_231(), {k: grads[k].copy() for k in params}, eta)
    if bad is not None:
        return bad
    if not isinstance(got, Mapping):
        return CheckResult(False, f"{FAIL} Return a dict of parameters like the one you got.")
    for k in params:
        if k in got and np.shape(got[k]) == params[k].shape and np.allclose(got[k], params[k]):
            return CheckResult(False, f"{FAIL} {k} did not move: every W and b takes a step.")
    if all(k in got and np.shape(got[k]) == want[k].shape for k in want):
        if all(np.allclose(got[k], params[k] + eta * grads[k]) for k in want):
            before = net.loss(net.forward(x)[0], y)
            uphill = net_231(params=dict(got))
            after = uphill.loss(uphill.forward(x)[0], y)
            return CheckResult(False, f"{FAIL} You stepped uphill: the loss rises from "
                                      f"{before:.6f} to {after:.6f}. Step against the gradient, "
                                      "p - eta * grad.")
    return check_arrays(got, want, what="parameter")
