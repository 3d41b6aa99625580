"""Property-based tests: MLP.backward against central differences and against autograd.

Hypothesis draws depths, widths, batch sizes, activations (per hidden layer) and output/loss
pairs; the weights and data come from a drawn seed.  The reference forward pass
(tests/autograd_reference.py) is written independently with ``autograd.numpy``; autograd
differentiates it, so the only thing shared with the library is the definition of the maths.
"""
import numpy as np
from autograd_reference import autograd_gradients, param_keys, random_biases_and_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_lib import HIDDEN_ACTIVATIONS, MLP, numerical_gradient, relative_error

OUTPUT_LOSS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("softmax", "mse"),
               ("sigmoid", "bce"), ("softmax", "softmax_ce")]


@st.composite
def problems(draw):
    depth = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1))
    out_act, loss = draw(st.sampled_from(OUTPUT_LOSS))
    if out_act == "softmax":
        widths[-1] = max(widths[-1], 2)
    hidden = draw(st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=depth - 1, max_size=depth - 1))
    batch = draw(st.integers(1, 6))
    init = draw(st.sampled_from(["xavier", "he"]))
    seed = draw(st.integers(0, 2**32 - 1))
    net = MLP(widths, activation=hidden, output_activation=out_act, loss=loss, init=init, seed=seed)
    X, Y = random_biases_and_data(net, np.random.default_rng(seed), batch)
    return net, X, Y


def flat(grads, L):
    return np.concatenate([grads[k].ravel() for k in param_keys(L)])


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_backward_matches_autograd(problem):
    net, X, Y = problem
    out, cache = net.forward(X)
    ours = net.backward(cache, Y)
    ref = autograd_gradients(net, X, Y)
    L = net.num_layers
    assert relative_error(flat(ours, L), flat(ref, L)) < 1e-10
    for key in ref:  # and array by array, so a wrong small array cannot hide behind a big one
        np.testing.assert_allclose(ours[key], ref[key], rtol=1e-8, atol=1e-12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_backward_matches_central_differences(problem):
    net, X, Y = problem
    out, cache = net.forward(X)
    ours = net.backward(cache, Y)
    numeric = numerical_gradient(lambda: net.loss(net.forward(X)[0], Y), net.params)
    L = net.num_layers
    # relu/leaky_relu kinks: a unit whose z lies within eps of 0 makes the difference quotient
    # straddle the kink; such draws have probability ~1e-5 per unit and are not excluded.
    assert relative_error(flat(ours, L), flat(numeric, L)) < 1e-6
