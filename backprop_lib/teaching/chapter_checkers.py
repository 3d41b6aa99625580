"""Checkers for the exercises of chapters 5 to 7: layer normalisation's BP2n, initialisation,
momentum, the 1986 paper's summed gradients. Each compares the learner's function with the library's
own and names the likely mistake; none raises because of the learner's code."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lib._validation import valid_name
from backprop_lib.experiments import symmetry1986 as sym
from backprop_lib.gradcheck.finite_diff import numerical_gradient
from backprop_lib.nn.init import init_std
from backprop_lib.nn.layer_norm import EPS, layer_norm
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.optim import SGD
from backprop_lib.teaching.checkers import check_arrays
from backprop_lib.teaching.verdicts import FAIL, PASS, CheckResult, learner_call, learner_number


def check_layer_norm_backward(fn: Callable, seed: int = 0) -> CheckResult:
    """Check a learner's ``fn(g, zhat, s) -> dL/dz`` (BP2n) against central differences of
    ``layer_norm`` on random columns; the message names a missing term or a wrong axis."""
    if not callable(fn):
        raise TypeError(f"fn must be a function of (g, zhat, s), got {type(fn).__name__}")
    rng = np.random.default_rng(seed)
    n, B = 5, 3
    z = rng.normal(1.0, 2.0, size=(n, B))
    g = rng.normal(size=(n, B))
    zhat, s = layer_norm(z, EPS)
    point = {"z": z.copy()}          # d/dz of sum(g * zhat(z)), by central differences
    want = numerical_gradient(lambda: np.sum(g * layer_norm(point["z"], EPS)[0]), point,
                              eps=1e-6)["z"]
    got, bad = learner_call(fn, g.copy(), zhat.copy(), s.copy())
    if bad is not None:
        return bad
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return CheckResult(False, f"{FAIL} Expected an array of numbers, got {type(got).__name__}.")
    if got.shape != (n, B):
        return CheckResult(False, f"{FAIL} Expected an array of shape {(n, B)} (the shape of g), got {got.shape}.")
    if np.allclose(got, want, rtol=1e-5, atol=1e-7):
        return CheckResult(True, f"{PASS} Correct: BP2n matches central differences ({n} units, {B} columns).")
    mean0 = lambda v: v.mean(axis=0, keepdims=True)  # noqa: E731
    hints = (((g - mean0(g)) / s, " The term through s is missing: s depends on every z_j too "
                                  "(ds/dz_j = zhat_j / n)."),
             (g / s, " Both mean terms are missing: mu and s depend on every z_j."),
             (g - mean0(g) - zhat * mean0(g * zhat), " The factor 1/s is missing."),
             ((g - g.mean(axis=1, keepdims=True) - zhat * np.mean(g * zhat, axis=1, keepdims=True)) / s,
              " The means run over the wrong axis: average over the units of a column (axis=0)."))
    hint = next((text for cand, text in hints if np.allclose(got, cand, rtol=1e-6)), "")
    return CheckResult(False, f"{FAIL} Not yet: the largest difference from central differences is "
                              f"{np.max(np.abs(got - want)):.3g}.{hint}")


def check_momentum_step(momentum_step: Callable, steps: int = 3, seed: int = 0) -> CheckResult:
    """Checker for the exercise: ``momentum_step(p, v, g, lr, momentum) -> (p_new, v_new)``.

    Runs ``steps`` updates on random arrays beside :class:`~backprop_lib.nn.optim.SGD` and compares.
    """
    if not callable(momentum_step):
        raise TypeError("check_momentum_step needs your function momentum_step(p, v, g, lr, momentum)")
    rng = np.random.default_rng(seed)
    lr, mu = 0.1, 0.9
    params = {"W": rng.normal(size=(3, 2))}
    opt = SGD(params, lr=lr, momentum=mu)
    p, v = params["W"].copy(), np.zeros((3, 2))
    for step in range(1, steps + 1):
        g = rng.normal(size=(3, 2))
        out, bad = learner_call(momentum_step, p.copy(), v.copy(), g.copy(), lr, mu)
        if bad is not None:
            return bad if not bad.attempted else CheckResult(False, f"{bad.message} (step {step})")
        if not (isinstance(out, tuple) and len(out) == 2):
            return CheckResult(False, f"{FAIL} Return a pair (p_new, v_new); got {type(out).__name__}.")
        opt.step({"W": g})
        try:
            p, v = (np.asarray(a, dtype=float) for a in out)
        except (TypeError, ValueError):
            return CheckResult(False, f"{FAIL} p_new and v_new must be arrays of numbers.")
        if p.shape != (3, 2) or v.shape != (3, 2):
            return CheckResult(False, f"{FAIL} Shapes {p.shape}, {v.shape}; expected (3, 2) like p.")
        if not np.allclose(v, opt.velocity["W"], rtol=1e-10, atol=1e-12):
            if np.allclose(v, -opt.velocity["W"] / lr, rtol=1e-10, atol=1e-12):
                return CheckResult(False, f"{FAIL} Step {step}: your v_new is -v/lr of the book's velocity: "
                                          "that is the PyTorch convention (v = momentum * v + g, p = p - lr * v). "
                                          "Use the book's: v_new = momentum * v - lr * g, p_new = p + v_new.")
            hint = " (v_new = momentum * v - lr * g)" if step == 1 else \
                " - the first step matched, so check that you use the old velocity v"
            return CheckResult(False, f"{FAIL} Step {step}: your velocity differs from SGD's{hint}.")
        if not np.allclose(p, params["W"], rtol=1e-10, atol=1e-12):
            return CheckResult(False, f"{FAIL} Step {step}: velocity right, but p_new should be p + v_new.")
    return CheckResult(True, f"{PASS} Correct: {steps} momentum steps match backprop_lib.nn.optim.SGD "
                             f"(lr = {lr}, momentum = {mu}).")


def check_init_std(std_fn: Callable[[int, int], float], name: str) -> CheckResult:
    """Check a learner's ``std_fn(n_in, n_out)`` against ``init_std(name, n_in, n_out)`` on several
    layer shapes; the message says what is off (variance instead of std, swapped fan-in/out...)."""
    valid_name(name, ("xavier", "he"), "name")
    if not callable(std_fn):
        raise TypeError(f"std_fn must be a function of (n_in, n_out), got {type(std_fn).__name__}")
    for n_in, n_out in ((64, 64), (16, 64), (100, 10), (3, 1)):
        want = init_std(name, n_in, n_out)
        got, bad = learner_number(std_fn, n_in, n_out)
        if bad is not None:
            return bad if not bad.attempted else CheckResult(
                False, f"{bad.message} (n_in = {n_in}, n_out = {n_out})")
        if np.isclose(got, want, rtol=1e-9):
            continue
        hint = ""
        if np.isclose(got, want ** 2, rtol=1e-9):
            hint = " That is the variance: the standard deviation is its square root."
        elif np.isclose(got, init_std(name, n_out, n_in), rtol=1e-9):
            hint = " n_in and n_out look swapped."
        elif np.isclose(got, want / np.sqrt(2), rtol=1e-9):
            hint = " Off by a factor sqrt(2): which factor does the activation's derivative contribute?"
        return CheckResult(False, f"{FAIL} For n_in = {n_in}, n_out = {n_out} you give {got:.6g}, "
                                  f"the {name} standard deviation is {want:.6g}.{hint}")
    return CheckResult(True, f"{PASS} Correct: equals init_std({name!r}, n_in, n_out) on 4 shapes.")


def check_paper_gradients(fn: Callable, seed: int = 7) -> CheckResult:
    """Exercise checker: ``fn(net, X, d)`` must return the paper's ∂E/∂w (E summed over the 64
    patterns, X (6, 64), d (1, 64)) as a dict W1 (2, 6), b1 (2, 1), W2 (1, 2), b2 (1, 1), for an
    ``MLP`` ``net`` of the 6-2-1 network.  Compared with
    :func:`backprop_lib.experiments.symmetry1986.summed_gradients` (BP1..BP4 summed over the
    patterns); returns a ``CheckResult`` that prints the verdict."""
    if not callable(fn):
        raise TypeError(f"check_paper_gradients needs a function fn(net, X, d), got {type(fn).__name__}")
    X, d = sym.patterns()
    params = sym.init_params(seed, scale=2.0)
    net = MLP.from_params({k: v.copy() for k, v in params.items()}, activation="sigmoid",
                          output_activation="sigmoid", loss="mse")
    yours, bad = learner_call(fn, net, X, d)
    if bad is not None:
        return bad
    _, _, grads = sym.summed_gradients({k: v[None] for k, v in params.items()}, X, d)
    want = {k: grads[k][0] for k in sym.SHAPES}
    result = check_arrays(yours, want, rtol=1e-8, atol=1e-12)
    B = X.shape[1]
    if not result and isinstance(yours, dict) and all(
            np.shape(yours.get(k)) == v.shape and np.allclose(yours[k], v / B) for k, v in want.items()):
        return CheckResult(False, f"{result.message} That is the batch mean: E sums over the "
                                  f"{B} patterns, so multiply by B = {B}.")
    return result
