"""A slider's value as the reader set it, and the page drawing a slider again.

In JupyterLab a slider's handle sits on a float of its grid, and the page sends that float to
the kernel when it draws the slider, or moves the handle to a value the kernel sent, and the
value is another float (0.1499999999999999 for
0.15 with min -1 and step 0.01; the grid's float for a weight that a gradient step left at
0.14987). After "run all" these messages reach the kernel once the later cells have run, so
they can carry a value the kernel showed before. Logged in chapter 4's kernel before this was
handled: 22 such messages after "run all", the first of which wiped the explorer's five
gradient steps and rounded its weights to the grid; and each "gradient step" click was undone
the same way. And ipywidgets hands the page its message's echo: a late message put the
page's slider back on the old value while the explorer showed the new one (seen in JupyterLab:
tests/book/test_jupyterlab_e2e.py). Here a page message is what ipywidgets applies when the page sends one
(``Widget.set_state``), with the float the page's slider sends (:func:`page_float`).
"""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import pytest

from backprop_lib.explorers import base
from backprop_lib.explorers.base import page_float, page_redrew, reader_value, slider_step, track_shown
from backprop_lib.explorers.chain_rule import ChainRuleExplorer
from backprop_lib.explorers.network_explorer import NetworkExplorer
from backprop_lib.explorers.training_explorer import TrainingExplorer


def from_page(slider, value: float) -> None:
    """The reader moves ``slider`` to ``value``: the page sends the float of its handle."""
    slider.set_state({"value": page_float(slider, value)})


def page_draws(slider, value: float) -> None:
    """The page draws ``slider`` at ``value``: it sends its handle's float when that is another float."""
    if page_float(slider, value) != value:
        slider.set_state({"value": page_float(slider, value)})


@pytest.fixture
def live(monkeypatch):
    """The kernel answers the page (frames at 1x, as data URLs), with no full-density frame."""
    monkeypatch.setattr(base, "answering_the_page", lambda: True)
    monkeypatch.setattr(base, "_later", lambda delay, callback: None)


def test_page_float_is_what_jupyterlab_sent():
    # the values chapters 4, 1 and 6 sent after "run all" in JupyterLab (logged in the kernel)
    assert page_float(widgets.FloatSlider(min=-1.0, max=1.0, step=0.01), 0.15) == 0.1499999999999999
    assert page_float(widgets.FloatSlider(min=-3.0, max=3.0, step=0.05), 2.0) == 2.000000000000001
    assert page_float(widgets.FloatSlider(min=0.0, max=0.99, step=0.01), 0.9) == 0.9000000000000001
    assert page_float(widgets.FloatSlider(min=-1.0, max=1.0, step=0.01), 0.25) == 0.25
    assert page_float(widgets.IntSlider(min=0, max=9), 3) == 3


def test_a_step_is_the_decimal_it_is_written_with():
    s = widgets.FloatSlider(value=0.15, min=-1.0, max=1.0, step=0.01)
    assert page_float(s, 0.16) != 0.16                 # the float noise this is about
    assert slider_step(s, page_float(s, 0.16)) == 0.16 == reader_value(s, page_float(s, 0.16))
    assert slider_step(s, 0.14987) == 0.15             # the nearest step ...
    assert reader_value(s, 0.14987) == 0.14987         # ... but a value set off the grid stays
    assert reader_value(s, 0.123) == 0.123 and reader_value(s, -1.0) == -1.0
    x = widgets.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.05)
    assert page_float(x, 2.0) != 2.0 and reader_value(x, page_float(x, 2.0)) == 2.0
    log = widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.25)
    noisy = 10 ** -1.25 * (1 + 4e-16)
    assert reader_value(log, noisy) == 10 ** -1.25 and reader_value(log, 0.05) == 0.05
    assert reader_value(widgets.IntSlider(value=3)) == 3       # other controls: as they are
    assert reader_value(widgets.Dropdown(options=["a", "b"], value="b")) == "b"
    assert math.isnan(reader_value(s, float("nan")))


def test_a_redraw_is_a_step_the_kernel_showed_and_only_from_the_page():
    s = widgets.FloatSlider(value=0.15, min=-1.0, max=1.0, step=0.01)
    track_shown(s)
    seen = []
    s.observe(lambda change: seen.append(page_redrew(change)), names="value")
    s.value = 0.14987                   # the kernel (a gradient step); never a redraw
    s.value = 0.3198
    page_draws(s, 0.15)                 # the page drew the published value (late) ...
    assert s.value == 0.3198            # ... and the kernel shows it its value again (a redraw)
    page_draws(s, 0.3198)               # the page drew the value it was sent next
    from_page(s, 0.33)                  # the reader: one step to the right
    from_page(s, 0.33)                  # the page drew it again (no change: no event)
    s.set_state({"value": 0.3300000000000001})      # the same step, another float
    from_page(s, 0.15)                  # the reader again: the published value is no longer shown
    assert seen == [False, False, True, True, True, False, True, False]
    # two observers of one slider get the same answer for the same change
    answers = []
    s.observe(lambda change: answers.append(page_redrew(change)), names="value")
    from_page(s, 0.5)
    assert seen[-1] is False and answers == [False]
    assert not page_redrew({"owner": widgets.IntSlider(), "old": 1, "new": 1})


def test_a_late_redraw_is_undone_and_a_move_to_its_step_later_counts():
    # the page drew the published 0.15 (it sends 0.1499999999999999) while a cell set 0.5, a
    # float the page sends nothing back for; ipywidgets hands the page its own message's echo,
    # so without an answer the page's slider would go back to 0.15 and the kernel's value too
    s = widgets.FloatSlider(value=0.15, min=-1.0, max=1.0, step=0.01)
    track_shown(s)
    seen = []
    s.observe(lambda change: seen.append(page_redrew(change)), names="value")
    s.value = 0.5
    page_draws(s, 0.15)
    assert s.value == 0.5 and seen == [False, True, True]     # the kernel's value again
    from_page(s, 0.15)                  # the reader drags it back to the published value
    assert seen[-1] is False and reader_value(s) == 0.15


def test_the_page_sends_back_the_values_it_drew_in_order():
    s = widgets.FloatSlider(value=0.15, min=-1.0, max=1.0, step=0.01)
    track_shown(s)
    seen = []
    s.observe(lambda change: seen.append(page_redrew(change)), names="value")
    for value in (0.32, 0.15):          # a cell: forward and back (both sent back by the page)
        s.value = value
    for value in (0.15, 0.32, 0.15):    # the page drew all three, late
        page_draws(s, value)
    assert all(seen[2:]) and reader_value(s) == 0.15
    from_page(s, 0.32)                  # the page has sent every value back: this is the reader
    assert seen[-1] is False


def test_the_record_of_shown_values_is_bounded():
    s = widgets.FloatSlider(value=0.15, min=-1.0, max=1.0, step=0.01)
    track_shown(s)
    for k in range(200):                # e.g. gradient steps while the page shows nothing
        s.value = 0.1 + 0.0037 * k
    assert len(s._shown_steps) == base.SHOWN_KEPT


def test_a_late_redraw_does_not_leave_another_control_computing_with_a_stale_value(live):
    view = ChainRuleExplorer(key="nested", x=1.0)
    view.x.value = 2.0                  # cells: x = 2.00, then 0.50
    view.x.value = 0.5
    picture = view.image.png
    page_draws(view.x, 2.0)             # the page's message from drawing 2.00 arrives late
    assert view.x.value == 0.5 and view.image.png == picture
    others = [key for _, key in view.choice.options if key != view.choice.value]
    view.choice.value = others[0]       # another control: computed at the x shown, 0.50
    assert view.update().x == 0.5


def test_the_network_explorer_keeps_its_gradient_steps_when_the_page_draws_its_sliders(live):
    view = NetworkExplorer()
    sliders = list(view.param_sliders.values()) + view.x_sliders + [view.y_slider, view.eta]
    shown = {s: [s.value] for s in sliders}
    for _ in range(3):                  # "run all": the cells click the button three times ...
        view.step_button.click()        # (its action moves all 13 weight sliders)
        for s in sliders:
            shown[s].append(s.value)
    # ... and then the page's messages arrive, in the order the page drew the values
    for s, values in shown.items():
        for value in values:
            page_draws(s, value)
    assert view.state.steps == 3 and len(view.state.history) == 4
    view.step_button.click()            # the reader clicks "gradient step"
    off_grid = sum(s.value != page_float(s, s.value) for s in view.param_sliders.values())
    assert off_grid >= 9                # most sliders' handles are on another float
    for s in sliders:
        page_draws(s, s.value)          # and the page draws the moved sliders
    params = {k: v.copy() for k, v in view.state.params.items()}
    picture = view.image.png
    assert view.state.steps == 4 and len(view.state.history) == 5
    for s in sliders:
        page_draws(s, s.value)          # the page draws them again (another view, a reload)
    assert view.state.steps == 4
    assert all(np.array_equal(view.state.params[k], params[k]) for k in params)
    assert view.image.png == picture    # nothing redrawn
    # the reader moves W(1)_11 one step: the weight is that step's decimal, the steps start again
    s = view.param_sliders[("W1", (0, 0))]
    target = round(slider_step(s, params["W1"][0, 0]) + 0.01, 2)
    from_page(s, target)
    assert view.state.params["W1"][0, 0] == target and view.state.steps == 0
    assert view.image.png != picture


def test_the_chain_rule_explorer_computes_with_the_step_the_reader_chose(live):
    view = ChainRuleExplorer(key="nested", x=1.0)
    from_page(view.x, 2.0)                           # the reader drags x to 2.00
    assert view.x.value != 2.0 and view.update().x == 2.0
    picture = view.image.png
    view.x.set_state({"value": view.x.value + 4e-16})   # the page draws the slider again
    assert view.image.png == picture
    from_page(view.x, 2.05)
    assert view.update().x == 2.05 and view.image.png != picture


def test_the_training_explorer_keeps_its_run_when_the_page_draws_the_momentum_slider(live):
    view = TrainingExplorer(dataset="xor", lr=1.0, momentum=0.9, hidden=8, run_epochs=20, chunk=10)
    view.buttons["step"].click()
    session = view.session
    momentum = view.controls["momentum"]
    page_draws(momentum, 0.9)                        # 0.9000000000000001
    assert momentum.value != 0.9
    assert view.session is session and view.session.epoch == 10
    from_page(momentum, 0.5)                         # a move: a new session with momentum 0.5
    assert view.session is not session and view.session.epoch == 0
    assert view.session.momentum == 0.5


def test_a_redraw_of_a_value_set_off_the_grid_keeps_that_value(live):
    view = ChainRuleExplorer(key="nested", x=1.0)
    view.x.value = 1.23                 # a cell sets x off the slider's grid (steps of 0.05)
    picture, computed = view.image.png, view.update().x
    page_draws(view.x, 1.23)            # the page puts the handle on 1.25 and sends its float
    assert view.x.value != 1.23 and slider_step(view.x, view.x.value) == 1.25
    assert view.image.png == picture and computed == 1.23 == reader_value(view.x)
    others = [key for _, key in view.choice.options if key != view.choice.value]
    view.choice.value = others[0]       # another control: computed at the x the cell set
    assert view.update().x == 1.23
    from_page(view.x, 1.3)              # the reader's move: that step's decimal
    assert reader_value(view.x) == 1.3 == view.update().x


@pytest.mark.parametrize("settings", [{"step": None}, {"step": 0.0}, {"min": 1.0, "max": 1.0}])
def test_a_slider_without_a_grid_is_refused_by_name(settings):
    slider = widgets.FloatSlider(description="w", **settings)
    with pytest.raises(ValueError, match=r"step > 0 and max > min was expected, got FloatSlider 'w'"):
        track_shown(slider)


def test_a_slider_asked_about_before_it_is_tracked_is_tracked_all_the_same():
    s = widgets.FloatSlider(value=0.15, min=-1.0, max=1.0, step=0.01)
    seen = []
    s.observe(lambda change: seen.append(page_redrew(change)), names="value")
    from_page(s, 0.2)                   # asked before track_shown: the reader's move
    track_shown(s)
    s.value = 0.33                      # the kernel shows 0.33 ...
    s.value = 0.5                       # ... and 0.5; the page's float for 0.33 comes late
    page_draws(s, 0.33)
    assert seen == [False, False, False, True, True] and s.value == 0.5   # shown 0.5 again


def test_a_log_slider_is_tracked_on_its_exponents_grid():
    lr = widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.25)
    track_shown(lr)
    seen = []
    lr.observe(lambda change: seen.append(page_redrew(change)), names="value")
    lr.value = 0.06                     # the kernel shows two values off the grid ...
    lr.value = 0.3
    page_draws(lr, 0.06)                # ... and the page's float for the first (10^-1.25) comes late
    assert page_float(lr, 0.06) == 10 ** -1.25
    assert lr.value == 0.3 and seen[:3] == [False, False, True]
    from_page(lr, 10 ** -1.0)           # the reader moves it: a step not shown since
    assert seen[-1] is False and reader_value(lr) == 0.1
