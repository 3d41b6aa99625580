"""LayerNormMLP and layer_norm: a deep network against autograd, the defining properties of the
standardisation, scale invariance, and clear errors for bad input.

The property tests against central differences and autograd are in test_gradients_property.py;
the autograd reference (tests/helpers_nn.py) takes its hidden step from the definition,
zhat = (z - mean(z)) / sqrt(var(z) + eps) per column, independently of the library's BP2n.
"""
import numpy as np
import pytest
from helpers_nn import autograd_gradients
from helpers_nn import make_problem as make_nn_problem

from backprop_lib import MLP, check_gradients
from backprop_lib.gradcheck.finite_diff import numerical_jacobian
from backprop_lib.nn.layer_norm import EPS, LayerNormMLP, layer_norm, layer_norm_backward
from backprop_lib.teaching.chapter_checkers import check_layer_norm_backward


def make_problem(widths, hidden, out_act, loss, seed, batch=5, eps=EPS):
    return make_nn_problem(LayerNormMLP, widths, hidden, out_act, loss, seed, batch=batch, eps=eps)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_deep_network_of_depth_twenty_against_autograd_and_check_gradients(act):
    net, X, Y = make_problem([3] + [8] * 19 + [1], act, "identity", "mse", seed=7)
    ours = net.backward(net.forward(X)[1], Y)
    ref = autograd_gradients(net, X, Y)
    for key in ref:
        np.testing.assert_allclose(ours[key], ref[key], rtol=1e-7, atol=1e-12)
    if act in ("tanh", "leaky_relu"):   # the library's own checker agrees too where it can: no
        # kinks to straddle, and no sigmoid-vanished early gradients of ~1e-12 (below its noise)
        assert check_gradients(net, X, Y).max_error < 1e-6


def test_layer_norm_by_hand():
    # column (1, 2, 3): mean 2, population variance ((-1)^2 + 0 + 1^2) / 3 = 2/3
    zhat, s = layer_norm(np.array([[1.0], [2.0], [3.0]]), eps=0.01)
    assert s[0, 0] == pytest.approx(np.sqrt(2 / 3 + 0.01))
    np.testing.assert_allclose(zhat[:, 0], np.array([-1.0, 0.0, 1.0]) / np.sqrt(2 / 3 + 0.01))


def test_every_hidden_column_has_mean_zero_and_variance_near_one():
    net, X, _ = make_problem([4, 7, 5, 6, 2], ["tanh", "relu", "sigmoid"], "identity", "mse", seed=3, batch=9)
    _, cache = net.forward(X)
    for l in (1, 2, 3):
        zhat, z = cache[f"zhat{l}"], cache[f"z{l}"]
        var = np.var(z, axis=0)                         # numpy's population variance, per column
        np.testing.assert_allclose(zhat.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(zhat.var(axis=0), var / (var + net.eps), rtol=1e-12)
        assert np.all(np.abs(zhat.var(axis=0) - 1.0) < 1e-3)   # the eps shortfall is tiny here
        np.testing.assert_array_equal(cache[f"a{l}"], net.activations[l - 1].forward(zhat))
    assert "zhat4" not in cache                            # the output layer is not normalised
    np.testing.assert_allclose(cache["a4"], net.params["W4"] @ cache["a3"] + net.params["b4"])


def test_bp2n_is_the_transposed_jacobian_of_layer_norm():
    rng = np.random.default_rng(0)
    z, g = rng.normal(size=(6, 1)), rng.normal(size=(6, 1))
    J = numerical_jacobian(lambda v: layer_norm(v.reshape(-1, 1))[0].ravel(), z.ravel())
    zhat, s = layer_norm(z)
    np.testing.assert_allclose(layer_norm_backward(g, zhat, s), J.T @ g, rtol=1e-7, atol=1e-9)
    # the closed form dzhat_i/dz_j = (1/s)(1[i=j] - 1/n - zhat_i zhat_j / n) is symmetric
    n = 6
    closed = (np.eye(n) - 1.0 / n - zhat @ zhat.T / n) / s[0, 0]
    np.testing.assert_allclose(J, closed, rtol=1e-6, atol=1e-8)


def test_without_hidden_layers_it_is_the_plain_mlp():
    params = {"W1": np.array([[0.3, -0.2, 0.5]]), "b1": np.array([[0.1]])}
    ln = LayerNormMLP.from_params(params, output_activation="sigmoid", loss="bce")
    plain = MLP.from_params(params, output_activation="sigmoid", loss="bce")
    X, Y = np.random.default_rng(1).normal(size=(3, 4)), np.array([[0.0, 1.0, 1.0, 0.0]])
    np.testing.assert_array_equal(ln.predict(X), plain.predict(X))
    g_ln, g_plain = ln.loss_and_gradients(X, Y)[1], plain.loss_and_gradients(X, Y)[1]
    for key in g_plain:
        np.testing.assert_array_equal(g_ln[key], g_plain[key])


@pytest.mark.parametrize("c", [0.1, 3.0, 250.0])
def test_scaling_a_hidden_layer_leaves_the_output_and_divides_its_gradient(c):
    # Layer k with W, b -> cW, cb: z -> c z, so mu -> c mu and s = sqrt(var + eps) -> sqrt(c^2 var + eps)
    # = c s exactly when eps = 0 (here eps = 1e-14 is far below var): zhat, hence every a and L, are
    # unchanged.  So L(cW, cb) = L(W, b) for all W, b; differentiating in W gives
    # c (dL/dW)(cW, cb) = (dL/dW)(W, b): that layer's gradient is divided by c, the others are unchanged.
    # (Euler: L is homogeneous of degree 0 in (W, b), so sum W dL/dW + sum b dL/db = 0.)
    net, X, Y = make_problem([3, 6, 5, 2], ["tanh", "sigmoid"], "sigmoid", "bce", seed=11, eps=1e-14)
    scaled, k = net.copy(), 2
    scaled.params[f"W{k}"] *= c
    scaled.params[f"b{k}"] *= c
    loss, grads = net.loss_and_gradients(X, Y)
    loss_c, grads_c = scaled.loss_and_gradients(X, Y)
    np.testing.assert_allclose(scaled.predict(X), net.predict(X), rtol=1e-12)
    assert loss_c == pytest.approx(loss, rel=1e-12)
    for key in grads_c:
        if key[0] in "Wb":
            factor = 1.0 / c if key[1:] == str(k) else 1.0
            np.testing.assert_allclose(grads_c[key], factor * grads[key], rtol=1e-9, atol=1e-15)
    euler = np.sum(net.params[f"W{k}"] * grads[f"W{k}"]) + np.sum(net.params[f"b{k}"] * grads[f"b{k}"])
    assert abs(euler) < 1e-10 * np.linalg.norm(grads[f"W{k}"]) * np.linalg.norm(net.params[f"W{k}"])


def test_with_the_default_eps_scale_invariance_holds_up_to_eps():
    net, X, Y = make_problem([3, 6, 5, 1], "relu", "identity", "mse", seed=2)
    scaled = net.copy()
    scaled.params["W1"] *= 0.25
    scaled.params["b1"] *= 0.25
    # z^(1) has variance ~1 here, so 0.25^2 var is still >> eps = 1e-5: relative change ~ eps / (c^2 var)
    np.testing.assert_allclose(scaled.predict(X), net.predict(X), rtol=1e-3)
    assert not np.array_equal(scaled.predict(X), net.predict(X))


def test_the_same_weights_give_a_different_but_tamer_network_than_mlp():
    ln = LayerNormMLP([16] + [32] * 11 + [1], activation="relu", output_activation="identity", init="he", seed=0)
    plain = MLP([16] + [32] * 11 + [1], activation="relu", output_activation="identity", init="he", seed=0)
    for k in ln.params:
        np.testing.assert_array_equal(ln.params[k], plain.params[k])
    for net in (ln, plain):
        for l in range(1, 12):
            net.params[f"W{l}"] *= 4.0
    X = np.random.default_rng(0).normal(size=(16, 8))
    _, cache = ln.forward(X)
    # standardised hidden layers: relu(zhat) with zhat of mean 0 and variance ~1 has rms <= 1
    assert all(np.sqrt(np.mean(cache[f"a{l}"] ** 2)) <= 1.0 for l in range(1, 12))
    # the plain network's activations grow by ~4 sqrt(2 / 2) per layer (relu halves, He doubles)
    assert np.sqrt(np.mean(plain.forward(X)[1]["a11"] ** 2)) > 4.0 ** 8


def test_repr_copy_and_from_params():
    net = LayerNormMLP([2, 3, 1], activation="tanh", output_activation="identity", seed=0, eps=1e-3)
    assert repr(net).startswith("LayerNormMLP(sizes=[2, 3, 1]") and "eps=0.001" in repr(net)
    twin = net.copy()
    assert isinstance(twin, LayerNormMLP) and twin.eps == 1e-3
    twin.params["W1"][0, 0] += 1.0
    assert net.params["W1"][0, 0] != twin.params["W1"][0, 0]
    params = {k: v.copy() for k, v in net.params.items()}
    rebuilt = LayerNormMLP.from_params(params, "tanh", "identity", eps=1e-3)
    params["W1"][:] = 0.0
    np.testing.assert_array_equal(rebuilt.params["W1"], net.params["W1"])


def test_checker_accepts_bp2n_and_names_the_missing_term():
    right = check_layer_norm_backward(layer_norm_backward)
    assert right.passed and "Correct" in str(right)
    mean0 = lambda v: v.mean(axis=0, keepdims=True)  # noqa: E731
    cases = [(lambda g, zh, s: (g - mean0(g)) / s, "through s"),
             (lambda g, zh, s: g / s, "Both mean terms"),
             (lambda g, zh, s: g - mean0(g) - zh * mean0(g * zh), "1/s"),
             (lambda g, zh, s: (g - g.mean(axis=1, keepdims=True)
                                - zh * (g * zh).mean(axis=1, keepdims=True)) / s, "wrong axis"),
             (lambda g, zh, s: None, "return"),
             (lambda g, zh, s: g[:2], "shape"),
             (lambda g, zh, s: 1 / 0, "ZeroDivisionError")]
    for fn, words in cases:
        verdict = check_layer_norm_backward(fn)
        assert not verdict.passed and words in verdict.message, verdict.message


def test_bad_input_is_refused_with_useful_messages():
    with pytest.raises(ValueError, match=r"at least 2 units per hidden layer.*\[2\]"):
        LayerNormMLP([3, 4, 1, 2])
    with pytest.raises(ValueError, match="eps must be > 0"):
        LayerNormMLP([3, 4, 1], eps=0.0)
    with pytest.raises(TypeError, match="eps must be a real number"):
        LayerNormMLP.from_params({"W1": np.ones((1, 2)), "b1": np.zeros((1, 1))}, eps="small")
    with pytest.raises(ValueError, match="eps must be finite"):
        layer_norm(np.ones((3, 2)), eps=float("nan"))
    with pytest.raises(ValueError, match="at least 2 rows"):
        layer_norm(np.ones((1, 5)))
    with pytest.raises(ValueError, match=r"must be 2-D"):
        layer_norm(np.ones(4))
    zhat, s = layer_norm(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match=r"g \(dL/dzhat\) must have 2 columns"):
        layer_norm_backward(np.ones((3, 3)), zhat, s)
    with pytest.raises(ValueError, match=r"s must have 1 rows"):
        layer_norm_backward(np.ones((3, 2)), zhat, np.ones((3, 2)))
    with pytest.raises(ValueError, match="s must be > 0"):
        layer_norm_backward(np.ones((3, 2)), zhat, -s)
    net = LayerNormMLP([2, 3, 1], activation="tanh", output_activation="identity", seed=0)
    with pytest.raises(ValueError, match=r"X \(inputs\) must have 2 rows"):
        net.forward(np.zeros((3, 4)))
    plain_cache = MLP.from_params(net.params, "tanh", "identity").forward(np.ones((2, 4)))[1]
    with pytest.raises(TypeError, match="cache must come from LayerNormMLP.forward"):
        net.backward(plain_cache, np.zeros((1, 4)))
    _, cache = net.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="must have 4 columns"):
        net.backward(cache, np.zeros((1, 5)))
    with pytest.raises(TypeError, match="fn must be a function"):
        check_layer_norm_backward("dz = g / s")


def test_sigma_prime_of_a_hidden_layer_is_taken_at_zhat():
    # silu'(x) = s(x) (1 + x (1 - s(x))) needs the input itself (tanh' could be read off the output)
    net = LayerNormMLP([3, 4, 2], activation="silu", output_activation="sigmoid", loss="bce", seed=2)
    _, cache = net.forward(np.random.default_rng(0).normal(size=(3, 5)))
    z = cache["z1"]
    zhat = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + net.eps)
    sz = 1.0 / (1.0 + np.exp(-zhat))
    np.testing.assert_allclose(net.sigma_prime(cache, 1), sz * (1 + zhat * (1 - sz)), rtol=1e-12)
    s = 1.0 / (1.0 + np.exp(-cache["z2"]))            # the output layer is not normalised
    np.testing.assert_allclose(net.sigma_prime(cache, 2), s * (1 - s), rtol=1e-12)
