"""Layer normalisation: an MLP whose hidden pre-activations are standardised, example by example.

Same notation, parameters and contract as :class:`backprop_lib.MLP`.  Every *hidden* layer
standardises its pre-activation z^(l) (n_l, B) over its n_l units, separately for each column
(Ba, Kiros & Hinton, 2016); the output layer is not normalised:

    z^(l)    = W^(l) a^(l-1) + b^(l)
    zhat^(l) = (z^(l) - mu^(l)) / s^(l),   mu = (1/n_l) sum_i z_i,   s = sqrt((1/n_l) sum_i (z_i - mu)^2 + eps)
    a^(l)    = sigma(zhat^(l))      for 1 <= l < L;        a^(L) = sigma(z^(L)).

Kept simple on purpose: there is no learnable gain and bias after the standardisation (the paper's
gamma ⊙ zhat + beta), so the parameters are exactly MLP's W^(l), b^(l).  The backward pass goes
through the standardisation with g^(l) = dL/dzhat^(l):

* BP1  delta^(L) = grad_a L ⊙ sigma'(z^(L))                              (unchanged)
* BP2  g^(l) = ((W^(l+1))^T delta^(l+1)) ⊙ sigma'(zhat^(l))             (sigma' at zhat, not z)
* BP2n delta^(l) = (1/s) (g - mean(g) - zhat ⊙ mean(g ⊙ zhat))            (means over the n_l units)
* BP3  dL/dW^(l) = (1/B) delta^(l) (a^(l-1))^T                           (unchanged)
* BP4  dL/db^(l) = (1/B) sum over the batch of delta^(l)                 (unchanged)

Derivation of BP2n, one column: dmu/dz_j = 1/n and ds/dz_j = (1/(2s)) (2/n)(z_j - mu) = zhat_j / n, so

    dzhat_i/dz_j = (1/s) (1[i = j] - 1/n - zhat_i zhat_j / n),

and delta_j = sum_i g_i dzhat_i/dz_j gives BP2n.  It removes from g its mean and its component
along zhat (the two directions that the standardisation cannot change) and divides by s.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from backprop_lib._validation import as_float_matrix, finite_scalar
from backprop_lib.nn.mlp import MLP

EPS = 1e-5  # added to the variance, as in the paper's reference implementations


def _checked_eps(eps) -> float:
    return finite_scalar(eps, "eps", positive=True)


def _standardise(z: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    mu = z.mean(axis=0, keepdims=True)
    centred = z - mu
    s = np.sqrt(np.mean(centred * centred, axis=0, keepdims=True) + eps)
    return centred / s, s


def _standardise_backward(g: np.ndarray, zhat: np.ndarray, s: np.ndarray) -> np.ndarray:
    return (g - g.mean(axis=0, keepdims=True) - zhat * np.mean(g * zhat, axis=0, keepdims=True)) / s


def layer_norm(z, eps: float = EPS) -> tuple[np.ndarray, np.ndarray]:
    """Standardise each column of ``z`` (n, B), n >= 2: returns ``zhat`` (n, B) and ``s`` (1, B).

    zhat = (z - mean(z)) / s with s = sqrt(var(z) + eps), mean and (population) variance over the
    n rows of each column, so every column of zhat has mean 0 and variance var / (var + eps).
    """
    z = as_float_matrix(z, "z (pre-activations)")
    if z.shape[0] < 2:
        raise ValueError(f"z must have at least 2 rows (units) to normalise over, got shape {z.shape}")
    return _standardise(z, _checked_eps(eps))


def layer_norm_backward(g, zhat, s) -> np.ndarray:
    """BP2n: dL/dz (n, B) from g = dL/dzhat (n, B) and the forward's ``zhat`` (n, B), ``s`` (1, B):

    dL/dz = (1/s) (g - mean(g) - zhat ⊙ mean(g ⊙ zhat)), means over the n rows of each column.
    """
    zhat = as_float_matrix(zhat, "zhat")
    g = as_float_matrix(g, "g (dL/dzhat)", rows=zhat.shape[0], cols=zhat.shape[1])
    s = as_float_matrix(s, "s", rows=1, cols=zhat.shape[1])
    if np.any(s <= 0):
        raise ValueError("s must be > 0: it is sqrt(var + eps) from layer_norm")
    return _standardise_backward(g, zhat, s)


class LayerNormMLP(MLP):
    """``MLP`` whose hidden layers compute a^(l) = sigma(layer_norm(z^(l))) (BP2n above).

    Takes the arguments of :class:`MLP` plus ``eps`` (> 0, added to the variance); every hidden
    layer needs at least 2 units.  ``forward`` also caches ``"zhat{l}"`` (n_l, B) and ``"s{l}"``
    (1, B) for l = 1..L-1; ``backward`` returns ``"delta{l}"`` = dL/dz^(l) as MLP does.
    ``copy`` keeps ``eps``.
    """

    def __init__(self, sizes, activation="sigmoid", output_activation="sigmoid", loss="mse",
                 init="xavier", seed=None, dtype=np.float64, eps: float = EPS):
        self.eps = _checked_eps(eps)
        super().__init__(sizes, activation, output_activation, loss, init, seed, dtype)

    @classmethod
    def from_params(cls, params: Mapping[str, np.ndarray], activation="sigmoid", output_activation="sigmoid",
                    loss="mse", dtype=np.float64, eps: float = EPS) -> "LayerNormMLP":
        """Build from ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}`` (copied), as MLP.from_params."""
        eps = _checked_eps(eps)
        net = super().from_params(params, activation, output_activation, loss, dtype)
        net.eps = eps
        return net

    def _setup(self, params, activation, output_activation, loss, dtype):
        super()._setup(params, activation, output_activation, loss, dtype)
        narrow = [l for l in range(1, self.num_layers) if self.sizes[l] < 2]
        if narrow:
            raise ValueError(f"layer normalisation needs at least 2 units per hidden layer (one unit "
                             f"always standardises to 0); hidden layer(s) {narrow} of sizes {self.sizes}")

    def _extra_settings(self) -> dict:
        return {"eps": self.eps}

    def _repr_extras(self) -> list[str]:
        return [f"eps={self.eps:g}"]

    def _layer_output(self, l, z, a_prev, cache):
        act = self.activations[l - 1]
        if l == self.num_layers:          # the output layer is not normalised
            return act.forward(z)
        zhat, s = _standardise(z, self.eps)
        cache[f"zhat{l}"], cache[f"s{l}"] = zhat, s
        return act.forward(zhat)

    def _activation_in_out(self, cache, l):
        # a hidden layer's activation reads zhat^(l), not z^(l)
        return (cache[f"zhat{l}"] if l < self.num_layers else cache[f"z{l}"]), cache[f"a{l}"]

    def _extra_cache_keys(self) -> list[str]:
        return [f"{k}{l}" for l in range(1, self.num_layers) for k in ("zhat", "s")]

    def backward(self, cache: Mapping[str, np.ndarray], Y) -> dict[str, np.ndarray]:
        """Gradients of the batch-mean loss (BP1, BP2, BP2n, BP3, BP4 above) from a forward ``cache``
        and targets ``Y`` (n_L, B).  Returns ``"W{l}"``, ``"b{l}"`` and ``"delta{l}"`` (n_l, B)."""
        out, Y = self._checked_output(cache, Y)
        delta = self.output_error(cache, out, Y)                     # BP1
        grads: dict[str, np.ndarray] = {}
        for l in range(self.num_layers, 0, -1):
            self.layer_gradients(grads, l, delta, cache)             # BP3, BP4
            if l > 1:
                zhat, a = self._activation_in_out(cache, l - 1)
                g = self.params[f"W{l}"].T @ delta
                g = self.activations[l - 2].backward(zhat, a, g)     # BP2, at zhat
                delta = _standardise_backward(g, zhat, cache[f"s{l - 1}"])  # BP2n
        return grads
