"""The explorers' static-page form (backprop_lib.explorers.static_page): frames made by the live
code path, a kernel-free slider linked to them, every other control disabled."""
import gc

import ipywidgets as widgets

import pytest

from backprop_lib.explorers import static_page
from backprop_lib.explorers.backward_stepper import BackwardStepper, stepper_state
from backprop_lib.explorers.chain_rule import ChainRuleExplorer, chain_state
from backprop_lib.explorers.equation_explorer import EquationExplorer
from backprop_lib.explorers.equation_state import SIZES, equation_state
from backprop_lib.explorers.gradient_flow_explorer import GradientFlowExplorer, flow_state
from backprop_lib.explorers.network_explorer import FINE_LIMIT, STATIC_STEPS, NetworkExplorer
from backprop_lib.explorers.network_state import PARAM_LIMIT
from backprop_lib.explorers.training_explorer import TrainingExplorer, TrainingSession


def walk(w):
    yield w
    for c in getattr(w, "children", ()):
        yield from walk(c)


def frame_png(view, i):
    return view.frames[i].children[0].value


def frame_text(view, i, k=1):
    return view.frames[i].children[k].value


def check_frozen(explorer, view, n_frames):
    """The structure every frozen explorer shares."""
    assert len(view.frames) == n_frames == len(view.slider.options)
    assert view.stack.children == tuple(view.frames)
    assert view.stack.selected_index == view.slider.index
    assert view.link.source == (view.slider, "index") and view.link.target == (view.stack, "selected_index")
    tree = list(walk(explorer.widget))
    assert view.slider in tree and view.stack in tree and tree[1] is view.note
    assert static_page.STATIC_CLASS in view.slider._dom_classes
    assert all(box.layout.overflow == "visible" for box in (view.stack, *view.frames))  # no scroll box
    disabled = [w for w in tree if getattr(w, "disabled", False)]
    assert ("need a running Python kernel" in view.note.value) == bool(disabled)
    assert "rocket" in view.note.value
    enabled = [w for w in tree if hasattr(w, "disabled") and not w.disabled
               and not isinstance(w, (widgets.Image, widgets.HTML))]
    assert enabled == [view.slider], enabled
    assert explorer.image.widget not in tree          # the live image is replaced by the frames
    assert explorer.image.widget.value == b""         # and emptied: its bytes are not stored twice
    live = explorer.image.widget
    for f in view.frames:                             # shown at the live image's size
        assert (f.children[0].width, f.children[0].height, f.children[0].layout.max_width) == (
            live.width, live.height, live.layout.max_width)
    pngs = [frame_png(view, i) for i in range(n_frames)]
    assert all(p[:4] == b"\x89PNG" for p in pngs)
    assert len(set(pngs)) == n_frames                 # every setting draws a different picture


def test_a_fresh_explorer_is_live_and_has_no_frames():
    ex = BackwardStepper(a=2.0, b=1.0, step=3)
    tree = list(walk(ex.widget))
    assert ex.frozen is None and not any(isinstance(w, widgets.Stack) for w in tree)
    assert all(not w.disabled for w in tree if hasattr(w, "disabled") and not isinstance(w, widgets.HTML))
    assert ex.image.widget in tree


def fresh_png(explorer) -> bytes:
    """What the explorer shows now, its palette picked from this picture alone (as a frame's)."""
    explorer.image.refresh(fresh_palette=True)
    return explorer.image.widget.value


def test_chain_rule_frames_are_the_live_render_at_each_x():
    ex = ChainRuleExplorer(key="nested", x=1.1)          # off the 0.25 grid: added to it
    view = static_page.freeze(ex)
    values = [float(label) for label in view.slider._options_labels]
    assert values == sorted(values) and values[0] == -3.0 and values[-1] == 3.0 and 1.1 in values
    check_frozen(ex, view, 26)
    assert view.slider.label == "1.10" and view.slider.description == "x"
    for i in (0, values.index(1.1), 25):
        fresh = ChainRuleExplorer(key="nested", x=values[i])
        assert frame_png(view, i) == fresh_png(fresh)
        assert chain_state("nested", values[i]).table() in frame_text(view, i)


def test_stepper_frames_cover_every_step():
    ex = BackwardStepper(a=2.0, b=1.0, step=3)
    view = static_page.freeze(ex)
    check_frozen(ex, view, 5)
    assert view.slider.index == 3 and ex.a.disabled and ex.b.disabled
    for k in range(5):
        assert frame_png(view, k) == fresh_png(BackwardStepper(a=2.0, b=1.0, step=k))
        assert frame_text(view, k).startswith(f"step {k} of 4: {stepper_state(2.0, 1.0, k).message}")


def test_equation_frames_show_every_unit_one_based():
    ex = EquationExplorer(layer=1, unit=3, activation="sigmoid", scale=10 ** 0.5)
    view = static_page.freeze(ex)
    check_frozen(ex, view, SIZES[1])
    assert list(view.slider._options_labels) == ["1", "2", "3", "4"] and view.slider.label == "4"
    for j in range(SIZES[1]):
        fresh = EquationExplorer(layer=1, unit=j, activation="sigmoid", scale=10 ** 0.5)
        assert frame_png(view, j) == fresh_png(fresh)
        assert f"delta^(1)_{j + 1} = " in frame_text(view, j)
        assert equation_state(1, j, "sigmoid", 10 ** 0.5).formula().split("\n")[0][:12] in frame_text(view, j)


def test_network_frames_replay_the_gradient_steps():
    ex = NetworkExplorer()
    for _ in range(5):
        ex.step_button.click()
    after_five = ex.snapshot.loss
    view = static_page.freeze(ex)
    check_frozen(ex, view, STATIC_STEPS + 1)
    assert view.slider.index == 5 and ex.state.steps == 5 and ex.snapshot.loss == after_five
    assert len(view.frames[0].children) == 3          # picture, status line, sliders + table
    for k in (0, 5, STATIC_STEPS):
        fresh = NetworkExplorer()
        for _ in range(k):
            fresh.step_button.click()
        assert frame_png(view, k) == fresh_png(fresh)
        numbers = view.frames[k].children[2]
        assert frame_text(view, k, 1) == fresh.status.value and numbers.children[1].value == fresh.table.value
        assert f"(gradient steps taken: {k})" in frame_text(view, k, 1)
        # the frame's sliders are disabled copies at this step's values (a gradient step moves
        # all 13 parameters), with the live sliders' ranges, labels and looks
        live = [w for w in walk(fresh.numbers) if isinstance(w, (widgets.FloatSlider, widgets.ToggleButtons))]
        copies = [w for w in walk(numbers) if isinstance(w, (widgets.FloatSlider, widgets.ToggleButtons))]
        assert len(copies) == len(live) == 13 + 1 + 3     # parameters, weight range, x1, x2, y
        for a, b in zip(live, copies):
            assert type(a) is type(b) and b.disabled and b is not a
            assert (b.value, b.description) == (a.value, a.description)
            if isinstance(a, widgets.FloatSlider):
                assert (b.min, b.max, b.step, b.readout_format) == (a.min, a.max, a.step, a.readout_format)
    first, last = (view.frames[i].children[2] for i in (0, STATIC_STEPS))
    w11 = [next(w for w in walk(f) if isinstance(w, widgets.FloatSlider)) for f in (first, last)]
    assert w11[0].value != w11[1].value               # the steps move W(1)_11 (the page shows it)
    assert w11[0].layout is ex.param_sliders[("W1", (0, 0))].layout


def test_flow_frames_cover_every_depth():
    ex = GradientFlowExplorer(depth=20, activation="sigmoid", init="xavier", weight_scale=1.0, show_delta=True)
    view = static_page.freeze(ex)
    check_frozen(ex, view, 29)
    assert view.slider._options_labels[0] == "2" and view.slider._options_labels[-1] == "30" and view.slider.label == "20"
    for d in (2, 20, 30):
        state = flow_state(d, "sigmoid", "xavier", 1.0)
        assert frame_text(view, d - 2) == f"first/last ratio {state.profile.ratio_text()}"
    fresh = GradientFlowExplorer(depth=20, activation="sigmoid", init="xavier", weight_scale=1.0, show_delta=True)
    assert frame_png(view, 18) == fresh_png(fresh)


def test_training_frames_are_epochs_of_one_run():
    ex = TrainingExplorer(dataset="xor", lr=1.0, momentum=0.9, hidden=4, activation="tanh", run_epochs=40)
    ex.advance(30)
    view = static_page.freeze(ex)
    assert list(view.slider._options_labels) == ["0", "20", "30", "40"] and view.slider.label == "30"
    check_frozen(ex, view, 4)
    assert ex.session.epoch == 30
    for i, e in enumerate((0, 20, 30, 40)):
        fresh = TrainingExplorer(dataset="xor", lr=1.0, momentum=0.9, hidden=4, activation="tanh", run_epochs=40)
        if e:
            fresh.advance(e)
        assert frame_png(view, i) == fresh_png(fresh)
        snap = TrainingSession("xor", lr=1.0, momentum=0.9, hidden=4, activation="tanh").step(e) if e else None
        assert frame_text(view, i).startswith(f"epoch {e}: ")
        if snap is not None:
            assert frame_text(view, i).startswith(snap.summary().split("\n")[0])


def test_freeze_all_freezes_each_explorer_once():
    gc.collect()                      # explorers of earlier tests (some left half-built) go first
    for old in list(static_page._EXPLORERS):
        old.frozen = "frozen by an earlier test"   # freeze_all leaves them alone
    ex = BackwardStepper()
    views = static_page.freeze_all()
    assert ex.frozen is not None and any(v is ex.frozen for v in views)
    assert all(v is not ex.frozen for v in static_page.freeze_all())


@pytest.mark.parametrize("kwargs,match", [(dict(labels=["a"]), "at least two"),
                                          (dict(labels=["a", "a"]), "must differ"),
                                          (dict(current=2), "current must be")])
def test_a_bad_static_control_is_refused(kwargs, match):
    args = dict(description="x", labels=["a", "b"], apply=lambda i: None, current=0) | kwargs
    with pytest.raises(ValueError, match=match):
        static_page.StaticControl(**args)


def test_network_sliders_start_on_a_fine_range_and_widen():
    """Issue 18: [-1, 1] on a 300 px slider (a ~150 px track) (0.15 ... 0.40 no longer share a pixel); the
    "weight range" switch opens [-5, 5], and opens itself when a step leaves [-1, 1]."""
    ex = NetworkExplorer()
    w11 = ex.param_sliders[("W1", (0, 0))]
    assert (w11.min, w11.max, ex.weight_range.value) == (-FINE_LIMIT, FINE_LIMIT, FINE_LIMIT)
    assert w11.layout.width == "300px"
    ex.weight_range.value = PARAM_LIMIT
    assert (w11.min, w11.max) == (-PARAM_LIMIT, PARAM_LIMIT)
    w11.value = 4.0
    assert ex.state.params["W1"][0, 0] == 4.0
    ex.weight_range.value = FINE_LIMIT                 # narrowing clips the parameter, and recomputes
    assert w11.value == 1.0 and ex.state.params["W1"][0, 0] == 1.0
    ex.eta.value = 5.0
    ex.param_sliders[("b2", (0, 0))].value = -1.0
    ex.y_slider.value = 3.0
    for _ in range(3):
        ex.step_button.click()
    assert not ex._within(FINE_LIMIT) and ex.weight_range.value == PARAM_LIMIT
    for (key, idx), s in ex.param_sliders.items():
        assert s.value == pytest.approx(float(ex.state.params[key][idx]))


def images_alive() -> list[str]:
    """The model ids of the open Image widgets (those an execution would store)."""
    from ipywidgets.widgets.widget import _instances
    return [key for key, w in _instances.items() if isinstance(w, widgets.Image)]


def test_frames_over_the_page_budget_are_thinned():
    assert static_page.thin([10] * 9, 4, budget=90) == list(range(9))
    assert static_page.thin([10] * 9, 3, budget=50) == [0, 3, 6, 8]     # every 3rd fits, every 2nd not
    assert static_page.thin([10] * 9, 3, budget=10) == [0, 3, 8]   # never fewer than these
    ex = BackwardStepper(a=2.0, b=1.0, step=3)
    size = len(ex.image.widget.value)
    before = set(images_alive())
    view = static_page.freeze(ex, budget=3 * size)    # 5 frames do not fit
    labels = list(view.slider._options_labels)
    # the execution stores every widget ever made: no Image for a frame left out
    assert len(set(images_alive()) - before) == len(labels)
    assert len(labels) < 5 and {"0", "3", "4"} <= set(labels) and view.slider.label == "3"
    assert len(view.frames) == len(labels) == len(view.stack.children)
    assert frame_png(view, labels.index("3")) == fresh_png(BackwardStepper(a=2.0, b=1.0, step=3))
