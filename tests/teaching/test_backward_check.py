"""check_backward: a right learner passes, and each classic mistake is caught and named."""
import numpy as np
import pytest

from backprop_lib.nn.activations import sigmoid
from backprop_lib.teaching.backward_check import check_backward, random_problem


def right(params, cache, Y):
    """BP1-BP4 for a 2-layer sigmoid network with MSE, written from the formulas."""
    B = Y.shape[1]
    a0, a1, a2 = cache["a0"], cache["a1"], cache["a2"]
    d2 = (a2 - Y) * a2 * (1 - a2)
    d1 = (params["W2"].T @ d2) * a1 * (1 - a1)
    return {"W2": d2 @ a1.T / B, "b2": d2.mean(axis=1, keepdims=True),
            "W1": d1 @ a0.T / B, "b1": d1.mean(axis=1, keepdims=True)}


def general_softmax(params, cache, Y):
    """Any depth, tanh hidden layers, softmax + cross-entropy output (delta^(L) = a - y)."""
    L, B = len(params) // 2, Y.shape[1]
    delta, grads = cache[f"a{L}"] - Y, {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T / B
        grads[f"b{l}"] = delta.sum(axis=1, keepdims=True) / B
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * (1 - cache[f"a{l - 1}"] ** 2)
    return grads


def test_right_implementations_pass():
    assert check_backward(right)
    assert check_backward(right, sizes=[5, 2, 3], batch=7, trials=2, seed=11)
    result = check_backward(general_softmax, sizes=[2, 4, 3, 3], activation="tanh",
                            output_activation="softmax", loss="softmax_ce")
    assert result and "6 gradients" in result.message
    assert all(len(line) <= 79 for line in check_backward(right).message.splitlines())


def test_right_implementation_agrees_with_finite_differences():
    # an independent check of the reference the checker uses
    net, X, Y = random_problem(seed=4)
    g = right(net.params, net.forward(X)[1], Y)
    eps = 1e-6
    for key in ("W1", "b2"):
        p = net.params[key]
        old = p[0, 0]
        p[0, 0] = old + eps
        up = net.loss(net.predict(X), Y)
        p[0, 0] = old - eps
        down = net.loss(net.predict(X), Y)
        p[0, 0] = old
        assert g[key][0, 0] == pytest.approx((up - down) / (2 * eps), rel=1e-6, abs=1e-10)


def test_missing_one_over_B_is_named_with_the_factor():
    def no_mean(params, cache, Y):
        return {k: v * Y.shape[1] for k, v in right(params, cache, Y).items()}
    result = check_backward(no_mean, batch=5)
    assert not result
    assert "'W2'" in result.message and "5 times" in result.message and "factor of B = 5" in result.message


def test_transposed_weight_gradient_is_named():
    def transposed(params, cache, Y):
        g = right(params, cache, Y)
        g["W1"] = g["W1"].T
        return g
    result = check_backward(transposed)
    assert not result and "'W1'" in result.message and "transpose" in result.message


def test_missing_sigma_prime_in_bp2_points_at_bp2():
    def no_sigma_prime(params, cache, Y):
        B = Y.shape[1]
        d2 = (cache["a2"] - Y) * cache["a2"] * (1 - cache["a2"])
        d1 = params["W2"].T @ d2                               # forgot ⊙ sigma'(z1)
        return {"W2": d2 @ cache["a1"].T / B, "b2": d2.mean(axis=1, keepdims=True),
                "W1": d1 @ cache["a0"].T / B, "b1": d1.mean(axis=1, keepdims=True)}
    result = check_backward(no_sigma_prime)
    assert not result and "'W1'" in result.message and "BP2" in result.message
    assert "W2" not in result.message.split("[")[0]           # the output layer was right


def test_missing_sigma_prime_in_bp1_points_at_bp1():
    def no_sigma_prime_out(params, cache, Y):
        B = Y.shape[1]
        d2 = cache["a2"] - Y
        d1 = (params["W2"].T @ d2) * cache["a1"] * (1 - cache["a1"])
        return {"W2": d2 @ cache["a1"].T / B, "b2": d2.mean(axis=1, keepdims=True),
                "W1": d1 @ cache["a0"].T / B, "b1": d1.mean(axis=1, keepdims=True)}
    result = check_backward(no_sigma_prime_out)
    assert not result and "'W2'" in result.message and "BP1" in result.message


def test_wrong_layer_activation_is_named():
    def wrong_layer(params, cache, Y):
        g = right(params, cache, Y)
        d2 = (cache["a2"] - Y) * cache["a2"] * (1 - cache["a2"])
        g["W2"] = d2 @ cache["a0"].T / Y.shape[1]              # a^(0) instead of a^(1)
        return g
    result = check_backward(wrong_layer)
    assert not result and "'W2'" in result.message and "a^(1)" in result.message


def test_wrong_layer_that_keeps_the_shape_is_still_caught():
    # with n_0 = n_1 the slip a^(0) for a^(1) has the right shape; only the values can tell
    def wrong_layer(params, cache, Y):
        g = right(params, cache, Y)
        d2 = (cache["a2"] - Y) * cache["a2"] * (1 - cache["a2"])
        g["W2"] = d2 @ cache["a0"].T / Y.shape[1]
        return g
    result = check_backward(wrong_layer, sizes=[4, 4, 2])
    assert not result and "'W2' is off" in result.message


def test_bias_shape_and_batch_mistakes_have_hints():
    def flat_bias(params, cache, Y):
        g = right(params, cache, Y)
        g["b2"] = g["b2"].ravel()
        return g
    assert "keepdims" in check_backward(flat_bias).message

    def per_example_bias(params, cache, Y):
        g = right(params, cache, Y)
        g["b2"] = (cache["a2"] - Y) * cache["a2"] * (1 - cache["a2"])
        return g
    assert "one column per example" in check_backward(per_example_bias).message


def test_learner_errors_become_verdicts():
    def raises(params, cache, Y):
        return params["W3"]
    result = check_backward(raises)
    assert not result and "KeyError" in result.message
    assert "returned list" in check_backward(lambda p, c, Y: [1, 2]).message
    missing = check_backward(lambda p, c, Y: {"W2": 0})
    assert not missing and "shape ()" in missing.message
    assert "no 'b2'" in check_backward(lambda p, c, Y: {"W2": right(p, c, Y)["W2"]}).message
    assert "NaN" in check_backward(lambda p, c, Y: {k: v * np.nan for k, v in right(p, c, Y).items()}).message


def test_learner_cannot_corrupt_the_reference():
    def vandal(params, cache, Y):
        g = right(params, cache, Y)
        for v in list(params.values()) + list(cache.values()):
            v[...] = 0.0
        return g
    assert check_backward(vandal)


def test_random_problem_has_nonzero_biases_and_valid_targets():
    net, X, Y = random_problem(sizes=[2, 3, 4], output_activation="softmax", loss="softmax_ce", batch=6)
    assert X.shape == (2, 6) and Y.shape == (4, 6)
    assert np.all(net.params["b1"] != 0.0)
    assert np.allclose(Y.sum(axis=0), 1.0) and set(np.unique(Y)) == {0.0, 1.0}
    out = net.predict(X)
    assert np.allclose(out.sum(axis=0), 1.0)
    net2, X2, _ = random_problem(seed=1)
    assert np.allclose(net2.predict(X2), sigmoid(net2.params["W2"] @ sigmoid(net2.params["W1"] @ X2 + net2.params["b1"]) + net2.params["b2"]))


def test_bad_input_is_refused_with_useful_messages():
    with pytest.raises(TypeError, match="learner_fn must be a function"):
        check_backward("my_backward")
    with pytest.raises(ValueError, match="sizes must be a list"):
        check_backward(right, sizes=[3])
    with pytest.raises(ValueError, match="missing 1/B"):
        check_backward(right, batch=1)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        check_backward(right, activation="softmax")
    with pytest.raises(TypeError, match="trials must be a positive integer"):
        check_backward(right, trials=2.5)
    with pytest.raises(ValueError, match="rtol must be > 0"):
        check_backward(right, rtol=0.0)
    with pytest.raises(ValueError, match="needs output_activation='sigmoid'"):
        check_backward(right, loss="bce", output_activation="tanh")
