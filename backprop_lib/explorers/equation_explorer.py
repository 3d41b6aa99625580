"""Equation explorer: pick a hidden layer l and a unit j, and see every number BP2 uses for delta^(l)_j.

    BP2   delta^(l)_j = ( sum_k W^(l+1)_{kj} delta^(l+1)_k ) * sigma'(z^(l)_j)

The network is fixed and small: sizes ``SIZES`` = [3, 4, 5, 3], one example, MSE loss, sigmoid
output, the hidden activation chosen by the learner, and every weight multiplied by ``scale``
(large scales saturate sigmoid and tanh units, which then learn slowly).  All numbers come from
``MLP.forward``/``MLP.backward`` and the activation's ``derivative``; the explorer only arranges
them.  :func:`explorer_state` is pure and tested; :class:`EquationExplorer` is the thin view: the
figure (no network diagram: matrices and vectors) is built once and updated in place; the
formula with the numbers and its reading go in an HTML line under it (text is free there, and
drawing ~150 glyphs per update in matplotlib doubled the update time).
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from backprop_lib._validation import finite_scalar, valid_name
from backprop_lib.nn.mlp import MLP
from backprop_lib.viz.style import FORWARD, GRADIENT, HIGHLIGHT, NEUTRAL
from backprop_lib.teaching import rounded
from backprop_lib.explorers.base import FigureImage, safe_call

SIZES = (3, 4, 5, 3)
ACTIVATIONS = ("sigmoid", "tanh", "relu")
SCALE_RANGE = (0.01, 100.0)   # weight scales outside this range are clipped
SEED = 3


def _fmt(v: float, digits: int = 3, check_tie: bool = False) -> str:
    """Format a number with ``digits`` significant digits, never as "-0".

    With ``check_tie``, refuse a number within 1e-9 (relative) of a rounding tie of those digits
    (its last digit could differ on another CPU): the printed table is compared, the widget not."""
    if check_tie:
        rounded(float(v), f".{digits - 1}e")
    return f"{float(v) + 0.0:.{digits}g}"


@dataclass(frozen=True)
class ExplorerState:
    """The BP2 numbers for unit ``unit`` (0-based) of hidden layer ``layer`` (1..L-1)."""

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
        With ``check_ties``, a number at a rounding tie of its digits is refused (see :func:`_fmt`)."""
        l, j = self.layer, self.unit

        def fmt(v, digits=3):
            return _fmt(v, digits, check_ties)

        terms = [f"({fmt(w)})({fmt(d)})" for w, d in zip(self.Wt[j], self.delta_next)]
        rows = [" + ".join(terms[i:i + 3]) for i in range(0, len(terms), 3)]
        lines = [f"delta^({l})_{j} = (sum_k W^({l + 1})_k{j} delta^({l + 1})_k) x sigma'(z^({l})_{j})",
                 f"  sum_k = {rows[0]}"]
        lines += [f"        + {row}" for row in rows[1:]]
        lines += [f"        = {fmt(self.back[j], 4)}",
                  f"delta^({l})_{j} = {fmt(self.back[j], 4)} x {fmt(self.sigma_prime[j], 4)}"
                  f" = {fmt(self.delta[j], 4)}"]
        return "\n".join(lines)

    def table(self) -> str:
        """A fixed-format text summary (what the widget shows), wrapped at 72 characters, for a
        compared notebook cell: every number is checked to lie away from a rounding tie."""
        head = (f"layer l = {self.layer}, unit j = {self.unit}, hidden activation {self.activation}, "
                f"weight scale {_fmt(self.scale, 3, True)}")
        message = _reading(self.sigma_prime, self.unit, self.activation, self.layer, check_ties=True)
        return "\n".join([head, self.formula(check_ties=True), textwrap.fill(message, 72)])


def _problem(activation: str, scale: float):
    rng = np.random.default_rng(SEED)
    net = MLP(list(SIZES), activation=activation, output_activation="sigmoid", loss="mse", seed=SEED)
    params = {k: (v * scale if k[0] == "W" else rng.normal(0.0, 0.3, size=v.shape)) for k, v in net.params.items()}
    net = MLP.from_params(params, activation=activation, output_activation="sigmoid", loss="mse")
    x = np.random.default_rng(SEED + 1).normal(size=(SIZES[0], 1))
    y = np.random.default_rng(SEED + 2).uniform(size=(SIZES[-1], 1))
    return net, x, y


def explorer_state(layer: int, unit: int, activation: str = "sigmoid", scale: float = 1.0) -> ExplorerState:
    """BP2 for unit ``unit`` of hidden layer ``layer``; unit and scale are clipped to their ranges."""
    for name, v in (("layer", layer), ("unit", unit)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {v!r}")
    if not 1 <= layer <= len(SIZES) - 2:
        raise ValueError(f"layer must be a hidden layer, 1..{len(SIZES) - 2} (BP2 needs a layer above it), got {layer}")
    valid_name(activation, ACTIVATIONS, "activation")
    scale = min(max(finite_scalar(scale, "scale", positive=True), SCALE_RANGE[0]), SCALE_RANGE[1])
    unit = min(max(int(unit), 0), SIZES[layer] - 1)
    net, x, y = _problem(activation, scale)
    _, cache = net.forward(x)
    grads = net.backward(cache, y)
    sp = net.sigma_prime(cache, layer)[:, 0]
    Wt = net.params[f"W{layer + 1}"].T
    delta_next = grads[f"delta{layer + 1}"][:, 0]
    state = dict(layer=layer, unit=unit, activation=activation, scale=scale, Wt=Wt, delta_next=delta_next,
                 back=Wt @ delta_next, sigma_prime=sp, delta=grads[f"delta{layer}"][:, 0])
    return ExplorerState(**state, message=_reading(sp, unit, activation, layer))


def _reading(sp: np.ndarray, j: int, activation: str, layer: int, check_ties: bool = False) -> str:
    name = f"sigma'(z^({layer})_{j})"
    if sp[j] == 0.0:
        return (f"{name} = 0: this {activation} unit is {'off' if activation == 'relu' else 'saturated'} "
                "for this input, so it receives no error signal and its incoming weights do not learn.")
    peak = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}[activation]
    if sp[j] < 0.05 * peak:
        return (f"{name} = {_fmt(sp[j], 2, check_ties)} is under 5% of its peak {peak:g}: the unit is "
                "saturated, so its delta is small whatever the layer above says: it learns slowly.")
    if check_ties:
        rounded(sp[j] / peak, ".0%")
    return (f"{name} = {_fmt(sp[j], 3, check_ties)} (peak {peak:g}): the unit passes on {sp[j] / peak:.0%} "
            "of the error that the weights out of it collect from the layer above.")


def status_html(s: ExplorerState) -> str:
    """The text under the figure: BP2 with this unit's numbers, and what they say (HTML)."""
    return f"<pre>{html.escape(s.formula())}</pre><p>{html.escape(s.message)}</p>"


# ---------------------------------------------------------------------- the view
_BLOCKS = ("Wt", "delta_next", "back", "sigma_prime", "delta")
_ROWS, _COLS = max(SIZES[1:-1]), max(SIZES[2:])
_CELL_W, _CELL_H = 1.0, 0.62
_VEC_W, _GAP = 1.5, 0.9


class EquationDrawing:
    """The BP2 figure: (W^(l+1))^T, delta^(l+1), their product, sigma'(z^(l)) and delta^(l)."""

    def __init__(self, figsize=(9.0, 2.7), dpi: int = 80):
        self.figure = Figure(figsize=figsize, dpi=dpi)
        ax = self.figure.add_axes([0.01, 0.02, 0.98, 0.96])
        ax.set_axis_off()
        self.ax = ax
        ncols = {"Wt": _COLS, "delta_next": 1, "back": 1, "sigma_prime": 1, "delta": 1}
        width = {n: _CELL_W if n == "Wt" else _VEC_W for n in _BLOCKS}   # vectors: room for -0.000123
        x0, x = {}, 0.0
        for name in _BLOCKS:
            x0[name] = x
            x += ncols[name] * width[name] + _GAP
        self.cells = {}
        for name in _BLOCKS:
            grid, w = [], width[name]
            for i in range(_ROWS if name != "delta_next" else _COLS):
                row = []
                for c in range(ncols[name]):
                    rect = Rectangle((x0[name] + c * w, -(i + 1) * _CELL_H), w * 0.96, _CELL_H * 0.92,
                                     facecolor="white", edgecolor=NEUTRAL, linewidth=0.8)
                    ax.add_patch(rect)
                    text = ax.text(x0[name] + (c + 0.48) * w, -(i + 0.54) * _CELL_H, "", ha="center",
                                   va="center", fontsize=10)
                    row.append((rect, text))
                grid.append(row)
            self.cells[name] = grid
        self.titles = {n: ax.text(x0[n] + ncols[n] * width[n] / 2, 0.35, "", ha="center", va="bottom",
                                  fontsize=11) for n in _BLOCKS}
        self.titles["Wt"].set_position((x0["Wt"], 0.35))
        self.titles["Wt"].set_horizontalalignment("left")
        for sym, name in (("×", "delta_next"), ("=", "back"), ("⊙", "sigma_prime"), ("=", "delta")):
            ax.text(x0[name] - _GAP / 2, -2.0 * _CELL_H, sym, ha="center", va="center", fontsize=16,
                    color=NEUTRAL)
        ax.set_xlim(-0.2, x - _GAP + 0.2)
        ax.set_ylim(-(_ROWS + 0.3) * _CELL_H, 0.9)

    def show(self, s: ExplorerState) -> None:
        """Write the numbers of ``s`` into the cells; highlight what feeds delta^(l)_j."""
        l, j = s.layer, s.unit
        values = {"Wt": s.Wt, "delta_next": s.delta_next[:, None], "back": s.back[:, None],
                  "sigma_prime": s.sigma_prime[:, None], "delta": s.delta[:, None]}
        colour = {"Wt": FORWARD, "delta_next": GRADIENT, "back": GRADIENT, "sigma_prime": FORWARD, "delta": GRADIENT}
        face = {FORWARD: "#DCEBF5", GRADIENT: "#FBEBC8"}
        for name in _BLOCKS:
            v = values[name]
            for i, row in enumerate(self.cells[name]):
                for c, (rect, text) in enumerate(row):
                    inside = i < v.shape[0] and c < v.shape[1]
                    rect.set_visible(inside)
                    text.set_visible(inside)
                    if not inside:
                        continue
                    used = name == "delta_next" or i == j
                    text.set_text(_fmt(v[i, c]))
                    text.set_color("black" if used else NEUTRAL)
                    text.set_fontweight("bold" if used else "normal")
                    rect.set_facecolor(face[colour[name]] if used else "white")
                    rect.set_edgecolor(HIGHLIGHT if used else NEUTRAL)
                    rect.set_linewidth(2.0 if used else 0.8)
        self.titles["Wt"].set_text(f"$(W^{{({l + 1})}})^\\top$, row {j}: the weights out of unit {j}")
        self.titles["delta_next"].set_text(f"$\\delta^{{({l + 1})}}$")
        self.titles["back"].set_text(f"$(W^{{({l + 1})}})^\\top\\delta^{{({l + 1})}}$")
        self.titles["sigma_prime"].set_text(f"$\\sigma'(z^{{({l})}})$")
        self.titles["delta"].set_text(f"$\\delta^{{({l})}}$")


class EquationExplorer:
    """Controls for layer, unit, hidden activation and weight scale; the figure is updated in place."""

    def __init__(self, layer: int = 1, unit: int = 0, activation: str = "sigmoid", scale: float = 1.0):
        import ipywidgets as widgets

        self.drawing = EquationDrawing()
        self.image = FigureImage(self.drawing.figure, alt="BP2 as matrices: the row of W transposed, "
                                 "delta of the layer above, sigma prime and the resulting delta")
        self.layer = widgets.IntSlider(value=layer, min=1, max=len(SIZES) - 2, description="layer l")
        self.unit = widgets.IntSlider(value=unit, min=0, max=SIZES[layer] - 1, description="unit j")
        self.activation = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="σ hidden")
        self.scale = widgets.FloatLogSlider(value=scale, base=10, min=-1, max=1, step=0.05, description="W scale")
        self.status = widgets.HTML()
        self._busy = False
        for control in (self.layer, self.unit, self.activation, self.scale):
            control.observe(lambda _change: safe_call(self.update, on_error=self._error), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.layer, self.unit]), widgets.HBox([self.activation, self.scale]),
                                    self.image.widget, self.status])
        self.update()

    def _error(self, message: str) -> None:
        self.status.value = f"<code>{message}</code>"

    def update(self) -> ExplorerState:
        """Recompute the state for the current controls and redraw the figure in place."""
        if not self._busy:                                # clipping unit.value below re-enters update
            self._busy = True
            try:
                self.unit.max = SIZES[self.layer.value] - 1
            finally:
                self._busy = False
        state = explorer_state(self.layer.value, self.unit.value, self.activation.value, self.scale.value)
        if self._busy:
            return state
        self.drawing.show(state)
        self.image.refresh()
        self.status.value = status_html(state)
        return state
