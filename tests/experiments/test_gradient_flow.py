"""Gradient-flow experiments: norms, the BP2 bound, dead units, clipped training and the
init-scale checker.  Expected values come from hand reasoning, not from the outputs checked."""
import numpy as np
import pytest

from backprop_lib import MLP, init_std
from backprop_lib.experiments.gradient_flow import (
    FLOW_ACTIVATIONS, dead_fraction, deep_net, delta_bound, descend_with_clipping, first_last_ratio,
    gradient_norm_profile, ratio_text, synthetic_data, weight_gradient_norms)
from backprop_lib.teaching.chapter_checkers import check_init_std
from backprop_lib.nn.optim import global_norm
from backprop_lib.nn.residual import ResidualMLP


def test_weight_gradient_norms_are_frobenius_norms_in_layer_order():
    grads = {"W2": np.array([[3.0, 4.0]]), "b1": np.ones((2, 1)), "W1": np.array([[1.0], [0.0]]),
             "delta1": np.ones((2, 3))}
    np.testing.assert_allclose(weight_gradient_norms(grads), [1.0, 5.0])


def test_deep_net_shapes_scale_and_output():
    base = deep_net(5, "tanh", "he", 1.0, width=8, seed=4)
    net = deep_net(5, "tanh", "he", 2.5, width=8, seed=4)
    assert net.sizes == [16, 8, 8, 8, 8, 1] and net.activation_names[-1] == "identity"
    np.testing.assert_allclose(net.params["W3"], 2.5 * base.params["W3"])
    assert np.std(base.params["W2"]) == pytest.approx(init_std("he", 8, 8), rel=0.3)
    assert isinstance(deep_net(3, residual=True), ResidualMLP)
    X, Y = synthetic_data(32, seed=1)
    assert X.shape == (16, 32) and Y.shape == (1, 32) and np.all(np.abs(Y) <= 1)


def test_bound_is_tight_when_every_sigmoid_sits_at_zero():
    # X = 0, b^(1) = 0 and b^(l) = -c/2 after it (each a^(l-1) = 1/2): every hidden z = 0, so
    # sigma' = 1/4 exactly and BP2 gives delta^(l) = (1/4) W^T delta^(l+1) = (c/4) delta^(l+1) for
    # W = c I; with ||W||_2 = c the bound holds with equality.
    c, L, n = 3.0, 5, 4
    params = {}
    for l in range(1, L):
        params[f"W{l}"], params[f"b{l}"] = c * np.eye(n), np.full((n, 1), 0.0 if l == 1 else -c / 2)
    params[f"W{L}"], params[f"b{L}"] = np.ones((1, n)), np.zeros((1, 1))
    net = MLP.from_params(params, activation="sigmoid", output_activation="identity", loss="mse")
    X, Y = np.zeros((n, 3)), np.ones((1, 3))
    grads = net.backward(net.forward(X)[1], Y)
    measured, bound = delta_bound(net, grads)
    np.testing.assert_allclose(measured, bound, rtol=1e-12)
    assert np.all(net.forward(X)[1]["z3"] == 0.0)
    np.testing.assert_allclose(measured[:-2] / measured[1:-1], c / 4.0, rtol=1e-12)


@pytest.mark.parametrize("act", FLOW_ACTIVATIONS)
def test_measured_deltas_never_exceed_the_bound(act):
    net = deep_net(12, act, "xavier", 1.5, width=16, seed=2)
    X, Y = synthetic_data(20, seed=3)
    measured, bound = delta_bound(net, net.backward(net.forward(X)[1], Y))
    assert np.all(measured <= bound * (1 + 1e-12))


def test_sigmoid_vanishes_and_residual_connections_stop_it():
    plain = gradient_norm_profile(16, "sigmoid", "xavier", width=16, seeds=(0, 1))
    res = gradient_norm_profile(16, "sigmoid", "xavier", width=16, seeds=(0, 1), residual=True)
    assert plain.norms.shape == (2, 16) and plain.dead.shape == (2, 15) and plain.delta_q.shape == (16, 3)
    # each sigmoid layer multiplies by at most (1/4) ||W||_2 < 1 for Xavier width 16 (||W||_2 ~ 2 std sqrt(16) = 1.4)
    assert plain.ratio < 0.5 ** 14
    assert res.ratio > 1e6 * plain.ratio
    np.testing.assert_allclose(plain.mean, plain.norms.mean(axis=0))


def test_small_normal_init_shrinks_every_gradient_not_only_early_ones():
    small = gradient_norm_profile(10, "tanh", "normal", width=32, seeds=(0,))
    xavier = gradient_norm_profile(10, "tanh", "xavier", width=32, seeds=(0,))
    # both factors of BP3 shrink: a^(l-1) forward and delta^(l) backward, by ~0.01 sqrt(32) per layer
    assert np.all(small.mean < 1e-6 * xavier.mean)


def test_a_dead_layer_zeroes_every_gradient_below_it_and_the_ratio_is_undefined():
    net = deep_net(6, "relu", "he", width=16, seed=0)
    X, Y = synthetic_data(32)
    net.params["b5"][:] = -1e3                 # z^(5) < 0 for every example: the last hidden layer dies
    assert dead_fraction(net, X)[4] == 1.0
    norms = weight_gradient_norms(net.loss_and_gradients(X, Y)[1])
    assert np.all(norms == 0.0)                 # W6 sees a^(5) = 0, W1..W5 see delta = 0
    assert first_last_ratio(norms) is None
    assert ratio_text(norms).startswith("undefined: every unit dead")
    assert net.loss_and_gradients(X, Y)[1]["b6"][0, 0] != 0.0   # the linear output bias still learns


def test_a_dead_relu_output_makes_the_whole_gradient_exactly_zero():
    net = MLP([16, 8, 1], activation="relu", output_activation="relu", loss="mse", seed=0)
    net.params["b2"][:] = -1e3
    X, Y = synthetic_data(16)
    grads = net.loss_and_gradients(X, Y)[1]
    assert all(np.all(grads[k] == 0.0) for k in net.params)


def test_leaky_relu_units_are_never_dead():
    net = deep_net(6, "leaky_relu", "he", width=16, seed=0)
    net.params["b3"][:] = -1e3
    assert np.all(dead_fraction(net, synthetic_data(32)[0]) == 0.0)


def test_divergent_run_is_stopped_and_clipping_fixes_it():
    X, Y = synthetic_data(32)
    log = descend_with_clipping(deep_net(10, "relu", "he", 1.5, width=32, seed=0), X, Y, lr=0.05, steps=50)
    assert log.diverged and len(log.losses) < 50 and log.losses[-1] > 1e12
    net = deep_net(10, "relu", "he", 1.5, width=32, seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    clipped = descend_with_clipping(net, X, Y, lr=0.05, steps=50, clip=1.0)
    assert not clipped.diverged and clipped.losses[-1] < clipped.losses[0] / 10
    assert clipped.norms[0] > 1.0              # the norm is recorded before clipping
    # after clipping, one step moves the parameters by at most lr * clip
    one = deep_net(10, "relu", "he", 1.5, width=32, seed=0)
    descend_with_clipping(one, X, Y, lr=0.05, steps=1, clip=1.0)
    step = {k: one.params[k] - before[k] for k in before}
    assert global_norm(step) == pytest.approx(0.05, rel=1e-9)


def test_check_init_std_accepts_right_answers_and_explains_wrong_ones():
    assert check_init_std(lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out)), "xavier")
    assert check_init_std(lambda n_in, n_out: np.sqrt(2.0 / n_in), "he")
    r = check_init_std(lambda n_in, n_out: 2.0 / n_in, "he")
    assert not r and "variance" in r.message
    r = check_init_std(lambda n_in, n_out: np.sqrt(2.0 / n_out), "he")
    assert not r and "swapped" in r.message
    r = check_init_std(lambda n_in, n_out: np.sqrt(1.0 / n_in), "he")
    assert not r and "sqrt(2)" in r.message
    r = check_init_std(lambda n_in, n_out: 1 / 0, "xavier")
    assert not r and "ZeroDivisionError" in r.message


def test_bad_input_is_refused_with_useful_messages():
    with pytest.raises(ValueError, match="depth must be at least 2"):
        deep_net(1)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        deep_net(4, "swish")
    with pytest.raises(ValueError, match="weight_scale must be > 0"):
        deep_net(4, weight_scale=0.0)
    with pytest.raises(TypeError, match="seeds must be a non-empty sequence of integers"):
        gradient_norm_profile(4, seeds=())
    with pytest.raises(TypeError, match="net must be an MLP"):
        dead_fraction("net", np.zeros((16, 2)))
    with pytest.raises(TypeError, match="needs a plain MLP"):
        delta_bound(deep_net(3, residual=True), {})
    with pytest.raises(ValueError, match="lr must be > 0"):
        descend_with_clipping(deep_net(3), *synthetic_data(4), lr=-1.0, steps=3)
    with pytest.raises(ValueError, match="clip must be > 0"):
        descend_with_clipping(deep_net(3), *synthetic_data(4), lr=0.1, steps=3, clip=0.0)
    with pytest.raises(ValueError, match="norms must be a 1-D array"):
        first_last_ratio([1.0])
    with pytest.raises(ValueError, match="unknown name 'normal'"):
        check_init_std(lambda a, b: 0.01, "normal")
    with pytest.raises(TypeError, match="std_fn must be a function"):
        check_init_std(0.1, "he")


def test_clipped_steps_follow_autograd_gradients():
    # independent reference: autograd differentiates a forward pass written here from the
    # definitions; a clipped step is p - lr * g * min(1, clip / ||g||) with ||g|| over all W and b
    import autograd.numpy as anp
    from autograd import grad

    net = deep_net(5, "tanh", "xavier", 2.0, width=8, seed=3)
    X, Y = synthetic_data(10, seed=4)
    keys = [f"{k}{l}" for l in range(1, 6) for k in "Wb"]

    def loss_of(theta):
        a = X
        for l in range(1, 6):
            z = anp.dot(theta[2 * l - 2], a) + theta[2 * l - 1]
            a = anp.tanh(z) if l < 5 else z
        return anp.mean(0.5 * anp.sum((a - Y) ** 2, axis=0))

    lr, clip = 0.1, 0.5
    for _ in range(3):
        theta = [net.params[k].copy() for k in keys]
        g = grad(loss_of)(theta)
        norm = np.sqrt(sum(np.sum(gi ** 2) for gi in g))
        log = descend_with_clipping(net, X, Y, lr=lr, steps=1, clip=clip)
        assert log.norms[0] == pytest.approx(norm, rel=1e-10) and norm > clip
        for k, t, gi in zip(keys, theta, g):
            np.testing.assert_allclose(net.params[k], t - lr * gi * min(1.0, clip / norm), rtol=1e-10, atol=1e-13)


def test_dead_fraction_of_a_residual_layer_uses_sigma_prime_of_z_not_the_cached_sum():
    net = deep_net(5, "relu", "he", width=8, seed=0, residual=True)
    X = synthetic_data(16)[0]
    net.params["b3"][:] = -1e3   # z^(3) < 0 everywhere; a^(3) = a^(2) + 0 is still positive
    assert net.residual[2] and np.all(net.forward(X)[1]["a3"] >= 0) and np.any(net.forward(X)[1]["a3"] > 0)
    assert dead_fraction(net, X)[2] == 1.0


# ---------------------------------------------------------------------- normalize=True (LayerNormMLP)
def test_normalize_builds_a_layer_norm_network_with_the_same_weights():
    from backprop_lib.nn.layer_norm import LayerNormMLP

    plain = deep_net(6, "tanh", "xavier", 0.5, width=8, seed=3)
    normed = deep_net(6, "tanh", "xavier", 0.5, width=8, seed=3, normalize=True)
    assert isinstance(normed, LayerNormMLP) and not isinstance(plain, LayerNormMLP)
    for k in plain.params:
        np.testing.assert_array_equal(normed.params[k], plain.params[k])
    # the profile is the library's gradient of that network, seed by seed
    X, Y = synthetic_data(64)
    p = gradient_norm_profile(6, "tanh", "xavier", 0.5, seeds=(3,), width=8, normalize=True)
    np.testing.assert_allclose(p.norms[0], weight_gradient_norms(normed.loss_and_gradients(X, Y)[1]), rtol=1e-12)


def test_normalize_defaults_off_and_leaves_every_profile_unchanged():
    a = gradient_norm_profile(8, "relu", "he", 1.5, seeds=(0, 1), width=16)
    b = gradient_norm_profile(8, "relu", "he", 1.5, seeds=(0, 1), width=16, normalize=False)
    np.testing.assert_array_equal(a.norms, b.norms)
    c = gradient_norm_profile(8, "relu", "he", 1.5, seeds=(0, 1), width=16, normalize=True)
    assert not np.allclose(a.norms, c.norms)


def test_normalised_hidden_layers_forget_the_weight_scale():
    # Every hidden layer standardises z, so multiplying all weights by c (zero biases) changes no
    # hidden a^(l) (exactly when eps -> 0; eps = 1e-14 here); only the linear output scales,
    # a^(L)_c = c a^(L)_1.  Backward, BP2 brings a factor c with (W^(l+1))^T and BP2n divides by
    # s_c = c s_1, so each delta^(l) is what the unscaled network computes from the same output error
    # delta^(L) = c a^(L)_1 - y.  Hence: the scaled network's gradients equal the unscaled network's
    # for the targets y' = y - (c - 1) a^(L)_1 (which give a^(L)_1 - y' = c a^(L)_1 - y).
    from backprop_lib.nn.layer_norm import LayerNormMLP

    X, Y = synthetic_data(32)
    tiny_eps = lambda net: LayerNormMLP.from_params(net.params, "sigmoid", "identity", eps=1e-14)  # noqa: E731
    one = tiny_eps(deep_net(10, "sigmoid", "xavier", 1.0, width=16, seed=1, normalize=True))
    out_1, cache_1 = one.forward(X)
    for c in (0.25, 4.0):
        scaled = tiny_eps(deep_net(10, "sigmoid", "xavier", c, width=16, seed=1, normalize=True))
        out_c, cache_c = scaled.forward(X)
        for l in range(1, 10):
            np.testing.assert_allclose(cache_c[f"a{l}"], cache_1[f"a{l}"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(out_c, c * out_1, rtol=1e-9)
        g_c = scaled.backward(cache_c, Y)
        g_1 = one.backward(cache_1, Y - (c - 1.0) * out_1)
        np.testing.assert_allclose(weight_gradient_norms(g_c), weight_gradient_norms(g_1), rtol=1e-8)


def test_dead_fraction_of_a_normalised_layer_uses_zhat():
    # z^(2) > 0 everywhere, but the unit with the smallest bias sits below the column mean on
    # every example: zhat < 0, relu'(zhat) = 0, so it is dead although its z is positive
    net = deep_net(4, "relu", "he", width=8, seed=0, normalize=True)
    X = synthetic_data(16)[0]
    net.params["b2"][:] = 1e3
    net.params["b2"][0] = 5e2
    _, cache = net.forward(X)
    assert np.all(cache["z2"] > 0) and np.all(cache["zhat2"][0] < 0)
    assert dead_fraction(net, X)[1] == pytest.approx(1 / 8)


def test_normalize_bad_input():
    with pytest.raises(ValueError, match="residual=True and normalize=True together are not supported"):
        deep_net(4, residual=True, normalize=True)
    with pytest.raises(TypeError, match="normalize must be True or False"):
        gradient_norm_profile(4, normalize="yes")
    with pytest.raises(TypeError, match="needs a plain MLP"):
        delta_bound(deep_net(3, normalize=True), {})
