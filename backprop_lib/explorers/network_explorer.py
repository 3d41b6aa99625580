"""The network explorer: the worked 2-3-1 network with a slider for every number.

Sliders set the 13 parameters, the input x and the target y; a toggle picks the activation of
both layers (sigmoid, tanh, ReLU).  Every change runs one forward pass and the BP1-BP4 backward
pass (:mod:`backprop_lib.explorers.network_state`, pure and tested) and redraws one figure in
place: node values a (blue), error signals delta (orange), one orange edge per weight whose width
shows |dL/dW| (BP3) and whose label gives its value.  "gradient step" applies p <- p - eta dL/dp
to all 13 parameters and plots the loss history; "reset" restores the published values.

The figure is built once; an update changes texts and line styles and redraws only those
artists (:class:`~backprop_lib.explorers.blit.BlitFigureImage`).
"""
from __future__ import annotations

import copy
import html

from matplotlib.figure import Figure

from backprop_lib.data.worked_231 import SIZES, SUBSCRIPTS, parameter_names, unicode_name
from backprop_lib.explorers import static_page
from backprop_lib.explorers.base import ExplorerView, page_redrew, reader_value, safe_call, track_shown
from backprop_lib.explorers.blit import BlitFigureImage
from backprop_lib.explorers.network_state import (ETA_RANGE, HISTORY_MAX, INPUT_LIMIT, NETWORK_ACTIVATIONS,
                                                  PARAM_LIMIT, NetworkSession, NetworkSnapshot, relative_history)
from backprop_lib.teaching.tables import format_number
from backprop_lib.viz.network_diagram import NetworkDiagram, draw_network
from backprop_lib.viz.style import FORWARD, NEUTRAL, WARNING

__all__ = ["NetworkExplorer", "slider_label"]

HISTORY_TOP = 1.25
FINE_LIMIT = 1.0        # the parameter sliders' range at first: [-1, 1] (0.01 a step, ~0.01 a pixel)
STATIC_STEPS = 12       # the static page replays gradient steps 0..12 from the chapter's starting point
slider_label = unicode_name       # "W(1)_12" -> "W⁽¹⁾₁₂", the sliders' descriptions


class NetworkExplorer(ExplorerView):
    """The ipywidgets view: 13 parameter sliders, x, y, activation, eta, step and reset, and one
    figure (the network and the loss history).  ``explorer.widget`` is what a notebook shows;
    ``explorer.snapshot`` is the last computation; ``explorer.update()`` redraws."""

    def __init__(self, state: NetworkSession | None = None):
        import ipywidgets as widgets

        if state is not None and not isinstance(state, NetworkSession):
            raise TypeError(f"state must be a NetworkSession or None, got {type(state).__name__}")
        self.state = NetworkSession.published() if state is None else state
        self.figure = Figure(figsize=(8.4, 4.3))
        self.diagram: NetworkDiagram = draw_network(list(SIZES), ax=self.figure.add_axes([0.0, 0.0, 0.72, 1.0]),
                                                    key=True)
        self.hist_ax = self.figure.add_axes([0.79, 0.22, 0.19, 0.56])
        self.hist_ax.set(xlim=(-1, HISTORY_MAX + 1), ylim=(0, HISTORY_TOP), xlabel="gradient step",
                         ylabel="L / L before step 1", title="loss history")
        self.hist_ax.axhline(1.0, color=NEUTRAL, lw=0.8, ls=":")
        (self.hist_line,) = self.hist_ax.plot([], [], "o-", color=FORWARD, ms=3, lw=1.2)
        self.hist_text = self.hist_ax.text(0.02, 0.03, "", transform=self.hist_ax.transAxes, fontsize=8)
        # the loss, a(2) and any warning are in the status line under the image (HTML is cheaper
        # to update than rendered text)
        dynamic = self.diagram.dynamic_artists() + [self.hist_line, self.hist_text]
        self.image = BlitFigureImage(self.figure, dynamic, alt="the 2-3-1 network with its gradients")
        self._build_controls(widgets)
        self.snapshot: NetworkSnapshot | None = None
        self._origin = copy.deepcopy(self.state)     # where the current run of gradient steps began
        self.update()
        static_page.register(self)

    def _build_controls(self, widgets) -> None:
        layout = widgets.Layout(width="225px")
        common = dict(step=0.01, readout_format=".2f", continuous_update=True, layout=layout)
        limit = FINE_LIMIT if self._within(FINE_LIMIT) else PARAM_LIMIT
        # a wide track for the parameters (it was ~50 px for [-5, 5]): [-1, 1] on ~150 px puts
        # 0.15 ... 0.40 ~19 px apart; the "weight range" switch opens [-5, 5] (and opens itself
        # when a gradient step leaves [-1, 1])
        wide = dict(common, layout=widgets.Layout(width="300px"), style={"description_width": "50px"})
        self.param_sliders = {}
        for key, idx, name in parameter_names():
            s = widgets.FloatSlider(value=float(self.state.params[key][idx]), min=-limit, max=limit,
                                    description=slider_label(name), **wide)
            self._watch(s, lambda ch, key=key, idx=idx: self.state.set_param(key, idx, ch["new"]))
            self.param_sliders[(key, idx)] = s
        self.x_sliders = [widgets.FloatSlider(value=float(self.state.x[k, 0]), min=-INPUT_LIMIT, max=INPUT_LIMIT,
                                              description=f"x{SUBSCRIPTS[k + 1]}", **common) for k in (0, 1)]
        for k, s in enumerate(self.x_sliders):
            self._watch(s, lambda ch, k=k: self.state.set_input(k, ch["new"]))
        self.y_slider = widgets.FloatSlider(value=self.state.y, min=-INPUT_LIMIT, max=INPUT_LIMIT,
                                            description="y (target)", **common)
        self._watch(self.y_slider, lambda ch: self.state.set_target(ch["new"]))
        self.activation = widgets.ToggleButtons(options=list(NETWORK_ACTIVATIONS), value=self.state.activation,
                                                description="activation")
        self._watch(self.activation, lambda ch: self.state.set_activation(ch["new"]))
        self.eta = widgets.FloatSlider(value=self.state.eta, min=ETA_RANGE[0], max=ETA_RANGE[1], step=0.01,
                                       description="η", readout_format=".2f")
        self._watch(self.eta, lambda ch: self.state.set_eta(ch["new"]), redraw=False)
        self.step_button = widgets.Button(description="gradient step", icon="arrow-down")  # default style: readable contrast
        self.reset_button = widgets.Button(description="reset")
        self._on_click(self.step_button, lambda: self._act(self.state.step))
        self._on_click(self.reset_button, lambda: self._act(self.state.reset))
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self._syncing = False
        self.weight_range = widgets.ToggleButtons(options=[("[-1, 1]", FINE_LIMIT), ("[-5, 5]", PARAM_LIMIT)],
                                                  value=limit, description="weight range",
                                                  style={"description_width": "initial", "button_width": "70px"})
        self.weight_range.observe(lambda ch: safe_call(self._set_range, ch["new"], on_error=self._error),
                                  names="value")
        sliders = list(self.param_sliders.values())
        columns = widgets.HBox([widgets.VBox(sliders[:9]),
                                widgets.VBox(sliders[9:] + [self.weight_range] + self.x_sliders + [self.y_slider])])
        # the sliders and the table: on the static page each frame shows them at its step
        self.numbers = widgets.HBox([columns, self.table], layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([self.image.widget, self.status, self.activation,
                                    widgets.HBox([self.eta, self.step_button, self.reset_button]), self.numbers])

    def _within(self, limit: float) -> bool:
        """Do all 13 parameters lie in [-limit, limit]?"""
        return all(abs(float(v)) <= limit for p in self.state.params.values() for v in p.ravel())

    def _set_range(self, limit: float) -> None:
        """Give every parameter slider the range [-limit, limit]; narrowing it clips the
        parameters outside (the sliders' observers then recompute, so the picture matches)."""
        for s in self.param_sliders.values():
            if limit >= s.max:
                s.min, s.max = -limit, limit
            else:
                s.max, s.min = limit, -limit

    # ------------------------------------------------------------------ callbacks
    def _watch(self, control, setter, redraw: bool = True) -> None:
        """On every change of ``control``: ``setter(change)`` with the value as the reader set it,
        then a redraw; nothing while the controls are synced or when the page only drew a
        slider (:func:`~backprop_lib.explorers.base.page_redrew`)."""
        track_shown(control)

        def callback(change):
            if self._syncing or page_redrew(change):
                return
            change = {**change, "new": reader_value(control, change["new"])}
            if safe_call(setter, change, on_error=self._error) is not None and redraw:
                safe_call(self.update, on_error=self._error)
        control.observe(callback, names="value")

    def _act(self, action) -> None:
        action()
        self._sync_controls()
        self.update()

    def _sync_controls(self) -> None:
        """Move the controls to the state's values without one recomputation per control."""
        self._syncing = True
        try:
            if not self._within(self.weight_range.value):
                self.weight_range.value = PARAM_LIMIT        # widening clips nothing
            for (key, idx), s in self.param_sliders.items():
                s.value = float(self.state.params[key][idx])
            for k, s in enumerate(self.x_sliders):
                s.value = float(self.state.x[k, 0])
            self.y_slider.value = self.state.y
            self.activation.value = self.state.activation
        finally:
            self._syncing = False

    # ------------------------------------------------------------------ drawing
    def update(self) -> NetworkSnapshot:
        """Recompute the state, update the figure's artists in place, refresh the image and texts."""
        snap = self.state.compute()
        if self.state.steps == 0:
            self._origin = copy.deepcopy(self.state)
        c, g = snap.cache, snap.grads
        self.diagram.update([c["a0"], c["a1"], c["a2"]], [g["W1"], g["W2"]], [g["delta1"], g["delta2"]], snap.y)
        loss = format_number(snap.loss, 6)
        history = self.state.history or [snap.loss]
        steps, ratios, off = relative_history(history, HISTORY_TOP)
        self.hist_line.set_data(steps, ratios)
        text = f"L: {format_number(history[0], 4)}"
        if self.state.steps:
            text += f" \u2192 {format_number(snap.loss, 4)}\n({self.state.steps} step{'s' * (self.state.steps > 1)}"
            text += f"; plot: first {HISTORY_MAX})" if self.state.steps > HISTORY_MAX else ")"
        self.hist_text.set_text(text + ("\nsome values off the scale" if off else ""))
        self.image.refresh()
        warning = f'<br><span style="color:{WARNING}">{html.escape(snap.message)}</span>' if snap.message else ""
        self.status.value = (f"{snap.activation}: &nbsp; a\u207d\u00b2\u207e = {snap.output:.6f}, &nbsp; "
                             f"y = {snap.y:.2f}, &nbsp; <b>L = \u00bd(a\u207d\u00b2\u207e \u2212 y)\u00b2 = "
                             f"{loss}</b> &nbsp; (gradient steps taken: {self.state.steps}){warning}")
        self.table.value = snap.parameter_table(check_ties=False).html()
        self.snapshot = snap
        return snap

    # ------------------------------------------------------------------ the static page
    def replay(self, steps: int) -> NetworkSnapshot:
        """Go back to where the current run of gradient steps began and take ``steps`` steps
        (the "gradient step" button's own action, repeated); returns the snapshot."""
        eta = self.state.eta
        self.state = copy.deepcopy(self._origin)
        self.state.eta = eta
        for _ in range(steps):
            self.state.step()
        self._sync_controls()
        return self.update()

    def static_control(self) -> static_page.StaticControl:
        """The static page replays 0..STATIC_STEPS gradient steps (at least the steps taken)."""
        steps = list(range(max(STATIC_STEPS, self.state.steps) + 1))
        return static_page.StaticControl(
            "gradient steps taken", [str(k) for k in steps], lambda i: self.replay(steps[i]),
            self.state.steps, readouts=[self.status, self.numbers],
            live=(f"Live, every slider sets one number of the network, and \u201cgradient step\u201d "
                  f"takes one more step with the chosen \u03b7 (here {self.state.eta:g})."))
