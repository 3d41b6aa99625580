"""Gradient-flow explorer: per-layer ||dL/dW^(l)|| on a log scale as depth, activation,
initialisation, weight scale, skip connections and layer normalisation change.

:func:`flow_state` is pure and tested: it clips the controls to their ranges, calls
:func:`backprop_lib.experiments.gradient_flow.gradient_norm_profile` (mean over seeds) and returns what the
view shows, with a message instead of any zero or NaN on a log axis.  :class:`GradientFlowExplorer`
is the thin ipywidgets view; its figure is built once and updated in place.  The x axis always
spans the whole depth range (the curve grows as the network deepens) and the y axis changes only
when the curve leaves it or fills too little of it (:func:`stable_log_range`), so most control
changes redraw just the curves and the title over a cached background (blitting).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import as_flag, finite_scalar, valid_name
from backprop_lib.experiments.gradient_flow import FLOW_ACTIVATIONS, FlowProfile, gradient_norm_profile
from backprop_lib.explorers import static_page
from backprop_lib.explorers.base import ExplorerView, clip, reader_value
from backprop_lib.explorers.blit import BlitFigureImage
from backprop_lib.nn.init import INITIALIZERS
from backprop_lib.viz.style import GRADIENT, WARNING_TEXT

DEPTH_RANGE = (2, 30)
SCALE_RANGE = (0.25, 4.0)
SEEDS = (0, 1, 2)


@dataclass(frozen=True)
class FlowState:
    """What the explorer shows for one setting (after clipping the controls to their ranges)."""

    depth: int
    activation: str
    init: str
    weight_scale: float
    residual: bool
    profile: FlowProfile
    message: str
    normalize: bool = False

    @property
    def architecture(self) -> str:
        """'plain', 'residual' or 'layer norm'."""
        return "residual" if self.residual else "layer norm" if self.normalize else "plain"

    @property
    def norms(self) -> np.ndarray:
        """Mean over seeds of ||dL/dW^(l)||_F, l = 1..depth."""
        return self.profile.mean

    def table(self) -> str:
        """Fixed-format text of what the view draws: one row per layer (||dL/dW^(l)||, the 10 %,
        50 % and 90 % quantiles of the non-zero |delta^(l)|, the share of exact zeros) and the
        first/last ratio. Every line fits in 79 characters."""
        p = self.profile
        lines = [f"depth {self.depth}, {self.activation}, {self.init} init x {self.weight_scale:.2f}, "
                 f"{self.architecture}, mean of {len(SEEDS)} seeds",
                 f"{'':>17}{'|delta^(l)|, non-zero entries':>36}",
                 f"{'layer':>5}{'||dL/dW||':>12}{'10%':>12}{'median':>12}{'90%':>12}"
                 f"{'delta = 0':>11}"]
        for l in range(self.depth):
            norm = "0 exactly" if self.norms[l] == 0.0 else f"{self.norms[l]:.3e}"
            q = ["-" if v == 0.0 else f"{v:.3e}" for v in p.delta_q[l]]
            lines.append(f"{l + 1:>5}{norm:>12}{q[0]:>12}{q[1]:>12}{q[2]:>12}"
                         f"{p.delta_zero[l]:>10.0%}")
        lines.append(f"first/last ratio: {p.ratio_text()}")
        return "\n".join(lines + ([self.message] if self.message else []))


def flow_state(depth: int, activation: str, init: str, weight_scale: float = 1.0,
               residual: bool = False, normalize: bool = False) -> FlowState:
    """The explorer at one setting; depth and weight_scale are clipped to DEPTH_RANGE, SCALE_RANGE.
    ``normalize`` uses layer-normalised hidden layers; with ``residual`` as well, the residual
    connections are dropped (the library does not combine the two) and the message says so."""
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise TypeError(f"depth must be an integer, got {depth!r}")
    valid_name(activation, FLOW_ACTIVATIONS, "activation")
    valid_name(init, INITIALIZERS, "init")
    scale = finite_scalar(weight_scale, "weight_scale")
    residual, normalize = as_flag(residual, "residual"), as_flag(normalize, "normalize")
    notes = []
    if residual and normalize:
        residual = False
        notes.append("layer norm and residual connections are not combined here: showing layer norm only")
    depth_c = int(clip(depth, *DEPTH_RANGE))
    scale_c = clip(scale, *SCALE_RANGE)
    if depth_c != depth or scale_c != scale:
        notes.append(f"controls clipped to depth {depth_c}, weight scale {scale_c:.2f}")
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        profile = gradient_norm_profile(depth_c, activation, init, scale_c, SEEDS, residual=residual,
                                        normalize=normalize)
    if not np.all(np.isfinite(profile.norms)):
        raise FloatingPointError("the gradients overflowed at this setting; lower the weight scale")
    zero = int(np.sum(profile.mean == 0.0))
    if zero:
        notes.append(f"{zero} layer(s) have gradient exactly 0 (every unit dead); not drawn on the log axis")
    return FlowState(depth_c, activation, init, scale_c, residual, profile, "; ".join(notes), normalize)


def stable_log_range(current: tuple[float, float] | None, lo: float, hi: float,
                     margin: float = 0.25, slack: float = 3.0) -> tuple[float, float]:
    """Limits of a log axis for positive data in [lo, hi]: ``current`` while the data lies inside it
    with ``margin`` decades to spare and the axis spans at most ``slack`` decades more than the
    data; otherwise new limits on whole decades around the data (so they rarely change)."""
    if not (0 < lo <= hi < np.inf):
        raise ValueError(f"need 0 < lo <= hi < inf, got lo={lo!r}, hi={hi!r}")
    dlo, dhi = np.log10(lo), np.log10(hi)
    if current is not None:
        alo, ahi = np.log10(current[0]), np.log10(current[1])
        if alo <= dlo - margin and dhi + margin <= ahi and ahi - alo <= dhi - dlo + slack:
            return current
    return float(10.0 ** np.floor(dlo - margin)), float(10.0 ** np.ceil(dhi + margin))


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros become NaN so matplotlib leaves a gap (never shown as text)."""
    return np.where(values > 0, values, np.nan)


class GradientFlowExplorer(ExplorerView):
    """Depth, activation, init, weight scale, residual and layer-norm controls over one log-scale figure."""

    def __init__(self, depth: int = 20, activation: str = "sigmoid", init: str = "xavier",
                 weight_scale: float = 1.0, residual: bool = False, show_delta: bool = False,
                 normalize: bool = False):
        import ipywidgets as widgets

        self._build_figure()
        self._build_controls(widgets, depth, activation, init, weight_scale, residual, show_delta, normalize)
        self.update()
        static_page.register(self)

    def static_control(self) -> static_page.StaticControl:
        """The static page moves the depth over its whole range (the other controls stay)."""
        return static_page.slider_control(
            self.depth, range(self.depth.min, self.depth.max + 1), self.update, readouts=[self.status],
            live=("Live, you also pick the activation, the initialisation and the weight scale, and "
                  "switch on residual connections, layer norm or the spread of |\u03b4|."))

    def _build_figure(self) -> None:
        """The log-scale axes, the four curves, the title and the note (the blitted artists)."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

        self.figure = Figure(figsize=(7.0, 3.8), dpi=80)  # 560 x 304 px
        self.ax = self.figure.add_subplot(1, 1, 1)
        self.ax.set_yscale("log")
        self.ax.yaxis.set_major_locator(LogLocator(numticks=8))
        self.ax.yaxis.set_minor_locator(NullLocator())
        self.ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax.set_xlim(0.5, DEPTH_RANGE[1] + 0.5)
        self.ax.set(xlabel="layer l (1 = next to the input)", ylabel="gradient size (log scale)")
        self.ax.grid(True, alpha=0.3)
        for side in ("top", "right"):
            self.ax.spines[side].set_visible(False)
        (self.line,) = self.ax.plot([], [], "o-", color=GRADIENT, label=r"$\|\partial L/\partial W^{(l)}\|$, mean of 3 seeds")
        (self.q50,) = self.ax.plot([], [], "--", color=GRADIENT, alpha=0.7, label=r"median $|\delta^{(l)}|$ (non-zero entries)")
        (self.q10,) = self.ax.plot([], [], ":", color=GRADIENT, alpha=0.7, lw=1, label=r"10% and 90% of $|\delta^{(l)}|$")
        (self.q90,) = self.ax.plot([], [], ":", color=GRADIENT, alpha=0.7, lw=1)

        self.title = self.ax.set_title("", fontsize=10)
        self.note = self.ax.text(0.01, 0.98, "", transform=self.ax.transAxes, va="top", fontsize=8, color=WARNING_TEXT)
        self.figure.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.14)
        self._ylim: tuple[float, float] | None = None    # what the cached background was drawn with
        self._legend_shows_delta: bool | None = None
        self.image = BlitFigureImage(self.figure, [self.line, self.q10, self.q50, self.q90, self.title, self.note],
                                     alt="gradient size per layer on a log scale")

    def _build_controls(self, widgets, depth, activation, init, weight_scale, residual, show_delta,
                        normalize) -> None:
        """The sliders, dropdowns and checkboxes, wired through :class:`ExplorerView`; the status line."""
        self.depth = widgets.IntSlider(value=depth, min=DEPTH_RANGE[0], max=DEPTH_RANGE[1], description="depth L",
                                        style={"description_width": "initial"})
        self.activation = widgets.Dropdown(options=list(FLOW_ACTIVATIONS), value=activation, description="activation")
        self.init = widgets.Dropdown(options=list(INITIALIZERS), value=init, description="init")
        self.scale = widgets.FloatLogSlider(value=weight_scale, base=2, min=-2, max=2, step=0.25,
                                            description="weight scale",
                                            style={"description_width": "initial"})
        def checkbox(value, description):   # compact, so the three fit in one row
            return widgets.Checkbox(value=value, description=description, indent=False,
                                    layout=widgets.Layout(width="auto", margin="0 2em 0 0"))
        self.residual = checkbox(residual, "residual connections")
        self.normalize = checkbox(normalize, "layer norm")
        self.show_delta = checkbox(show_delta, "show |delta| spread")
        self.status = widgets.HTML()
        self._observe((self.depth, self.activation, self.init, self.scale, self.residual, self.normalize,
                       self.show_delta), self.update)
        self.widget = widgets.VBox([widgets.HBox([self.depth, self.scale]),
                                    widgets.HBox([self.activation, self.init]),
                                    widgets.HBox([self.residual, self.normalize, self.show_delta]),
                                    self.image.widget, self.status])

    def update(self) -> FlowState:
        """Recompute for the current controls and update the artists in place."""
        state = flow_state(self.depth.value, self.activation.value, self.init.value, reader_value(self.scale),
                           self.residual.value, self.normalize.value)
        layers = np.arange(1, state.depth + 1)
        self.line.set_data(layers, _positive(state.norms))
        show = self.show_delta.value
        shown = [state.norms]
        for artist, col in ((self.q10, 0), (self.q50, 1), (self.q90, 2)):
            artist.set_visible(show)
            if show:                                  # the quantiles are computed on first use
                artist.set_data(layers, _positive(state.profile.delta_q[:, col]))
                shown.append(state.profile.delta_q[:, col])
        positive = np.concatenate(shown)
        positive = positive[positive > 0]
        ylim = stable_log_range(self._ylim, positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        if ylim != self._ylim or show != self._legend_shows_delta:   # the background changes
            self.ax.set_ylim(*ylim)
            self.ax.legend(handles=[self.line] + ([self.q50, self.q10] if show else []), loc="lower right", fontsize=9.5)
            self._ylim, self._legend_shows_delta = ylim, show
            self.image.invalidate()
        self.title.set_text(f"{state.activation}, {state.init} init x {state.weight_scale:.2f}, "
                            f"{state.architecture}: first/last = "
                            + ("undefined (every unit dead)" if state.profile.ratio is None else f"{state.profile.ratio:.3g}"))
        self.note.set_text(state.message)
        self.image.refresh()
        self.status.value = state.message or f"first/last ratio {state.profile.ratio_text()}"
        return state
