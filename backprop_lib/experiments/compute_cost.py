"""What a gradient costs: multiply-add counts, and wall-clock measurements to set beside them.

Counts (exact, for an MLP with sizes [n_0, ..., n_L] and a batch of B examples) cover the matrix
products only; the elementwise work (biases, activations, sigma', ⊙) is n_l B per layer, a
lower-order term that is not counted:

* forward:   z^(l) = W^(l) a^(l-1) + b^(l)      F = sum_{l=1..L} n_l n_{l-1} B
* backward:  BP3  dW^(l) = delta^(l) (a^(l-1))^T  sum_{l=1..L} n_l n_{l-1} B   (= F)
             BP2  (W^(l+1))^T delta^(l+1)          sum_{l=2..L} n_l n_{l-1} B   (= F - n_1 n_0 B)
             so backward = 2F - n_1 n_0 B <= 2F, and exactly 2F if the gradient with respect to
             the input x (W^(1))^T delta^(1) is wanted too.
* finite differences: 2 forward passes per parameter, 2 P F for P = sum_l n_l (n_{l-1} + 1).

Memory: the backward pass needs the forward pass's cache, a^(0) and every z^(l) and a^(l), so it
keeps ``cache_floats`` = B (n_0 + 2 sum_l n_l) numbers alive, growing with the batch and the
depth (the parameters do not grow with B).  Gradient checkpointing (Griewank; Chen et al. 2016,
"Training Deep Nets with Sublinear Memory Cost") keeps only the inputs of k segments of layers and
recomputes one segment's cache at a time during the backward pass: ``checkpointed_cache_floats``,
for at most one extra forward pass; k ~ sqrt(L) segments make the memory O(sqrt(L)) for a deep
network of equal widths.

Times come from :func:`backprop_lib.experiments.timing.median_time` and change from run to run: print them
only in cells marked ``# NBVAL_IGNORE_OUTPUT``.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import positive_int
from backprop_lib.gradcheck.finite_diff import numerical_gradient
from backprop_lib.nn.mlp import MLP
from backprop_lib.experiments.timing import median_time

try:  # comes with scikit-learn; one BLAS thread makes the ratios steadier on a shared machine
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - fall back to whatever BLAS does by default
    def threadpool_limits(limits=None):
        return contextlib.nullcontext()


def _sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence | np.ndarray) or len(sizes) < 2:
        raise ValueError(f"sizes must be a list of at least two layer widths like [2, 3, 1], got {sizes!r}")
    return [positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]


def num_params(sizes: Sequence[int]) -> int:
    """P = sum_l n_l (n_{l-1} + 1): the weights and biases of an MLP with these sizes."""
    s = _sizes(sizes)
    return sum(s[l] * (s[l - 1] + 1) for l in range(1, len(s)))


def forward_multiply_adds(sizes: Sequence[int], batch: int = 1) -> int:
    """Multiply-adds of the forward pass: sum_l n_l n_{l-1} B (the products W^(l) a^(l-1))."""
    s, B = _sizes(sizes), positive_int(batch, "batch")
    return sum(s[l] * s[l - 1] for l in range(1, len(s))) * B


def backward_multiply_adds(sizes: Sequence[int], batch: int = 1, input_gradient: bool = False) -> int:
    """Multiply-adds of the backward pass: BP3 for every layer plus BP2 for layers 2..L.

    With ``input_gradient=True`` the product (W^(1))^T delta^(1) = dL/dx is counted too, and the
    result is exactly twice :func:`forward_multiply_adds`.
    """
    s, B = _sizes(sizes), positive_int(batch, "batch")
    if not isinstance(input_gradient, bool):
        raise TypeError(f"input_gradient must be True or False, got {input_gradient!r}")
    bp3 = sum(s[l] * s[l - 1] for l in range(1, len(s))) * B
    first = 1 if input_gradient else 2
    bp2 = sum(s[l] * s[l - 1] for l in range(first, len(s))) * B
    return bp3 + bp2


def cache_floats(sizes: Sequence[int], batch: int = 1) -> int:
    """Numbers the forward cache holds for the backward pass: a^(0) = X and every z^(l), a^(l),
    B (n_0 + 2 sum_{l=1..L} n_l) (what ``MLP.forward``'s cache holds)."""
    s, B = _sizes(sizes), positive_int(batch, "batch")
    return B * (s[0] + 2 * sum(s[1:]))


def checkpointed_cache_floats(sizes: Sequence[int], batch: int = 1, segments: int | None = None) -> int:
    """Peak numbers kept with gradient checkpointing: the layers 1..L split into ``segments``
    contiguous segments of (nearly) equal length (default round(sqrt(L))); the forward pass keeps
    only each segment's input a^(start), and the backward pass recomputes one segment's z and a at a
    time (one extra forward pass in all).  Peak = the kept inputs + the largest segment's cache.
    ``segments=1`` is the plain cache, :func:`cache_floats`."""
    s, B = _sizes(sizes), positive_int(batch, "batch")
    L = len(s) - 1
    k = max(1, round(L ** 0.5)) if segments is None else positive_int(segments, "segments")
    if k > L:
        raise ValueError(f"segments must be at most the number of layers L = {L}, got {k}")
    bounds = [round(i * L / k) for i in range(k + 1)]          # segment i: layers bounds[i]+1 .. bounds[i+1]
    kept = sum(s[start] for start in bounds[:-1])
    largest = max(2 * sum(s[lo + 1:hi + 1]) for lo, hi in zip(bounds[:-1], bounds[1:]))
    return B * (kept + largest)


def finite_difference_multiply_adds(sizes: Sequence[int], batch: int = 1) -> int:
    """Multiply-adds of a central-difference gradient: 2 P forward passes."""
    return 2 * num_params(sizes) * forward_multiply_adds(sizes, batch)


def count_table(architectures: Sequence[Sequence[int]], batch: int = 1) -> str:
    """A fixed-format text table of P and the three counts for each architecture (counts are exact,
    so the table reads the same on every machine; 79 characters wide for sizes up to 5 layers)."""
    B = positive_int(batch, "batch")
    w = max([len(str(list(s))) for s in architectures] + [20])
    lines = [f"{'sizes':<{w}}{'P':>9}{'forward':>11}{'backward':>11}{'bwd/fwd':>9}{'finite diff.':>14}"]
    for sizes in architectures:
        f, b = forward_multiply_adds(sizes, B), backward_multiply_adds(sizes, B)
        lines.append(f"{str(list(sizes)):<{w}}{num_params(sizes):>9,}{f:>11,}{b:>11,}{b / f:>9.3f}"
                     f"{finite_difference_multiply_adds(sizes, B):>14.2e}")
    return "\n".join(lines)


@dataclass(frozen=True)
class PassTimes:
    """Seconds of one forward pass and of one backward pass (from a cache), fastest of several."""

    sizes: tuple[int, ...]
    batch: int
    forward: float
    backward: float

    @property
    def ratio(self) -> float:
        return self.backward / self.forward


def _problem(sizes, batch: int, seed: int):
    s, B = _sizes(sizes), positive_int(batch, "batch")
    net = MLP(s, activation="relu", output_activation="identity", loss="mse", init="he", seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.normal(size=(s[0], B)), rng.uniform(size=(s[-1], B))


def time_passes(sizes: Sequence[int], batch: int = 64, repeat: int = 7, seed: int = 0) -> PassTimes:
    """Seconds of one ``MLP.forward`` and one ``MLP.backward`` (ReLU hidden, identity output, MSE).

    Both run on one BLAS thread and are timed *alternately* (forward, backward, forward, ...),
    ``repeat`` times each; the result is the *fastest* run of each, the one least disturbed by
    other processes (as ``timeit`` recommends), so that load on a shared machine does not hit one
    pass more than the other.  ReLU keeps the elementwise work cheap, so the matrix products,
    which the multiply-add counts describe, dominate sooner.
    """
    repeat = positive_int(repeat, "repeat")
    net, X, Y = _problem(sizes, batch, seed)
    with threadpool_limits(1):
        _, cache = net.forward(X)
        net.backward(cache, Y)                                  # warm-up
        fwd, bwd = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            net.forward(X)
            fwd.append(time.perf_counter() - start)
            start = time.perf_counter()
            net.backward(cache, Y)
            bwd.append(time.perf_counter() - start)
    return PassTimes(tuple(net.sizes), int(batch), float(min(fwd)), float(min(bwd)))


def time_finite_differences(sizes: Sequence[int], batch: int = 8, repeat: int = 1, seed: int = 0) -> float:
    """Median seconds of a full central-difference gradient (2P forward passes plus losses)."""
    net, X, Y = _problem(sizes, batch, seed)

    def loss() -> float:
        return net.loss(net.forward(X)[0], Y)

    with threadpool_limits(1):
        return median_time(lambda: numerical_gradient(loss, net.params), repeat=repeat, warmup=0)
