"""Plain helpers shared by the autodiff and explorer tests (no fixtures; test files import from
here, never from each other or from ``conftest``).

* Random expression graphs (hypothesis): each new node may reuse any earlier node, so shared
  sub-expressions and repeated operands like ``u * u`` occur naturally.  The same graph is
  evaluated with ``Value``, ``Dual``, ``autograd.numpy`` or plain floats; only the definition of
  each operation is shared.
* The worked 2-3-1 network written out with scalars, the independent reference of the network
  explorer's numbers.
* The check that a blitted explorer image is the picture a full redraw gives.
* A benchmark script loaded as a module (benchmarks/ is not a package).
"""
from __future__ import annotations

import functools
import math

import autograd.numpy as anp
import numpy as np
from matplotlib.image import AxesImage
from autograd import grad as ag_grad
from hypothesis import strategies as st

# ---------------------------------------------------------------------- random expression graphs
N_INPUTS = 3
BINARY = ["+", "-", "*", "/"]
UNARY = ["exp", "log", "tanh", "sigmoid", "relu", "**2", "**3", "**-1", "**0.5", "neg"]
CONST = ["c+", "c-", "c*", "c/"]          # constant on the LEFT: c + x, c - x, c * x, c / x


@st.composite
def expressions(draw):
    """A list of steps (op, i, j, const); node k = N_INPUTS + step index; inputs are nodes 0..2."""
    n_steps = draw(st.integers(1, 10))
    steps = []
    for k in range(n_steps):
        n_avail = N_INPUTS + k
        op = draw(st.sampled_from(BINARY + UNARY + CONST))
        i = draw(st.integers(0, n_avail - 1))
        j = draw(st.integers(0, n_avail - 1))
        c = draw(st.sampled_from([-2.5, -1.0, 0.5, 2.0, 3.0]))
        steps.append((op, i, j, c))
    xs = draw(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=N_INPUTS, max_size=N_INPUTS))
    return steps, xs


def apply(op, u, v, c, lib):
    """One operation; ``lib`` supplies the unary functions for the number type used."""
    if op == "+": return u + v
    if op == "-": return u - v
    if op == "*": return u * v
    if op == "/": return u / v
    if op == "c+": return c + u
    if op == "c-": return c - u
    if op == "c*": return c * u
    if op == "c/": return c / u
    if op == "neg": return -u
    if op.startswith("**"): return u ** float(op[2:])
    return lib[op](u)


METHOD_LIB = {name: (lambda name: lambda u: getattr(u, name)())(name)     # Value and Dual: u.exp()
              for name in ["exp", "log", "tanh", "sigmoid", "relu"]}
ANP_LIB = {"exp": anp.exp, "log": anp.log, "tanh": anp.tanh,
           "sigmoid": lambda u: 1.0 / (1.0 + anp.exp(-u)), "relu": lambda u: anp.maximum(u, 0.0)}
FLOAT_LIB = {"exp": math.exp, "log": math.log, "tanh": math.tanh,
             "sigmoid": lambda u: 1.0 / (1.0 + math.exp(-u)), "relu": lambda u: max(u, 0.0)}


def evaluate(steps, inputs, lib):
    """Evaluate every node; the output is the sum of all nodes created by the steps."""
    nodes = list(inputs)
    for op, i, j, c in steps:
        nodes.append(apply(op, nodes[i], nodes[j], c, lib))
    out = nodes[N_INPUTS]
    for node in nodes[N_INPUTS + 1:]:
        out = out + node
    return out


def autograd_gradient(steps, xs) -> list[float]:
    """The gradient of the graph at ``xs`` by autograd (the independent reference)."""
    g = ag_grad(lambda a: evaluate(steps, [a[k] for k in range(N_INPUTS)], ANP_LIB))(anp.array(xs, dtype=float))
    return [float(v) for v in g]


def well_conditioned(steps, xs) -> bool:
    """True when every operation stays away from its singularities, kinks and overflow."""
    nodes = list(xs)
    for op, i, j, c in steps:
        u, v = nodes[i], nodes[j]
        if op == "/" and abs(v) < 0.1 or op in ("c/", "**-1") and abs(u) < 0.1:
            return False
        if op in ("log", "**0.5") and u < 0.1 or op == "relu" and abs(u) < 1e-3:
            return False
        if op == "exp" and u > 5 or op == "tanh" and abs(u) > 20:   # autograd: tanh' = 1/cosh^2 overflows
            return False
        try:
            w = apply(op, u, v, c, FLOAT_LIB)
        except (ValueError, ZeroDivisionError, OverflowError):
            return False
        if not math.isfinite(w) or abs(w) > 1e4:
            return False
        nodes.append(w)
    return True


# ---------------------------------------------------------------------- the 2-3-1 network by hand
SCALAR_ACTIVATIONS = {
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
    "tanh": (math.tanh, lambda z: 1 / math.cosh(z) ** 2),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
}


def hand_pass(W1, b1, W2, b2, x, y, act):
    """The 2-3-1 network written out with scalars: returns (L, a1, a2, delta1, delta2, gW1, gW2)."""
    f, df = SCALAR_ACTIVATIONS[act]
    z1 = [W1[j][0] * x[0] + W1[j][1] * x[1] + b1[j] for j in range(3)]
    a1 = [f(z) for z in z1]
    z2 = sum(W2[j] * a1[j] for j in range(3)) + b2
    a2 = f(z2)
    d2 = (a2 - y) * df(z2)
    d1 = [W2[j] * d2 * df(z1[j]) for j in range(3)]
    return 0.5 * (a2 - y) ** 2, a1, a2, d1, d2, [[d1[j] * x[k] for k in range(2)] for j in range(3)], \
        [d2 * a for a in a1]


def unpack(state):
    """The arguments of :func:`hand_pass` from a NetworkSession: (W1, b1, W2, b2, x, y) as floats."""
    p = state.params
    return (p["W1"].tolist(), p["b1"][:, 0].tolist(), p["W2"][0].tolist(), float(p["b2"][0, 0]),
            state.x[:, 0].tolist(), state.y)


# ---------------------------------------------------------------------- blitting
def assert_blit_matches_full_redraw(image, max_differ: float = 0.002) -> None:
    """``image`` is a BlitFigureImage after some updates.  Its blitted frame must equal a full
    redraw of the same figure except for a few pixels where z-order differs (a dynamic artist
    drawn over a static one it would be under); the dynamic artists must change the picture."""
    blit = image.render_rgba().copy()
    canvas = image.figure.canvas
    images = [a for a in image.dynamic if isinstance(a, AxesImage)]
    for artist in images:                          # hidden, not only animated: Axes.draw still
        artist.set_visible(False)                  # composites an animated AxesImage
    canvas.draw()
    static_only = np.asarray(canvas.buffer_rgba()).copy()
    for artist in images:
        artist.set_visible(True)
    for artist in image.dynamic:
        artist.set_animated(False)
    try:
        canvas.draw()                              # everything, in z-order
        full = np.asarray(canvas.buffer_rgba()).copy()
    finally:
        for artist in image.dynamic:
            artist.set_animated(True)
        image.invalidate()
    assert blit.shape == full.shape
    assert np.any(np.any(static_only != full, axis=-1)), "the dynamic artists draw nothing"
    differ = np.any(blit != full, axis=-1).mean()
    assert differ < max_differ, f"{differ:.4f} of the pixels differ from a full redraw"


@functools.cache
def load_benchmark(name: str):
    """``benchmarks/<name>.py`` as a module (once per test session)."""
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module
