"""The scalar reverse-mode engine against autograd, finite differences and hand computation.

Hypothesis draws random expression *graphs* (tests/helpers.py: each new node may reuse any
earlier node, so shared sub-expressions and repeated operands like ``u * u`` occur naturally).
The same graph is evaluated with ``Value``, with ``autograd.numpy`` (differentiated by autograd)
and with plain floats (central differences); only the definition of each operation is shared.
"""
import math

import pytest
from helpers import FLOAT_LIB, METHOD_LIB, N_INPUTS, autograd_gradient, evaluate, expressions, well_conditioned
from hypothesis import assume, given, settings

from backprop_lib.autodiff.reverse import Value, count_operations, grad


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_random_graphs_match_autograd(expr):
    steps, xs = expr
    assume(well_conditioned(steps, xs))
    value, grads = grad(lambda v: evaluate(steps, v, METHOD_LIB), xs)
    ag = autograd_gradient(steps, xs)
    assert value == pytest.approx(evaluate(steps, xs, FLOAT_LIB), rel=1e-12, abs=1e-12)
    for k in range(N_INPUTS):
        assert grads[k] == pytest.approx(ag[k], rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(expressions())
def test_random_graphs_match_central_differences(expr):
    steps, xs = expr
    assume(well_conditioned(steps, xs))
    _, grads = grad(lambda v: evaluate(steps, v, METHOD_LIB), xs)
    h = 1e-6
    for k in range(N_INPUTS):
        plus, minus = list(xs), list(xs)
        plus[k] += h
        minus[k] -= h
        assume(well_conditioned(steps, plus) and well_conditioned(steps, minus))
        slope = (evaluate(steps, plus, FLOAT_LIB) - evaluate(steps, minus, FLOAT_LIB)) / (2 * h)
        assert grads[k] == pytest.approx(slope, rel=1e-5, abs=1e-5)


def test_the_course_examples_by_hand():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert (f.data, x.grad, y.grad, z.grad) == (-12.0, -4.0, -4.0, 3.0)
    x, w, b = Value(2.0), Value(3.0), Value(1.0)
    y = (w * x + b) ** 2
    y.backward()
    assert (y.data, w.grad, x.grad, b.grad) == (49.0, 28.0, 42.0, 14.0)
    a, b = Value(2.0), Value(1.0)
    e = (a + b) * (b + 1)
    e.backward()
    assert (e.data, a.grad, b.grad) == (6.0, 2.0, 5.0)


def test_accumulation_trap_b_equals_a_plus_a():
    a = Value(3.0)
    b = a + a
    c = b * b              # c = 4 a^2, dc/da = 8 a = 24
    c.backward()
    assert (c.data, b.grad, a.grad) == (36.0, 12.0, 24.0)


def test_node_reused_across_branches():
    x = Value(0.7)
    u = x * x              # used by three consumers below
    f = u.tanh() + u.exp() * u + 3 * u
    f.backward()
    uu = 0.49
    df_du = (1 - math.tanh(uu) ** 2) + math.exp(uu) * (uu + 1) + 3
    assert x.grad == pytest.approx(df_du * 2 * 0.7, rel=1e-14)


def test_naive_recursion_double_counts_but_topological_order_does_not():
    a = Value(3.0)
    b = a + a
    c = b * b
    c.backward_naive()
    assert a.grad == 48.0                     # twice the true 24
    a.grad = 0.0
    c.backward()
    assert a.grad == 24.0


def test_backward_twice_doubles_leaf_gradients_only():
    x, w, b = Value(2.0), Value(3.0), Value(1.0)
    s = w * x + b
    y = s ** 2
    y.backward()
    y.backward()
    assert (w.grad, x.grad, b.grad) == (56.0, 84.0, 28.0)    # leaves accumulate
    assert (y.grad, s.grad) == (1.0, 14.0)                   # interior nodes are recomputed
    y.zero_grad()
    y.backward()
    assert (w.grad, x.grad, b.grad) == (28.0, 42.0, 14.0)


def test_division_and_mixing_with_numbers():
    x, y = Value(3.0), Value(-2.0)
    f = x / y + 1 / x - (2 - y) + 5 * x - x * 0.5
    f.backward()
    assert f.data == pytest.approx(3 / -2 + 1 / 3 - 4 + 15 - 1.5)
    assert x.grad == pytest.approx(1 / -2 - 1 / 9 + 5 - 0.5)
    assert y.grad == pytest.approx(-3 / 4 + 1)


@pytest.mark.parametrize("base,c,value,slope", [
    (-2.0, 3, -8.0, 12.0), (-2.0, 2, 4.0, -4.0), (-2.0, -1, -0.5, -0.25), (-2.0, -2, 0.25, 0.25),
    (-2.0, 0, 1.0, 0.0), (4.0, 0.5, 2.0, 0.25),
])
def test_powers_including_negative_bases(base, c, value, slope):
    x = Value(base)
    y = x ** c
    y.backward()
    assert (y.data, x.grad) == (pytest.approx(value), pytest.approx(slope))


def test_pow_domain_errors_are_clear():
    with pytest.raises(ValueError, match="negative base needs an integer exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(TypeError, match="constant exponents"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ZeroDivisionError):
        Value(0.0) ** -1
    y = Value(0.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match="infinite"):
        y.backward()


def test_activations_values_and_slopes():
    for z in (-1000.0, -1.5, 0.0, 2.0, 800.0):
        for name, f, df in [("tanh", math.tanh, lambda t: 1 - math.tanh(t) ** 2),
                            ("sigmoid", lambda t: 0.5 * (1 + math.tanh(t / 2)),
                             lambda t: 0.25 * (1 - math.tanh(t / 2) ** 2)),
                            ("relu", lambda t: max(t, 0.0), lambda t: 1.0 if t > 0 else 0.0)]:
            x = Value(z)
            y = getattr(x, name)()
            y.backward()
            assert y.data == pytest.approx(f(z), abs=1e-15) and x.grad == pytest.approx(df(z), abs=1e-15)


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** 5000)
    assert count_operations(y) == 5000


@pytest.mark.parametrize("bad,exc,msg", [("a", TypeError, "real number"), (True, TypeError, "real number"),
                                         (None, TypeError, "real number"), (1j, TypeError, "real"),
                                         (float("nan"), ValueError, "finite"), (math.inf, ValueError, "finite")])
def test_bad_data_is_refused(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        Value(bad)
    with pytest.raises(exc, match=msg):
        Value(1.0) + bad


def test_bad_calls_are_refused():
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(OverflowError):
        Value(1000.0).exp()
    with pytest.raises(TypeError, match="must return a Value"):
        grad(lambda v: 3.0, [1.0])
    with pytest.raises(TypeError, match="xs\\[0\\]"):
        grad(lambda v: v[0], ["x"])
    with pytest.raises(TypeError, match="root must be a Value"):
        count_operations(3.0)


def test_the_engine_core_chapter_2_prints_fits_79_columns():
    """Chapter 2 shows these methods' source as the engine's core: it must stay readable there."""
    import inspect

    for method in (Value.__init__, Value.__add__, Value.__mul__, Value.tanh,
                   Value.topological_order, Value.backward):
        lines = inspect.getsource(method).splitlines()
        assert max(map(len, lines)) <= 79, method.__name__
        assert len(lines) <= 20, method.__name__
