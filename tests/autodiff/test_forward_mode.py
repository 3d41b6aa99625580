"""Forward mode (dual numbers) against reverse mode, autograd and hand computation."""
import math

import pytest
from helpers import METHOD_LIB, N_INPUTS, autograd_gradient, evaluate, expressions, well_conditioned
from hypothesis import assume, given, settings

from backprop_lib.autodiff.forward import Dual, derivative, directional_derivative, gradient_forward
from backprop_lib.autodiff.reverse import grad


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_forward_mode_matches_reverse_mode_and_autograd(expr):
    steps, xs = expr
    assume(well_conditioned(steps, xs))
    f_value, f_grads = gradient_forward(lambda v: evaluate(steps, v, METHOD_LIB), xs)
    r_value, r_grads = grad(lambda v: evaluate(steps, v, METHOD_LIB), xs)
    ag = autograd_gradient(steps, xs)
    assert f_value == pytest.approx(r_value, rel=1e-12, abs=1e-12)
    for k in range(N_INPUTS):
        assert f_grads[k] == pytest.approx(r_grads[k], rel=1e-9, abs=1e-9)
        assert f_grads[k] == pytest.approx(ag[k], rel=1e-9, abs=1e-9)


def test_running_example_needs_one_pass_per_input():
    f = lambda v: (v[0] + v[1]) * (v[1] + 1)  # noqa: E731
    assert directional_derivative(f, [2, 1], [1, 0]) == (6.0, 2.0)   # seed a
    assert directional_derivative(f, [2, 1], [0, 1]) == (6.0, 5.0)   # seed b
    assert gradient_forward(f, [2, 1]) == (6.0, [2.0, 5.0])


def test_chain_rule_composite_of_chapter_one():
    assert derivative(lambda x: (2 * x ** 2 + 1) ** 3, 3) == (19 ** 3, 3 * 19 ** 2 * 12)  # 12996
    assert derivative(lambda x: (2 * x ** 2 + 1) ** 3, 3)[1] == 12996


@pytest.mark.parametrize("base,c,value,slope", [(-2.0, 3, -8.0, 12.0), (-2.0, -1, -0.5, -0.25),
                                                 (-2.0, 0, 1.0, 0.0), (4.0, 0.5, 2.0, 0.25)])
def test_powers_including_negative_bases(base, c, value, slope):
    assert derivative(lambda x: x ** c, base) == (pytest.approx(value), pytest.approx(slope))


def test_elementary_functions():
    for z in (-700.0, -1.0, 0.5, 3.0):
        assert derivative(lambda x: x.exp(), z)[1] == pytest.approx(math.exp(z))
        assert derivative(lambda x: x.tanh(), z)[1] == pytest.approx(1 - math.tanh(z) ** 2)
        s = 0.5 * (1 + math.tanh(z / 2))
        assert derivative(lambda x: x.sigmoid(), z)[1] == pytest.approx(s * (1 - s), rel=1e-12, abs=1e-300)
        assert derivative(lambda x: x.relu(), z)[1] == (1.0 if z > 0 else 0.0)
    assert derivative(lambda x: x.log(), 2.0)[1] == 0.5
    assert derivative(lambda x: 1 / x - (3 - x) / 2, 2.0) == (pytest.approx(0.5 - 0.5), pytest.approx(-0.25 + 0.5))


def test_bad_input_is_refused_with_clear_messages():
    with pytest.raises(TypeError, match="real number"):
        Dual("x")
    with pytest.raises(ValueError, match="finite"):
        Dual(1.0, float("nan"))
    with pytest.raises(ValueError, match="integer exponent"):
        Dual(-1.0, 1.0) ** 0.5
    with pytest.raises(TypeError, match="constant exponents"):
        Dual(1.0) ** Dual(2.0)
    with pytest.raises(ValueError, match="positive"):
        Dual(0.0).log()
    with pytest.raises(ZeroDivisionError):
        Dual(1.0) / Dual(0.0)
    with pytest.raises(ZeroDivisionError, match="infinite"):
        Dual(0.0, 1.0) ** 0.5
    with pytest.raises(ValueError, match="one entry per input"):
        directional_derivative(lambda v: v[0], [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="at least one"):
        gradient_forward(lambda v: v[0], [])
    with pytest.raises(TypeError, match="must return a Dual"):
        derivative(lambda x: 1.0, 2.0)
    with pytest.raises(TypeError, match="must return a Dual"):
        directional_derivative(lambda v: 1.0, [1.0], [1.0])
