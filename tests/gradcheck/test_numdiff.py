"""Finite differences, the numerical Jacobian, the error-vs-step experiment and check_jacobian:
expected values come from hand calculus, autograd and the textbook error model."""
import math

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import jacobian as ag_jacobian
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lib.gradcheck.finite_diff import (
    ErrorCurve, central_difference, error_vs_step, forward_difference, numerical_jacobian, optimal_step)
from backprop_lib.teaching.checkers import check_jacobian


def cube(x):
    return (2 * x + 1) * (2 * x + 1) * (2 * x + 1)


def test_truncation_errors_match_taylor():
    # For a cubic, D0 f = f' + h^2 f'''/6 exactly and D+ f = f' + h f''/2 + h^2 f'''/6.
    h = 1e-2
    assert central_difference(cube, 1.0, h) - 54.0 == pytest.approx(8 * h * h, rel=1e-6)
    assert forward_difference(cube, 1.0, h) - 54.0 == pytest.approx(36 * h + 8 * h * h, rel=1e-6)


def test_array_steps_and_points_broadcast():
    hs = np.array([1e-1, 1e-2, 1e-3])
    np.testing.assert_allclose(central_difference(cube, 1.0, hs), 54.0 + 8 * hs**2, rtol=1e-6)
    xs = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(central_difference(np.sin, xs), np.cos(xs), rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2))
def test_numerical_jacobian_matches_autograd(x0, x1, x2):
    def F(x):
        return anp.stack([x[0] * x[1] + anp.sin(x[2]), anp.exp(0.3 * x[0]) * x[2], x[1] ** 2, anp.tanh(x[0] - x[2])])

    x = np.array([x0, x1, x2])
    J = numerical_jacobian(F, x)
    assert J.shape == (4, 3)
    np.testing.assert_allclose(J, ag_jacobian(F)(x), rtol=1e-6, atol=1e-8)


def test_optimal_step_formula_by_hand():
    eps = np.finfo(np.float64).eps
    assert optimal_step("central", np.float64, 27.0, 48.0) == pytest.approx((3 * eps * 27 / 48) ** (1 / 3))
    assert optimal_step("forward", "float32", 27.0, 72.0) == pytest.approx(2 * math.sqrt(2.0**-23 * 27 / 72))


def test_error_curve_has_the_textbook_shape():
    pts = np.random.default_rng(0).uniform(0.9, 1.1, 32)
    exact = 6 * (2 * pts + 1) ** 2
    hs = np.logspace(-16, 0, 97)
    for method, dtype in [("central", np.float64), ("forward", np.float64), ("central", np.float32)]:
        cur = error_vs_step(cube, exact, pts, hs, method=method, dtype=dtype)
        assert isinstance(cur, ErrorCurve) and cur.errors.shape == hs.shape and cur.dtype == np.dtype(dtype).name
        fk = 48.0 if method == "central" else 72.0
        h_star = optimal_step(method, dtype, 27.0, fk)
        assert h_star / 10 < cur.best_h < h_star * 10         # measured optimum near the model's
        assert cur.errors[0] > 100 * cur.best_error           # rounding dominates at tiny h
        assert cur.errors[-1] > 100 * cur.best_error          # truncation dominates at h = 1
    c64 = error_vs_step(cube, exact, pts, hs, "central", np.float64)
    c32 = error_vs_step(cube, exact, pts, hs, "central", np.float32)
    assert c64.best_error < 1e-9 < 1e-7 < c32.best_error < 1e-4
    assert c64.error_at(1e-5) < 1e-9 and c32.error_at(1e-5) > 1e-4


def test_error_vs_step_computes_in_the_requested_dtype():
    # In float32, x + h == x for h far below x's resolution: the difference is 0, error 100 %.
    cur = error_vs_step(cube, 54.0, 1.0, np.array([1e-12]), "central", np.float32)
    assert cur.errors[0] == pytest.approx(1.0)
    with pytest.raises(TypeError, match="changed the dtype"):
        error_vs_step(lambda x: x.astype(np.float64), 1.0, 1.0, [1e-3], dtype=np.float32)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: central_difference(3.0, 1.0), TypeError, "must be a function"),
    (lambda: forward_difference(np.sin, 1.0, h=0.0), ValueError, "> 0"),
    (lambda: central_difference(np.sin, 1.0, h=np.array([1e-3, -1.0])), ValueError, "positive finite"),
    (lambda: numerical_jacobian(np.sin, np.ones((2, 2))), ValueError, "1-D array"),
    (lambda: numerical_jacobian(lambda x: np.ones((2, 2)), np.ones(2)), ValueError, "must return a 1-D"),
    (lambda: optimal_step("backward", np.float64, 1.0, 1.0), ValueError, "forward"),
    (lambda: optimal_step("central", np.float64, 0.0, 1.0), ValueError, "f0 != 0"),
    (lambda: error_vs_step(cube, 0.0, 1.0, [1e-3]), ValueError, "nonzero"),
    (lambda: error_vs_step(cube, [1.0, 2.0], 1.0, [1e-3]), ValueError, "same length"),
    (lambda: error_vs_step(cube, 1.0, 1.0, [-1e-3]), ValueError, "positive finite"),
    (lambda: error_vs_step(cube, 1.0, 1.0, [1e-3], dtype=np.int64), TypeError, "floating"),
    (lambda: error_vs_step(cube, 1.0, 1.0, [1e-3, 1e-10], dtype=np.float16), ValueError,
     "h = 1.0e-10 rounds to 0 in float16"),
    (lambda: check_jacobian(1, np.sin, 2), TypeError, "functions"),
    (lambda: check_jacobian(np.sin, np.sin, 2, points=np.ones((3, 3))), ValueError, r"shape \(k, 2\)"),
    (lambda: check_jacobian(np.sin, np.sin, 2, low=1.0, high=0.0), ValueError, "low < high"),
])
def test_bad_input_is_refused_with_a_clear_message(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def F(x):
    return np.array([x[0] ** 2 * x[1], np.sin(x[0] + x[1]), np.exp(x[1])])


def J_right(x):
    c = np.cos(x[0] + x[1])
    return np.array([[2 * x[0] * x[1], x[0] ** 2], [c, c], [0.0, np.exp(x[1])]])


def test_check_jacobian_accepts_the_right_answer():
    result = check_jacobian(J_right, F, n=2)
    assert result and "Correct" in result.message and "3x2" in result.message


@pytest.mark.parametrize("wrong,hint", [
    (lambda x: J_right(x).T, "transposed shape"),
    (lambda x: J_right(x)[:2], "must be (3, 2)"),
    (lambda x: J_right(x) * np.array([[1, 1], [1, 0], [1, 1]]), "entry [1, 1]"),
    (lambda x: 1 / 0, "ZeroDivisionError"),
    (lambda x: J_right(x) * np.nan, "NaN"),
    (lambda x: "J", "not an array of numbers"),
])
def test_check_jacobian_explains_wrong_answers(wrong, hint):
    result = check_jacobian(wrong, F, n=2)
    assert not result
    assert hint in result.message


def test_half_precision_optimum_follows_the_model():
    # eps = 2^-10 in float16: h* = (3 eps 27 / 48)^(1/3) ~ 0.12 and the floor is far above float32's.
    pts = np.random.default_rng(1).uniform(0.9, 1.1, 32)
    cur = error_vs_step(cube, 6 * (2 * pts + 1) ** 2, pts, np.logspace(-4, 0, 41), "central", np.float16)
    h_star = (3 * 2.0**-10 * 27 / 48) ** (1 / 3)
    assert optimal_step("central", np.float16, 27.0, 48.0) == pytest.approx(h_star)
    assert h_star / 10 < cur.best_h < h_star * 10
    assert 1e-4 < cur.best_error < 1e-1
