"""Checkers for the exercises of chapters 5 to 7: clipping by the global norm, the best fixed
learning rate of a quadratic, an epoch's mini-batches, the 1986 paper's output delta and its
symmetry targets.  Each names the likely slip; none raises because of the learner's code."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from backprop_lib.experiments import symmetry1986 as sym
from backprop_lib.nn.optim import clip_by_global_norm, global_norm
from backprop_lib.teaching.checkers import check_arrays, matching_hint
from backprop_lib.teaching.verdicts import FAIL, PASS, CheckResult, learner_call, learner_number


def _flat(grads: Mapping, keys) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(grads[k], dtype=float)) for k in keys])


def check_clip(fn: Callable, seed: int = 5) -> CheckResult:
    """Check ``fn(grads, max_norm) -> clipped grads`` (a new dict) against
    :func:`~backprop_lib.nn.optim.clip_by_global_norm`, above and below the threshold."""
    rng = np.random.default_rng(seed)
    grads = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=(3, 1)),
             "W2": 4.0 * rng.normal(size=(1, 3)), "b2": rng.normal(size=(1, 1))}
    norm, keys = global_norm(grads), list(grads)
    norms = {k: np.linalg.norm(v) for k, v in grads.items()}
    for max_norm in (norm / 4, 2 * norm):
        want = {k: v.copy() for k, v in grads.items()}
        clip_by_global_norm(want, max_norm)
        got, bad = learner_call(fn, {k: v.copy() for k, v in grads.items()}, max_norm)
        if bad is not None:
            return bad
        result = check_arrays(got, want)
        if result:
            continue
        where = f" (max_norm = {max_norm:.3g}; the global norm is {norm:.3g})"
        if isinstance(got, Mapping) and all(np.shape(got.get(k)) == v.shape for k, v in want.items()):
            hint = matching_hint(_flat(got, keys), (
                (_flat({k: v * min(1.0, max_norm / norms[k]) for k, v in grads.items()}, keys),
                 " Each array was clipped on its own: scale all of them by one factor, "
                 "max_norm / (their global norm)."),
                (_flat(grads, keys) * max_norm / norm,
                 " Below the threshold the gradients stay as they are (the scale is at most 1)."),
                (_flat(grads, keys) * min(1.0, max_norm / sum(norms.values())),
                 " The global norm is the square root of the sum of all squares, not the sum of "
                 "the arrays' norms.")), rtol=1e-9)
            if hint:
                return CheckResult(False, f"{FAIL} Not yet{where}.{hint}")
        return CheckResult(False, result.message + where)
    return CheckResult(True, f"{PASS} Correct: matches clip_by_global_norm above and below the "
                             "threshold.")


def check_best_lr(fn: Callable) -> CheckResult:
    """Check ``fn(lam_min, lam_max) -> eta``, the fixed learning rate minimising
    max_i |1 - eta lam_i| on a quadratic, i.e. 2 / (lam_min + lam_max)."""
    for lo, hi in ((1.0, 10.0), (0.05, 3.0)):
        got, bad = learner_number(fn, lo, hi, what="one number, the learning rate")
        if bad is not None:
            return bad
        want = 2.0 / (lo + hi)
        if np.isclose(got, want, rtol=1e-9):
            continue
        worst = max(abs(1 - got * lo), abs(1 - got * hi))
        hint = matching_hint(got, (
            (2.0 / hi, " That is the stability limit 2 / lam_max: there the stiffest direction "
                       "does not shrink at all."),
            (1.0 / hi, " 1 / lam_max kills the stiffest direction but leaves the flattest slow: "
                       "balance the two ends."),
            (1.0 / lo, " 1 / lam_min makes the stiffest direction diverge.")), rtol=1e-9)
        return CheckResult(False, f"{FAIL} For lam in [{lo:g}, {hi:g}] your eta = {got:.4g} has "
                                  f"worst factor {worst:.4g}; the best is "
                                  f"{(hi - lo) / (hi + lo):.4g}.{hint}")
    return CheckResult(True, f"{PASS} Correct: eta = 2 / (lam_min + lam_max), worst factor "
                             "(kappa - 1) / (kappa + 1).")


def check_minibatches(fn: Callable, n: int = 23, batch_size: int = 5) -> CheckResult:
    """Check ``fn(n, batch_size, rng) -> list of index arrays`` for one epoch: every example once,
    batches of ``batch_size`` (the last may be smaller), a fresh order each epoch."""
    rng = np.random.default_rng(6)
    epochs = []
    for _ in range(2):
        got, bad = learner_call(fn, n, batch_size, rng)
        if bad is not None:
            return bad
        try:
            batches = [np.asarray(b).astype(int, casting="safe").ravel() for b in got]
        except (TypeError, ValueError):
            return CheckResult(False, f"{FAIL} Return a list of integer index arrays.")
        seen = np.concatenate(batches) if batches else np.array([], dtype=int)
        missing = sorted(set(range(n)) - set(seen.tolist()))
        if len(seen) != len(set(seen.tolist())):
            return CheckResult(False, f"{FAIL} Some examples appear twice in one epoch: draw a "
                                      "permutation (rng.permutation(n)), not with replacement.")
        if missing:
            hint = " The last, smaller batch is missing." if len(missing) == n % batch_size else ""
            return CheckResult(False, f"{FAIL} {len(missing)} of the {n} examples are never seen "
                                      f"in the epoch.{hint}")
        sizes = [len(b) for b in batches]
        if any(s != batch_size for s in sizes[:-1]) or sizes[-1] > batch_size:
            return CheckResult(False, f"{FAIL} Batch sizes {sizes}: every batch but the last "
                                      f"should hold {batch_size} examples.")
        epochs.append(seen)
    if np.array_equal(epochs[0], np.arange(n)) or np.array_equal(epochs[0], epochs[1]):
        return CheckResult(False, f"{FAIL} Every example once, but the order is the same each "
                                  "epoch: shuffle with the rng (rng.permutation(n)).")
    return CheckResult(True, f"{PASS} Correct: each of the {n} examples once per epoch, batches "
                             f"of {batch_size}, a new order each epoch.")


def check_paper_delta(fn: Callable, seed: int = 7) -> CheckResult:
    """Check ``fn(o, t) -> delta`` for an output unit under the generalised delta rule (Rumelhart,
    Hinton & Williams 1986, PDP chapter 8): delta = (t - o) o (1 - o), update Delta w = +eta delta
    o_prev; on outputs ``o`` and targets ``t`` (1, 8)."""
    rng = np.random.default_rng(seed)
    o, t = rng.uniform(0.05, 0.95, size=(1, 8)), rng.integers(0, 2, size=(1, 8)).astype(float)
    got, bad = learner_call(fn, o.copy(), t.copy())
    if bad is not None:
        return bad
    want = (t - o) * o * (1 - o)
    hint = matching_hint(got, (
        (-want, " That is this course's delta = dE/dz; the generalised delta rule's is its "
                "negative, so that its update adds: Delta w = eta delta o."),
        (t - o, " The factor o (1 - o), the sigmoid's slope, is missing.")), rtol=1e-9)
    result = check_arrays({"delta": got}, {"delta": want}, what="error signal")
    return result if result or not hint else CheckResult(False, f"{FAIL} Not yet.{hint}")


def check_symmetry_targets(fn: Callable) -> CheckResult:
    """Check ``fn(X) -> d`` (1, 64): 1 where the 6-bit pattern (a column of X, (6, 64)) reads the
    same backwards, else 0, against the patterns of the 1986 experiment."""
    X, d = sym.patterns()
    got, bad = learner_call(fn, X.copy())
    if bad is not None:
        return bad
    shifted = np.all(X[:3] == X[3:], axis=0).astype(float)[None, :]
    hint = matching_hint(got, (
        (shifted, " You compared bit i with bit i + 3 (a shift): mirror symmetry compares bit i "
                  "with bit 7 - i."),
        (1 - d, " 1 and 0 are swapped: 1 marks a symmetric pattern."),
        (d.ravel(), " Right values, but return shape (1, 64), one column per pattern.")))
    if hint:
        return CheckResult(False, f"{FAIL} Not yet.{hint}")
    result = check_arrays({"d": got}, {"d": d}, what="target")
    if result:
        return CheckResult(True, f"{PASS} Correct: the {int(d.sum())} symmetric patterns of the "
                                 "64 are marked 1.")
    return result
