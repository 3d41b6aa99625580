"""The MLP refuses bad input with an error that says what is wrong and how to fix it."""
import numpy as np
import pytest
from backprop_lib.data.worked_231 import net_231, params_231

from backprop_lib import MLP


def test_wrong_input_height():
    with pytest.raises(ValueError, match=r"X \(inputs\) must have 2 rows.*got shape \(3, 4\)"):
        net_231().forward(np.zeros((3, 4)))


def test_one_dimensional_input_is_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"must be 2-D, got shape \(2,\).*examples are columns"):
        net_231().forward(np.array([0.05, 0.10]))


def test_targets_of_shape_B_against_1_by_B_are_refused_not_broadcast():
    net = MLP([2, 3, 1], seed=0)
    out, cache = net.forward(np.zeros((2, 5)))
    Y = np.zeros(5)
    with pytest.raises(ValueError, match=r"Y \(targets\) must be 2-D, got shape \(5,\)"):
        net.loss(out, Y)
    with pytest.raises(ValueError, match=r"Y \(targets\) must be 2-D, got shape \(5,\)"):
        net.backward(cache, Y)
    with pytest.raises(ValueError, match=r"must have 1 rows .*got shape \(5, 1\)"):
        net.backward(cache, Y.reshape(5, 1))


def test_targets_with_wrong_batch_size():
    net = MLP([2, 3, 1], seed=0)
    out, cache = net.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"must have 5 columns \(one per example\), got shape \(1, 4\)"):
        net.backward(cache, np.zeros((1, 4)))


@pytest.mark.parametrize("kwargs,pattern", [
    ({"activation": "sigmod"}, r"unknown activation\[0\] 'sigmod'; valid names"),
    ({"output_activation": "soft_max"}, r"unknown output_activation 'soft_max'"),
    ({"loss": "l2"}, r"unknown loss 'l2'; valid names are \['bce', 'mse', 'softmax_ce'\]"),
    ({"init": "glorot"}, r"unknown init 'glorot'; valid names are \['he', 'normal', 'xavier'\]"),
    ({"activation": ["relu"]}, r"one name per hidden layer \(2\), got 1"),
    ({"activation": "softmax"}, r"not elementwise .*only be an output activation"),
    ({"loss": "bce", "output_activation": "identity"}, r"loss 'bce' needs output_activation='sigmoid'"),
    ({"loss": "softmax_ce"}, r"loss 'softmax_ce' needs output_activation='softmax'"),
])
def test_bad_settings(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        MLP([2, 3, 3, 1], **kwargs)


@pytest.mark.parametrize("sizes,exc,pattern", [
    ([3], ValueError, "at least an input and an output"),
    ([3, 0, 1], ValueError, r"sizes\[1\] must be a positive integer, got 0"),
    ([3, 2.5, 1], TypeError, r"sizes\[1\] must be a positive integer"),
    ("231", TypeError, "sizes must be a list"),
])
def test_bad_sizes(sizes, exc, pattern):
    with pytest.raises(exc, match=pattern):
        MLP(sizes)


def test_inconsistent_parameter_shapes():
    params = params_231()
    params["W2"] = np.zeros((1, 4))
    with pytest.raises(ValueError, match=r"params\['W2'\] must have 3 columns to match .*got shape \(1, 4\)"):
        MLP.from_params(params)
    params = params_231()
    params["b1"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"params\['b1'\] must be 2-D, got shape \(3,\); use shape \(3, 1\)"):
        MLP.from_params(params)
    with pytest.raises(ValueError, match=r"keys W1, b1, \.\.\., WL, bL; got \['W1', 'W2'"):
        MLP.from_params({"W1": np.zeros((2, 2)), "W2": np.zeros((1, 2))})


def test_params_reshaped_after_construction_are_caught():
    net = net_231()
    net.params["W2"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"params\['W2'\] must have shape \(1, 3\), got \(2, 3\)"):
        net.forward(np.zeros((2, 1)))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_and_targets(value):
    net = net_231()
    X = np.array([[0.05], [value]])
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.forward(X)
    out, cache = net.forward(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.loss(out, np.array([[value]]))


def test_empty_batch():
    with pytest.raises(ValueError, match=r"empty \(shape \(2, 0\)\)"):
        net_231().forward(np.zeros((2, 0)))


def test_non_numeric_inputs():
    with pytest.raises(TypeError, match="must hold numbers"):
        net_231().forward(np.array([["a"], ["b"]]))
    with pytest.raises(TypeError, match="2-D numeric array, got str"):
        net_231().forward("x")


def test_bce_targets_outside_unit_interval():
    net = MLP([2, 1], loss="bce", seed=0)
    out, cache = net.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"bce targets must lie in \[0, 1\], got values from 0 to 2"):
        net.backward(cache, np.array([[0.0, 2.0]]))


def test_backward_refuses_something_that_is_not_a_cache():
    net = net_231()
    out, cache = net.forward(np.zeros((2, 1)))
    with pytest.raises(TypeError, match="cache must be the dict returned by forward"):
        net.backward(out, np.zeros((1, 1)))
