"""Backward-pass stepper: a slider over the steps of the reverse pass on a small graph.

Step 0 is the graph after the forward pass (values known, no gradient).  Step 1 seeds the output
with gradient 1.  Each further step runs one node's backward closure, in reverse topological
order, adding "local derivative x upstream gradient" into the node's inputs.  A node's gradient
is *known* once every node that uses it has run; before that it is a partial sum ("so far").

:func:`backward_trace` (any ``Value`` graph) and :func:`stepper_state` (the running example
e = (a + b)(b + 1)) are pure and tested; :class:`BackwardStepper` is the thin ipywidgets view.
"""
from __future__ import annotations

from dataclasses import dataclass

from backprop_lib._validation import finite_scalar
from backprop_lib.autodiff.reverse import Value
from backprop_lib.explorers import static_page
from backprop_lib.explorers.base import ExplorerView, FigureImage, clip, reader_value
from backprop_lib.viz.graph import draw_graph, node_title, visible_nodes

LIMIT = 1e6  # inputs are clipped to [-LIMIT, LIMIT] so every shown number stays finite


@dataclass(frozen=True)
class StepState:
    """What the stepper shows at one step; dicts are keyed by node index (topological order)."""

    step: int
    n_steps: int
    titles: tuple[str, ...]
    values: dict[int, float]
    grads: dict[int, float | None]
    known: frozenset[int]
    message: str
    active: int | None = None   # the node whose rule ran at this step (the seeded output at step 1)

    def table(self) -> str:
        """A fixed-format text table of the nodes at this step."""
        lines = [f"step {self.step} of {self.n_steps}: {self.message}",
                 f"{'node':<12}{'value':>10}{'grad':>10}  status"]
        for i, title in enumerate(self.titles):
            g = self.grads[i]
            status = "known" if i in self.known else ("partial" if g is not None else "-")
            gtext = "?" if g is None else f"{g:.4f}"
            lines.append(f"{title:<12}{self.values[i]:>10.4f}{gtext:>10}  {status}")
        return "\n".join(lines)


def running_example(a: float = 2.0, b: float = 1.0) -> Value:
    """The graph of e = (a + b)(b + 1) with labelled nodes a, b, c = a + b, d = b + 1, e = c d."""
    a_, b_ = Value(a, label="a"), Value(b, label="b")
    c = a_ + b_
    c.label = "c"
    d = b_ + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return e


def backward_trace(root: Value) -> list[StepState]:
    """Replay the reverse pass of ``root`` one closure at a time; one :class:`StepState` per step.

    The graph's gradients are left as after ``root.backward()`` on a fresh graph.
    """
    nodes = visible_nodes(root)
    index = {id(n): i for i, n in enumerate(nodes)}
    titles = tuple(node_title(n) for n in nodes)
    values = {i: n.data for i, n in enumerate(nodes)}
    consumers = {i: set() for i in range(len(nodes))}
    for n in nodes:
        for c in n.children:
            if id(c) in index:
                consumers[index[id(c)]].add(index[id(n)])
    interior = [n for n in reversed(nodes) if n.children]
    n_steps = 1 + len(interior)
    for n in root.topological_order():
        n.grad = 0.0
    touched: set[int] = set()
    ran: set[int] = set()

    def snapshot(step: int, message: str, active: int | None = None) -> StepState:
        known = frozenset(i for i in touched if consumers[i] <= ran)
        grads = {i: (nodes[i].grad if i in touched else None) for i in range(len(nodes))}
        return StepState(step, n_steps, titles, dict(values), grads, known, message, active)

    states = [snapshot(0, "forward pass done: every value is cached, no gradient is known yet")]
    root.grad = 1.0
    touched.add(index[id(root)])
    states.append(snapshot(1, f"seed: d{root.label or 'out'}/d{root.label or 'out'} = 1",
                           index[id(root)]))
    for step, n in enumerate(interior, start=2):
        upstream = n.grad
        n.propagate()
        ran.add(index[id(n)])
        kids = [c for c in dict.fromkeys(n.children) if id(c) in index]
        touched.update(index[id(c)] for c in kids)
        gate = {"+": "add gate copies", "*": "multiply gate swaps"}.get(n.op, f"{n.op} gate scales")
        states.append(snapshot(step, f"{titles[index[id(n)]]}: {gate} the upstream {upstream:.4g} into "
                                     + ", ".join(c.label or "·" for c in kids), index[id(n)]))
    return states


def stepper_state(a: float, b: float, step: int) -> StepState:
    """The stepper at inputs ``a``, ``b`` (clipped to +-LIMIT) and ``step`` (clipped to 0..n)."""
    a = clip(finite_scalar(a, "a"), -LIMIT, LIMIT)
    b = clip(finite_scalar(b, "b"), -LIMIT, LIMIT)
    if isinstance(step, bool) or not isinstance(step, int):
        raise TypeError(f"step must be an integer, got {step!r}")
    states = backward_trace(running_example(a, b))
    return states[int(clip(step, 0, len(states) - 1))]


class BackwardStepper(ExplorerView):
    """Sliders for a, b and the step; the graph figure is built once and updated in place."""

    def __init__(self, a: float = 2.0, b: float = 1.0, step: int = 0):
        import ipywidgets as widgets

        self.drawing = draw_graph(running_example(a, b), figsize=(7.0, 2.9))
        self.image = FigureImage(self.drawing.figure, alt="graph of e = (a+b)(b+1) during the backward pass")
        n = stepper_state(a, b, 0).n_steps
        self.a = widgets.FloatSlider(value=a, min=-3.0, max=3.0, step=0.5, description="a")
        self.b = widgets.FloatSlider(value=b, min=-3.0, max=3.0, step=0.5, description="b")
        self.step = widgets.IntSlider(value=step, min=0, max=n, description="step")
        self.status = widgets.HTML()
        self._observe((self.a, self.b, self.step), self.update)
        self.widget = widgets.VBox([widgets.HBox([self.a, self.b]), self.step, self.image.widget, self.status])
        self.update()
        static_page.register(self)

    def static_control(self) -> static_page.StaticControl:
        """The static page moves the step over all its values (a and b stay)."""
        return static_page.slider_control(
            self.step, range(self.step.min, self.step.max + 1), self.update, readouts=[self.status],
            live="Live, the sliders a and b change the inputs and every number is recomputed.")

    def update(self) -> StepState:
        """Recompute the state for the current controls and redraw the figure in place."""
        state = stepper_state(reader_value(self.a), reader_value(self.b), self.step.value)
        self.drawing.show(state.values, state.grads, set(state.known), state.active)
        self.image.refresh()
        self.status.value = f"step {state.step} of {state.n_steps}: {state.message}"
        return state
