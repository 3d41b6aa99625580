"""The book's one delta convention (intro, Notation), checked where two views of it meet.

delta^(l) is the error signal of ONE example, dℓ/dz^(l) for that example's loss ℓ; a batch stacks
the per-example deltas as the columns of Delta^(l), and the batch loss is L = (1/B) sum_x ℓ_x.
``MLP.backward`` returns Delta^(l) as ``"delta{l}"``; the layer modules of ``nn.layers`` pass
the gradient of the batch *mean*, dL/dZ^(l) = Delta^(l) / B.  Both give the same dL/dW, dL/db.
"""
import numpy as np
import pytest

from backprop_lib import MLP
from backprop_lib.nn.layers import Affine, Sequential

B = 8


def _network(kind: str) -> tuple[MLP, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(18)
    if kind == "mse":
        net = MLP([3, 5, 4, 2], activation="tanh", output_activation="sigmoid",
                  loss="mse", seed=1)
        Y = rng.uniform(size=(2, B))
    else:
        net = MLP([3, 5, 4, 3], activation="sigmoid", output_activation="softmax",
                  loss="softmax_ce", seed=2)
        Y = np.eye(3)[:, rng.integers(0, 3, size=B)]
    for l in range(1, net.num_layers + 1):           # non-zero biases
        net.params[f"b{l}"] = rng.normal(0.0, 0.3, size=net.params[f"b{l}"].shape)
    return net, rng.normal(size=(3, B)), Y


def _layer_upstream_at_z(seq: Sequential, X, Y) -> tuple[dict[int, np.ndarray], dict]:
    """Run the layers' backward pass by hand and keep the upstream gradient that arrives at
    each Affine's output z^(l) (what the layers call dout), numbered l = 1..L."""
    out, caches = seq.forward(X)
    _, loss_cache = seq.loss.forward(out, Y)
    dout = seq.loss.backward(loss_cache)
    upstream, grads = {}, {}
    l = sum(isinstance(layer, Affine) for layer in seq.layers)
    for layer, cache in zip(reversed(seq.layers), reversed(caches)):
        if isinstance(layer, Affine):
            upstream[l] = dout
        dout, layer_grads = layer.backward(dout, cache)
        if isinstance(layer, Affine):
            grads[f"W{l}"], grads[f"b{l}"] = layer_grads["W"], layer_grads["b"]
            l -= 1
    return upstream, grads


@pytest.mark.parametrize("kind", ["mse", "softmax_ce"])
def test_mlp_delta_is_B_times_the_layers_upstream_gradient(kind):
    net, X, Y = _network(kind)
    mlp_grads = net.backward(net.forward(X)[1], Y)
    upstream, layer_grads = _layer_upstream_at_z(Sequential.from_mlp(net), X, Y)
    assert sorted(upstream) == list(range(1, net.num_layers + 1))
    for l, dz in upstream.items():
        delta = mlp_grads[f"delta{l}"]
        assert delta.shape == dz.shape == (net.sizes[l], B)
        ratio = delta / dz                              # entrywise
        assert np.allclose(ratio, B, rtol=1e-10), (l, ratio)
        assert not np.allclose(delta, dz)               # a missing 1/B would pass this
        assert not np.allclose(delta, B * B * dz)       # an extra 1/B would pass this
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        np.testing.assert_allclose(mlp_grads[key], layer_grads[key], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("kind", ["mse", "softmax_ce"])
def test_mlp_delta_columns_are_the_single_example_deltas(kind):
    # delta per example: column x of the batch's Delta is the delta of example x run alone (B = 1)
    net, X, Y = _network(kind)
    batch = net.backward(net.forward(X)[1], Y)
    for x in (0, 3, B - 1):
        alone = net.backward(net.forward(X[:, [x]])[1], Y[:, [x]])
        for l in range(1, net.num_layers + 1):
            np.testing.assert_allclose(batch[f"delta{l}"][:, [x]], alone[f"delta{l}"],
                                       rtol=1e-12, atol=1e-15)


def test_bp3_bp4_are_batch_means_of_the_per_example_gradients():
    # dL/dW = (1/B) Delta A^T: the mean over the batch of delta_x a_x^T, not the sum
    net, X, Y = _network("mse")
    g = net.backward(net.forward(X)[1], Y)
    cache = net.forward(X)[1]
    for l in range(1, net.num_layers + 1):
        D, A = g[f"delta{l}"], cache[f"a{l - 1}"]
        per_example = [np.outer(D[:, x], A[:, x]) for x in range(B)]
        np.testing.assert_allclose(g[f"W{l}"], np.mean(per_example, axis=0), rtol=1e-12)
        np.testing.assert_allclose(g[f"b{l}"][:, 0], D.mean(axis=1), rtol=1e-12)
        assert not np.allclose(g[f"W{l}"], np.sum(per_example, axis=0))
