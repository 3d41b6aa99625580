"""Input checks of the network classes (MLP and its subclasses), with messages that teach.

The parameter dict holds ``W{l}`` (n_l, n_{l-1}) and ``b{l}`` (n_l, 1) for l = 1..L; a forward
cache holds ``"a0"`` and ``"z{l}"``, ``"a{l}"`` (n_l, B).  The generic checks (shapes of one
matrix, names, integers) are in :mod:`backprop_lib._validation`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from backprop_lib._validation import as_float_matrix, positive_int, valid_name
from backprop_lib.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from backprop_lib.nn.losses import REQUIRED_OUTPUT


def checked_sizes(sizes) -> list[int]:
    """The layer widths [n_0, n_1, ..., n_L] as a list of positive ints (at least two of them)."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(f"sizes must be a list of layer widths like [2, 3, 1], got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width, got {list(sizes)}")
    return [positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]


def checked_dtype(dtype) -> np.dtype:
    """``dtype`` as a numpy dtype, float32 or float64 (the precisions the networks compute in)."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def checked_loss_name(loss, output_activation) -> str:
    """``loss`` after checking it and the output activation it needs (BCE a sigmoid, softmax-CE
    a softmax; MSE any)."""
    valid_name(output_activation, ACTIVATIONS, "output_activation")
    loss = valid_name(loss, REQUIRED_OUTPUT, "loss")
    required = REQUIRED_OUTPUT[loss]
    if required is not None and output_activation != required:
        raise ValueError(f"loss {loss!r} needs output_activation={required!r}, got {output_activation!r}")
    return loss


def hidden_activation_names(activation, n_hidden: int) -> list[str]:
    """One activation name per hidden layer: ``activation`` repeated if it is one name, else the
    list itself; every name must be an elementwise (hidden) activation."""
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


def checked_params(params, dtype) -> dict[str, np.ndarray]:
    """A copy of ``params`` in ``dtype`` after checking its keys W1, b1, ..., WL, bL and that
    consecutive shapes chain: ``W{l}`` (n_l, n_{l-1}), ``b{l}`` (n_l, 1)."""
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


def check_param_shapes(params: Mapping[str, np.ndarray], sizes: Sequence[int]) -> None:
    """Raise ``ValueError`` unless ``params`` still has ``W{l}`` (n_l, n_{l-1}) and ``b{l}`` (n_l, 1)
    for the widths ``sizes`` = [n_0, ..., n_L] (an array may have been replaced since set-up)."""
    for l in range(1, len(sizes)):
        for key, shape in ((f"W{l}", (sizes[l], sizes[l - 1])), (f"b{l}", (sizes[l], 1))):
            got = np.shape(params.get(key))
            if got != shape:
                raise ValueError(f"params[{key!r}] must have shape {shape}, got {got}; "
                                 "assign arrays of the same shape or build a new network")


def check_forward_cache(cache, L: int, owner: str = "MLP", extra: Sequence[str] = ()) -> None:
    """Raise ``TypeError`` unless ``cache`` is a dict with the keys of a forward pass through
    L layers: ``"z{l}"`` and ``"a{l}"`` for l = 1..L, and the ``extra`` keys that ``owner``'s
    forward adds (a subclass's own cache entries)."""
    if not isinstance(cache, Mapping) or any(f"{k}{l}" not in cache for l in range(1, L + 1) for k in "za"):
        raise TypeError("cache must be the dict returned by forward(X) of this network "
                        f"(keys 'a0', 'z1', 'a1', ..., 'z{L}', 'a{L}')")
    missing = [key for key in extra if key not in cache]
    if missing:
        more = ", ..." if len(missing) > 3 else ""
        raise TypeError(f"cache must come from {owner}.forward (keys {', '.join(map(repr, missing[:3]))}"
                        f"{more} are missing)")
