"""The network explorer's view: it shows what its state computes, updates the figure and the texts
on slider moves and buttons, and never raises."""
import numpy as np
import pytest
from helpers import assert_blit_matches_full_redraw, hand_pass, unpack

from backprop_lib.data.worked_231 import parameter_names
from backprop_lib.explorers.network_explorer import NetworkExplorer, slider_label
from backprop_lib.explorers.network_state import NETWORK_ACTIVATIONS, NetworkSession


# ---------------------------------------------------------------------- the view (no display needed)
def test_view_updates_on_slider_moves_and_buttons():
    ex = NetworkExplorer()
    assert ex.snapshot.loss == pytest.approx(0.314550, abs=5e-7)
    assert "= 0.314550</b>" in ex.status.value and ex.table.value.count("<tr>") == 14
    assert ex.diagram.value_texts[2][0].get_text() == "0.8032"
    ex.param_sliders[("W2", (0, 2))].value = 0.9
    assert ex.state.params["W2"][0, 2] == 0.9
    L, *_ = hand_pass(*unpack(ex.state), "sigmoid")
    assert ex.snapshot.loss == pytest.approx(L, rel=1e-12)
    ex.activation.value = "tanh"
    assert ex.snapshot.activation == "tanh" and ex.status.value.startswith("tanh")
    ex.reset_button.click()
    assert ex.param_sliders[("W2", (0, 2))].value == 0.5 and ex.activation.value == "sigmoid"
    ex.step_button.click()
    assert ex.snapshot.loss == pytest.approx(0.297599, abs=5e-7) and "steps taken: 1" in ex.status.value
    assert "L = ½(a⁽²⁾ − y)² = 0.297599" in ex.status.value
    assert ex.param_sliders[("b2", (0, 0))].value == pytest.approx(0.6 - 0.5 * 0.125394, abs=1e-6)
    assert ex.state.steps == 1            # syncing the sliders did not count as a hand-made change
    xs, ys = ex.hist_line.get_data()
    assert list(xs) == [0, 1] and ys[1] == pytest.approx(0.297599 / 0.314550, abs=1e-5)
    assert "0.3145 → 0.2976" in ex.hist_text.get_text()


def test_view_never_raises_and_shows_errors_as_text(monkeypatch):
    ex = NetworkExplorer()
    for (key, idx), slider in ex.param_sliders.items():
        slider.value = slider.max                 # every parameter at +5
    ex.x_sliders[0].value, ex.y_slider.value = ex.x_sliders[0].min, ex.y_slider.max
    for act in NETWORK_ACTIVATIONS:
        ex.activation.value = act
        for _ in range(3):
            ex.step_button.click()
        assert np.isfinite(ex.snapshot.loss) and "nan" not in ex.status.value.lower()

    def broken():
        raise FloatingPointError("boom")
    monkeypatch.setattr(ex.state, "compute", broken)
    ex.param_sliders[("W1", (0, 0))].value = 0.3   # the callback must not raise
    assert "FloatingPointError: boom" in ex.status.value


def test_view_shows_the_relu_ties_the_compared_tables_refuse():
    view = NetworkExplorer()
    view.activation.value = "relu"
    assert view.snapshot.activation == "relu" and view.table.value.count("<tr>") == 14


def test_parameter_names_and_slider_labels():
    names = parameter_names()
    assert len(names) == 13
    assert names[0] == ("W1", (0, 0), "W(1)_11") and names[6] == ("b1", (0, 0), "b(1)_1")
    assert names[9] == ("W2", (0, 0), "W(2)_11") and names[12] == ("b2", (0, 0), "b(2)_1")
    assert slider_label("W(1)_12") == "W⁽¹⁾₁₂" and slider_label("b(2)_1") == "b⁽²⁾₁"
    for bad in ("W12", "W(3)_11", "b(1)_x", "W(1)_14"):
        with pytest.raises(ValueError, match="must look like 'W\\(1\\)_12'"):
            slider_label(bad)


def test_view_refuses_a_state_that_is_not_a_session():
    with pytest.raises(TypeError, match="state must be a NetworkSession"):
        NetworkExplorer(state={"W1": 1})
    assert isinstance(NetworkExplorer(NetworkSession.published()).state, NetworkSession)


def test_blitted_image_matches_a_full_redraw():
    ex = NetworkExplorer()
    ex.param_sliders[("W1", (1, 1))].value = -2.0
    ex.step_button.click()
    assert_blit_matches_full_redraw(ex.image)
    assert ex.image.render_png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_blit_image_checks_its_artists_and_sets_no_tooltip():
    from matplotlib.figure import Figure

    from backprop_lib.explorers.blit import BlitFigureImage
    fig = Figure()
    (line,) = fig.add_subplot().plot([0, 1], [0, 1])
    image = BlitFigureImage(fig, [line], alt="a line")
    assert line.get_animated() and image.alt == "a line"
    assert image.widget.tooltip is None   # a tooltip stops the built book's widget renderer
    line.set_ydata([1, 0])
    image.invalidate()
    image.refresh()
    assert image.widget.value[:4] == b"\x89PNG"
    with pytest.raises(TypeError, match="dynamic must be matplotlib artists"):
        BlitFigureImage(fig, ["not an artist"])
