"""Mini-batch training (nn.train): the train/validation split, batches, epochs, early stopping,
and the run's History (the sparse gradient check is in test_gradcheck.py).

Expected values come from independent routes: parameter updates rebuilt by hand from
central-difference gradients (not from BP) and the exact stability limit 2/lambda_max of gradient
descent on a quadratic.
"""
import numpy as np
import pytest
from helpers_nn import fd_grads, small_net

from backprop_lib import MLP, blobs, xor
from backprop_lib.nn.train import (
    History, accuracy, layer_grad_norms, minibatch_indices, train, train_val_split)


def regression_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 40)) * np.array([[2.0], [0.5]])
    Y = np.array([[1.0, -1.0]]) @ X + 0.3 + 0.05 * rng.normal(size=(1, 40))
    return X, Y


# ------------------------------------------------------------------ split and batches
def test_train_val_split_is_a_partition_of_the_columns():
    X = np.arange(20.0).reshape(2, 10)
    Y = np.arange(10.0).reshape(1, 10)
    Xt, Yt, Xv, Yv = train_val_split(X, Y, val_fraction=0.3, seed=1)
    assert Xt.shape == (2, 7) and Xv.shape == (2, 3)
    # column k of X is (k, k + 10) and its target is k: pairs must stay together
    np.testing.assert_array_equal(Xt[0], Yt[0])
    np.testing.assert_array_equal(Xv[1], Yv[0] + 10)
    assert sorted(np.concatenate([Yt[0], Yv[0]])) == list(range(10))
    again = train_val_split(X, Y, val_fraction=0.3, seed=1)
    np.testing.assert_array_equal(again[2], Xv)


def test_minibatches_cover_each_example_once():
    batches = list(minibatch_indices(10, 4, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))


def test_accuracy_by_hand():
    # one sigmoid unit a = sigmoid(x1): predicts class 1 exactly when x1 >= 0
    net = MLP.from_params({"W1": [[1.0, 0.0]], "b1": [[0.0]]}, [], "sigmoid", "bce")
    X = np.array([[-2.0, -1.0, 1.0, 3.0], [0.0, 5.0, 0.0, 0.0]])
    assert accuracy(net, X, np.array([[0.0, 1.0, 1.0, 1.0]])) == 0.75
    soft = MLP.from_params({"W1": np.eye(2), "b1": np.zeros((2, 1))}, [], "softmax", "softmax_ce")
    Y = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]])  # argmax of x: 1, 1, 0, 0
    assert accuracy(soft, X, Y) == 0.5


def test_layer_grad_norms_are_frobenius_norms():
    grads = {"W1": np.array([[3.0, 4.0]]), "W2": np.array([[1.0], [2.0], [2.0]])}
    np.testing.assert_allclose(layer_grad_norms(grads, 2), [5.0, 3.0])


# ------------------------------------------------------------------ train
def test_one_full_batch_epoch_is_one_gradient_step():
    X, Y = xor()
    net, ref = small_net(), small_net()
    g = fd_grads(ref, X, Y)
    hist = train(net, X, Y, epochs=1, lr=0.5)
    for k in net.params:
        np.testing.assert_allclose(net.params[k], ref.params[k] - 0.5 * g[k], rtol=1e-7, atol=1e-9)
    out, cache = net.forward(X)
    assert hist.loss == [pytest.approx(net.loss(out, Y, cache))]


def test_momentum_epochs_follow_the_velocity_recurrence():
    X, Y = xor()
    net, ref = small_net(1), small_net(1)
    train(net, X, Y, epochs=3, lr=0.3, momentum=0.8)
    v = {k: np.zeros_like(p) for k, p in ref.params.items()}
    for _ in range(3):
        g = fd_grads(ref, X, Y)
        for k in v:
            v[k] = 0.8 * v[k] - 0.3 * g[k]
            ref.params[k] += v[k]
    for k in net.params:
        np.testing.assert_allclose(net.params[k], ref.params[k], rtol=1e-6, atol=1e-8)


def test_minibatch_epoch_visits_the_documented_order():
    X, Y = xor(repeats=2, noise=0.1, seed=2)
    net, ref = small_net(2), small_net(2)
    train(net, X, Y, epochs=1, lr=0.4, batch_size=3, seed=7)
    order = np.random.default_rng(7).permutation(8)   # documented: default_rng(seed).permutation
    for idx in (order[:3], order[3:6], order[6:]):
        g = fd_grads(ref, X[:, idx], Y[:, idx])
        for k in g:
            ref.params[k] -= 0.4 * g[k]
    for k in net.params:
        np.testing.assert_allclose(net.params[k], ref.params[k], rtol=1e-6, atol=1e-8)


def test_stability_limit_two_over_lambda_max():
    # Linear regression with MSE: L is quadratic with Hessian H = (1/B) [X; 1][X; 1]^T, and gradient
    # descent converges iff lr < 2 / lambda_max(H).
    X, Y = regression_data()
    A = np.vstack([X, np.ones((1, X.shape[1]))])
    lam = np.linalg.eigvalsh(A @ A.T / X.shape[1])[-1]
    below = train(MLP([2, 1], [], "identity", "mse", seed=0), X, Y, epochs=300, lr=0.95 * 2 / lam)
    above = train(MLP([2, 1], [], "identity", "mse", seed=0), X, Y, epochs=300, lr=1.05 * 2 / lam)
    assert not below.diverged and below.loss[-1] < 0.01
    assert above.diverged and above.epochs < 300


def test_start_loss_is_the_loss_before_training():
    X, Y = xor()
    net = small_net(3)
    out, cache = net.forward(X)
    before = net.loss(out, Y, cache)
    hist = train(net, X, Y, epochs=2, lr=0.5)
    assert hist.start_loss == pytest.approx(before, rel=1e-15)


def test_first_epoch_above_counts_epochs_from_one():
    hist = History(loss=[3.0, 1.0, 2.5, 4.0], accuracy=[0.5] * 4, start_loss=3.5)
    assert hist.first_epoch_above(2.0) == 1
    assert hist.first_epoch_above(3.5) == 4
    assert hist.first_epoch_above(4.0) is None


def test_outcome_of_a_converging_run_prints_its_final_numbers():
    hist = History(loss=[0.5, 0.0123], accuracy=[0.75, 0.9933], start_loss=0.7)
    assert hist.outcome() == "final loss 0.0123, accuracy 0.9933"
    assert hist.outcome(".2f") == "final loss 0.01, accuracy 0.99"


def test_outcome_refuses_a_digit_at_a_rounding_tie():
    hist = History(loss=[0.00125], accuracy=[1.0], start_loss=1.0)
    with pytest.raises(ValueError, match="rounding tie"):
        hist.outcome(".4f")


def test_outcome_of_a_diverging_run_says_when_the_loss_rose():
    # Linear regression at 1.5 x 2/lambda_max, started from the minimiser plus a large error along
    # the flattest eigenvector and a tiny one along the steepest: the loss first falls (the flat
    # error shrinks), then rises above its start as the steep error doubles every step. The
    # losses are rebuilt by hand on theta = (W, b), long before the 1e6 guard.
    X, Y = regression_data()
    A = np.vstack([X, np.ones((1, X.shape[1]))])
    B = X.shape[1]
    lam, vec = np.linalg.eigh(A @ A.T / B)
    lr = 1.5 * 2 / lam[-1]
    theta = np.linalg.lstsq(A.T, Y[0], rcond=None)[0] + vec[:, 0] + 1e-3 * vec[:, -1]
    net = MLP([2, 1], [], "identity", "mse", seed=0)
    net.params["W1"][0], net.params["b1"][0] = theta[:2], theta[2]
    start = 0.5 * np.mean((theta @ A - Y[0]) ** 2)
    losses = []
    for _ in range(16):
        theta = theta - lr * A @ (theta @ A - Y[0]) / B
        losses.append(0.5 * np.mean((theta @ A - Y[0]) ** 2))
    first = next(t + 1 for t, L in enumerate(losses) if L > start)
    hist = train(net, X, Y, epochs=16, lr=lr)
    assert not hist.diverged and max(losses) < 1e6 and first > 2
    assert hist.outcome() == f"diverged: loss above its starting value after {first} epochs"
    one = History(loss=[2.0], accuracy=[0.5], start_loss=1.0)
    assert one.outcome() == "diverged: loss above its starting value after 1 epoch"


def test_outcome_of_a_run_stopped_by_the_guard():
    X, Y = regression_data()
    hist = train(MLP([2, 1], [], "identity", "mse", seed=0), X, Y, epochs=300, lr=5.0)
    assert hist.diverged
    assert hist.outcome() == f"diverged: loss not finite or above 1e6 at epoch {hist.epochs}"


def test_early_stopping_restores_the_best_epoch():
    X, Y = blobs(n=40, seed=1)
    Y_val = 1.0 - Y  # validation labels flipped: learning the training set worsens validation
    net = MLP([2, 4, 1], "tanh", "sigmoid", "bce", seed=0)
    hist = train(net, X, Y, epochs=50, lr=0.5, X_val=X, Y_val=Y_val, patience=3)
    assert hist.stopped_early and hist.best_epoch == 1 and hist.epochs == 4
    assert hist.val_loss[0] == min(hist.val_loss)
    ref = MLP([2, 4, 1], "tanh", "sigmoid", "bce", seed=0)
    train(ref, X, Y, epochs=1, lr=0.5)
    for k in net.params:
        np.testing.assert_array_equal(net.params[k], ref.params[k])


def test_callback_and_history():
    X, Y = xor()
    seen = []
    hist = train(small_net(), X, Y, epochs=4, lr=1.0, callback=lambda e, h: seen.append((e, h.epochs)))
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert isinstance(hist, History) and hist.grad_norm_array().shape == (4, 2)


def test_train_rejects_bad_input():
    X, Y = xor()
    net = small_net()
    with pytest.raises(TypeError, match="net must be an MLP"):
        train("net", X, Y, epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="must have 4 columns"):
        train(net, X, Y[:, :3], epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        train(net, X, Y, epochs=0, lr=0.1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        train(net, X, Y, epochs=1, lr=-1.0)
    with pytest.raises(ValueError, match="needs a validation set"):
        train(net, X, Y, epochs=1, lr=0.1, patience=2)
    with pytest.raises(TypeError, match="callback must be a function"):
        train(net, X, Y, epochs=1, lr=0.1, callback=3)
    from backprop_lib.nn.optim import SGD
    with pytest.raises(ValueError, match="SGD\\(net.params"):
        train(net, X, Y, epochs=1, lr=0.1, optimizer=SGD({"w": np.zeros(2)}, lr=0.1))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        train_val_split(X, Y, val_fraction=1.0)
    with pytest.raises(ValueError, match="leaves an empty part"):
        train_val_split(X, Y, val_fraction=0.05)
