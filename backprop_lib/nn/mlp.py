"""A fully connected network (multi-layer perceptron) with an explicit BP1-BP4 backward pass.

Notation (the book's): L layers, not counting the input; layer l has n_l units; a batch of B
examples is a matrix with B columns.

    z^(l) = W^(l) a^(l-1) + b^(l),    a^(l) = sigma^(l)(z^(l)),    a^(0) = x.

Parameters live in ``net.params``: ``"W1", "b1", ..., "WL", "bL"`` with ``W{l}`` of shape
(n_l, n_{l-1}) and ``b{l}`` of shape (n_l, 1).  ``forward`` returns the output and a cache of every
z and a; ``backward`` turns the cache into gradients of the *batch-mean* loss.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from backprop_lib._validation import as_float_matrix, valid_name, positive_int
from backprop_lib.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation
from backprop_lib.nn.init import INITIALIZERS, init_weights
from backprop_lib.nn.losses import OUTPUT_ERROR_SHORTCUTS, REQUIRED_OUTPUT, get_loss


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
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence | np.ndarray):
            raise TypeError(f"sizes must be a list of layer widths like [2, 3, 1], got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output width, got {list(sizes)}")
        sizes = [positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
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
        """Build a network from a parameter dict ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``.

        The arrays are copied, so later changes to ``params`` do not reach the network.
        """
        net = cls.__new__(cls)
        net._setup(params, activation, output_activation, loss, dtype)
        net.init = None
        net.seed = None
        return net

    # ------------------------------------------------------------------ set-up and checks
    def _setup(self, params, activation, output_activation, loss, dtype):
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        self.params = _checked_params(params, self.dtype)
        L = len(self.params) // 2
        self.sizes = [self.params["W1"].shape[1]] + [self.params[f"W{l}"].shape[0] for l in range(1, L + 1)]
        hidden = _hidden_names(activation, L - 1)
        valid_name(output_activation, ACTIVATIONS, "output_activation")
        self.loss_name = valid_name(loss, REQUIRED_OUTPUT, "loss")
        required = REQUIRED_OUTPUT[loss]
        if required is not None and output_activation != required:
            raise ValueError(f"loss {loss!r} needs output_activation={required!r}, got {output_activation!r}")
        self.activation_names = hidden + [output_activation]
        self._acts = [get_activation(name) for name in self.activation_names]
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

    def __repr__(self) -> str:
        acts = ", ".join(self.activation_names)
        return f"MLP(sizes={self.sizes}, activations=[{acts}], loss={self.loss_name!r}, P={self.num_params})"

    def copy(self) -> "MLP":
        """An independent network with the same parameters and settings."""
        return MLP.from_params(self.params, self.activation_names[:-1], self.output_activation,
                               self.loss_name, self.dtype)

    def _check_params_unchanged(self):
        for l in range(1, self.num_layers + 1):
            for key, shape in ((f"W{l}", (self.sizes[l], self.sizes[l - 1])), (f"b{l}", (self.sizes[l], 1))):
                got = np.shape(self.params.get(key))
                if got != shape:
                    raise ValueError(f"params[{key!r}] must have shape {shape}, got {got}; "
                                     "assign arrays of the same shape or build a new network")

    def as_targets(self, Y, B: int | None = None) -> np.ndarray:
        """Return ``Y`` as an (n_L, B) float array after checking it suits this network's loss."""
        Y = as_float_matrix(Y, "Y (targets)", rows=self.sizes[-1], cols=B, dtype=self.dtype)
        self._loss.validate_targets(Y)
        return Y

    # ------------------------------------------------------------------ forward
    def forward(self, X) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Forward pass for a batch ``X`` of shape (n_0, B).

        Returns ``(out, cache)``: ``out = a^(L)`` of shape (n_L, B) and ``cache`` holding
        ``"a0"`` = X and, for l = 1..L, ``"z{l}"`` and ``"a{l}"`` of shape (n_l, B).
        """
        X = as_float_matrix(X, "X (inputs)", rows=self.sizes[0], dtype=self.dtype)
        self._check_params_unchanged()
        cache = {"a0": X}
        a = X
        for l, act in enumerate(self._acts, start=1):
            z = self.params[f"W{l}"] @ a + self.params[f"b{l}"]
            a = act.forward(z)
            cache[f"z{l}"] = z
            cache[f"a{l}"] = a
        return a, cache

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

        Returns ``{"W{l}", "b{l}"}`` with the shapes of ``params`` and the per-example error
        signals ``"delta{l}"`` = dL_x/dz^(l) of shape (n_l, B):

        * BP1  delta^(L) = grad_a L ⊙ sigma'(z^(L))   (= a - y for sigmoid+BCE, softmax+CE)
        * BP2  delta^(l) = ((W^(l+1))^T delta^(l+1)) ⊙ sigma'(z^(l))
        * BP3  dL/dW^(l) = (1/B) delta^(l) (a^(l-1))^T
        * BP4  dL/db^(l) = (1/B) sum over the batch of delta^(l)
        """
        L = self.num_layers
        out, Y = self._checked_output(cache, Y)
        B = out.shape[1]

        # BP1: the output error.
        if self._shortcut:
            delta = out - Y
        else:
            delta = self._acts[-1].backward(cache[f"z{L}"], out, self._loss.grad_a(out, Y))
        grads: dict[str, np.ndarray] = {}
        for l in range(L, 0, -1):
            grads[f"delta{l}"] = delta
            grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T                  # BP3 ...
            grads[f"W{l}"] *= 1.0 / B                                        # ... batch mean
            grads[f"b{l}"] = np.mean(delta, axis=1, keepdims=True)          # BP4
            if l > 1:                                                        # BP2
                delta = self._acts[l - 2].backward(cache[f"z{l - 1}"], cache[f"a{l - 1}"],
                                                   self.params[f"W{l}"].T @ delta)
        return grads

    def _checked_output(self, cache: Mapping[str, np.ndarray], Y) -> tuple[np.ndarray, np.ndarray]:
        """Check that ``cache`` came from ``forward`` of this network (and that the parameters were
        not replaced since) and that ``Y`` fits; return the output a^(L) (n_L, B) and checked Y."""
        L = self.num_layers
        if not isinstance(cache, Mapping) or any(f"{k}{l}" not in cache for l in range(1, L + 1) for k in "za"):
            raise TypeError("cache must be the dict returned by forward(X) of this network "
                            f"(keys 'a0', 'z1', 'a1', ..., 'z{L}', 'a{L}')")
        out = cache[f"a{L}"]
        Y = self.as_targets(Y, out.shape[1])
        self._check_params_unchanged()
        return out, Y

    def loss_and_gradients(self, X, Y) -> tuple[float, dict[str, np.ndarray]]:
        """Forward, loss and backward in one call: ``(L, grads)`` for inputs X (n_0, B), targets Y (n_L, B)."""
        out, cache = self.forward(X)
        grads = self.backward(cache, Y)
        return self.loss(out, Y, cache), grads


# ---------------------------------------------------------------------- helpers
def _hidden_names(activation, n_hidden: int) -> list[str]:
    names = [activation] * n_hidden if isinstance(activation, str) else activation
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
        raise TypeError(f"activation must be a name or a list of names, got {activation!r}")
    names = list(names)
    if len(names) != n_hidden:
        raise ValueError(f"activation list must have one name per hidden layer ({n_hidden}), got {len(names)}: {names}")
    for i, name in enumerate(names):
        valid_name(name, ACTIVATIONS, f"activation[{i}]")
        if name not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"activation {name!r} is not elementwise and can only be an output "
                             f"activation; hidden layers take one of {sorted(HIDDEN_ACTIVATIONS)}")
    return names


def _checked_params(params, dtype) -> dict[str, np.ndarray]:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict like {{'W1': ..., 'b1': ...}}, got {type(params).__name__}")
    keys = set(params)
    L = len(keys) // 2
    expected = {f"{k}{l}" for l in range(1, L + 1) for k in "Wb"}
    if L < 1 or keys != expected:
        raise ValueError(f"params must have keys W1, b1, ..., WL, bL; got {sorted(keys)}")
    checked = {}
    n_prev = None
    for l in range(1, L + 1):
        W = as_float_matrix(params[f"W{l}"], f"params['W{l}']", dtype=dtype, batch=False)
        if n_prev is not None and W.shape[1] != n_prev:
            raise ValueError(f"params['W{l}'] must have {n_prev} columns to match the {n_prev} rows of "
                             f"params['W{l - 1}'] (W{{l}} is (n_l, n_{{l-1}})), got shape {W.shape}")
        n_l = W.shape[0]
        b = as_float_matrix(params[f"b{l}"], f"params['b{l}']", rows=n_l, cols=1, dtype=dtype, batch=False)
        checked[f"W{l}"] = np.array(W, dtype=dtype, copy=True)
        checked[f"b{l}"] = np.array(b, dtype=dtype, copy=True)
        n_prev = n_l
    return checked
