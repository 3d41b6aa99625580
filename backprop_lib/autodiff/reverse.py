"""A scalar reverse-mode automatic-differentiation engine: one small class, ``Value``.

Every operation returns a new ``Value`` that remembers its inputs (the edges of the
computational graph) and a closure ``_backward`` holding its *local* derivative rule:

    child.grad += (d out / d child) * out.grad        (local derivative x upstream gradient)

``backward()`` orders the graph topologically (every node after all the nodes it uses) and runs
the closures in reverse, so each closure runs exactly once, after *all* the gradient that flows
into its node has been added up.  ``+=`` is the rule "gradients add where paths merge".

Calling ``backward()`` twice: the interior nodes' gradients are recomputed from scratch on each
call, but the leaves' gradients *accumulate* (as in PyTorch), so a second call doubles every
leaf gradient.  Zero them between steps with ``zero_grad`` (or ``p.grad = 0.0``).

``backward_naive()`` is the tempting wrong version (recursion without a topological order); it
exists only so the book can show that it double-counts when an interior node is used twice.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from backprop_lib.autodiff._numbers import as_real, stable_sigmoid

Number = int | float


def _as_real(x, name: str) -> float:
    return as_real(x, name, "Value")


class Value:
    """A scalar node of a computational graph: ``data`` (forward value) and ``grad`` (dL/dnode).

    Supports ``+ - * /`` with Values or plain numbers on either side, ``** c`` for a constant
    exponent ``c``, and ``exp() log() tanh() sigmoid() relu()``.  ``label`` names the node in
    drawings.  Plain numbers mixed in become constant leaves with ``op == "const"``.
    """

    __slots__ = ("data", "grad", "_prev", "_op", "_backward", "label")

    def __init__(self, data: Number, _children: tuple["Value", ...] = (),
                 _op: str = "", label: str = ""):
        self.data = _as_real(data, "Value(data)")  # the forward value
        self.grad = 0.0                 # d(output)/d(self), set by backward()
        self._prev = tuple(_children)   # the inputs, in order (a + a: twice)
        self._op = _op
        self._backward: Callable[[], None] = lambda: None  # the local rule
        self.label = label

    # ------------------------------------------------------------------ helpers
    @property
    def op(self) -> str:
        """The operation that produced this node ('' for a leaf, 'const' for a wrapped number)."""
        return self._op

    @property
    def children(self) -> tuple["Value", ...]:
        """The inputs of the operation that produced this node (empty for a leaf)."""
        return self._prev

    @staticmethod
    def _wrap(other) -> "Value":
        if isinstance(other, Value):
            return other
        return Value(_as_real(other, "operand"), _op="const", label=f"{float(other):g}")

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ------------------------------------------------------------------ operations
    def __add__(self, other) -> "Value":
        other = Value._wrap(other)      # a number becomes a constant leaf
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():                # add gate: distributes out.grad
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other) -> "Value":
        other = Value._wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():                # multiply gate: swaps the inputs
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent: Number) -> "Value":
        if isinstance(exponent, Value):
            raise TypeError("only constant exponents are supported: use x ** 3 or (y * x.log()).exp()")
        c = _as_real(exponent, "exponent")
        if self.data < 0 and not c.is_integer():
            raise ValueError(f"{self.data:g} ** {c:g}: a negative base needs an integer exponent")
        if self.data == 0 and c < 0:
            raise ZeroDivisionError(f"0 ** {c:g} is undefined")
        out = Value(self.data ** c, (self,), f"**{c:g}")

        def _backward():                      # d(x^c)/dx = c x^(c-1)
            if self.data == 0 and 0 < c < 1:
                raise ZeroDivisionError(f"the slope of x ** {c:g} at x = 0 is infinite")
            local = 0.0 if c == 0 else c * self.data ** (c - 1)
            self.grad += local * out.grad
        out._backward = _backward
        return out

    def exp(self) -> "Value":
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():                      # d e^x / dx = e^x, the cached output
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self) -> "Value":
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument, got {self.data:g}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self) -> "Value":
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():                # 1 - tanh^2, from the cached output
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self) -> "Value":
        out = Value(stable_sigmoid(self.data), (self,), "sigmoid")

        def _backward():                      # s (1 - s)
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    def relu(self) -> "Value":
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():                      # routes the gradient if x > 0 (relu'(0) = 0)
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self) -> "Value":
        return self * -1

    __radd__ = __add__                        # 2 + x builds the same graph as x + 2

    def __sub__(self, other) -> "Value":
        return self + (-Value._wrap(other))

    def __rsub__(self, other) -> "Value":
        return Value._wrap(other) + (-self)

    __rmul__ = __mul__                        # 2 * x builds the same graph as x * 2

    def __truediv__(self, other) -> "Value":
        other = Value._wrap(other)
        if other.data == 0:
            raise ZeroDivisionError("division by a Value equal to 0")
        return self * other ** -1

    def __rtruediv__(self, other) -> "Value":
        return Value._wrap(other) / self

    # ------------------------------------------------------------------ the backward pass
    def topological_order(self) -> list["Value"]:
        """Every node of the graph below ``self``, each after all of its
        inputs (``self`` last)."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:            # iterative DFS: no recursion limit
            node, expanded = stack.pop()
            if expanded:        # its inputs are all in `order` already
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))   # comes back after its inputs
            stack.extend((child, False) for child in reversed(node._prev)
                         if id(child) not in seen)
        return order

    def backward(self) -> None:
        """Set ``self.grad = 1`` and fill in ``.grad`` = d self / d node
        for every node below.

        Interior gradients are reset first; leaf gradients accumulate
        across calls.
        """
        order = self.topological_order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def propagate(self) -> None:
        """Run this node's local rule once: child.grad += (d self / d child) * self.grad."""
        self._backward()

    def backward_naive(self) -> None:
        """WRONG on purpose: run each closure whenever a consumer reaches it (depth-first).

        An interior node used twice pushes its gradient down twice, the first time before it is
        complete, so gradients below it are over-counted.  Use :meth:`backward`.
        """
        def visit(node: Value) -> None:
            node._backward()
            for child in node._prev:
                visit(child)
        for node in self.topological_order():
            node.grad = 0.0 if node._prev else node.grad
        self.grad = 1.0
        visit(self)

    def zero_grad(self) -> None:
        """Set ``.grad = 0`` on every node of the graph below ``self`` (leaves included)."""
        for node in self.topological_order():
            node.grad = 0.0


def grad(f: Callable[[Sequence[Value]], Value], xs: Iterable[Number]) -> tuple[float, list[float]]:
    """Value and gradient of a scalar function ``f(list of Values) -> Value`` at ``xs``, by one
    reverse pass: ``(f(xs), [df/dx_1, ..., df/dx_n])``."""
    leaves = [Value(_as_real(x, f"xs[{i}]"), label=f"x{i + 1}") for i, x in enumerate(xs)]
    out = f(leaves)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value built from its inputs, got {type(out).__name__}")
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def count_operations(root: Value) -> int:
    """Number of operation nodes (non-leaves) in the graph below ``root``."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    return sum(1 for node in root.topological_order() if node._prev)
