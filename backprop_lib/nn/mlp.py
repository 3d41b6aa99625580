"""A fully connected network (multi-layer perceptron) with an explicit BP1-BP4 backward pass.

Notation (the book's): L layers, not counting the input; layer l has n_l units; a batch of B
examples is a matrix with B columns.

    z^(l) = W^(l) a^(l-1) + b^(l),    a^(l) = sigma^(l)(z^(l)),    a^(0) = x.

Parameters live in ``net.params``: ``"W1", "b1", ..., "WL", "bL"`` with ``W{l}`` of shape
(n_l, n_{l-1}) and ``b{l}`` of shape (n_l, 1).  ``forward`` returns the output and a cache of every
z and a; ``backward`` turns the cache into gradients of the *batch-mean* loss.

The delta convention (the book's, intro, Notation): delta^(l) = dℓ/dz^(l) is the error signal of
ONE example, for that example's loss ℓ; a batch stacks the deltas as the columns of Delta^(l)
(n_l, B), and the batch loss is the mean L = (1/B) sum_x ℓ_x.  BP1 and BP2 work on Delta column by
column, and the 1/B of the mean appears once, in BP3 and BP4.  (The layer modules of
``nn.layers`` pass dL/dZ^(l) = Delta^(l) / B instead: the same gradients, delta divided by B.)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from backprop_lib._validation import as_float_matrix, valid_name
from backprop_lib.nn.activations import Activation, get_activation
from backprop_lib.nn.init import INITIALIZERS, init_weights
from backprop_lib.nn.losses import OUTPUT_ERROR_SHORTCUTS, Loss, get_loss
from backprop_lib.nn.mlp_checks import (
    check_forward_cache, check_param_shapes, checked_dtype, checked_loss_name, checked_params, checked_sizes,
    hidden_activation_names)


class MLP:
    """Multi-layer perceptron ``sizes = [n_0, n_1, ..., n_L]``.

    ``activation`` names the hidden layers' activation, or is a list with one name per hidden
    layer; ``output_activation`` is the last layer's.  ``loss`` is ``"mse"``, ``"bce"`` (needs a
    sigmoid output) or ``"softmax_ce"`` (needs a softmax output).  ``init`` is ``"normal"``,
    ``"xavier"`` or ``"he"``; ``seed`` seeds the weights (``None``: fresh randomness).
    """

    def __init__(self, sizes: Sequence[int], activation: str | Sequence[str] = "sigmoid",
                 output_activation: str = "sigmoid", loss: str = "mse", init: str = "xavier",
                 seed: int | None = None, dtype=np.float64):
        sizes = checked_sizes(sizes)
        valid_name(init, INITIALIZERS, "init")
        rng = np.random.default_rng(seed)
        params = {}
        for l in range(1, len(sizes)):
            params[f"W{l}"] = init_weights(init, sizes[l - 1], sizes[l], rng)
            params[f"b{l}"] = np.zeros((sizes[l], 1))
        self._setup(params, activation, output_activation, loss, dtype)
        self.init = init
        self.seed = seed

    @classmethod
    def from_params(cls, params: Mapping[str, np.ndarray], activation: str | Sequence[str] = "sigmoid",
                    output_activation: str = "sigmoid", loss: str = "mse", dtype=np.float64) -> "MLP":
        """A network from a parameter dict ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``; the arrays
        are copied, so later changes to ``params`` do not reach the network."""
        net = cls.__new__(cls)
        net._setup(params, activation, output_activation, loss, dtype)
        net.init = None
        net.seed = None
        return net

    def _setup(self, params, activation, output_activation, loss, dtype):
        self.dtype = checked_dtype(dtype)
        self.params = checked_params(params, self.dtype)
        L = len(self.params) // 2
        self.sizes = [self.params["W1"].shape[1]] + [self.params[f"W{l}"].shape[0] for l in range(1, L + 1)]
        self.activation_names = hidden_activation_names(activation, L - 1) + [output_activation]
        self.loss_name = checked_loss_name(loss, output_activation)
        self._acts = tuple(get_activation(name) for name in self.activation_names)
        self._loss = get_loss(loss)
        self._shortcut = (output_activation, loss) in OUTPUT_ERROR_SHORTCUTS

    @property
    def num_layers(self) -> int:
        """L, the number of layers with weights (the input is layer 0)."""
        return len(self.sizes) - 1

    @property
    def num_params(self) -> int:
        """P, the total number of weights and biases."""
        return int(sum(p.size for p in self.params.values()))

    @property
    def output_activation(self) -> str:
        return self.activation_names[-1]

    @property
    def activations(self) -> tuple[Activation, ...]:
        """The layers' activations sigma^(1), ..., sigma^(L) (read-only; names in ``activation_names``)."""
        return self._acts

    @property
    def loss_function(self) -> Loss:
        """The :class:`~backprop_lib.nn.losses.Loss` named by ``loss_name`` (per-example C, grad_a)."""
        return self._loss

    def __repr__(self) -> str:
        acts = ", ".join(self.activation_names)
        fields = [f"sizes={self.sizes}", f"activations=[{acts}]", f"loss={self.loss_name!r}",
                  f"P={self.num_params}", *self._repr_extras()]
        return f"{type(self).__name__}({', '.join(fields)})"

    def copy(self) -> "MLP":
        """An independent network of the same class with the same parameters and settings."""
        return type(self).from_params(self.params, self.activation_names[:-1], self.output_activation,
                                      self.loss_name, self.dtype, **self._extra_settings())

    def _extra_settings(self) -> dict:  # keyword settings of a subclass's from_params, for copy
        return {}

    def _repr_extras(self) -> list[str]:  # "name=value" fields a subclass adds to its repr
        return []

    def _extra_cache_keys(self) -> list[str]:  # the cache entries a subclass's forward adds
        return []

    def as_targets(self, Y, B: int | None = None) -> np.ndarray:
        """Return ``Y`` as an (n_L, B) float array after checking it suits this network's loss."""
        Y = as_float_matrix(Y, "Y (targets)", rows=self.sizes[-1], cols=B, dtype=self.dtype)
        self._loss.validate_targets(Y)
        return Y

    # ------------------------------------------------------------------ forward
    def forward(self, X) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Forward pass for a batch ``X`` of shape (n_0, B).

        Returns ``(out, cache)``: ``out = a^(L)`` of shape (n_L, B) and ``cache`` holding ``"a0"`` = X
        and, for l = 1..L, ``"z{l}"`` and ``"a{l}"`` of shape (n_l, B) (subclasses cache more).
        """
        X = as_float_matrix(X, "X (inputs)", rows=self.sizes[0], dtype=self.dtype)
        check_param_shapes(self.params, self.sizes)
        cache = {"a0": X}
        a = X
        for l in range(1, self.num_layers + 1):
            z = self.params[f"W{l}"] @ a + self.params[f"b{l}"]
            cache[f"z{l}"] = z
            a = self._layer_output(l, z, a, cache)
            cache[f"a{l}"] = a
        return a, cache

    def _layer_output(self, l: int, z: np.ndarray, a_prev: np.ndarray, cache: dict) -> np.ndarray:
        """a^(l) (n_l, B) from z^(l): sigma^(l)(z^(l)) here.  Subclasses change this step (and may
        cache what their backward pass needs)."""
        return self._acts[l - 1].forward(z)

    def predict(self, X) -> np.ndarray:
        """The output a^(L) for inputs ``X`` (n_0, B), without the cache."""
        return self.forward(X)[0]

    # ------------------------------------------------------------------ loss
    def loss(self, out, Y, cache: Mapping[str, np.ndarray] | None = None) -> float:
        """Batch-mean loss of outputs ``out`` (n_L, B) against targets ``Y`` (n_L, B).

        With ``cache`` (from ``forward``) and a BCE or softmax-CE loss, the value is computed from
        the logits z^(L), which is exact even when the output saturates.
        """
        out = as_float_matrix(out, "out (network output)", rows=self.sizes[-1], dtype=self.dtype)
        Y = self.as_targets(Y, out.shape[1])
        if cache is not None and self._loss.per_example_from_logits is not None:
            z = as_float_matrix(cache.get(f"z{self.num_layers}"), f"cache['z{self.num_layers}']",
                                rows=self.sizes[-1], cols=out.shape[1], dtype=self.dtype)
            return self._loss.value_from_logits(z, Y)
        return self._loss.value(out, Y)

    def sigma_prime(self, cache: Mapping[str, np.ndarray], l: int) -> np.ndarray:
        """sigma'(z^(l)) of shape (n_l, B): the derivative of layer l's elementwise activation at its
        input, from a ``cache`` of :meth:`forward` (the factor that BP2 multiplies by)."""
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or not 1 <= l <= self.num_layers:
            raise ValueError(f"l must be a layer index 1..{self.num_layers}, got {l!r}")
        act = self._acts[l - 1]
        if not act.elementwise:
            raise ValueError(f"layer {l}'s activation {act.name!r} is not elementwise: it has a Jacobian, not sigma'")
        return act.derivative(*self._activation_in_out(cache, l))

    def _activation_in_out(self, cache: Mapping[str, np.ndarray], l: int) -> tuple[np.ndarray, np.ndarray]:
        """Layer l's activation input and output in ``cache``: (z^(l), a^(l)) here; subclasses whose
        a^(l) is not sigma(z^(l)) (residual blocks, layer normalisation) say what they are."""
        return cache[f"z{l}"], cache[f"a{l}"]

    # ------------------------------------------------------------------ backward
    def backward(self, cache: Mapping[str, np.ndarray], Y) -> dict[str, np.ndarray]:
        """Gradients of the batch-mean loss from a forward ``cache`` and targets ``Y`` (n_L, B).

        Returns ``{"W{l}", "b{l}"}`` with the shapes of ``params`` and ``"delta{l}"`` = Delta^(l)
        of shape (n_l, B), whose column x is the error signal dℓ_x/dz^(l) of example x alone
        (per example: B times the layers' dL/dZ^(l), see the module docstring):

        * BP1  delta^(L) = grad_a ℓ ⊙ sigma'(z^(L))   (= a - y for sigmoid+BCE, softmax+CE)
        * BP2  delta^(l) = ((W^(l+1))^T delta^(l+1)) ⊙ sigma'(z^(l))
        * BP3  dL/dW^(l) = (1/B) Delta^(l) (A^(l-1))^T     (the mean over the batch)
        * BP4  dL/db^(l) = (1/B) Delta^(l) 1               (the mean over the batch)

        BP1 is :meth:`output_error`, BP3 and BP4 are :meth:`layer_gradients`.
        """
        L = self.num_layers
        out, Y = self._checked_output(cache, Y)
        delta = self.output_error(cache, out, Y)          # BP1: delta^(L), per example
        grads: dict[str, np.ndarray] = {}                 # BP3, BP4 fill it
        for l in range(L, 0, -1):                         # BP2-BP4: l = L..1
            self.layer_gradients(grads, l, delta, cache)  # BP3, BP4: means
            if l > 1:                                     # BP2: delta^(l-1)
                g = self.params[f"W{l}"].T @ delta        # BP2: W^T delta
                z, a = cache[f"z{l - 1}"], cache[f"a{l - 1}"]  # BP2: layer l-1
                act = self.activations[l - 2]             # BP2: its sigma
                delta = act.backward(z, a, g)             # BP2: g ⊙ sigma'(z)
        return grads

    def output_error(self, cache: Mapping[str, np.ndarray],
                     out: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """BP1: delta^(L) = grad_a ℓ ⊙ sigma'(z^(L)), (n_L, B), per example.

        ``out`` = a^(L) and ``Y`` are (n_L, B), as checked by backward.
        Sigmoid + BCE and softmax + CE cancel to delta^(L) = a - y;
        a softmax with another loss uses its Jacobian (not elementwise).
        """
        if self._shortcut:                          # BP1, cancelled: a - y
            return out - Y
        z = cache[f"z{self.num_layers}"]            # z^(L)
        grad_a = self.loss_function.grad_a(out, Y)  # d(loss)/da, per example
        return self.activations[-1].backward(z, out, grad_a)  # BP1

    @staticmethod
    def layer_gradients(grads: dict[str, np.ndarray], l: int,
                        delta: np.ndarray,
                        cache: Mapping[str, np.ndarray]) -> None:
        """BP3 and BP4 of layer l as batch means, written into ``grads``.

        From Delta^(l) (n_l, B), the per-example deltas as columns, and
        A^(l-1) = cache["a{l-1}"]:
        grads["W{l}"] = (1/B) Delta^(l) (A^(l-1))^T   (n_l, n_{l-1})
        grads["b{l}"] = (1/B) Delta^(l) 1              (n_l, 1)
        and grads["delta{l}"] = Delta^(l) itself (per example, no 1/B).
        """
        B = delta.shape[1]
        grads[f"delta{l}"] = delta
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T     # BP3 ...
        grads[f"W{l}"] *= 1.0 / B                         # ... batch mean
        grads[f"b{l}"] = np.mean(delta, axis=1, keepdims=True)  # BP4

    def _checked_output(self, cache: Mapping[str, np.ndarray], Y) -> tuple[np.ndarray, np.ndarray]:
        """Check that ``cache`` came from ``forward`` of this network (and that the parameters were
        not replaced since) and that ``Y`` fits; return the output a^(L) (n_L, B) and checked Y."""
        check_forward_cache(cache, self.num_layers, type(self).__name__, self._extra_cache_keys())
        out = cache[f"a{self.num_layers}"]
        Y = self.as_targets(Y, out.shape[1])
        check_param_shapes(self.params, self.sizes)
        return out, Y

    def loss_and_gradients(self, X, Y) -> tuple[float, dict[str, np.ndarray]]:
        """Forward, loss and backward in one call: ``(L, grads)`` for inputs X (n_0, B), targets Y (n_L, B)."""
        out, cache = self.forward(X)
        grads = self.backward(cache, Y)
        return self.loss(out, Y, cache), grads
