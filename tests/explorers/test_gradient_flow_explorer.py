"""The gradient-flow explorer shows the library's numbers, survives extreme settings without NaN
or tracebacks, and refuses bad input with clear messages."""
import itertools

import numpy as np
import pytest
from helpers import assert_blit_matches_full_redraw

from backprop_lib.explorers import gradient_flow_explorer as gfe
from backprop_lib.explorers.gradient_flow_explorer import (DEPTH_RANGE, SCALE_RANGE, SEEDS, GradientFlowExplorer,
                                                           flow_state, stable_log_range)
from backprop_lib.experiments.gradient_flow import FLOW_ACTIVATIONS, gradient_norm_profile


def test_state_is_the_library_profile():
    state = flow_state(12, "tanh", "xavier", 1.0, residual=True)
    ref = gradient_norm_profile(12, "tanh", "xavier", 1.0, SEEDS, residual=True)
    np.testing.assert_array_equal(state.norms, ref.mean)
    assert state.message == "" and state.profile.ratio == pytest.approx(ref.mean[0] / ref.mean[-1])
    table = state.table()
    first_row = table.splitlines()[3].split()
    assert first_row[1] == f"{ref.mean[0]:.3e}"
    assert first_row[2:5] == [f"{v:.3e}" for v in ref.delta_q[0]]   # the 10/50/90 % curves
    assert f"first/last ratio: {ref.mean[0] / ref.mean[-1]:.3g}" in table
    assert max(len(line) for line in table.splitlines()) <= 79


def test_table_prints_every_curve_the_view_draws():
    state = flow_state(5, "relu", "he")
    rows = state.table().splitlines()[3:3 + state.depth]
    for l, row in enumerate(rows):
        cells = row.split()
        assert int(cells[0]) == l + 1 and cells[1] == f"{state.norms[l]:.3e}"
        assert cells[2:5] == ["-" if v == 0.0 else f"{v:.3e}" for v in state.profile.delta_q[l]]
        assert cells[5] == f"{state.profile.delta_zero[l]:.0%}"


def test_extreme_controls_are_clipped_with_a_message():
    state = flow_state(1000, "relu", "he", 1e6)
    assert state.depth == DEPTH_RANGE[1] and state.weight_scale == SCALE_RANGE[1]
    assert "clipped" in state.message
    low = flow_state(-5, "sigmoid", "normal", 1e-9)
    assert low.depth == DEPTH_RANGE[0] and low.weight_scale == SCALE_RANGE[0]


@pytest.mark.parametrize("act,init", list(itertools.product(FLOW_ACTIVATIONS, ("normal", "xavier", "he"))))
def test_every_corner_gives_finite_numbers_and_no_nan_text(act, init):
    for depth, scale, residual in ((30, 0.25, False), (30, 4.0, False), (30, 4.0, True), (2, 1.0, True)):
        state = flow_state(depth, act, init, scale, residual)
        assert np.all(np.isfinite(state.norms)) and np.all(state.norms >= 0)
        assert np.all(np.isfinite(state.profile.delta_q))
        text = state.table().lower()
        assert "nan" not in text and "inf" not in text


def test_a_dead_network_is_reported_not_plotted_as_nan(monkeypatch):
    real = gfe.gradient_norm_profile

    def dead_profile(*args, **kwargs):
        p = real(*args, **kwargs)
        return type(p)(np.zeros_like(p.norms), np.ones_like(p.dead), np.ones_like(p.delta_zero),
                       tuple(np.zeros_like(d) for d in p.abs_delta))

    monkeypatch.setattr(gfe, "gradient_norm_profile", dead_profile)
    state = flow_state(6, "relu", "he")
    assert "6 layer(s) have gradient exactly 0" in state.message
    assert "undefined: every unit dead" in state.table() and "0 exactly" in state.table()
    w = GradientFlowExplorer(depth=6, activation="relu", init="he")
    assert "undefined" in w.title.get_text() and "exactly 0" in w.status.value


def test_widget_shows_what_flow_state_computes():
    w = GradientFlowExplorer(depth=8, activation="sigmoid", init="xavier")
    for depth, act, init, scale, res in [(20, "sigmoid", "normal", 1.0, False), (5, "relu", "he", 2.0, True),
                                         (30, "leaky_relu", "xavier", 0.25, False)]:
        w.depth.value, w.activation.value, w.init.value = depth, act, init
        w.scale.value, w.residual.value = scale, res
        ref = flow_state(depth, act, init, w.scale.value, res)
        x, y = w.line.get_data()
        np.testing.assert_array_equal(x, np.arange(1, depth + 1))
        np.testing.assert_array_equal(y, ref.norms)
        assert f"{act}, {init} init" in w.title.get_text()
        lo, hi = w.ax.get_ylim()
        assert lo <= ref.norms.min() and hi >= ref.norms.max()
    w.show_delta.value = True
    assert w.q50.get_visible() and len(w.ax.get_legend().get_texts()) == 3
    np.testing.assert_array_equal(w.q50.get_data()[1], ref.profile.delta_q[:, 1])
    assert w.image.widget.value[:4] == b"\x89PNG"


def test_callback_errors_become_a_status_message(monkeypatch):
    w = GradientFlowExplorer(depth=4)

    def boom(*args, **kwargs):
        raise FloatingPointError("the gradients overflowed at this setting")

    monkeypatch.setattr(gfe, "flow_state", boom)
    w.depth.value = 5                                   # the observer runs update through safe_call
    assert "FloatingPointError: the gradients overflowed" in w.status.value


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="depth must be an integer"):
        flow_state(3.5, "relu", "he")
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        flow_state(4, "gelu", "he")
    with pytest.raises(ValueError, match="unknown init 'orthogonal'"):
        flow_state(4, "relu", "orthogonal")
    with pytest.raises(ValueError, match="weight_scale must be finite"):
        flow_state(4, "relu", "he", float("inf"))
    with pytest.raises(TypeError, match="residual must be True or False"):
        flow_state(4, "relu", "he", 1.0, residual="yes")


def test_image_widget_has_no_tooltip_so_the_static_page_can_render_it():
    # a tooltip on the ipywidgets Image makes the book's static widget manager fail to create the view
    w = GradientFlowExplorer(depth=3)
    assert not w.image.widget.tooltip


def test_stable_log_range_keeps_the_axis_while_the_data_fits_it():
    assert stable_log_range(None, 3e-7, 0.2) == (1e-7, 1.0)            # whole decades, margin kept
    assert stable_log_range((1e-7, 1.0), 2e-7, 0.5) == (1e-7, 1.0)     # still inside: unchanged
    assert stable_log_range((1e-7, 1.0), 5e-8, 0.5) == (1e-8, 1.0)     # left it: new decades
    assert stable_log_range((1e-7, 1.0), 0.01, 0.05) == (0.001, 0.1)   # far too loose: shrinks
    assert stable_log_range((1e-3, 1.0), 0.5, 0.5) == (1e-3, 1.0)      # one value, 3 decades: kept
    for lo, hi in ((0.0, 1.0), (2.0, 1.0), (1.0, np.inf), (np.nan, 1.0)):
        with pytest.raises(ValueError, match="0 < lo <= hi"):
            stable_log_range(None, lo, hi)


def test_moving_depth_keeps_the_axes_and_blits_the_curve():
    w = GradientFlowExplorer(depth=20, activation="sigmoid", init="xavier")
    ylim = w.ax.get_ylim()
    w.depth.value = 21
    w.depth.value = 20
    assert w.ax.get_ylim() == ylim and w.image._backgrounds   # no full redraw needed
    assert w.ax.get_xlim() == (0.5, DEPTH_RANGE[1] + 0.5)
    w.activation.value = "relu"               # a very different curve: the axis follows it
    lo, hi = w.ax.get_ylim()
    assert lo <= w.line.get_ydata().min() and hi >= w.line.get_ydata().max()
    w.show_delta.value = True
    assert_blit_matches_full_redraw(w.image)


def test_layer_norm_state_is_the_library_profile_and_is_named():
    state = flow_state(12, "sigmoid", "xavier", 4.0, normalize=True)
    ref = gradient_norm_profile(12, "sigmoid", "xavier", 4.0, SEEDS, normalize=True)
    np.testing.assert_array_equal(state.norms, ref.mean)
    assert state.normalize and state.architecture == "layer norm" and state.message == ""
    assert state.table().splitlines()[0].startswith("depth 12, sigmoid, xavier init x 4.00, layer norm")
    plain = flow_state(12, "sigmoid", "xavier", 4.0)
    assert plain.architecture == "plain" and not np.array_equal(plain.norms, state.norms)


def test_layer_norm_with_residual_shows_layer_norm_and_says_so():
    state = flow_state(8, "relu", "he", 1.0, residual=True, normalize=True)
    ref = gradient_norm_profile(8, "relu", "he", 1.0, SEEDS, normalize=True)
    np.testing.assert_array_equal(state.norms, ref.mean)
    assert not state.residual and "not combined" in state.message and state.architecture == "layer norm"


@pytest.mark.parametrize("act", FLOW_ACTIVATIONS)
def test_layer_norm_corners_are_finite(act):
    for depth, scale in ((30, 0.25), (30, 4.0), (2, 1.0)):
        state = flow_state(depth, act, "normal", scale, normalize=True)
        assert np.all(np.isfinite(state.norms)) and np.all(state.norms > 0)
        assert "nan" not in state.table().lower() and "inf" not in state.table().lower()


def test_layer_norm_checkbox_drives_the_widget():
    w = GradientFlowExplorer(depth=10, activation="tanh", init="xavier", weight_scale=4.0)
    w.normalize.value = True
    ref = flow_state(10, "tanh", "xavier", 4.0, normalize=True)
    np.testing.assert_array_equal(w.line.get_ydata(), ref.norms)
    assert "layer norm: first/last" in w.title.get_text()
    lo, hi = w.ax.get_ylim()
    assert lo <= ref.norms.min() and hi >= ref.norms.max()
    w.residual.value = True                                  # both ticked: the message explains
    assert "not combined" in w.status.value and "not combined" in w.note.get_text()
    assert_blit_matches_full_redraw(w.image)
    with pytest.raises(TypeError, match="normalize must be True or False"):
        flow_state(4, "relu", "he", 1.0, normalize=1)
