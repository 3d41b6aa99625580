"""The pure state of the equation explorer: every number BP2 uses for delta^(l)_j.

    BP2   delta^(l)_j = ( sum_k W^(l+1)_{kj} delta^(l+1)_k ) * sigma'(z^(l)_j)

The network is fixed and small: sizes ``SIZES`` = [3, 4, 5, 3], one example, MSE loss, sigmoid
output, the hidden activation chosen by the learner, and every weight multiplied by ``scale``
(large scales saturate sigmoid and tanh units, which then learn slowly).  All numbers come from
``MLP.forward``/``MLP.backward`` and the activation's ``derivative``; :func:`equation_state` only
arranges them in an :class:`EquationState`.  No display is involved: the tests drive it directly.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import finite_scalar, valid_name
from backprop_lib.explorers.base import clip
from backprop_lib.nn.mlp import MLP
from backprop_lib.teaching import rounded

SIZES = (3, 4, 5, 3)
EQUATION_ACTIVATIONS = ("sigmoid", "tanh", "relu")
SCALE_RANGE = (0.01, 100.0)   # weight scales outside this range are clipped
SEED = 3


def significant(v: float, digits: int = 3, check_tie: bool = False) -> str:
    """Format a number with ``digits`` significant digits, never as "-0".

    With ``check_tie``, refuse a number within 1e-9 (relative) of a rounding tie of those digits
    (its last digit could differ on another CPU): the printed table is compared, the widget not."""
    if check_tie:
        rounded(float(v), f".{digits - 1}e")
    return f"{float(v) + 0.0:.{digits}g}"


@dataclass(frozen=True)
class EquationState:
    """The BP2 numbers for unit ``unit`` of hidden layer ``layer`` (1..L-1).  ``unit`` is the
    0-based index into the arrays; everything a learner reads (the formula, the table, the
    explorer's slider and figure) numbers units from 1, as the proofs do: unit j = unit + 1."""

    layer: int
    unit: int
    activation: str
    scale: float
    Wt: np.ndarray            # (W^(l+1))^T, shape (n_l, n_{l+1})
    delta_next: np.ndarray    # delta^(l+1), shape (n_{l+1},)
    back: np.ndarray          # (W^(l+1))^T delta^(l+1), shape (n_l,)
    sigma_prime: np.ndarray   # sigma'(z^(l)), shape (n_l,)
    delta: np.ndarray         # delta^(l) from MLP.backward, shape (n_l,)
    message: str

    @property
    def terms(self) -> np.ndarray:
        """The products W^(l+1)_{kj} delta^(l+1)_k summed by BP2, shape (n_{l+1},)."""
        return self.Wt[self.unit] * self.delta_next

    def formula(self, check_ties: bool = False) -> str:
        """BP2 for this unit with the numbers filled in (plain text, lines of at most ~70 characters).
        With ``check_ties``, a number at a rounding tie of its digits is refused (see :func:`significant`)."""
        l, j, shown = self.layer, self.unit, self.unit + 1     # units are shown 1-based

        def fmt(v, digits=3):
            return significant(v, digits, check_ties)

        terms = [f"({fmt(w)})({fmt(d)})" for w, d in zip(self.Wt[j], self.delta_next)]
        rows = [" + ".join(terms[i:i + 3]) for i in range(0, len(terms), 3)]
        lines = [f"delta^({l})_{shown} = (sum_k W^({l + 1})_k{shown} delta^({l + 1})_k) x "
                 f"sigma'(z^({l})_{shown})",
                 f"  sum_k = {rows[0]}"]
        lines += [f"        + {row}" for row in rows[1:]]
        lines += [f"        = {fmt(self.back[j], 4)}",
                  f"delta^({l})_{shown} = {fmt(self.back[j], 4)} x {fmt(self.sigma_prime[j], 4)}"
                  f" = {fmt(self.delta[j], 4)}"]
        return "\n".join(lines)

    def table(self) -> str:
        """A fixed-format text summary (what the widget shows), wrapped at 72 characters, for a
        compared notebook cell: every number is checked to lie away from a rounding tie."""
        head = (f"layer l = {self.layer}, unit j = {self.unit + 1}, hidden activation {self.activation}, "
                f"weight scale {significant(self.scale, 3, True)}")
        message = _reading(self.sigma_prime, self.unit, self.activation, self.layer, check_ties=True)
        return "\n".join([head, self.formula(check_ties=True), textwrap.fill(message, 72)])


def bp2_problem(activation: str, scale: float) -> tuple[MLP, np.ndarray, np.ndarray]:
    """The explorer's fixed problem ``(net, x, y)``: an MLP with sizes SIZES, ``activation`` in the
    hidden layers, sigmoid output and MSE loss, its seeded weights times ``scale`` and seeded biases
    N(0, 0.3^2); one example x (n_0, 1) ~ N(0, 1) and its target y (n_L, 1) ~ U(0, 1)."""
    rng = np.random.default_rng(SEED)
    net = MLP(list(SIZES), activation=activation, output_activation="sigmoid", loss="mse", seed=SEED)
    params = {k: (v * scale if k[0] == "W" else rng.normal(0.0, 0.3, size=v.shape)) for k, v in net.params.items()}
    net = MLP.from_params(params, activation=activation, output_activation="sigmoid", loss="mse")
    x = np.random.default_rng(SEED + 1).normal(size=(SIZES[0], 1))
    y = np.random.default_rng(SEED + 2).uniform(size=(SIZES[-1], 1))
    return net, x, y


def equation_state(layer: int, unit: int, activation: str = "sigmoid", scale: float = 1.0) -> EquationState:
    """BP2 for unit ``unit`` (0-based index; shown as unit ``unit + 1``) of hidden layer ``layer``;
    unit and scale are clipped to their ranges."""
    for name, v in (("layer", layer), ("unit", unit)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {v!r}")
    if not 1 <= layer <= len(SIZES) - 2:
        raise ValueError(f"layer must be a hidden layer, 1..{len(SIZES) - 2} (BP2 needs a layer above it), got {layer}")
    valid_name(activation, EQUATION_ACTIVATIONS, "activation")
    scale = clip(finite_scalar(scale, "scale", positive=True), *SCALE_RANGE)
    unit = int(clip(int(unit), 0, SIZES[layer] - 1))
    net, x, y = bp2_problem(activation, scale)
    _, cache = net.forward(x)
    grads = net.backward(cache, y)
    sp = net.sigma_prime(cache, layer)[:, 0]
    Wt = net.params[f"W{layer + 1}"].T
    delta_next = grads[f"delta{layer + 1}"][:, 0]
    state = dict(layer=layer, unit=unit, activation=activation, scale=scale, Wt=Wt, delta_next=delta_next,
                 back=Wt @ delta_next, sigma_prime=sp, delta=grads[f"delta{layer}"][:, 0])
    return EquationState(**state, message=_reading(sp, unit, activation, layer))


def _reading(sp: np.ndarray, j: int, activation: str, layer: int, check_ties: bool = False) -> str:
    name = f"sigma'(z^({layer})_{j + 1})"
    if sp[j] == 0.0:
        return (f"{name} = 0: this {activation} unit is {'off' if activation == 'relu' else 'saturated'} "
                "for this input, so it receives no error signal and its incoming weights do not learn.")
    peak = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}[activation]
    if sp[j] < 0.05 * peak:
        return (f"{name} = {significant(sp[j], 2, check_ties)} is under 5% of its peak {peak:g}: the unit is "
                "saturated, so its delta is small whatever the layer above says: it learns slowly.")
    if check_ties:
        rounded(sp[j] / peak, ".0%")
    return (f"{name} = {significant(sp[j], 3, check_ties)} (peak {peak:g}): the unit passes on {sp[j] / peak:.0%} "
            "of the error that the weights out of it collect from the layer above.")
