"""Equation explorer: pick a hidden layer l and a unit j, and see every number BP2 uses for delta^(l)_j.

    BP2   delta^(l)_j = ( sum_k W^(l+1)_{kj} delta^(l+1)_k ) * sigma'(z^(l)_j)

:func:`~backprop_lib.explorers.equation_state.equation_state` computes the numbers (pure and
tested); :class:`EquationExplorer` is the thin view: the figure (no network diagram: matrices and
vectors) is built once and updated in place; the formula with the numbers and its reading go in
an HTML line under it (text is free there, and drawing ~150 glyphs per update in matplotlib
doubled the update time).
"""
from __future__ import annotations

import html

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from backprop_lib.explorers import static_page
from backprop_lib.explorers.base import ExplorerView, FigureImage, reader_value
from backprop_lib.explorers.equation_state import (EQUATION_ACTIVATIONS, SIZES, EquationState, equation_state,
                                                   significant)
from backprop_lib.viz.style import FORWARD, GRADIENT, HIGHLIGHT, NEUTRAL


def status_html(s: EquationState) -> str:
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

    def show(self, s: EquationState) -> None:
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
                    text.set_text(significant(v[i, c]))
                    text.set_color("black" if used else NEUTRAL)
                    text.set_fontweight("bold" if used else "normal")
                    rect.set_facecolor(face[colour[name]] if used else "white")
                    rect.set_edgecolor(HIGHLIGHT if used else NEUTRAL)
                    rect.set_linewidth(2.0 if used else 0.8)
        self.titles["Wt"].set_text(f"$(W^{{({l + 1})}})^\\top$, row {j + 1}: the weights out of unit {j + 1}")
        self.titles["delta_next"].set_text(f"$\\delta^{{({l + 1})}}$")
        self.titles["back"].set_text(f"$(W^{{({l + 1})}})^\\top\\delta^{{({l + 1})}}$")
        self.titles["sigma_prime"].set_text(f"$\\sigma'(z^{{({l})}})$")
        self.titles["delta"].set_text(f"$\\delta^{{({l})}}$")


class EquationExplorer(ExplorerView):
    """Controls for layer, unit, hidden activation and weight scale; the figure is updated in place."""

    def __init__(self, layer: int = 1, unit: int = 0, activation: str = "sigmoid", scale: float = 1.0):
        """``unit`` is the 0-based index of the unit (as in :func:`equation_state`); the slider
        "unit j" shows it 1-based (unit + 1), as the proofs number units."""
        import ipywidgets as widgets

        self.drawing = EquationDrawing()
        self.image = FigureImage(self.drawing.figure, alt="BP2 as matrices: the row of W transposed, "
                                 "delta of the layer above, sigma prime and the resulting delta")
        self.layer = widgets.IntSlider(value=layer, min=1, max=len(SIZES) - 2, description="layer l")
        self.unit = widgets.IntSlider(value=unit + 1, min=1, max=SIZES[layer], description="unit j")
        self.activation = widgets.Dropdown(options=list(EQUATION_ACTIVATIONS), value=activation, description="σ hidden")
        self.scale = widgets.FloatLogSlider(value=scale, base=10, min=-1, max=1, step=0.05, description="W scale")
        self.status = widgets.HTML()
        self._busy = False
        self._observe((self.layer, self.unit, self.activation, self.scale), self.update)
        self.widget = widgets.VBox([widgets.HBox([self.layer, self.unit]), widgets.HBox([self.activation, self.scale]),
                                    self.image.widget, self.status])
        self.update()
        static_page.register(self)

    def static_control(self) -> static_page.StaticControl:
        """The static page moves the unit over every unit of the current layer (the rest stays)."""
        return static_page.slider_control(
            self.unit, range(self.unit.min, self.unit.max + 1), self.update, readouts=[self.status],
            live="Live, you also pick the layer, the hidden activation and the weight scale.")

    def update(self) -> EquationState:
        """Recompute the state for the current controls and redraw the figure in place."""
        if not self._busy:                                # clipping unit.value below re-enters update
            self._busy = True
            try:
                self.unit.max = SIZES[self.layer.value]
            finally:
                self._busy = False
        state = equation_state(self.layer.value, self.unit.value - 1, self.activation.value, reader_value(self.scale))
        if self._busy:
            return state
        self.drawing.show(state)
        self.image.refresh()
        self.status.value = status_html(state)
        return state
