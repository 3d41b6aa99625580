"""Property-based tests of every network class's backward pass: against central differences and
against autograd.

One test per reference, parametrised over MLP, ResidualMLP and LayerNormMLP.  Hypothesis draws
depths, widths, batch sizes, activations (per hidden layer) and output/loss pairs as ``DRAWS``
says for each class; the weights and data come from a drawn seed.  The reference forward pass
(tests/helpers_nn.py) is written independently with ``autograd.numpy``; autograd differentiates
it, so the only thing shared with the library is the definition of the maths.  The draws are
derandomised (conftest's "repeatable" profile): every run checks the same examples.
"""
from dataclasses import dataclass

import numpy as np
import pytest
from helpers_nn import activation_inputs, autograd_gradients, batch_loss, flat, make_problem
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_lib import HIDDEN_ACTIVATIONS, MLP, numerical_gradient, relative_error
from backprop_lib.nn.layer_norm import EPS, LayerNormMLP
from backprop_lib.nn.residual import ResidualMLP

NETWORKS = [MLP, ResidualMLP, LayerNormMLP]
ALL_PAIRS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("softmax", "mse"),
             ("sigmoid", "bce"), ("softmax", "softmax_ce")]
PAIRS = [("identity", "mse"), ("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "softmax_ce")]


@dataclass(frozen=True)
class Draws:
    """What hypothesis draws for one network class (ranges are inclusive)."""

    depths: tuple[int, int]             # L, layers with weights
    hidden_widths: tuple[int, int]
    equal_hidden: bool                  # one width for every hidden layer (residual blocks)
    outputs: tuple[int, int]            # n_L (at least 2 for a softmax)
    activations: tuple[str, ...]        # per hidden layer
    pairs: tuple[tuple[str, str], ...]  # (output activation, loss)
    batches: tuple[int, int]
    inits: tuple[str, ...]
    eps: tuple[float, ...] = ()         # LayerNormMLP's


DRAWS = {
    MLP: Draws((1, 4), (1, 5), False, (1, 5), tuple(HIDDEN_ACTIVATIONS), tuple(ALL_PAIRS), (1, 6),
               ("xavier", "he")),
    ResidualMLP: Draws((2, 6), (2, 5), True, (2, 3), ("sigmoid", "tanh", "relu", "leaky_relu"),
                       tuple(PAIRS), (5, 5), ("xavier",)),
    LayerNormMLP: Draws((1, 5), (2, 6), False, (2, 3), ("sigmoid", "tanh", "relu", "leaky_relu", "silu"),
                        tuple(PAIRS), (1, 6), ("xavier",), (EPS, 1e-3, 0.5)),
}


@st.composite
def problems(draw, cls):
    """``(net, X, Y)`` for a network of class ``cls``, drawn as ``DRAWS[cls]`` says."""
    d = DRAWS[cls]
    depth = draw(st.integers(*d.depths))
    n_hidden = depth - 1
    if d.equal_hidden:
        hidden_widths = [draw(st.integers(*d.hidden_widths))] * n_hidden
    else:
        hidden_widths = draw(st.lists(st.integers(*d.hidden_widths), min_size=n_hidden, max_size=n_hidden))
    widths = [draw(st.integers(1, 5))] + hidden_widths + [draw(st.integers(*d.outputs))]
    out_act, loss = draw(st.sampled_from(d.pairs))
    if out_act == "softmax":
        widths[-1] = max(widths[-1], 2)
    hidden = draw(st.lists(st.sampled_from(d.activations), min_size=n_hidden, max_size=n_hidden))
    extra = {"eps": draw(st.sampled_from(d.eps))} if d.eps else {}
    return make_problem(cls, widths, hidden, out_act, loss, seed=draw(st.integers(0, 2**32 - 1)),
                        batch=draw(st.integers(*d.batches)), init=draw(st.sampled_from(d.inits)), **extra)


def central_differences_are_valid(net, cache, margin=1e-3, min_s=0.05) -> bool:
    """False where central differences (step 1e-5) are no valid reference: a ReLU-type unit whose
    input lies within ``margin`` of 0 (the quotient straddles the kink), or a normalised layer whose
    pre-activations barely vary (s = sqrt(var + eps) below ``min_s``: the loss bends on the scale
    of the step)."""
    L = net.num_layers
    kinks = all(np.min(np.abs(activation_inputs(net, cache, l))) > margin
                for l in range(1, L) if "relu" in net.activation_names[l - 1])
    return kinks and all(np.min(cache[f"s{l}"]) > min_s for l in range(1, L) if f"s{l}" in cache)


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("cls", NETWORKS, ids=lambda c: c.__name__)
@settings(max_examples=300, **SETTINGS)
@given(data=st.data())
def test_backward_matches_autograd(cls, data):
    net, X, Y = data.draw(problems(cls))
    out, cache = net.forward(X)
    ours = net.backward(cache, Y)
    ref = autograd_gradients(net, X, Y)
    L = net.num_layers
    assert relative_error(flat(ours, L), flat(ref, L)) < 1e-10
    for key in ref:  # and array by array, so a wrong small array cannot hide behind a big one
        np.testing.assert_allclose(ours[key], ref[key], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("cls", NETWORKS, ids=lambda c: c.__name__)
@settings(max_examples=150, **SETTINGS)
@given(data=st.data())
def test_backward_matches_central_differences(cls, data):
    net, X, Y = data.draw(problems(cls))
    out, cache = net.forward(X)
    assume(central_differences_are_valid(net, cache))
    ours = net.backward(cache, Y)
    numeric = numerical_gradient(lambda: batch_loss(net, X, Y), net.params)
    L = net.num_layers
    assert relative_error(flat(ours, L), flat(numeric, L)) < 1e-6
    for key in numeric:  # array by array, with an absolute floor: a layer whose gradient is
        # ~1e-11 (a width-2 layer normalises to +-1 whatever its input; a sigmoid layer far from
        # the output) is below the ~1e-11 noise of the difference quotient
        np.testing.assert_allclose(ours[key], numeric[key], rtol=1e-5, atol=1e-9, err_msg=key)
        if cls is ResidualMLP:  # its layers all keep gradients above that noise (the skips)
            assert relative_error(ours[key], numeric[key]) < 1e-6, key
