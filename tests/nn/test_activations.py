"""Every activation: known values, derivative against central differences, saturation safety."""
import warnings

import numpy as np
import pytest
from scipy.stats import norm

from backprop_lib import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation, sigmoid, softmax
from backprop_lib.nn.activations import log_softmax

# Independent reference formulas (written directly from their definitions).
REFERENCE = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1.0),
    "gelu": lambda z: z * norm.cdf(z),
    "silu": lambda z: z / (1.0 + np.exp(-z)),
}


def test_registry_has_the_contract_names():
    assert set(ACTIVATIONS) == {"identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu",
                                "silu", "softmax"}
    assert "softmax" not in HIDDEN_ACTIVATIONS


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_values_match_the_definition(name):
    z = np.linspace(-6, 6, 61).reshape(1, -1) + 0.013  # avoid exact kinks
    np.testing.assert_allclose(get_activation(name)(z), REFERENCE[name](z), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_derivative_matches_central_differences(name):
    z = np.linspace(-5, 5, 41).reshape(1, -1) + 0.0137  # no point on a kink
    act = get_activation(name)
    h = 1e-6
    numeric = (act(z + h) - act(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z, act(z)), numeric, rtol=1e-7, atol=1e-9)


def test_kink_conventions():
    z = np.zeros((1, 1))
    assert get_activation("relu").derivative(z, z)[0, 0] == 0.0
    assert get_activation("leaky_relu").derivative(z, z)[0, 0] == 0.01
    assert get_activation("elu").derivative(z, z)[0, 0] == 1.0


def test_sigmoid_derivative_is_at_most_a_quarter():
    z = np.linspace(-10, 10, 2001).reshape(1, -1)
    act = get_activation("sigmoid")
    d = act.derivative(z, act(z))
    assert d.max() == pytest.approx(0.25) and d.max() <= 0.25


def test_softmax_columns_are_distributions_and_jacobian_is_right(rng):
    z = rng.normal(size=(4, 6))
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    act = get_activation("softmax")
    z1 = z[:, :1]
    J = act.jacobian(z1)
    h = 1e-6
    numeric = np.column_stack([(softmax(z1 + h * e[:, None]) - softmax(z1 - h * e[:, None]))[:, 0] / (2 * h)
                               for e in np.eye(4)])
    np.testing.assert_allclose(J, numeric, atol=1e-9)
    # backward is the vector-Jacobian product J^T g
    g = rng.normal(size=(4, 1))
    np.testing.assert_allclose(act.backward(z1, softmax(z1), g), J.T @ g, atol=1e-12)


def test_elementwise_jacobian_is_diagonal(rng):
    z = rng.normal(size=(3, 1))
    act = get_activation("tanh")
    np.testing.assert_allclose(act.jacobian(z), np.diag(1 - np.tanh(z[:, 0]) ** 2))


@pytest.mark.parametrize("big", [1000.0, 1e4])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_saturated_inputs_are_finite_and_silent(name, big):
    z = np.array([[-big, -1.0, 0.0, 1.0, big], [big, 0.5, -0.5, 2.0, -big]])
    act = get_activation(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            a = act(z)
            grad = act.backward(z, a, np.ones_like(z))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(grad))


def test_sigmoid_and_softmax_saturate_to_the_right_limits():
    assert sigmoid(np.array([[1e4]]))[0, 0] == 1.0
    assert sigmoid(np.array([[-1e4]]))[0, 0] == 0.0
    p = softmax(np.array([[1e4], [0.0], [-1e4]]))
    np.testing.assert_array_equal(p[:, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(log_softmax(np.array([[1e4], [0.0]]))[:, 0], [0.0, -1e4])


@pytest.mark.parametrize("bad", ["sigmod", "ReLU", ""])
def test_unknown_activation_lists_valid_names(bad):
    with pytest.raises(ValueError, match=r"unknown activation .*valid names are .*sigmoid"):
        get_activation(bad)


def test_activation_name_must_be_a_string():
    with pytest.raises(TypeError, match="must be a name"):
        get_activation(np.tanh)
