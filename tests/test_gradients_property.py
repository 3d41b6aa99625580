"""Property-based tests: MLP.backward against central differences and against autograd.

Hypothesis draws depths, widths, batch sizes, activations (per hidden layer) and output/loss
pairs; the weights and data come from a drawn seed.  The reference forward pass below is written
independently with ``autograd.numpy``; autograd differentiates it, so the only thing shared with
the library is the definition of the maths.
"""
import autograd.numpy as anp
import numpy as np
from autograd import grad
from autograd.scipy.special import erf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_lib import HIDDEN_ACTIVATIONS, MLP, numerical_gradient, relative_error

AG_ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "elu": lambda z: anp.where(z > 0, z, anp.exp(anp.minimum(z, 0.0)) - 1.0),
    "gelu": lambda z: z * 0.5 * (1.0 + erf(z / anp.sqrt(2.0))),
    "silu": lambda z: z / (1.0 + anp.exp(-z)),
    "softmax": lambda z: anp.exp(z - anp.max(z, axis=0)) / anp.sum(anp.exp(z - anp.max(z, axis=0)), axis=0),
}
AG_LOSSES = {  # batch means, written from the definitions
    "mse": lambda a, Y: anp.mean(0.5 * anp.sum((a - Y) ** 2, axis=0)),
    "bce": lambda a, Y: anp.mean(-anp.sum(Y * anp.log(a) + (1 - Y) * anp.log(1 - a), axis=0)),
    "softmax_ce": lambda a, Y: anp.mean(-anp.sum(Y * anp.log(a), axis=0)),
}
AG_LOSSES_OF_LOGITS = {  # -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z;  -y log softmax(z)
    ("sigmoid", "bce"): lambda z, Y: anp.mean(anp.sum(anp.logaddexp(0.0, z) - Y * z, axis=0)),
    ("softmax", "softmax_ce"): lambda z, Y: anp.mean(-anp.sum(
        Y * (z - anp.max(z, axis=0) - anp.log(anp.sum(anp.exp(z - anp.max(z, axis=0)), axis=0))), axis=0)),
}
OUTPUT_LOSS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("softmax", "mse"),
               ("sigmoid", "bce"), ("softmax", "softmax_ce")]
KEYS_ORDER = lambda L: [f"{k}{l}" for l in range(1, L + 1) for k in "Wb"]  # noqa: E731


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
    rng = np.random.default_rng(seed)
    net = MLP(widths, activation=hidden, output_activation=out_act, loss=loss, init=init, seed=seed)
    for l in range(1, depth + 1):  # non-zero biases, so every term of BP4 is exercised
        net.params[f"b{l}"][:] = rng.normal(0, 0.5, size=(widths[l], 1))
    X = rng.normal(size=(widths[0], batch))
    if loss == "softmax_ce":
        Y = np.eye(widths[-1])[:, rng.integers(0, widths[-1], size=batch)]
    elif loss == "bce":
        Y = rng.uniform(size=(widths[-1], batch))
    else:
        Y = rng.normal(size=(widths[-1], batch))
    return net, X, Y


def flat(grads, L):
    return np.concatenate([grads[k].ravel() for k in KEYS_ORDER(L)])


def autograd_gradients(net, X, Y):
    L = net.num_layers
    keys = KEYS_ORDER(L)

    def loss_of(theta):
        a = X
        for l in range(1, L + 1):
            W, b = theta[2 * (l - 1)], theta[2 * (l - 1) + 1]
            z = anp.dot(W, a) + b
            a = AG_ACTIVATIONS[net.activation_names[l - 1]](z)
        if (net.activation_names[-1], net.loss_name) in AG_LOSSES_OF_LOGITS:
            # the same loss written on the logits: log(1 - sigmoid(z)) computed as written loses
            # every digit once a saturates, and the reference must not be the less accurate side
            return AG_LOSSES_OF_LOGITS[net.activation_names[-1], net.loss_name](z, Y)
        return AG_LOSSES[net.loss_name](a, Y)

    g = grad(loss_of)([net.params[k] for k in keys])
    return dict(zip(keys, g))


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
