"""A residual variant of the MLP: skip connections around every equal-width hidden layer.

Same notation, parameters and contract as :class:`backprop_lib.MLP` (``params`` dict,
``forward(X) -> (out, cache)``, ``loss``, ``backward(cache, Y)``).  Only the hidden layers whose
width equals that of their input become *residual blocks*:

    z^(l) = W^(l) a^(l-1) + b^(l),
    a^(l) = a^(l-1) + sigma(z^(l))      if 1 <= l < L and n_l = n_{l-1}   (residual block)
    a^(l) = sigma(z^(l))                otherwise (in particular the output layer l = L).

``forward`` also caches sigma(z^(l)) as ``"sigma{l}"`` (n_l, B) for every residual layer l (there
a^(l) is not sigma(z^(l)), and BP2r needs sigma's output).  The backward pass keeps
g^(l) = dL/da^(l) and adds the skip path to BP2:

* BP1  delta^(L) = grad_a L ⊙ sigma'(z^(L))
* BP2r g^(l) = (W^(l+1))^T delta^(l+1) + [l+1 is residual] g^(l+1),   delta^(l) = g^(l) ⊙ sigma'(z^(l))
* BP3  dL/dW^(l) = (1/B) delta^(l) (a^(l-1))^T          (unchanged)
* BP4  dL/db^(l) = (1/B) sum over the batch of delta^(l)  (unchanged)

The identity term in BP2r is why residual networks pass gradients to early layers: even when
every sigma' is small, g^(l) still contains g^(l+1) unchanged.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from backprop_lib.nn.mlp import MLP


class ResidualMLP(MLP):
    """``MLP`` with a^(l) = a^(l-1) + sigma(z^(l)) on every hidden layer with n_l = n_{l-1}.

    Constructor and ``from_params`` take exactly the arguments of :class:`MLP`;
    ``residual[l - 1]`` says whether layer l is a residual block.  ``forward`` caches
    ``"sigma{l}"`` = sigma(z^(l)) (n_l, B) for the residual layers, besides MLP's entries.
    """

    def _setup(self, params, activation, output_activation, loss, dtype):
        super()._setup(params, activation, output_activation, loss, dtype)
        L = self.num_layers
        self.residual = tuple(l < L and self.sizes[l] == self.sizes[l - 1] for l in range(1, L + 1))

    def _repr_extras(self) -> list[str]:
        blocks = [l for l, r in enumerate(self.residual, start=1) if r]
        return [f"residual layers={blocks}"]

    def _layer_output(self, l, z, a_prev, cache):
        s = self.activations[l - 1].forward(z)
        if not self.residual[l - 1]:
            return s
        cache[f"sigma{l}"] = s            # a^(l) = a^(l-1) + sigma(z^(l)): keep sigma's output
        return a_prev + s

    def _activation_in_out(self, cache, l):
        z = cache[f"z{l}"]
        return z, (cache[f"sigma{l}"] if self.residual[l - 1] else cache[f"a{l}"])

    def _extra_cache_keys(self) -> list[str]:
        return [f"sigma{l}" for l, r in enumerate(self.residual, start=1) if r]

    def backward(self, cache: Mapping[str, np.ndarray], Y) -> dict[str, np.ndarray]:
        """Gradients of the batch-mean loss (BP1, BP2r, BP3, BP4 above) from a forward ``cache``
        and targets ``Y`` (n_L, B).  Returns ``"W{l}"``, ``"b{l}"`` and ``"delta{l}"`` (n_l, B)."""
        out, Y = self._checked_output(cache, Y)
        delta = self.output_error(cache, out, Y)                     # BP1
        grads: dict[str, np.ndarray] = {}
        g_above = None  # g^(l+1) = dL/da^(l+1), needed when layer l+1 is residual
        for l in range(self.num_layers, 0, -1):
            self.layer_gradients(grads, l, delta, cache)             # BP3, BP4
            if l > 1:                                                # BP2r
                g = self.params[f"W{l}"].T @ delta
                if self.residual[l - 1]:
                    g = g + g_above
                z, s = self._activation_in_out(cache, l - 1)         # s = sigma(z^(l-1))
                delta = self.activations[l - 2].backward(z, s, g)
                g_above = g
        return grads
