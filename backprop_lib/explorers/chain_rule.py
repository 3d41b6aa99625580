"""Chain-rule explorer: pick a composite y = f_k(...f_2(f_1(x))), move x, and see every stage.

For each stage the explorer shows its input, its output and its local derivative (the slope of
the tangent on that stage's plot); their product is dy/dx by the chain rule, shown beside the
central difference (f(x + h) - f(x - h)) / (2h) of the whole composite.  At a kink (ReLU at 0)
the local derivative does not exist: the explorer shows the two one-sided slopes instead of a
number, and says so.

:func:`chain_state` is pure and tested; :class:`ChainRuleExplorer` is the thin ipywidgets view;
the composites and their stages are in :mod:`backprop_lib.explorers.chain_composites`.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import finite_scalar, valid_name
from backprop_lib.explorers.base import ExplorerView, clip, reader_value
from backprop_lib.explorers.blit import BlitFigureImage
from backprop_lib.explorers.chain_composites import COMPOSITES, Composite
from backprop_lib.explorers import static_page
from backprop_lib.gradcheck.finite_diff import central_difference
from backprop_lib.viz.style import FORWARD, GRADIENT, GRADIENT_TEXT, NEUTRAL, WARNING_TEXT

H = 1e-5          # step of the central difference shown beside the chain-rule product
KINK_TOL = 1e-9   # a stage input this close to a kink counts as *at* the kink (slider round-off)
STATIC_X_STEP = 0.25   # the static page's frames: x from -3 to 3 in this step (and the chapter's x)


@dataclass(frozen=True)
class ChainState:
    """What the explorer shows at one x.  ``inputs[k]``/``outputs[k]`` belong to stage k;
    ``slopes[k]`` is its local derivative, or None at a kink, where ``one_sided[k]`` holds
    (left, right).  ``product`` is the chain-rule dy/dx (None when it does not exist, then
    ``product_sides`` holds the one-sided products).  ``numerical`` is the central difference
    of the whole composite with step H; ``notes`` explain clipping and kinks."""

    key: str
    x: float
    inputs: tuple[float, ...]
    outputs: tuple[float, ...]
    slopes: tuple[float | None, ...]
    one_sided: tuple[tuple[float, float] | None, ...]
    product: float | None
    product_sides: tuple[float, float] | None
    numerical: float
    notes: tuple[str, ...]

    @property
    def message(self) -> str:
        """All notes (clipping, kinks, a straddling difference) in one line; "" when none."""
        return " ".join(self.notes)

    def table(self) -> str:
        """A fixed-format text table of the stages at this x."""
        comp = COMPOSITES[self.key]
        lines = [f"{comp.label}, at x = {self.x:.6g}",
                 f"{'stage':<20}{'input':>9}{'output':>11}  local derivative"]
        for k, s in enumerate(comp.stages):
            if self.slopes[k] is None:
                left, right = self.one_sided[k]
                d = f"none: left {left:.4f}, right {right:.4f}"
            else:
                d = f"d{s.var_out}/d{s.var_in} = {self.slopes[k]:.4f}"
            lines.append(f"{s.formula:<20}{self.inputs[k]:>9.4f}{self.outputs[k]:>11.4f}  {d}")
        if self.product is None:
            lines.append("chain-rule product: dy/dx does not exist")
            lines.append(f"  one-sided products: {self.product_sides[0]:.4f} (left), "
                         f"{self.product_sides[1]:.4f} (right)")
        else:
            lines.append(f"chain-rule product: dy/dx = {self.product:.4f}")
        lines.append(f"central difference (h = {H:g}): {self.numerical:.4f}")
        for note in self.notes:
            lines.extend(textwrap.wrap(note, 64))
        return "\n".join(lines)


def _run_stages(comp: Composite, x: float, notes: list[str]):
    """Each stage's input, output, local derivative (None at a kink) and one-sided slopes."""
    inputs, outputs, slopes, sides = [], [], [], []
    u = x
    for s in comp.stages:
        out = float(s.fn(u))
        kink = next((k for k in s.kinks if abs(u - k) <= KINK_TOL), None)
        if kink is None:
            slopes.append(float(s.dfn(u)))
            sides.append(None)
        else:
            slopes.append(None)
            sides.append((float(s.dfn(np.nextafter(kink, -np.inf))), float(s.dfn(np.nextafter(kink, np.inf)))))
            notes.append(f"{s.var_in} = {kink:g} is a kink of {s.formula}: d{s.var_out}/d{s.var_in} does not exist there.")
        inputs.append(u)
        outputs.append(out)
        u = out
    return inputs, outputs, slopes, sides


def _chain_product(slopes, sides, notes: list[str]):
    """(product, product_sides): the chain-rule dy/dx, or None and the two one-sided products."""
    if all(d is not None for d in slopes):
        return float(np.prod(slopes)), None
    left = float(np.prod([d if d is not None else p[0] for d, p in zip(slopes, sides)]))
    right = float(np.prod([d if d is not None else p[1] for d, p in zip(slopes, sides)]))
    if left != right:
        notes.append("The central difference there is the average of the one-sided slopes, not a derivative.")
        return None, (left, right)
    notes.append("The one-sided products agree, so dy/dx exists although a stage has a kink.")
    return left, None


def _straddle_notes(comp: Composite, x: float, slopes, notes: list[str]) -> None:
    """A note when x +- H puts a stage input on the other side of a kink."""
    for k, s in enumerate(comp.stages):
        if slopes[k] is not None and s.kinks:
            ends = [x - H, x + H]
            for st in comp.stages[:k]:
                ends = [float(st.fn(e)) for e in ends]
            if any((ends[0] - kk) * (ends[1] - kk) < 0 for kk in s.kinks):
                notes.append("x is within h of the kink: the central difference straddles it and is off.")


def chain_state(key: str, x: float) -> ChainState:
    """Evaluate composite ``key`` (a name in COMPOSITES) at ``x``, clipped to its x_range."""
    valid_name(key, COMPOSITES, "composite")
    comp = COMPOSITES[key]
    x_in = finite_scalar(x, "x")
    lo, hi = comp.x_range
    x = clip(x_in, lo, hi)
    notes = [f"x = {x_in:.4g} is outside [{lo:g}, {hi:g}]; shown at x = {x:g}."] if x != x_in else []
    inputs, outputs, slopes, sides = _run_stages(comp, x, notes)
    product, product_sides = _chain_product(slopes, sides, notes)
    numerical = float(central_difference(comp, x, H))
    _straddle_notes(comp, x, slopes, notes)
    return ChainState(key, x, tuple(inputs), tuple(outputs), tuple(slopes), tuple(sides), product,
                      product_sides, numerical, tuple(notes))


def _stage_ranges(comp: Composite, n: int = 401) -> list[np.ndarray]:
    """A grid over each stage's input range (the image of x_range under the earlier stages)."""
    grids, u = [], np.linspace(*comp.x_range, n)
    for s in comp.stages:
        grids.append(np.linspace(float(u.min()), float(u.max()), n))
        u = s.fn(u)
    return grids


class ChainRuleExplorer(ExplorerView):
    """A dropdown for the composite and a slider for x; one panel per stage, built once."""

    MAX_STAGES = 3

    def __init__(self, key: str = "nested", x: float = 1.0):
        import ipywidgets as widgets
        from matplotlib.figure import Figure

        valid_name(key, COMPOSITES, "composite")
        x = clip(finite_scalar(x, "x"), -3.0, 3.0)  # the slider's range

        self.figure = Figure(figsize=(9.0, 3.6), dpi=90)
        self.axes = self.figure.subplots(1, self.MAX_STAGES)
        self.curves, self.points, self.tangents, self.texts = [], [], [], []
        for ax in self.axes:
            ax.tick_params(labelsize=10)
            self.curves.append(ax.plot([], [], color=FORWARD, lw=2)[0])
            self.points.append(ax.plot([], [], "o", color=FORWARD, ms=8)[0])
            self.tangents.append([ax.plot([], [], color=GRADIENT, lw=2)[0] for _ in range(2)])
            self.texts.append(ax.text(0.5, -0.27, "", transform=ax.transAxes, ha="center", va="top",
                                      fontsize=10))
        self.summary = self.figure.suptitle("", fontsize=12)
        dynamic = [self.summary, *self.points, *self.texts, *(t for pair in self.tangents for t in pair)]
        self.image = BlitFigureImage(self.figure, dynamic, alt="one plot per stage of the composite with its tangent line")
        self.choice = widgets.Dropdown(options=[(c.label, k) for k, c in COMPOSITES.items()], value=key,
                                       description="composite", layout=widgets.Layout(width="520px"))
        self.x = widgets.FloatSlider(value=x, min=-3.0, max=3.0, step=0.05, description="x",
                                     continuous_update=True, readout_format=".2f")
        self.status = widgets.HTML()
        self._observe([self.choice], self.set_composite)
        self._observe([self.x], self.update)
        self.widget = widgets.VBox([self.choice, self.x, self.image.widget, self.status])
        self.set_composite()
        static_page.register(self)

    def static_x_values(self) -> list[float]:
        """The settings of x drawn for the static page: -3 to 3 in STATIC_X_STEP, and the current x."""
        n = int(round((self.x.max - self.x.min) / STATIC_X_STEP))
        grid = {round(self.x.min + k * STATIC_X_STEP, 2) for k in range(n + 1)}
        return sorted(grid | {round(float(self.x.value), 2)})

    def static_control(self) -> static_page.StaticControl:
        """The static page moves x over :meth:`static_x_values` (the composite stays)."""
        values = self.static_x_values()
        return static_page.slider_control(
            self.x, values, self.update, readouts=[self.status], labels=[f"{v:.2f}" for v in values],
            current=values.index(round(float(self.x.value), 2)),
            live=f"Live, x moves in steps of {self.x.step:g} and the menu picks another composite.")

    def set_composite(self) -> ChainState:
        """Load the chosen composite's curves into the panels (artists updated, not rebuilt)."""
        comp = COMPOSITES[self.choice.value]
        grids, n = _stage_ranges(comp), len(comp.stages)
        width = (0.91 - 0.09 * (n - 1)) / n
        for k, ax in enumerate(self.axes):
            ax.set_visible(k < n)
            for artist in (self.points[k], self.texts[k], *self.tangents[k]):
                artist.set_visible(k < n)    # the blitter draws dynamic artists even on hidden axes
            if k >= n:
                continue
            ax.set_position([0.07 + k * (width + 0.09), 0.30, width, 0.54])
            s, g = comp.stages[k], grids[k]
            out = s.fn(g)
            self.curves[k].set_data(g, out)
            pad = 0.08 * (float(out.max() - out.min()) or 1.0)
            xpad = 0.04 * (float(g[-1] - g[0]) or 1.0)
            ax.set_xlim(float(g[0]) - xpad, float(g[-1]) + xpad)
            ax.set_ylim(float(out.min()) - pad, float(out.max()) + pad)
            ax.set_xlabel(s.var_in)
            ax.set_ylabel(s.var_out)
            ax.set_title(s.formula, fontsize=12)
        self.image.invalidate()
        return self.update()

    def update(self) -> ChainState:
        """Recompute the state for the current controls and redraw the figure in place."""
        state = chain_state(self.choice.value, reader_value(self.x))
        comp = COMPOSITES[state.key]
        for k, s in enumerate(comp.stages):
            ax, u, v = self.axes[k], state.inputs[k], state.outputs[k]
            self.points[k].set_data([u], [v])
            lo, hi = ax.get_xlim()
            half = 0.18 * (hi - lo)
            left, right = (state.slopes[k],) * 2 if state.slopes[k] is not None else state.one_sided[k]
            self.tangents[k][0].set_data([u - half, u], [v - left * half, v])
            self.tangents[k][1].set_data([u, u + half], [v, v + right * half])
            kinked = state.slopes[k] is None
            for t in self.tangents[k]:
                t.set_color(WARNING_TEXT if kinked else GRADIENT_TEXT)
            d = f"none: left {left:.3g}, right {right:.3g}" if kinked else f"{state.slopes[k]:.4g}"
            self.texts[k].set_text(f"{s.var_in} = {u:.4g},  {s.var_out} = {v:.4g}\n"
                                   f"d{s.var_out}/d{s.var_in} = {d}")
        if state.product is None:
            prod = (f"dy/dx does not exist (one-sided {state.product_sides[0]:.4g} and "
                    f"{state.product_sides[1]:.4g})")
        else:
            prod = f"chain rule dy/dx = {state.product:.6g}"
        self.summary.set_text(f"x = {state.x:.2f}:  {prod};  central difference {state.numerical:.6g}")
        self.summary.set_color(NEUTRAL if state.product is not None else WARNING_TEXT)
        self.image.refresh()
        self.status.value = f"<pre style='line-height:1.3'>{state.table()}</pre>"
        return state
