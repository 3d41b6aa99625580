"""Gradient checking helpers (check_gradients, numerical_gradient, central_difference_at and the
sparse nn.train.gradcheck_entries): they must pass right gradients and catch wrong ones."""
import numpy as np
import pytest
from helpers_nn import fd_grads, small_net

from backprop_lib import MLP, check_gradients, numerical_gradient, relative_error, verdict, xor
from backprop_lib.gradcheck.finite_diff import central_difference_at
from backprop_lib.nn.train import gradcheck_entries


def test_numerical_gradient_of_a_known_function():
    params = {"w": np.array([[1.0, -2.0]]), "c": np.array([[3.0]])}

    def f():  # f = sum(w^2) * c  ->  df/dw = 2 w c, df/dc = sum(w^2)
        return float(np.sum(params["w"] ** 2) * params["c"][0, 0])

    g = numerical_gradient(f, params)
    np.testing.assert_allclose(g["w"], [[6.0, -12.0]], rtol=1e-9)
    np.testing.assert_allclose(g["c"], [[5.0]], rtol=1e-9)
    np.testing.assert_array_equal(params["w"], [[1.0, -2.0]])  # restored


def test_relative_error_properties():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(1e-3 * a, 1e-3 * a * (1 + 1e-6)) == pytest.approx(relative_error(a, a * (1 + 1e-6)))
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        relative_error(a, np.zeros(3))


def test_verdict_thresholds():
    assert [verdict(e) for e in (1e-9, 1e-6, 1e-3)] == ["excellent", "acceptable", "wrong"]


def test_check_gradients_passes_the_library_and_reports_every_parameter(rng):
    net = MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)
    result = check_gradients(net, rng.normal(size=(3, 5)), (rng.uniform(size=(2, 5)) > 0.5) * 1.0)
    assert [r.name for r in result.rows] == ["W1", "b1", "W2", "b2"]
    assert result.passed() and result.max_error < 1e-8
    assert "excellent" in result.table()


def test_check_gradients_catches_a_wrong_backward(rng):
    class OffByTwo(MLP):  # forgets the 1/B of BP3
        def backward(self, cache, Y):
            g = super().backward(cache, Y)
            g["W1"] = g["W1"] * cache["a0"].shape[1]
            return g

    net = OffByTwo([3, 4, 1], seed=0)
    result = check_gradients(net, rng.normal(size=(3, 2)), rng.uniform(size=(1, 2)))
    rows = {r.name: r for r in result.rows}
    assert rows["W1"].verdict == "wrong" and rows["W2"].verdict == "excellent"
    assert not result.passed()


def test_numerical_gradient_refuses_float32_and_bad_arguments():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, {"w": np.zeros(2, dtype=np.float32)})
    with pytest.raises(ValueError, match="eps must be > 0"):
        numerical_gradient(lambda: 0.0, {"w": np.zeros(2)}, eps=0.0)
    with pytest.raises(ValueError, match=r"unknown parameter 'v'"):
        numerical_gradient(lambda: 0.0, {"w": np.zeros(2)}, keys=["v"])
    with pytest.raises(TypeError, match="function of no arguments"):
        numerical_gradient(3.0, {"w": np.zeros(2)})


# ------------------------------------------------------------------ sparse gradient check
def test_gradcheck_entries_agree_and_restore_parameters():
    X, Y = xor()
    net = small_net(3)
    before = {k: p.copy() for k, p in net.params.items()}
    rows = gradcheck_entries(net, X, Y, [("W1", (0, 1)), ("b2", (0, 0))])
    exact = fd_grads(small_net(3), X, Y)
    for key, idx, ana, num, rel in rows:
        assert ana == pytest.approx(exact[key][idx], rel=1e-6, abs=1e-9)
        assert rel < 1e-7
    for k in net.params:
        np.testing.assert_array_equal(net.params[k], before[k])


def test_gradcheck_entries_detects_a_wrong_backward():
    X, Y = xor()
    net = small_net(3)
    honest = net.loss_and_gradients

    def doubled(Xb, Yb):
        loss, grads = honest(Xb, Yb)
        return loss, {k: 2.0 * g for k, g in grads.items()}
    net.loss_and_gradients = doubled
    (_, _, ana, num, rel), = gradcheck_entries(net, X, Y, [("W2", (0, 0))])
    assert ana == pytest.approx(2.0 * num, rel=1e-6)
    assert rel == pytest.approx(1.0 / 3.0, rel=1e-6)   # |2g - g| / (|2g| + |g|)


def test_gradcheck_entries_rejects_bad_entries():
    X, Y = xor()
    net = small_net()
    with pytest.raises(ValueError, match="unknown parameter 'W9'"):
        gradcheck_entries(net, X, Y, [("W9", (0, 0))])
    with pytest.raises(ValueError, match="outside params\\['W1'\\] of shape \\(3, 2\\)"):
        gradcheck_entries(net, X, Y, [("W1", (3, 0))])
    with pytest.raises(TypeError, match="non-empty list"):
        gradcheck_entries(net, X, Y, [])


def test_central_difference_at_changes_one_entry_and_restores_it():
    p = np.array([[1.0, 2.0], [3.0, 4.0]])
    seen = []

    def f():
        seen.append(p.copy())
        return float(np.sum(p ** 3))
    d = central_difference_at(f, p, (1, 0), h=1e-4)
    assert d == pytest.approx(3 * 3.0 ** 2, rel=1e-8)        # d/dp (p^3) = 3 p^2
    assert [s[1, 0] for s in seen] == [3.0 + 1e-4, 3.0 - 1e-4]
    assert all(s[0, 0] == 1.0 and s[1, 1] == 4.0 for s in seen)
    np.testing.assert_array_equal(p, [[1.0, 2.0], [3.0, 4.0]])

    def boom():
        raise ZeroDivisionError
    with pytest.raises(ZeroDivisionError):
        central_difference_at(boom, p, (0, 1))
    assert p[0, 1] == 2.0                                       # restored even when f raises


def test_an_all_zero_gradient_is_not_counted_as_excellent():
    from backprop_lib import MLP, check_gradients
    net = MLP([2, 3, 1], activation="relu", output_activation="sigmoid", loss="mse", seed=7)
    net.params["b1"] = np.array([[1e-3], [0.5], [-0.4]])
    result = check_gradients(net, np.zeros((2, 1)), np.array([[1.0]]))   # x = 0: dL/dW1 = 0
    w1 = next(row for row in result.rows if row.name == "W1")
    assert w1.all_zero and w1.verdict == "n/a"
    assert "W1      (3, 2)               n/a    all zero  n/a" in result.table().splitlines()
    assert result.passed()                               # the other rows were compared
    from backprop_lib.gradcheck.check import GradCheckResult, GradCheckRow
    nothing = GradCheckResult((GradCheckRow("W1", (3, 2), 0.0, 0.0, all_zero=True),))
    assert nothing.max_error == 0.0 and not nothing.passed()  # nothing was compared
