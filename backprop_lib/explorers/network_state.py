"""The pure state behind the network explorer: the worked 2-3-1 network with every number settable.

The 13 parameters (W^(1): 3x2, b^(1): 3x1, W^(2): 1x3, b^(2): 1x1), the input x (2, 1), the target
y and the activation of both layers (sigmoid, tanh, ReLU) define one forward pass and one BP1-BP4
backward pass of :class:`backprop_lib.MLP` with loss L = 1/2 (a^(2) - y)^2:

    BP1  delta^(2) = (a^(2) - y) sigma'(z^(2))
    BP2  delta^(1) = ((W^(2))^T delta^(2)) ⊙ sigma'(z^(1))
    BP3  dL/dW^(l) = delta^(l) (a^(l-1))^T
    BP4  dL/db^(l) = delta^(l)

:class:`NetworkSession` holds the settings and clips each one to its slider range, so any input
gives finite numbers; ``compute()`` returns a :class:`NetworkSnapshot` (everything the explorer
shows), ``step()`` applies p <- p - eta dL/dp to all 13 parameters and records the loss,
``reset()`` restores the published values (:mod:`backprop_lib.data.worked_231`).  No display is
involved: the tests drive this module directly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backprop_lib._validation import finite_scalar, valid_name
from backprop_lib.data.worked_231 import SIZES, Y, net_231, params_231, parameter_names, unicode_name, xy_231
from backprop_lib.explorers.base import clip
from backprop_lib.nn.mlp import MLP
from backprop_lib.nn.optim import SGD
from backprop_lib.teaching.tables import Table, format_number

NETWORK_ACTIVATIONS = ("sigmoid", "tanh", "relu")
PARAM_LIMIT = 5.0          # every weight and bias stays in [-5, 5] (the slider range)
INPUT_LIMIT = 3.0          # x_k and y stay in [-3, 3]
ETA_RANGE = (0.01, 5.0)
HISTORY_MAX = 40           # the loss history keeps the loss before the first step and after 40 steps
SATURATION = 5.0           # |z| above which sigmoid/tanh units are reported as saturated


@dataclass(frozen=True)
class NetworkSnapshot:
    """One forward and backward pass: ``cache`` (a0, z1, a1, z2, a2), ``grads`` (W1, b1, W2, b2,
    delta1, delta2), copies of ``params``, the loss, y, the activation and a ``message`` that
    names dead (ReLU) or saturated (|z| > 5) units, empty when there is nothing to say."""

    loss: float
    cache: dict
    grads: dict
    params: dict
    y: float
    activation: str
    message: str

    @property
    def output(self) -> float:
        """The network's output a^(2)."""
        return float(self.cache["a2"][0, 0])

    def parameter_table(self, precision: int = 6, ascii: bool = False, check_ties: bool = True) -> Table:
        """One row per parameter: its value and dL/dparameter (BP3 for weights, BP4 for biases).
        Names like "W⁽¹⁾₁₂" (for HTML), or "W(1)_12" with ``ascii=True`` (aligned monospace text).
        A number at a rounding tie of ``precision`` is refused unless ``check_ties=False`` (the
        live widget, whose view is never compared)."""
        rows = [[name if ascii else unicode_name(name), self.params[key][idx], self.grads[key][idx]]
                for key, idx, name in parameter_names()]
        grad = "dL/dparameter" if ascii else "\u2202L/\u2202parameter"
        return Table.from_rows(["parameter", "value", grad], rows, precision, check_ties=check_ties)

    def table(self, precision: int = 6) -> str:
        """Fixed-format ASCII text of everything the explorer shows (loss, a, delta, 13 gradients),
        for a compared notebook cell: a number at a rounding tie of ``precision`` is refused."""
        def f(v) -> str:
            return format_number(float(v), precision, check_tie=True)

        a1, d1 = self.cache["a1"][:, 0], self.grads["delta1"][:, 0]
        x = self.cache["a0"][:, 0]
        lines = [f"activation {self.activation}, x = ({f(x[0])}, {f(x[1])}), y = {f(self.y)}",
                 f"a(1) = ({', '.join(map(f, a1))})",
                 f"a(2) = {f(self.output)},  L = {f(self.loss)}",
                 f"delta(1) = ({', '.join(map(f, d1))})",
                 f"delta(2) = {f(self.grads['delta2'][0, 0])}",
                 self.parameter_table(precision, ascii=True).text()]
        return "\n".join(lines + ([f"note: {self.message}"] if self.message else []))


@dataclass
class NetworkSession:
    """The explorer's settings without any display: ``params`` (the four arrays), ``x`` (2, 1),
    ``y``, ``activation``, ``eta``, ``steps`` (gradient steps since the last hand-made change) and
    ``history`` (the loss before the first step, then after each of the first HISTORY_MAX steps).
    Any hand-made change (a setter, not eta) starts a new history."""

    params: dict = field(default_factory=params_231)
    x: np.ndarray = field(default_factory=lambda: xy_231()[0])
    y: float = Y
    activation: str = "sigmoid"
    eta: float = 0.5
    history: list = field(default_factory=list)
    steps: int = 0
    clipped: bool = False      # did the last step push a parameter against the slider limit?

    @classmethod
    def published(cls) -> "NetworkSession":
        """The worked example: the published parameters, x = (0.05, 0.10), y = 0.01, sigmoid, eta 0.5."""
        return cls()

    def reset(self) -> None:
        """Restore the published parameters, x, y and sigmoid; forget the history (eta is kept)."""
        fresh = NetworkSession()
        self.params, self.x, self.y, self.activation = fresh.params, fresh.x, fresh.y, fresh.activation
        self._touched()

    def _touched(self) -> None:
        self.history, self.steps, self.clipped = [], 0, False

    # ------------------------------------------------------------------ setters (clipping)
    def set_param(self, key: str, index: tuple[int, int], value: float) -> float:
        """Set ``params[key][index]`` (0-based index) to ``value`` clipped to [-PARAM_LIMIT,
        PARAM_LIMIT]; returns the value used."""
        valid_name(key, self.params, "parameter")
        shape = self.params[key].shape
        if not (isinstance(index, tuple) and len(index) == 2
                and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in index)
                and 0 <= index[0] < shape[0] and 0 <= index[1] < shape[1]):
            raise ValueError(f"index for {key} must be a pair (j, k) with 0 <= j < {shape[0]}, "
                             f"0 <= k < {shape[1]} (0-based), got {index!r}")
        used = clip(finite_scalar(value, f"{key}{list(index)}"), -PARAM_LIMIT, PARAM_LIMIT)
        self.params[key][index] = used
        self._touched()
        return used

    def set_input(self, k: int, value: float) -> float:
        """Set x_k (k = 0 or 1, 0-based) clipped to [-INPUT_LIMIT, INPUT_LIMIT]; returns it."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k not in (0, 1):
            raise ValueError(f"input index must be the integer 0 or 1 (0-based), got {k!r}")
        self.x[k, 0] = clip(finite_scalar(value, f"x[{k}]"), -INPUT_LIMIT, INPUT_LIMIT)
        self._touched()
        return float(self.x[k, 0])

    def set_target(self, value: float) -> float:
        """Set y clipped to [-INPUT_LIMIT, INPUT_LIMIT]; returns it."""
        self.y = clip(finite_scalar(value, "y"), -INPUT_LIMIT, INPUT_LIMIT)
        self._touched()
        return self.y

    def set_activation(self, name: str) -> str:
        """Use activation ``name`` (one of NETWORK_ACTIVATIONS) in both layers; returns it."""
        self.activation = valid_name(name, NETWORK_ACTIVATIONS, "activation")
        self._touched()
        return self.activation

    def set_eta(self, value: float) -> float:
        """Set the learning rate, clipped to ETA_RANGE (the history is kept); returns it."""
        self.eta = clip(finite_scalar(value, "eta"), *ETA_RANGE)
        return self.eta

    # ------------------------------------------------------------------ the computation
    def network(self) -> MLP:
        """An MLP with the current parameters, the chosen activation in both layers, MSE loss."""
        return net_231(self.activation, self.params)

    def compute(self) -> NetworkSnapshot:
        """Forward pass, loss L = 1/2 (a^(2) - y)^2 and BP1-BP4 at the current setting."""
        net = self.network()
        out, cache = net.forward(self.x.copy())
        Y = np.array([[self.y]])
        grads = net.backward(cache, Y)
        loss = net.loss(out, Y)
        if not all(np.all(np.isfinite(v)) for v in [loss, *cache.values(), *grads.values()]):
            raise FloatingPointError("the computation overflowed; press reset")  # not reachable within the limits
        return NetworkSnapshot(loss, cache, grads, {k: v.copy() for k, v in net.params.items()}, self.y,
                        self.activation, self._message(cache))

    def _message(self, cache) -> str:
        notes = []
        z1, z2 = cache["z1"][:, 0], cache["z2"][0, 0]
        if self.activation == "relu":
            if z2 <= 0:
                notes.append("the output unit is inactive (z(2) <= 0): every gradient is 0, a step changes nothing")
            dead = [str(j + 1) for j in range(SIZES[1]) if z1[j] <= 0]
            if dead:
                notes.append(f"hidden unit(s) {', '.join(dead)} inactive (z(1) <= 0): their delta and "
                             "weight gradients are 0")
        else:
            sat = [f"hidden {j + 1}" for j in range(SIZES[1]) if abs(z1[j]) > SATURATION]
            sat += ["output"] if abs(z2) > SATURATION else []
            if sat:
                notes.append(f"saturated unit(s) {', '.join(sat)} (|z| > {SATURATION:g}): sigma'(z) is tiny, "
                             "so are the gradients through it")
        if self.clipped:
            notes.append(f"the last step pushed a parameter against the limit +-{PARAM_LIMIT:g} (clipped)")
        return "; ".join(notes)

    def step(self) -> NetworkSnapshot:
        """One gradient-descent step p <- p - eta dL/dp on all 13 parameters (then clipped to the
        limits); records the loss before the first step and after each of the first HISTORY_MAX
        steps.  Returns the new snapshot."""
        before = self.compute()
        if not self.history:
            self.history.append(before.loss)
        SGD(self.params, lr=self.eta).step({k: before.grads[k] for k in self.params})
        self.clipped = any(bool(np.any(np.abs(p) > PARAM_LIMIT)) for p in self.params.values())
        for p in self.params.values():
            np.clip(p, -PARAM_LIMIT, PARAM_LIMIT, out=p)
        after = self.compute()
        self.steps += 1
        if len(self.history) <= HISTORY_MAX:
            self.history.append(after.loss)
        return after


def relative_history(history, top: float = 1.25) -> tuple[np.ndarray, np.ndarray, bool]:
    """The loss history as the explorer plots it: steps 0, 1, ... and L_k / L_0, each ratio
    clipped to [0, top]; the flag says whether any ratio was clipped (off the scale).  When
    L_0 = 0 every ratio is 1 if the loss stayed 0.  An empty history gives empty arrays."""
    values = np.asarray(history, dtype=float)
    if values.ndim != 1 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"history must be a list of finite losses >= 0, got {history!r}")
    top = finite_scalar(top, "top", positive=True)
    if values.size == 0:
        return np.zeros(0), np.zeros(0), False
    if values[0] > 0:
        ratios = values / values[0]
    else:
        ratios = np.where(values == 0, 1.0, np.inf)
    shown = np.clip(ratios, 0.0, top)
    return np.arange(values.size, dtype=float), shown, bool(np.any(ratios > top))
