"""The backward-pass stepper and the graph drawing: the numbers shown are the engine's, every
setting (normal or extreme) gives finite numbers, and bad input gives a clear error."""
import math

import pytest
from autograd import grad as ag_grad
from matplotlib.colors import to_rgba

from backprop_lib.autodiff.reverse import Value
from backprop_lib.explorers.backward_stepper import (LIMIT, BackwardStepper, backward_trace,
                                                     running_example, stepper_state)
from backprop_lib.viz.graph import draw_graph, node_title, visible_nodes
from backprop_lib.viz.style import HIGHLIGHT

TITLES = ("a", "b", "c = a + b", "d = b + 1", "e = c × d")


def test_trace_of_the_running_example_by_hand():
    states = backward_trace(running_example(2.0, 1.0))
    assert [s.step for s in states] == [0, 1, 2, 3, 4] and states[0].n_steps == 4
    assert states[0].titles == TITLES
    assert all(g is None for g in states[0].grads.values()) and not states[0].known
    assert states[1].grads[4] == 1.0 and states[1].known == {4}
    assert [s.active for s in states] == [None, 4, 4, 3, 2]     # e seeded, then e, d, c run
    final = states[-1]
    assert [final.values[i] for i in range(5)] == [2.0, 1.0, 3.0, 2.0, 6.0]
    assert [final.grads[i] for i in range(5)] == [2.0, 5.0, 2.0, 3.0, 1.0]
    assert final.known == set(range(5))
    # b is reached by one branch before the other: a partial sum first, never marked known early
    partial = [s for s in states if s.grads[1] is not None and 1 not in s.known]
    assert partial and partial[0].grads[1] in (2.0, 3.0)


def test_known_sets_only_grow_and_known_gradients_never_change():
    states = backward_trace(running_example(-1.5, 2.5))
    for before, after in zip(states, states[1:]):
        assert before.known <= after.known
        for i in before.known:
            assert after.grads[i] == before.grads[i]


@pytest.mark.parametrize("a,b", [(2.0, 1.0), (-3.0, 0.5), (0.0, 0.0), (1e300, -1e300), (-7.25, 1e-12)])
def test_final_step_matches_autograd(a, b):
    state = stepper_state(a, b, 10**6)
    ca, cb = min(max(a, -LIMIT), LIMIT), min(max(b, -LIMIT), LIMIT)
    e = lambda a, b: (a + b) * (b + 1)  # noqa: E731
    assert state.grads[0] == pytest.approx(ag_grad(e, 0)(ca, cb))
    assert state.grads[1] == pytest.approx(ag_grad(e, 1)(ca, cb))
    assert state.values[4] == pytest.approx(e(ca, cb))
    shown = list(state.values.values()) + [g for g in state.grads.values() if g is not None]
    assert all(math.isfinite(v) for v in shown)


def test_step_is_clipped_and_table_is_fixed_format():
    assert stepper_state(2.0, 1.0, -5).step == 0
    table = stepper_state(2.0, 1.0, 3).table()
    assert "step 3 of 4" in table and "partial" in table and "5.0000" not in table


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="step must be an integer"):
        stepper_state(1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="finite"):
        stepper_state(float("nan"), 1.0, 0)
    with pytest.raises(TypeError, match="real number"):
        stepper_state("2", 1.0, 0)
    with pytest.raises(TypeError, match="root must be a Value"):
        visible_nodes(3.0)


def test_widget_shows_what_stepper_state_computes():
    w = BackwardStepper(a=2.0, b=1.0, step=0)
    for a, b, k in [(2.0, 1.0, 3), (-3.0, 3.0, 4), (0.5, -0.5, 1)]:
        w.a.value, w.b.value, w.step.value = a, b, k   # observers call update
        ref = stepper_state(a, b, k)
        texts = [t.get_text() for t in w.drawing.grad_texts.values()]
        for i, g in ref.grads.items():
            assert texts[i] == ("grad ?" if g is None else f"grad {g:.4g}" + ("" if i in ref.known else " so far"))
        assert [t.get_text() for t in w.drawing.value_texts.values()] == [f"value {ref.values[i]:.4g}" for i in range(5)]
        assert f"step {k} of 4" in w.status.value
        edges = [w.drawing.boxes[i].get_edgecolor() for i in range(5)]
        assert sum(e == to_rgba(HIGHLIGHT) for e in edges) == (0 if ref.active is None else 1)
    assert w.image.widget.value[:4] == b"\x89PNG"


def test_draw_graph_shows_values_and_gradients_and_hides_constants():
    x, w, b = Value(2.0, label="x"), Value(3.0, label="w"), Value(1.0, label="b")
    p = w * x
    p.label = "p"
    y = (p + b) ** 2
    y.label = "y"
    y.backward()
    d = draw_graph(y)
    assert len(d.nodes) == 6                     # w, x, p, b, p + b, y (no constant box for the 2)
    texts = {node_title(n): (d.value_texts[i].get_text(), d.grad_texts[i].get_text()) for i, n in enumerate(d.nodes)}
    assert texts["w"] == ("value 3", "grad 28") and texts["x"] == ("value 2", "grad 42")
    assert texts["b"] == ("value 1", "grad 14") and texts["y = ·^2"] == ("value 49", "grad 1")
    assert all(t.get_text() == "" for t in draw_graph(y, show_grad=False).grad_texts.values())
