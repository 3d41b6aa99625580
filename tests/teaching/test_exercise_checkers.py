"""Every exercise checker: a stub answers "not attempted yet", a right answer passes, and each
typical mistake gets its own hint.  Verdicts wrap to the book's 79-character column."""
import math

import numpy as np
import pytest

from backprop_lib.autodiff.reverse import Value
from backprop_lib.teaching import (check_affine_backward, check_arrays, check_backward,
                                   check_best_lr, check_bp1_sigmoid_bce, check_central_step,
                                   check_clip, check_derivative, check_gd_step, check_init_std,
                                   check_jacobian, check_layer_norm_backward, check_max_gate,
                                   check_minibatches, check_momentum_step,
                                   check_numerical_gradient, check_paper_delta,
                                   check_paper_gradients, check_ranking,
                                   check_symmetry_targets, check_value_op, check_w13_deltas)
from backprop_lib.teaching.verdicts import CheckResult


def stub(*args):
    raise NotImplementedError


def f(x):
    return np.exp(np.sin(3 * x))


def F(x):
    return np.array([x[0] ** 2 * x[1], np.sin(x[0] + x[1]), np.exp(x[1])])


def sin_node(rule):
    """A Value operation for sin whose closure runs ``rule(x, out)``."""
    def value_sin(x):
        out = Value(math.sin(x.data), (x,), "sin")

        def _backward():
            rule(x, out)
        out._backward = _backward
        return out
    return value_sin


def add_rule(local):
    def rule(x, out):
        x.grad += local(x.data) * out.grad
    return rule


def set_rule(x, out):
    x.grad = math.cos(x.data) * out.grad


def no_upstream(x, out):
    x.grad += math.cos(x.data)


def clip_per_array(grads, max_norm):
    return {k: v * min(1.0, max_norm / np.linalg.norm(v)) for k, v in grads.items()}


def clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(v ** 2) for v in grads.values()))
    return {k: v * max_norm / norm for k, v in grads.items()}


def clip_right(grads, max_norm):
    norm = np.sqrt(sum(np.sum(v ** 2) for v in grads.values()))
    return {k: v * min(1.0, max_norm / norm) for k, v in grads.items()}


def numgrad(loss, W, h, central=True, restore=True, denom=2):
    G = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        old = W[i]
        W[i] = old + h
        up = loss()
        W[i] = old - h if central else old
        down = loss()
        if restore:
            W[i] = old
        G[i] = (up - down) / (denom * h if central else h)
    return G


def batches(n, bs, rng, shuffle=True, drop_last=False, replace=False):
    order = rng.choice(n, n, replace=True) if replace else (rng.permutation(n) if shuffle
                                                            else np.arange(n))
    stop = n - n % bs if drop_last else n
    return [order[i:i + bs] for i in range(0, stop, bs)]


def mlp_backward(params, cache, Y, sigma_prime_in_bp2=True, mean=True):
    B = Y.shape[1]
    a0, a1, a2 = cache["a0"], cache["a1"], cache["a2"]
    d2 = (a2 - Y) * a2 * (1 - a2)
    d1 = params["W2"].T @ d2 * (a1 * (1 - a1) if sigma_prime_in_bp2 else 1)
    k = B if mean else 1
    return {"W2": d2 @ a1.T / k, "b2": d2.sum(axis=1, keepdims=True) / k,
            "W1": d1 @ a0.T / k, "b1": d1.sum(axis=1, keepdims=True) / k}


def sig(z):
    return 1 / (1 + np.exp(-z))


def deltas(W2, a1, b2, y, use=None, sp=True, sign=1):
    Wb = W2 if use is None else use
    a2 = sig(Wb @ a1 + b2)
    d2 = sign * (a2 - y) * a2 * (1 - a2)
    return d2, (Wb.T @ d2) * (a1 * (1 - a1) if sp else 1)


OLD_W2 = np.array([[0.40, 0.45, 0.50]])
RIGHT_RANKING = ["b(2)_1", "W(2)_13", "b(1)_3", "W(1)_32", "W(1)_31"]

# checker, the right answer, [(mistake, words of its hint)]
CASES = {
    "derivative": (lambda fn: check_derivative(fn, f),
                   lambda x: np.exp(np.sin(3 * x)) * np.cos(3 * x) * 3,
                   [(lambda x: np.exp(np.sin(3 * x)) * np.cos(3 * x), "factor of 1/3"),
                    (lambda x: -3 * np.exp(np.sin(3 * x)) * np.cos(3 * x), "sign is flipped")]),
    "jacobian": (lambda fn: check_jacobian(fn, F, n=2),
                 lambda x: np.array([[2 * x[0] * x[1], x[0] ** 2],
                                     [np.cos(x[0] + x[1])] * 2, [0.0, np.exp(x[1])]]),
                 [(lambda x: np.zeros((2, 3)), "transposed shape"),
                  (lambda x: np.array([[2 * x[0] * x[1], x[0] ** 2], [np.cos(x[0] + x[1]), 1.0],
                                       [0.0, np.exp(x[1])]]), "entry [1, 1]")]),
    "central_step": (check_central_step, lambda eps, f0, f3: (3 * eps * f0 / f3) ** (1 / 3),
                     [(lambda eps, f0, f3: (3 * eps * f0 / f3) ** 0.5, "square root"),
                      (lambda eps, f0, f3: 2 * (eps * f0 / f3) ** 0.5, "forward difference"),
                      (lambda eps, f0, f3: (eps * f0 / f3) ** (1 / 3), "factor 3"),
                      (lambda eps, f0, f3: (3 * eps * f3 / f0) ** (1 / 3), "swapped")]),
    "affine": (check_affine_backward,
               lambda dz, x, W: {"x": W.T @ dz, "W": dz @ x.T, "b": dz.sum(1, keepdims=True)},
               [(lambda dz, x, W: {"x": W.T @ dz, "W": x @ dz.T, "b": dz.sum(1, keepdims=True)},
                 "transposed shape"),
                (lambda dz, x, W: {"x": W.T @ dz, "W": dz @ x.T, "b": dz.sum(1)}, "keepdims"),
                (lambda dz, x, W: {"x": W.T @ dz, "W": dz @ x.T, "b": dz.mean(1, keepdims=True)},
                 "0.2 times")]),
    "value_op": (lambda fn: check_value_op(fn, math.sin), sin_node(add_rule(math.cos)),
                 [(sin_node(add_rule(lambda v: -math.cos(v))), "sign is flipped"),
                  (sin_node(add_rule(math.sin)), "f itself"),
                  (sin_node(no_upstream), "out.grad"),
                  (sin_node(set_rule), "use +=")]),
    "backward": (check_backward, mlp_backward,
                 [(lambda p, c, Y: mlp_backward(p, c, Y, sigma_prime_in_bp2=False), "BP2"),
                  (lambda p, c, Y: mlp_backward(p, c, Y, mean=False), "factor of B")]),
    "bp1_bce": (check_bp1_sigmoid_bce, lambda a, y: a - y,
                [(lambda a, y: (a - y) * a * (1 - a), "cancels"),
                 (lambda a, y: y - a, "sign is flipped"),
                 (lambda a, y: (a - y) / a.shape[1], "per example")]),
    "numerical_gradient": (check_numerical_gradient, numgrad,
                           [(lambda l, W, h: numgrad(l, W, h, central=False), "one-sided"),
                            (lambda l, W, h: numgrad(l, W, h, denom=1), "2h"),
                            (lambda l, W, h: numgrad(l, W, h, restore=False), "put each entry")]),
    "w13": (check_w13_deltas, deltas,
            [(lambda W2, a1, b2, y: deltas(W2, a1, b2, y, sp=False), "sigma'(z^(1))"),
             (lambda W2, a1, b2, y: deltas(W2, a1, b2, y, use=OLD_W2), "published network"),
             (lambda W2, a1, b2, y: deltas(W2, a1, b2, y, sign=-1), "sign is flipped")]),
    "gd_step": (check_gd_step, lambda p, g, eta: {k: p[k] - eta * g[k] for k in p},
                [(lambda p, g, eta: {k: p[k] + eta * g[k] for k in p}, "uphill"),
                 (lambda p, g, eta: {k: p[k] - eta * g[k] if k[0] == "W" else p[k] for k in p},
                  "did not move")]),
    "init_xavier": (lambda fn: check_init_std(fn, "xavier"), lambda i, o: np.sqrt(2 / (i + o)),
                    [(lambda i, o: 2 / (i + o), "variance")]),
    "init_he": (lambda fn: check_init_std(fn, "he"), lambda i, o: np.sqrt(2 / i),
                [(lambda i, o: np.sqrt(1 / i), "sqrt(2)"), (lambda i, o: np.sqrt(2 / o), "swapped")]),
    "layer_norm": (check_layer_norm_backward,
                   lambda g, zh, s: (g - g.mean(0) - zh * (g * zh).mean(0)) / s,
                   [(lambda g, zh, s: (g - g.mean(0)) / s, "through s"),
                    (lambda g, zh, s: g - g.mean(0) - zh * (g * zh).mean(0), "1/s")]),
    "clip": (check_clip, clip_right,
             [(clip_per_array, "on its own"), (clip_always, "stay as they are")]),
    "momentum": (check_momentum_step, lambda p, v, g, lr, m: (p + m * v - lr * g, m * v - lr * g),
                 [(lambda p, v, g, lr, m: (p - lr * (m * v + g), m * v + g), "PyTorch")]),
    "best_lr": (check_best_lr, lambda lo, hi: 2 / (lo + hi),
                [(lambda lo, hi: 2 / hi, "stability limit"), (lambda lo, hi: 1 / hi, "balance")]),
    "minibatches": (check_minibatches, batches,
                    [(lambda n, bs, r: batches(n, bs, r, drop_last=True), "last, smaller batch"),
                     (lambda n, bs, r: batches(n, bs, r, replace=True), "twice"),
                     (lambda n, bs, r: batches(n, bs, r, shuffle=False), "shuffle")]),
    "paper_gradients": (check_paper_gradients,
                        lambda net, X, d: {k: X.shape[1] * g
                                           for k, g in net.loss_and_gradients(X, d)[1].items()},
                        [(lambda net, X, d: net.loss_and_gradients(X, d)[1], "multiply by B = 64")]),
    "paper_delta": (check_paper_delta, lambda o, t: (t - o) * o * (1 - o),
                    [(lambda o, t: (o - t) * o * (1 - o), "its negative"),
                     (lambda o, t: t - o, "slope")]),
    "symmetry": (check_symmetry_targets,
                 lambda X: np.all(X == X[::-1], axis=0).astype(float)[None, :],
                 [(lambda X: np.all(X[:3] == X[3:], axis=0).astype(float)[None, :], "bit 7 - i"),
                  (lambda X: np.all(X == X[::-1], axis=0).astype(float), "shape (1, 64)")]),
}


def lines_fit(result: CheckResult) -> bool:
    return all(len(line) <= 79 for line in str(result).splitlines())


@pytest.mark.parametrize("name", CASES)
def test_stub_is_not_attempted(name):
    result = CASES[name][0](stub)
    assert isinstance(result, CheckResult) and not result and not result.attempted
    assert str(result).startswith("\u25cb Not attempted yet") and lines_fit(result)


@pytest.mark.parametrize("name", CASES)
def test_right_answer_passes(name):
    result = CASES[name][0](CASES[name][1])
    assert result, str(result)
    assert result.attempted and lines_fit(result)


@pytest.mark.parametrize("name,k", [(n, k) for n in CASES for k in range(len(CASES[n][2]))])
def test_mistake_gets_its_hint(name, k):
    mistake, words = CASES[name][2][k]
    result = CASES[name][0](mistake)
    assert not result and result.attempted
    assert words in result.message, result.message
    assert lines_fit(result)


def test_value_answers_not_attempted_while_left_as_dots():
    assert not check_max_gate(..., ..., ...).attempted
    assert not check_ranking(...).attempted


def test_max_gate_by_hand():
    assert check_max_gate(2, 1, 1)
    assert "winner" in check_max_gate(2, -1, 3).message      # the product branch's gradients
    assert "only" in check_max_gate(2, 0, 4).message           # both branches
    assert "forward value" in check_max_gate(-3, 1, 1).message


def test_ranking_names_the_deciding_equation():
    assert check_ranking(RIGHT_RANKING)
    swapped = RIGHT_RANKING[:3] + RIGHT_RANKING[:2:-1]
    assert "x_1 = x_2 / 2" in check_ranking(swapped).message
    bp2 = [RIGHT_RANKING[0], RIGHT_RANKING[2], RIGHT_RANKING[1]] + RIGHT_RANKING[3:]
    assert "Place 2 should be W(2)_13" in check_ranking(bp2).message
    assert "each once" in check_ranking(["b(2)_1"]).message


def test_a_raising_answer_is_a_verdict_not_a_traceback():
    result = check_clip(lambda grads, max_norm: 1 / 0)
    assert not result and result.attempted and "ZeroDivisionError" in result.message
    assert "return statement" in check_best_lr(lambda lo, hi: None).message


def test_long_verdicts_wrap_to_the_column():
    long = CheckResult(False, "word " * 60)
    assert len(str(long).splitlines()) > 1 and lines_fit(long)


def test_arrays_checker_names_a_dict_that_is_not_one():
    assert "Expected a dict" in check_arrays([1], {"W": np.ones(2)}).message



NUMBER_CHECKERS = {"central_step": "one number (the step)",
                   "best_lr": "one number, the learning rate", "init_he": "one number"}


@pytest.mark.parametrize("name", NUMBER_CHECKERS)
@pytest.mark.parametrize("answer", [[0.1, 0.2], "0.1", np.array([0.1, 0.2]), float("nan"), True],
                         ids=["list", "str", "array", "nan", "bool"])
def test_a_checker_that_wants_one_number_says_so(name, answer):
    result = CASES[name][0](lambda *args: answer)
    assert not result and result.attempted
    assert f"Return {NUMBER_CHECKERS[name]}, got" in result.message, result.message


def test_a_numpy_scalar_counts_as_one_number():
    assert check_best_lr(lambda lo, hi: np.float32(2) / np.float32(lo + hi))


def test_value_op_stub_names_the_closure_and_an_error_is_an_attempt():
    def unfinished(x, out):
        raise NotImplementedError

    def broken(x, out):
        x.grad += math.cos(x.data) / 0.0

    result = check_value_op(sin_node(unfinished), math.sin)
    assert not result.attempted and "`_backward`" in result.message, result.message
    result = check_value_op(sin_node(broken), math.sin)
    assert result.attempted and not result, result.message
    assert "raised ZeroDivisionError" in result.message and "`run`" not in result.message
