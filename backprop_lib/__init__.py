"""backprop_lib: the small library behind *Backprop, Interactively*.

The chapters import from here; every formula carries the book's labels (BP1..BP4).
"""
from backprop_lib.autodiff.forward import Dual
from backprop_lib.autodiff.reverse import Value
from backprop_lib.data.toy import blobs, one_hot, spiral, xor
from backprop_lib.gradcheck.check import check_gradients, relative_error, verdict
from backprop_lib.gradcheck.finite_diff import central_difference, numerical_gradient
from backprop_lib.nn.activations import (
    ACTIVATIONS, HIDDEN_ACTIVATIONS, Activation, get_activation, sigmoid, softmax)
from backprop_lib.nn.init import INITIALIZERS, init_std
from backprop_lib.nn.layer_norm import LayerNormMLP
from backprop_lib.nn.losses import LOSSES, Loss, get_loss
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.residual import ResidualMLP

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "HIDDEN_ACTIVATIONS", "INITIALIZERS", "LOSSES", "Activation", "Dual", "LayerNormMLP", "Loss",
    "MLP", "ResidualMLP", "Value", "blobs", "central_difference", "check_gradients", "get_activation", "get_loss",
    "init_std", "numerical_gradient", "one_hot", "relative_error", "sigmoid", "softmax", "spiral", "verdict", "xor",
]
