"""A residual variant of the MLP: skip connections around every equal-width hidden layer.

Same notation, parameters and contract as :class:`backprop_lib.MLP` (``params`` dict,
``forward(X) -> (out, cache)``, ``loss``, ``backward(cache, Y)``).  Only the hidden layers whose
width equals that of their input become *residual blocks*:

    z^(l) = W^(l) a^(l-1) + b^(l),
    a^(l) = a^(l-1) + sigma(z^(l))      if 1 <= l < L and n_l = n_{l-1}   (residual block)
    a^(l) = sigma(z^(l))                otherwise (in particular the output layer l = L).

The backward pass keeps g^(l) = dL/da^(l) and adds the skip path to BP2:

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

from backprop_lib._validation import as_float_matrix
from backprop_lib.nn.mlp import MLP


class ResidualMLP(MLP):
    """``MLP`` with a^(l) = a^(l-1) + sigma(z^(l)) on every hidden layer with n_l = n_{l-1}.

    Constructor and ``from_params`` take exactly the arguments of :class:`MLP`;
    ``residual[l - 1]`` says whether layer l is a residual block.
    """

    def _setup(self, params, activation, output_activation, loss, dtype):
        super()._setup(params, activation, output_activation, loss, dtype)
        L = self.num_layers
        self.residual = tuple(l < L and self.sizes[l] == self.sizes[l - 1] for l in range(1, L + 1))

    def __repr__(self) -> str:
        blocks = [l for l, r in enumerate(self.residual, start=1) if r]
        return super().__repr__().replace("MLP(", "ResidualMLP(", 1)[:-1] + f", residual layers={blocks})"

    def copy(self) -> "ResidualMLP":
        """An independent residual network with the same parameters and settings."""
        return ResidualMLP.from_params(self.params, self.activation_names[:-1], self.output_activation,
                                       self.loss_name, self.dtype)

    def _activation_in_out(self, cache, l):
        z = cache[f"z{l}"]
        if self.residual[l - 1]:          # a^(l) = a^(l-1) + sigma(z^(l)): sigma's output is not cached
            return z, self._acts[l - 1].forward(z)
        return z, cache[f"a{l}"]

    def forward(self, X) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Forward pass for ``X`` (n_0, B); returns ``(a^(L), cache)`` with ``"a0"``, ``"z{l}"``,
        ``"a{l}"`` (n_l, B) as in :meth:`MLP.forward`; residual layers add a^(l-1)."""
        X = as_float_matrix(X, "X (inputs)", rows=self.sizes[0], dtype=self.dtype)
        self._check_params_unchanged()
        cache = {"a0": X}
        a = X
        for l, act in enumerate(self._acts, start=1):
            z = self.params[f"W{l}"] @ a + self.params[f"b{l}"]
            a = a + act.forward(z) if self.residual[l - 1] else act.forward(z)
            cache[f"z{l}"] = z
            cache[f"a{l}"] = a
        return a, cache

    def backward(self, cache: Mapping[str, np.ndarray], Y) -> dict[str, np.ndarray]:
        """Gradients of the batch-mean loss (BP1, BP2r, BP3, BP4 above) from a forward ``cache``
        and targets ``Y`` (n_L, B).  Returns ``"W{l}"``, ``"b{l}"`` and ``"delta{l}"`` (n_l, B)."""
        L = self.num_layers
        out, Y = self._checked_output(cache, Y)
        B = out.shape[1]
        if self._shortcut:                                                   # BP1
            delta = out - Y
        else:
            delta = self._acts[-1].backward(cache[f"z{L}"], out, self._loss.grad_a(out, Y))
        grads: dict[str, np.ndarray] = {}
        g_above = None  # g^(l+1) = dL/da^(l+1), needed when layer l+1 is residual
        for l in range(L, 0, -1):
            grads[f"delta{l}"] = delta
            grads[f"W{l}"] = (delta @ cache[f"a{l - 1}"].T) * (1.0 / B)      # BP3
            grads[f"b{l}"] = np.mean(delta, axis=1, keepdims=True)          # BP4
            if l > 1:                                                        # BP2r
                g = self.params[f"W{l}"].T @ delta
                if self.residual[l - 1]:
                    g = g + g_above
                z, act = cache[f"z{l - 1}"], self._acts[l - 2]
                # sigma'(z) from z alone: in a residual layer a^(l-1) is not sigma(z^(l-1))
                delta = act.backward(z, act.forward(z), g)
                g_above = g
        return grads
