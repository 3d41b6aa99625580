"""Checkers for the exercises of chapters 1 and 2: the best finite-difference step, the gates by
hand, an affine layer's backward pass, and a new operation's local rule in the ``Value`` engine.

Each calls the learner's code through :func:`~backprop_lib.teaching.verdicts.learner_call`, so a
stub answers "not attempted yet" and a slip gets a sentence naming it, never a traceback.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from backprop_lib.autodiff.reverse import Value
from backprop_lib.gradcheck.finite_diff import central_difference
from backprop_lib.nn.layers import Affine
from backprop_lib.teaching.checkers import check_arrays, matching_hint
from backprop_lib.teaching.verdicts import (FAIL, PASS, CheckResult, learner_call, learner_number,
                                            not_attempted)

# (eps, |f(x)|, |f'''(x)|): float16, float32 and float64 cases
STEP_CASES = ((2.0 ** -10, 27.0, 48.0), (2.0 ** -23, 1.0, 6.0), (2.0 ** -52, 2.0, 0.5))


def check_central_step(fn: Callable[[float, float, float], float]) -> CheckResult:
    """Check ``fn(eps, f0, f3)``, the step h* that minimises the central difference's error bound
    h^2 |f'''| / 6 + eps |f| / h, i.e. h* = (3 eps |f| / |f'''|)^(1/3), on three precisions."""
    for eps, f0, f3 in STEP_CASES:
        got, bad = learner_number(fn, eps, f0, f3, what="one number (the step)")
        if bad is not None:
            return bad
        want = float(np.cbrt(3.0 * eps * f0 / f3))
        if math.isclose(got, want, rel_tol=1e-9):
            continue
        hint = matching_hint(got, (
            (math.sqrt(3.0 * eps * f0 / f3), " A square root where the cube root belongs: the "
             "central difference's truncation error is O(h^2), so h^3 balances eps."),
            (2.0 * math.sqrt(eps * f0 / f3), " That is the forward difference's rule "
             "2 sqrt(eps |f| / |f''|); the central difference's error is O(h^2)."),
            (float(np.cbrt(eps * f0 / f3)), " The factor 3 inside the cube root is missing "
             "(from the 1/6 of the truncation term)."),
            (float(np.cbrt(3.0 * eps * f3 / f0)), " |f| and |f'''| are swapped."),
        ))
        return CheckResult(False, f"{FAIL} For eps = {eps:.3g}, |f| = {f0:g}, |f'''| = {f3:g} you "
                                  f"give h = {got:.4g}; the best step is {want:.4g}.{hint}")
    return CheckResult(True, f"{PASS} Correct: your h* matches (3 eps |f| / |f'''|)^(1/3) in "
                             f"float16, float32 and float64.")


def check_max_gate(g, dg_dx, dg_dy) -> CheckResult:
    """Check hand-computed g = max(x y, x + y), dg/dx and dg/dy at x = 3, y = -1 against ``Value``."""
    if any(v is Ellipsis for v in (g, dg_dx, dg_dy)):
        return not_attempted("replace each ... by your number for g, dg/dx and dg/dy")
    x, y = Value(3.0), Value(-1.0)
    out = (x * y - (x + y)).relu() + (x + y)      # max(u, v) = relu(u - v) + v
    out.backward()
    try:
        yours = [float(v) for v in (g, dg_dx, dg_dy)]
    except (TypeError, ValueError):
        return CheckResult(False, f"{FAIL} Give three numbers: g, dg/dx, dg/dy.")
    if not math.isclose(yours[0], out.data):
        return CheckResult(False, f"{FAIL} g = {yours[0]:g} is not the forward value: compute x y "
                                  "and x + y, and let the max gate pick the larger.")
    if yours[1:] == [y.data, x.data]:
        return CheckResult(False, f"{FAIL} Those are the product branch's gradients: the max gate "
                                  "routes the upstream gradient only to the winner, x + y.")
    if yours[1:] == [1 + y.data, 1 + x.data]:
        return CheckResult(False, f"{FAIL} Both branches got the gradient: the max gate sends it to "
                                  "the winner only (the loser gets 0).")
    if yours[1:] != [x.grad, y.grad]:
        return CheckResult(False, f"{FAIL} g is right, the gradients are not: route the upstream 1 "
                                  "through the max gate, then the add gate.")
    return CheckResult(True, f"{PASS} Correct: g, dg/dx and dg/dy match the Value engine.")


def check_affine_backward(fn: Callable, seed: int = 2) -> CheckResult:
    """Check ``fn(dz, x, W) -> {"x", "W", "b"}`` (dz (3, 5), x (4, 5), W (3, 4)) against
    :meth:`~backprop_lib.nn.layers.Affine.backward` on seeded random arrays."""
    rng = np.random.default_rng(seed)
    W, bias = rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
    x, dz = rng.normal(size=(4, 5)), rng.normal(size=(3, 5))
    layer = Affine(W, bias)
    dx, grads = layer.backward(dz, layer.forward(x)[1])
    yours, bad = learner_call(fn, dz.copy(), x.copy(), W.copy())
    if bad is not None:
        return bad
    return check_arrays(yours, {"x": dx, "W": grads["W"], "b": grads["b"]})


def check_value_op(make_node: Callable[[Value], Value], f: Callable[[float], float],
                   at: float = 0.7) -> CheckResult:
    """Check a new ``Value`` operation ``make_node(x) -> out`` (its local rule in ``_backward``)
    for the scalar function ``f``: alone, under an upstream gradient, and where paths merge."""
    slope = central_difference(f, at, 1e-6)

    def your_operation(graph):
        x = Value(at)
        out = make_node(x)
        if not isinstance(out, Value):
            raise TypeError(f"return the output node, a Value (got {type(out).__name__})")
        graph(x, out).backward()
        return x.grad, out.data

    cases = (("alone", lambda x, out: out, slope),
             ("times 3", lambda x, out: out * 3.0, 3.0 * slope),
             ("plus x * x", lambda x, out: out + x * x, slope + 2.0 * at))
    for name, graph, want in cases:
        got, bad = learner_call(your_operation, graph)
        if bad is not None:
            return bad if bad.attempted else not_attempted(
                "fill in the body of the closure `_backward`")
        grad, data = got
        if not math.isclose(data, f(at), rel_tol=1e-12):
            return CheckResult(False, f"{FAIL} The node's data is {data:.6g}, f({at}) = {f(at):.6g}.")
        if math.isclose(grad, want, rel_tol=1e-6, abs_tol=1e-9):
            continue
        hints = {"alone": ((-slope, " The sign is flipped."),
                           (f(at), " That is f itself: the rule needs f's derivative at x.data."),
                           (0.0, " x.grad stayed 0: the closure must add into x.grad.")),
                 "times 3": ((slope, " The upstream gradient is missing: multiply the local "
                                     "derivative by out.grad."),),
                 "plus x * x": ((slope, " x is used twice and only one share arrived: use += "
                                        "(gradients add where paths merge), not =."),
                                (2.0 * at, " x is used twice and only one share arrived: use += "
                                           "(gradients add where paths merge), not =."))}[name]
        return CheckResult(False, f"{FAIL} In the graph 'your node {name}' at x = {at}, x.grad is "
                                  f"{grad:.6g}; it should be {want:.6g}.{matching_hint(grad, hints)}")
    return CheckResult(True, f"{PASS} Correct: your local rule matches central differences alone, "
                             "under an upstream gradient, and where two paths merge.")
