"""Mini-batch training of an :class:`~backprop_lib.nn.mlp.MLP` with :class:`~backprop_lib.nn.optim.SGD`.

One epoch visits every training example once, in an order shuffled by a seeded generator, in
mini-batches of ``batch_size`` columns.  Each batch runs forward, BP1-BP4 (``net.loss_and_gradients``)
and one optimiser step

    v <- momentum * v - lr * g,        p <- p + v.

After every epoch :func:`train` records the training loss/accuracy (on the whole training set),
the validation loss/accuracy (when a validation set is given) and the per-layer gradient norms
||dL/dW^(l)||_F of the last batch.  With ``patience`` it stops early when the validation loss has
not improved for ``patience`` epochs and restores the best parameters.  Everything is seeded, so
two runs on one machine give bit-for-bit the same history.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from backprop_lib._validation import as_float_matrix, finite_scalar, positive_int
from backprop_lib.gradcheck.check import relative_error
from backprop_lib.gradcheck.finite_diff import central_difference_at
from backprop_lib.nn.optim import SGD
from backprop_lib.teaching.prose import shown


def _check_net(net) -> None:
    if not all(hasattr(net, a) for a in ("params", "forward", "loss_and_gradients", "sizes")):
        raise TypeError(f"net must be an MLP (with params, forward and loss_and_gradients), got {type(net).__name__}")


def checked_xy(X, Y, what: str = "") -> tuple[np.ndarray, np.ndarray]:
    X = as_float_matrix(X, f"X{what} (inputs)")
    Y = as_float_matrix(Y, f"Y{what} (targets)", cols=X.shape[1])
    return X, Y


def train_val_split(X, Y, val_fraction: float = 0.2, seed: int = 0
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the B columns with ``seed`` and hold out round(val_fraction * B) of them.

    Returns ``X_train (n_0, B - V), Y_train, X_val (n_0, V), Y_val``; both parts are non-empty.
    """
    X, Y = checked_xy(X, Y)
    val_fraction = finite_scalar(val_fraction, "val_fraction")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, got {val_fraction}")
    B = X.shape[1]
    V = int(round(val_fraction * B))
    if V < 1 or V > B - 1:
        raise ValueError(f"val_fraction={val_fraction} of {B} examples leaves an empty part; "
                         "use more examples or another fraction")
    order = np.random.default_rng(seed).permutation(B)
    val, tr = order[:V], order[V:]
    return X[:, tr], Y[:, tr], X[:, val], Y[:, val]


def minibatch_indices(B: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield the column indices of one epoch: a permutation of 0..B-1 cut into batches
    of ``batch_size`` (the last one may be smaller)."""
    B = positive_int(B, "B")
    batch_size = positive_int(batch_size, "batch_size")
    order = rng.permutation(B)
    for start in range(0, B, batch_size):
        yield order[start:start + batch_size]


def accuracy(net, X, Y) -> float:
    """Fraction of columns classified correctly: argmax of the output for several classes,
    threshold 0.5 for a single output unit."""
    _check_net(net)
    X, Y = checked_xy(X, Y)
    out = net.predict(X)
    if out.shape[0] == 1:
        return float(np.mean((out[0] >= 0.5) == (Y[0] >= 0.5)))
    return float(np.mean(np.argmax(out, axis=0) == np.argmax(Y, axis=0)))


def layer_grad_norms(grads, num_layers: int) -> np.ndarray:
    """||dL/dW^(l)||_F for l = 1..num_layers, shape (num_layers,)."""
    return np.array([float(np.linalg.norm(grads[f"W{l}"])) for l in range(1, num_layers + 1)])


@dataclass
class History:
    """Per-epoch records; ``grad_norms`` has shape (epochs, L) (last batch of each epoch).

    ``start_loss`` is the training loss before the first epoch (set by :func:`train`).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    grad_norms: list[np.ndarray] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False
    start_loss: float | None = None

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def grad_norm_array(self) -> np.ndarray:
        return np.array(self.grad_norms)

    def first_epoch_above(self, level: float) -> int | None:
        """The first epoch (1-based) whose training loss exceeds ``level``; None if none does."""
        above = np.flatnonzero(np.array(self.loss) > level)
        return int(above[0]) + 1 if above.size else None

    def outcome(self, fmt: str = ".4f") -> str:
        """One line for the run, stable across machines.

        A run that converges or crawls: its final loss and accuracy (format ``fmt``). A run
        whose loss ends above ``start_loss`` diverged; its final numbers are chaotic (their
        digits change with the CPU), so the line says only when the loss first rose above
        its starting value, or at which epoch the divergence guard stopped it.
        """
        if self.diverged:
            return f"diverged: loss not finite or above 1e6 at epoch {self.epochs}"
        if self.start_loss is not None and self.loss and self.loss[-1] > self.start_loss:
            n = self.first_epoch_above(self.start_loss)
            return f"diverged: loss above its starting value after {n} epoch{'s' * (n != 1)}"
        if not self.loss:
            return "not trained"
        return f"final loss {shown(self.loss[-1], fmt)}, accuracy {shown(self.accuracy[-1], fmt)}"


def _loss(net, X, Y) -> float:
    out, cache = net.forward(X)
    return net.loss(out, Y, cache)


def _evaluate(net, X, Y) -> tuple[float, float]:
    return _loss(net, X, Y), accuracy(net, X, Y)


def train(net, X, Y, *, epochs: int, lr: float, momentum: float = 0.0, batch_size: int | None = None,
          seed: int = 0, X_val=None, Y_val=None, patience: int | None = None,
          callback: Callable[[int, History], None] | None = None, optimizer: SGD | None = None) -> History:
    """Train ``net`` in place for up to ``epochs`` epochs; return the :class:`History`.

    ``X`` is (n_0, B), ``Y`` is (n_L, B); ``batch_size=None`` means full-batch gradient descent.
    ``patience`` (needs a validation set) stops after that many epochs without a lower validation
    loss and restores the parameters of the best epoch.  ``callback(epoch, history)`` runs after
    every epoch (e.g. to advance a progress bar).  A run whose loss becomes NaN/inf or exceeds
    1e6 is stopped and marked ``diverged``; ``history.start_loss`` (the training loss before the
    first epoch) lets ``history.outcome()`` also tell a run that ended above it.  Pass
    ``optimizer`` (an SGD on ``net.params``) to continue with its velocity; its own ``lr`` and
    ``momentum`` are then used.
    """
    X, Y, epochs, batch_size, val, patience = _checked_train_args(
        net, X, Y, epochs, batch_size, X_val, Y_val, patience, callback, optimizer)
    opt = optimizer if optimizer is not None else SGD(net.params, lr=lr, momentum=momentum)
    rng = np.random.default_rng(seed)
    hist = History(start_loss=_loss(net, X, Y))
    best, best_params, waited = np.inf, None, 0
    for epoch in range(epochs):
        loss, acc, grads = _epoch(net, opt, X, Y, batch_size, rng)
        hist.loss.append(loss)
        hist.accuracy.append(acc)
        hist.grad_norms.append(layer_grad_norms(grads, net.num_layers))
        if not np.isfinite(loss) or loss > 1e6:
            hist.diverged = True
            break
        if val is not None:
            vloss, vacc = _evaluate(net, *val)
            hist.val_loss.append(vloss)
            hist.val_accuracy.append(vacc)
            if vloss < best:
                best, waited, hist.best_epoch = vloss, 0, epoch + 1
                best_params = {k: p.copy() for k, p in net.params.items()}
            else:
                waited += 1
        if callback is not None:
            callback(epoch + 1, hist)
        if patience is not None and waited >= patience:
            hist.stopped_early = True
            break
    if patience is not None and best_params is not None:
        for k, p in best_params.items():
            net.params[k][...] = p
    return hist


def _checked_train_args(net, X, Y, epochs, batch_size, X_val, Y_val, patience, callback, optimizer):
    """The arguments of :func:`train`, checked: ``(X, Y, epochs, batch_size, val, patience)`` with
    ``val`` = (X_val, Y_val) or None."""
    _check_net(net)
    X, Y = checked_xy(X, Y)
    epochs = positive_int(epochs, "epochs")
    batch_size = X.shape[1] if batch_size is None else positive_int(batch_size, "batch_size")
    has_val = X_val is not None or Y_val is not None
    val = checked_xy(X_val, Y_val, "_val") if has_val else None
    if patience is not None:
        patience = positive_int(patience, "patience")
        if not has_val:
            raise ValueError("early stopping (patience) needs a validation set X_val, Y_val")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function (epoch, history), got {type(callback).__name__}")
    if optimizer is not None and getattr(optimizer, "params", None) is not net.params:
        raise ValueError("optimizer must update this network's parameters: build it as SGD(net.params, ...)")
    return X, Y, epochs, batch_size, val, patience


def _epoch(net, opt: SGD, X, Y, batch_size: int, rng: np.random.Generator):
    """One epoch of optimiser steps on shuffled mini-batches; returns the training loss and accuracy
    afterwards ((inf, nan) once a parameter is not finite) and the last batch's gradients."""
    with np.errstate(over="ignore", invalid="ignore"):
        for idx in minibatch_indices(X.shape[1], batch_size, rng):
            _, grads = net.loss_and_gradients(X[:, idx], Y[:, idx])
            opt.step(grads)
        ok = all(np.all(np.isfinite(p)) for p in net.params.values())
        loss, acc = _evaluate(net, X, Y) if ok else (np.inf, np.nan)
    return loss, acc, grads


def gradcheck_entries(net, X, Y, entries: Sequence[tuple[str, tuple[int, ...]]], eps: float = 1e-5
                      ) -> list[tuple[str, tuple[int, ...], float, float, float]]:
    """Compare BP3/BP4 with central differences at a few parameter entries only.

    ``entries`` is a list of ``(key, index)`` such as ``[("W1", (3, 17)), ("b2", (4, 0))]``.
    Returns one row ``(key, index, analytic, numerical, relative error)`` per entry; costs two
    forward passes per entry instead of 2P.
    """
    _check_net(net)
    X, Y = checked_xy(X, Y)
    eps = finite_scalar(eps, "eps", positive=True)
    if isinstance(entries, (str, bytes)) or not isinstance(entries, Sequence) or not entries:
        raise TypeError("entries must be a non-empty list of (key, index) pairs like [('W1', (0, 0))]")
    _, grads = net.loss_and_gradients(X, Y)
    rows = []
    for entry in entries:
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
            raise TypeError(f"each entry must be a (key, index) pair, got {entry!r}")
        key, idx = entry[0], tuple(int(i) for i in entry[1])
        if key not in net.params:
            raise ValueError(f"unknown parameter {key!r}; the network has {list(net.params)}")
        p = net.params[key]
        if len(idx) != p.ndim or any(not 0 <= i < n for i, n in zip(idx, p.shape)):
            raise ValueError(f"index {idx} is outside params[{key!r}] of shape {p.shape}")
        num = central_difference_at(lambda: _loss(net, X, Y), p, idx, eps)
        ana = float(grads[key][idx])
        rows.append((key, idx, ana, num, relative_error(np.array([ana]), np.array([num]))))
    return rows


