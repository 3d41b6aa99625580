"""Weight initialisations by name. Weights are drawn from N(0, std^2); biases start at zero.

* ``"normal"``: small normal, std = 0.01, whatever the layer size.
* ``"xavier"`` (Glorot & Bengio, 2010): std = sqrt(2 / (n_in + n_out)), which keeps the variance of
  activations and of back-propagated gradients roughly constant for tanh-like units.
* ``"he"`` (He et al., 2015): std = sqrt(2 / n_in), which compensates for ReLU zeroing half its inputs.
"""
from __future__ import annotations

import numpy as np

from backprop_lib._validation import valid_name, positive_int

SMALL_NORMAL_STD = 0.01

INITIALIZERS = ("normal", "xavier", "he")


def init_std(name: str, n_in: int, n_out: int) -> float:
    """Standard deviation of the weights of a layer with ``n_in`` inputs and ``n_out`` units."""
    valid_name(name, INITIALIZERS, "init")
    n_in = positive_int(n_in, "n_in")
    n_out = positive_int(n_out, "n_out")
    if name == "normal":
        return SMALL_NORMAL_STD
    if name == "xavier":
        return float(np.sqrt(2.0 / (n_in + n_out)))
    return float(np.sqrt(2.0 / n_in))


def init_weights(name: str, n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """A weight matrix W of shape (n_out, n_in) drawn from N(0, init_std(name, n_in, n_out)^2).

    The arguments come in the order of :func:`init_std` (fan-in first); the matrix has the book's
    shape (n_l, n_{l-1}), one row per output unit."""
    return rng.normal(0.0, init_std(name, n_in, n_out), size=(n_out, n_in))
