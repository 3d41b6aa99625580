"""Layers as modules with a forward and a backward pass and an explicit cache (CS231n style).

Every layer has ``out, cache = layer.forward(x)`` and ``dx, grads = layer.backward(dout, cache)``:
the cache holds what the backward pass needs from the forward pass, and ``backward`` applies
"local derivative x upstream gradient" to a whole array at once.  Examples are columns:
``x`` is (n_in, B), ``dout`` has the shape of ``out``, ``dx`` the shape of ``x``.

* :class:`Affine`   z = W x + b;   dx = W^T dz,  dW = dz x^T,  db = sum over columns of dz
* :class:`Sigmoid`, :class:`Tanh`, :class:`ReLU`   a = sigma(z);  dz = da ⊙ sigma'(z)
* losses :class:`SoftmaxCrossEntropy`, :class:`MeanSquaredError`: ``loss, cache = forward(z, Y)``
  (batch mean) and ``dz = backward(cache)``, which carries the 1/B of the mean.

The book's delta convention (intro, Notation): delta^(l) = dℓ/dz^(l) is the error signal of ONE
example, for that example's loss ℓ; a batch stacks the deltas as the columns of Delta^(l), and the
batch loss is the mean L = (1/B) sum_x ℓ_x.  The upstream gradient these layers pass is the
gradient of that batch mean, so at z^(l) it is

    dout = dL/dZ^(l) = Delta^(l) / B        (``MLP.backward``'s "delta{l}" is Delta^(l) itself)

because the loss layer divides by B once.  Then Affine's ``dW = dz x^T = (1/B) Delta A^T`` is
BP3 and ``db = dz 1 = (1/B) Delta 1`` is BP4, both already batch means, and the chain of
``dz = da ⊙ sigma'(z)`` and ``da = W^T dz`` is BP2 applied to Delta / B (BP2 is linear, so the
1/B rides along).  :class:`Sequential` composes the layers and numbers the affine layers'
gradients ``"W1", "b1", ...`` like ``MLP.params``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backprop_lib._validation import as_float_matrix
from backprop_lib.nn.activations import sigmoid


class Layer:
    """Base class: a layer without parameters returns ``{}`` as its gradients."""

    params: dict[str, np.ndarray]

    def __init__(self):
        self.params = {}

    def forward(self, x) -> tuple[np.ndarray, object]:  # pragma: no cover - interface
        raise NotImplementedError

    def backward(self, dout, cache) -> tuple[np.ndarray, dict[str, np.ndarray]]:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _check_dout(dout, like: np.ndarray) -> np.ndarray:
    return as_float_matrix(dout, "dout (upstream gradient)", rows=like.shape[0], cols=like.shape[1])


class Affine(Layer):
    """z = W x + b with W (n_out, n_in) and b (n_out, 1); the arrays are copied."""

    def __init__(self, W, b):
        super().__init__()
        W = as_float_matrix(W, "W", batch=False)
        b = as_float_matrix(b, "b", rows=W.shape[0], cols=1, batch=False)
        self.params = {"W": W.copy(), "b": b.copy()}

    def __repr__(self) -> str:
        n_out, n_in = self.params["W"].shape
        return f"Affine({n_in} -> {n_out})"

    def forward(self, x):
        """x (n_in, B) -> z = W x + b (n_out, B); cache = x."""
        x = as_float_matrix(x, "x (layer input)", rows=self.params["W"].shape[1])
        return self.params["W"] @ x + self.params["b"], x

    def backward(self, dout, cache):
        """dz (n_out, B) -> dx = W^T dz (n_in, B), grads {"W": dz x^T, "b": dz summed over B}.

        With dz = dL/dZ = Delta / B from a batch-mean loss layer these are BP3 and BP4 (means)."""
        x = cache
        dout = as_float_matrix(dout, "dout (upstream gradient)", rows=self.params["W"].shape[0],
                               cols=x.shape[1])
        grads = {"W": dout @ x.T, "b": np.sum(dout, axis=1, keepdims=True)}
        return self.params["W"].T @ dout, grads


class _Elementwise(Layer):
    """a = f(z) elementwise; backward multiplies by f'(z) computed from the cached z or a."""

    def forward(self, x):
        z = as_float_matrix(x, "z (layer input)")
        a = self._f(z)
        return a, (z, a)

    def backward(self, dout, cache):
        z, a = cache
        return _check_dout(dout, z) * self._df(z, a), {}


class Sigmoid(_Elementwise):
    """a = 1 / (1 + e^{-z});  sigma'(z) = a (1 - a), from the cached output."""

    _f = staticmethod(sigmoid)
    _df = staticmethod(lambda z, a: a * (1.0 - a))


class Tanh(_Elementwise):
    """a = tanh z;  tanh'(z) = 1 - a^2, from the cached output."""

    _f = staticmethod(np.tanh)
    _df = staticmethod(lambda z, a: 1.0 - a * a)


class ReLU(_Elementwise):
    """a = max(z, 0);  relu'(z) = 1 if z > 0 else 0: the gradient is routed or blocked."""

    _f = staticmethod(lambda z: np.maximum(z, 0.0))
    _df = staticmethod(lambda z, a: (z > 0).astype(z.dtype))


class SoftmaxCrossEntropy:
    """L = (1/B) sum over examples of -sum_i y_i log softmax(z)_i, for logits z (C, B) and one-hot
    (or probability) targets Y (C, B).  Backward: dz = dL/dz = (softmax(z) - Y) / B, i.e. the
    per-example error signals Delta^(L) = P - Y (BP1, cancelled) divided by B."""

    def forward(self, z, Y) -> tuple[float, tuple[np.ndarray, np.ndarray]]:
        z = as_float_matrix(z, "z (logits)")
        Y = as_float_matrix(Y, "Y (targets)", rows=z.shape[0], cols=z.shape[1])
        if np.any(Y < 0) or not np.allclose(Y.sum(axis=0), 1.0, atol=1e-6):
            raise ValueError("Y must hold one probability distribution per column (e.g. one-hot)")
        shifted = z - z.max(axis=0, keepdims=True)
        log_p = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
        return float(np.mean(-np.sum(Y * log_p, axis=0))), (np.exp(log_p), Y)

    def backward(self, cache) -> np.ndarray:
        p, Y = cache
        return (p - Y) / p.shape[1]

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"


class MeanSquaredError:
    """L = (1/B) sum over examples of 1/2 ||a - y||^2 for a, Y (n, B).  Backward: dL/da = (a - Y) / B,
    the per-example gradient grad_a ℓ = a - y divided by B."""

    def forward(self, a, Y) -> tuple[float, tuple[np.ndarray, np.ndarray]]:
        a = as_float_matrix(a, "a (outputs)")
        Y = as_float_matrix(Y, "Y (targets)", rows=a.shape[0], cols=a.shape[1])
        return float(np.mean(0.5 * np.sum((a - Y) ** 2, axis=0))), (a, Y)

    def backward(self, cache) -> np.ndarray:
        a, Y = cache
        return (a - Y) / a.shape[1]

    def __repr__(self) -> str:
        return "MeanSquaredError()"


_ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}


class Sequential:
    """Layers applied in order, then a loss layer.  Gradients of the k-th Affine are "Wk", "bk"."""

    def __init__(self, layers: Sequence[Layer], loss: SoftmaxCrossEntropy | MeanSquaredError):
        if isinstance(layers, Layer) or not isinstance(layers, Sequence) or not layers:
            raise TypeError("layers must be a non-empty list of layers, e.g. [Affine(W, b), ReLU(), ...]")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a Layer (Affine, Sigmoid, ...), got {type(layer).__name__}")
        if not isinstance(loss, (SoftmaxCrossEntropy, MeanSquaredError)):
            raise TypeError(f"loss must be SoftmaxCrossEntropy() or MeanSquaredError(), got {type(loss).__name__}")
        self.layers, self.loss = list(layers), loss

    def __repr__(self) -> str:
        """One line, or the loss on a second line when one would pass 79 characters."""
        layers = f"Sequential([{', '.join(map(repr, self.layers))}],"
        loss = f"loss={self.loss!r})"
        if len(layers) + 1 + len(loss) <= 79:
            return f"{layers} {loss}"
        return f"{layers}\n{' ' * len('Sequential(')}{loss}"

    @classmethod
    def from_mlp(cls, net) -> "Sequential":
        """The same network as an ``MLP`` (same weights, copied) with sigmoid/tanh/relu hidden
        layers and either a softmax output with "softmax_ce" or any of those outputs with "mse"."""
        layers: list[Layer] = []
        L = net.num_layers
        for l, name in enumerate(net.activation_names, start=1):
            layers.append(Affine(net.params[f"W{l}"], net.params[f"b{l}"]))
            if l == L and (name, net.loss_name) == ("softmax", "softmax_ce"):
                return cls(layers, SoftmaxCrossEntropy())
            if name not in _ACTIVATION_LAYERS or (l == L and net.loss_name != "mse"):
                raise ValueError(f"from_mlp supports {sorted(_ACTIVATION_LAYERS)} activations with an "
                                 f"'mse' loss or a softmax output with 'softmax_ce'; got {name!r} "
                                 f"in layer {l} with loss {net.loss_name!r}")
            layers.append(_ACTIVATION_LAYERS[name]())
        return cls(layers, MeanSquaredError())

    def forward(self, X) -> tuple[np.ndarray, list]:
        """X (n_0, B) -> (output of the last layer, list of every layer's cache)."""
        caches, out = [], X
        for layer in self.layers:
            out, cache = layer.forward(out)
            caches.append(cache)
        return out, caches

    def backward(self, dout, caches: list) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Run every layer's backward in reverse: returns dX and {"W1", "b1", ...}."""
        if not isinstance(caches, list) or len(caches) != len(self.layers):
            raise TypeError(f"caches must be the list of {len(self.layers)} caches from forward(X)")
        grads: dict[str, np.ndarray] = {}
        k = sum(isinstance(layer, Affine) for layer in self.layers)
        for layer, cache in zip(reversed(self.layers), reversed(caches)):
            dout, layer_grads = layer.backward(dout, cache)
            if isinstance(layer, Affine):
                grads[f"W{k}"], grads[f"b{k}"] = layer_grads["W"], layer_grads["b"]
                k -= 1
        return dout, dict(sorted(grads.items(), key=lambda kv: (int(kv[0][1:]), kv[0][0] != "W")))

    def loss_and_gradients(self, X, Y) -> tuple[float, dict[str, np.ndarray]]:
        """Forward, loss, and backward: ``(L, {"W1": ..., "b1": ..., ...})`` for a batch X, Y."""
        out, caches = self.forward(X)
        loss, loss_cache = self.loss.forward(out, Y)
        _, grads = self.backward(self.loss.backward(loss_cache), caches)
        return loss, grads
