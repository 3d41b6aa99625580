"""The parts of a weight gradient, the per-layer factor of delta, training and the forward view
(Chapter 5). Expected values come from hand reasoning or independent recomputation."""
import numpy as np
import pytest

from backprop_lib.experiments.flow_learning import (
    activation_quantiles, batch_split, block_growth, delta_factor, delta_rms, input_spread,
    train_weight_change)
from backprop_lib.experiments.gradient_flow import deep_net, gradient_norm_profile, synthetic_data
from backprop_lib.nn.mlp import MLP


def test_delta_factor_is_the_geometric_mean_of_the_per_layer_rms_ratios():
    p = gradient_norm_profile(6, "tanh", "xavier", seeds=(0, 1))
    r = [np.sqrt(np.mean(np.concatenate([d ** 2]))) for d in p.abs_delta]
    steps = [r[l - 1] / r[l] for l in range(2, 5)]          # layers 2..4 over 3..5
    assert delta_factor(p) == pytest.approx(np.prod(steps) ** (1 / 3), rel=1e-12)
    assert delta_rms(p) == pytest.approx(r, rel=1e-12)


def test_a_sigmoid_network_shrinks_delta_by_about_a_quarter_and_relu_he_keeps_it():
    sig = delta_factor(gradient_norm_profile(12, "sigmoid", "xavier", seeds=(0, 1)))
    relu = delta_factor(gradient_norm_profile(12, "relu", "he", seeds=(0, 1)))
    assert 0.15 < sig < 0.25 and 0.85 < relu < 1.15


def test_delta_factor_refuses_shallow_profiles_and_other_types():
    with pytest.raises(ValueError, match="L >= 4"):
        delta_factor(gradient_norm_profile(3, "relu", "he", seeds=(0,)))
    with pytest.raises(TypeError, match="FlowProfile"):
        delta_rms([1.0, 2.0])


def test_batch_split_multiplies_back_to_the_weight_gradient_and_alignment_is_in_0_1():
    X, Y = synthetic_data(32)
    net = deep_net(5, "relu", "he", seed=1)
    per, align = batch_split(net, X, Y)
    grads = net.loss_and_gradients(X, Y)[1]
    norms = np.array([np.linalg.norm(grads[f"W{l}"]) for l in range(1, 6)])
    assert per * align == pytest.approx(norms, rel=1e-12)
    assert np.all((align > 0) & (align <= 1 + 1e-12))


def test_alignment_is_one_for_identical_examples_and_near_one_over_sqrt_b_for_random_signs():
    net = MLP([3, 1], activation="sigmoid", output_activation="identity", loss="mse", seed=0)
    x = np.array([[1.0], [2.0], [-1.0]])
    X = np.repeat(x, 8, axis=1)
    Y = np.full((1, 8), 5.0)
    assert batch_split(net, X, Y)[1][0] == pytest.approx(1.0, rel=1e-12)
    # a linear output with zero weights: delta_b = -y_b, a_b = x_b; random signs cancel
    net.params["W1"][:] = 0.0
    rng = np.random.default_rng(0)
    B = 400
    X = rng.normal(size=(3, B))
    Y = rng.choice([-1.0, 1.0], size=(1, B))
    align = batch_split(net, X, Y)[1][0]
    assert 0.5 / np.sqrt(B) < align < 2.0 / np.sqrt(B)


def test_train_weight_change_matches_a_hand_written_descent():
    X, Y = synthetic_data(16)
    net, ref = deep_net(4, "tanh", "xavier", seed=2), deep_net(4, "tanh", "xavier", seed=2)
    W0 = {k: v.copy() for k, v in ref.params.items()}
    log = train_weight_change(net, X, Y, lr=0.05, steps=5, record=(2, 5))
    changes = {}
    for t in range(1, 6):
        grads = ref.loss_and_gradients(X, Y)[1]
        for k in ref.params:
            ref.params[k] -= 0.05 * grads[k]
        changes[t] = [np.linalg.norm(ref.params[f"W{l}"] - W0[f"W{l}"]) / np.linalg.norm(W0[f"W{l}"])
                      for l in range(1, 5)]
    assert list(log.steps) == [2, 5]
    assert log.change == pytest.approx(np.array([changes[2], changes[5]]), rel=1e-10)
    assert log.losses.shape == (6,) and log.losses[-1] == pytest.approx(ref.loss_and_gradients(X, Y)[0])


def test_train_weight_change_refuses_bad_input():
    X, Y = synthetic_data(8)
    net = deep_net(3, "relu", "he")
    with pytest.raises(ValueError, match="record"):
        train_weight_change(net, X, Y, lr=0.1, steps=3, record=(5,))
    with pytest.raises(ValueError):
        train_weight_change(net, X, Y, lr=-1.0, steps=3)
    with pytest.raises(TypeError, match="MLP"):
        train_weight_change("net", X, Y, lr=0.1, steps=3)


def test_forward_view_quantiles_and_spread():
    X, _ = synthetic_data(64)
    net = deep_net(6, "relu", "he", seed=0)
    q = activation_quantiles(net, X)
    cache = net.forward(X)[1]
    assert q.shape == (5, 5)
    assert q[2] == pytest.approx(np.quantile(cache["a3"], [0.1, 0.25, 0.5, 0.75, 0.9]))
    assert np.all(q[:, 0] == 0.0)                  # ReLU: at least 10 % of the entries are 0
    spread = input_spread(net, X)
    assert spread[0] == pytest.approx(cache["a1"].std(axis=1).mean())
    # identical inputs leave nothing of the input in any layer
    assert np.all(input_spread(net, np.repeat(X[:, :1], 5, axis=1)) < 1e-12)
    with pytest.raises(ValueError, match="levels"):
        activation_quantiles(net, X, q=(0.5, 2.0))


def test_a_sigmoid_network_forgets_its_input_by_about_a_quarter_per_layer():
    X, _ = synthetic_data(64)
    s = input_spread(deep_net(10, "sigmoid", "xavier", seed=0), X)
    per_layer = (s[-1] / s[0]) ** (1 / (s.size - 1))
    assert 0.15 < per_layer < 0.3


def test_block_growth_of_relu_he_blocks_is_above_two():
    X, _ = synthetic_data(64)
    net = deep_net(8, "relu", "he", seed=0, residual=True)
    g = block_growth(net, X)
    cache = net.forward(X)[1]
    assert g.size == 6                               # blocks are layers 2..7
    assert g[0] == pytest.approx(np.mean(cache["a2"] ** 2) / np.mean(cache["a1"] ** 2))
    # a^(l) = a^(l-1) + relu(z), both >= 0, and He keeps E[relu(z)^2] ~ E[a^2]: more than doubles
    assert np.exp(np.mean(np.log(g))) > 2.0
    with pytest.raises(TypeError, match="ResidualMLP"):
        block_growth(deep_net(4, "relu", "he"), X)


def test_residual_backward_is_the_product_with_identity_plus_wt_sigma_prime():
    """g^(l) = [I + W^(l+1)T S'^(l+1)] ... [I + W^(L-1)T S'^(L-1)] W^(L)T delta^(L) (one example)."""
    X, Y = synthetic_data(1)
    net = deep_net(6, "tanh", "xavier", seed=3, residual=True)
    _, cache = net.forward(X)
    grads = net.backward(cache, Y)
    L = net.num_layers
    sp = {k: np.diag(net.sigma_prime(cache, k)[:, 0]) for k in range(1, L)}
    g = net.params[f"W{L}"].T @ grads[f"delta{L}"]
    for k in range(L - 1, 1, -1):            # g^(k-1) from g^(k); every k = 2..L-1 is a block
        assert net.residual[k - 1]
        g = (np.eye(g.shape[0]) + net.params[f"W{k}"].T @ sp[k]) @ g
    assert sp[1] @ g == pytest.approx(grads["delta1"], rel=1e-10, abs=1e-14)
