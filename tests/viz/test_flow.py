"""Chapter 5's figures: drawn from given arrays, labelled at the line ends, readable text."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from backprop_lib.experiments.flow_learning import WeightChangeLog
from backprop_lib.experiments.gradient_flow import gradient_norm_profile
from backprop_lib.viz import flow
from backprop_lib.viz.style import contrast_ratio


def texts(fig):
    return [t for ax in fig.axes for t in ax.texts]


def test_init_profiles_draws_one_panel_per_activation_with_labels_and_bands():
    acts, inits = ("sigmoid", "relu"), ("he", "xavier")
    profiles = {(a, i): gradient_norm_profile(5, a, i, seeds=(0, 1)) for a in acts for i in inits}
    fig = flow.init_profiles(profiles, acts, inits)
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2
    for ax in visible:
        assert sorted(t.get_text() for t in ax.texts) == sorted(inits)
        assert len(ax.collections) == 2                              # one seed band per init
        assert all(c.get_alpha() >= 0.2 for c in ax.collections)
    assert all(contrast_ratio(t.get_color(), "white") >= 4.5 for t in texts(fig))
    with pytest.raises(ValueError, match="no entry"):
        flow.init_profiles(profiles, ("tanh",), inits)


def test_labels_on_a_log_axis_never_overlap():
    acts, inits = ("sigmoid",), ("he", "xavier")
    profiles = {(a, i): gradient_norm_profile(5, a, i, seeds=(0,)) for a in acts for i in inits}
    # make the two curves start at the same height: the labels must still be apart
    profiles["sigmoid", "xavier"] = profiles["sigmoid", "he"]
    fig = flow.init_profiles(profiles, acts, inits)
    ys = sorted(np.log10(t.get_position()[1]) for t in fig.axes[0].texts)
    lo, hi = np.log10(fig.axes[0].get_ylim())
    assert ys[1] - ys[0] >= 0.08 * (hi - lo)


def test_weight_change_and_activation_bands():
    log = WeightChangeLog(np.arange(1, 11), np.tile(np.logspace(-3, -1, 4), (10, 1)),
                          np.linspace(1, 0.5, 11))
    fig = flow.weight_change({"a, x": log, "b, y": log}, layers=(1, 4))
    assert len(fig.axes) == 3
    assert {t.get_text() for t in fig.axes[0].texts} == {"layer 1", "layer 4"}
    with pytest.raises(ValueError, match="1..4"):
        flow.weight_change({"a": log}, layers=(1, 9))
    q = np.tile([0.1, 0.2, 0.5, 0.7, 0.9], (4, 1))
    fig = flow.activation_bands({"n": q}, {"n": np.array([1.0, 0.1, 0.01, 0.001])})
    assert len(fig.axes) == 2
    assert all(contrast_ratio(t.get_color(), "white") >= 4.5 for t in texts(fig))
    with pytest.raises(ValueError, match="same"):
        flow.activation_bands({"n": q}, {"m": np.ones(4)})
