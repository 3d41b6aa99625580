"""Forward-mode automatic differentiation with dual numbers, the counterpart of ``autodiff``.

A dual number carries a value and a tangent, ``x + x' eps`` with ``eps^2 = 0``; every operation
applies the chain rule *forwards*:

    f(x + x' eps) = f(x) + f'(x) x' eps.

Seeding input i with tangent 1 (all others 0) gives, after one pass, the derivative of every
node with respect to x_i: one column of the Jacobian.  A gradient of a function of n inputs
therefore costs n forward passes (:func:`gradient_forward`), where reverse mode needs one
forward and one backward pass (:func:`backprop_lib.autodiff.reverse.grad`).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from backprop_lib.autodiff._numbers import as_real, stable_sigmoid

Number = int | float


def _as_real(x, name: str) -> float:
    return as_real(x, name, "Dual")


class Dual:
    """A dual number ``value + tangent * eps``: the same operations as ``autodiff.Value``
    (``+ - * /``, ``** c``, ``exp log tanh sigmoid relu``), mixing with plain numbers."""

    __slots__ = ("value", "tangent")

    def __init__(self, value: Number, tangent: Number = 0.0):
        self.value = _as_real(value, "Dual(value)")
        self.tangent = _as_real(tangent, "Dual(tangent)")

    @staticmethod
    def _wrap(other) -> "Dual":
        return other if isinstance(other, Dual) else Dual(_as_real(other, "operand"), 0.0)

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, tangent={self.tangent:.6g})"

    def __add__(self, other) -> "Dual":
        other = Dual._wrap(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other) -> "Dual":                      # product rule
        other = Dual._wrap(other)
        return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)

    def __pow__(self, exponent: Number) -> "Dual":
        if isinstance(exponent, Dual):
            raise TypeError("only constant exponents are supported")
        c = _as_real(exponent, "exponent")
        if self.value < 0 and not c.is_integer():
            raise ValueError(f"{self.value:g} ** {c:g}: a negative base needs an integer exponent")
        if self.value == 0 and c < 1 and c != 0:
            raise ZeroDivisionError(f"the slope of x ** {c:g} at x = 0 is infinite")
        slope = 0.0 if c == 0 else c * self.value ** (c - 1)
        return Dual(self.value ** c, slope * self.tangent)

    def exp(self) -> "Dual":
        e = math.exp(self.value)
        return Dual(e, e * self.tangent)

    def log(self) -> "Dual":
        if self.value <= 0:
            raise ValueError(f"log needs a positive argument, got {self.value:g}")
        return Dual(math.log(self.value), self.tangent / self.value)

    def tanh(self) -> "Dual":
        t = math.tanh(self.value)
        return Dual(t, (1.0 - t * t) * self.tangent)

    def sigmoid(self) -> "Dual":
        s = stable_sigmoid(self.value)
        return Dual(s, s * (1.0 - s) * self.tangent)

    def relu(self) -> "Dual":
        return Dual(max(self.value, 0.0), self.tangent if self.value > 0 else 0.0)

    def __neg__(self) -> "Dual":
        return Dual(-self.value, -self.tangent)

    def __radd__(self, other) -> "Dual":
        return self + other

    def __sub__(self, other) -> "Dual":
        return self + (-Dual._wrap(other))

    def __rsub__(self, other) -> "Dual":
        return Dual._wrap(other) + (-self)

    def __rmul__(self, other) -> "Dual":
        return self * other

    def __truediv__(self, other) -> "Dual":
        other = Dual._wrap(other)
        if other.value == 0:
            raise ZeroDivisionError("division by a Dual whose value is 0")
        return self * other ** -1

    def __rtruediv__(self, other) -> "Dual":
        return Dual._wrap(other) / self


def derivative(f: Callable[[Dual], Dual], x: Number) -> tuple[float, float]:
    """``(f(x), f'(x))`` for a function of one variable, in one forward pass."""
    out = f(Dual(_as_real(x, "x"), 1.0))
    if not isinstance(out, Dual):
        raise TypeError(f"f must return a Dual built from its input, got {type(out).__name__}")
    return out.value, out.tangent


def directional_derivative(f: Callable[[Sequence[Dual]], Dual], xs: Iterable[Number],
                           direction: Iterable[Number]) -> tuple[float, float]:
    """``(f(x), grad f(x) . v)`` in one forward pass with tangents ``v = direction``."""
    xs, v = list(xs), list(direction)
    if len(xs) != len(v):
        raise ValueError(f"direction must have one entry per input ({len(xs)}), got {len(v)}")
    duals = [Dual(_as_real(x, f"xs[{i}]"), _as_real(t, f"direction[{i}]"))
             for i, (x, t) in enumerate(zip(xs, v))]
    out = f(duals)
    if not isinstance(out, Dual):
        raise TypeError(f"f must return a Dual built from its inputs, got {type(out).__name__}")
    return out.value, out.tangent


def gradient_forward(f: Callable[[Sequence[Dual]], Dual], xs: Iterable[Number]) -> tuple[float, list[float]]:
    """``(f(x), [df/dx_1, ..., df/dx_n])`` by n forward passes, pass i seeding x_i with tangent 1."""
    xs = list(xs)
    if not xs:
        raise ValueError("xs must hold at least one input")
    grads, value = [], None
    for i in range(len(xs)):
        value, slope = directional_derivative(f, xs, [1.0 if j == i else 0.0 for j in range(len(xs))])
        grads.append(slope)
    return value, grads
