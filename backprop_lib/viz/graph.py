"""Draw a ``Value`` graph with matplotlib: each node shows its value (blue) and gradient (orange).

Pure matplotlib (no graphviz or other system binary).  Nodes are placed in columns by depth
(leaves on the left, the output on the right); edges point from an operation's inputs to its
output, the direction of the forward pass.  Constants mixed into an expression (the ``1`` in
``b + 1``) are folded into their consumer's label instead of getting a box of their own.

The layout (:func:`~backprop_lib.viz.graph_layout.graph_layout`) puts every node in the column
just left of its first consumer and orders each column so that no edge runs through a box.
:func:`draw_graph` returns a :class:`GraphDrawing` whose :meth:`~GraphDrawing.show` updates the
texts and colours in place, so an explorer can redraw the same figure at every slider move;
:func:`draw_modes` draws forward and reverse mode on one graph, one above the other, with the
number each edge carries.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from backprop_lib.autodiff.reverse import Value
from backprop_lib.viz.graph_layout import (BOX_H, BOX_PAD, BOX_W, edge_segment, graph_edges,
                                           graph_layout, visible_nodes)
from backprop_lib.viz.style import FORWARD, GRADIENT, GRADIENT_TEXT, HIGHLIGHT, NEUTRAL

__all__ = ["BOX_H", "BOX_PAD", "BOX_W", "GraphDrawing", "draw_graph", "draw_modes",
           "edge_derivatives", "edge_segment", "graph_edges", "graph_layout", "node_title",
           "visible_nodes"]

KNOWN_FACE = "#FFF6E0"   # a pale tint of GRADIENT: this node's gradient is known
PLAIN_FACE = "white"


def edge_derivatives(root: Value) -> dict[tuple[Value, Value], float]:
    """``{(input, node): d node / d input}`` for every drawn edge, read from the engine's own
    closures: each node's rule runs once with upstream gradient 1 (``a + a`` gives 2).  The
    graph's gradients are left as they were."""
    local = {}
    for n in visible_nodes(root):
        if not n.children:
            continue
        saved = [(m, m.grad) for m in (n, *n.children)]
        for c in n.children:
            c.grad = 0.0
        n.grad = 1.0
        n.propagate()
        for c in n.children:
            if c.op != "const":
                local[(c, n)] = c.grad
        for m, g in saved:
            m.grad = g
    return local


def node_title(node: Value) -> str:
    """A short name for a node: its label, and for an operation the operation with constants,
    e.g. ``"d = b + 1"`` or ``"e = ·×·"``."""
    name = node.label or "·"
    if not node.children:
        return name
    args = [c.label or "·" if c.op != "const" else f"{c.data:g}" for c in node.children]
    op = node.op
    if op in ("+", "*") and len(args) == 2:
        expr = f"{args[0]} {'+' if op == '+' else '×'} {args[1]}"
    elif op.startswith("**"):
        expr = f"{args[0]}^{op[2:]}"
    else:
        expr = f"{op}({args[0]})"
    return f"{name} = {expr}"


# ---------------------------------------------------------------------- drawing
def _graph_axes(fig: Figure, rect, pos, title: str | None = None):
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.45, max(xs) + 0.45)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def _default_size(pos) -> tuple[float, float]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    return 1.9 * (max(xs) - min(xs)) + 2.2, 1.05 * (max(ys) - min(ys)) + 1.4


def _draw_edges(ax, pos, edges, labels=None, backward: bool = False, colour: str = NEUTRAL):
    """Arrows along ``edges`` (pointing back to the inputs if ``backward``), each with its label
    from ``labels`` (keyed ``(input, node)``) at the middle of the drawn segment."""
    labels = labels or {}
    for src, dst in edges:
        p, q = edge_segment(pos, src, dst)
        ax.add_patch(FancyArrowPatch(q if backward else p, p if backward else q,
                                     arrowstyle="-|>", mutation_scale=12, color=colour,
                                     lw=1.0, zorder=1))
        if (src, dst) in labels:
            ax.text((p[0] + q[0]) / 2, (p[1] + q[1]) / 2, labels[(src, dst)],
                    color=GRADIENT_TEXT, ha="center", va="center", fontsize=9,
                    fontweight="bold", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec=GRADIENT, lw=0.8))


def _draw_box(ax, x: float, y: float, title: str):
    """A node's box with its title and two (empty) text lines: value and gradient."""
    box = FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H,
                         boxstyle=f"round,pad={BOX_PAD}", facecolor=PLAIN_FACE, edgecolor=NEUTRAL,
                         zorder=2)
    ax.add_patch(box)
    head = ax.text(x, y + 0.16, title, ha="center", va="center", fontsize=9, fontweight="bold",
                   zorder=3)
    value = ax.text(x, y - 0.02, "", ha="center", va="center", fontsize=9, color=FORWARD,
                    zorder=3)
    grad = ax.text(x, y - 0.18, "", ha="center", va="center", fontsize=9, color=GRADIENT_TEXT,
                   fontweight="bold", zorder=3)
    return box, head, value, grad


@dataclass
class GraphDrawing:
    """A drawn graph: the figure, its nodes (topological order) and each node's artists."""

    figure: Figure
    nodes: list[Value]
    boxes: dict = field(default_factory=dict)
    value_texts: dict = field(default_factory=dict)
    grad_texts: dict = field(default_factory=dict)
    title_texts: dict = field(default_factory=dict)

    def show(self, values: dict[int, float], grads: dict[int, float | None],
             known: set[int] | None = None, active: int | None = None) -> None:
        """Write ``values``/``grads`` (keyed by node index in ``nodes``) into the boxes; a grad
        of ``None`` shows as "?"; boxes whose index is in ``known`` get the gradient tint and
        the other non-``None`` grads are marked "so far" (partial sums).  The box ``active``
        (the node whose backward rule just ran) gets a HIGHLIGHT border."""
        known = set(grads) if known is None else known
        for i in range(len(self.nodes)):
            self.value_texts[i].set_text(f"value {values[i]:.4g}")
            g = grads.get(i)
            text = "grad ?" if g is None else f"grad {g:.4g}" + ("" if i in known else " so far")
            self.grad_texts[i].set_text(text)
            self.grad_texts[i].set_color(NEUTRAL if g is None else GRADIENT_TEXT)
            self.boxes[i].set_facecolor(KNOWN_FACE if i in known else PLAIN_FACE)
            edge = HIGHLIGHT if i == active else (GRADIENT if i in known else NEUTRAL)
            self.boxes[i].set_edgecolor(edge)
            self.boxes[i].set_linewidth(3.0 if i == active else (2.5 if i in known else 1.0))


def draw_graph(root: Value, show_grad: bool = True, title: str | None = None,
               figsize: tuple[float, float] | None = None,
               edge_labels: dict[tuple[Value, Value], str] | None = None) -> GraphDrawing:
    """Draw the graph below ``root`` on a new ``Figure``: value in blue, gradient in orange
    (``show_grad=False`` shows only the forward values); ``edge_labels`` (keyed
    ``(input, node)``) are written on the edges in orange.  Returns the :class:`GraphDrawing`."""
    nodes = visible_nodes(root)
    pos = graph_layout(root)
    fig = Figure(figsize=figsize or _default_size(pos))
    ax = _graph_axes(fig, [0, 0, 1, 0.9 if title else 1], pos)
    drawing = GraphDrawing(fig, nodes)
    _draw_edges(ax, pos, graph_edges(root), edge_labels)
    for i, n in enumerate(nodes):
        box, head, value, grad = _draw_box(ax, *pos[id(n)], node_title(n))
        drawing.boxes[i], drawing.title_texts[i] = box, head
        drawing.value_texts[i], drawing.grad_texts[i] = value, grad
    if title:
        fig.suptitle(title, fontsize=11)
    values = {i: n.data for i, n in enumerate(nodes)}
    grads = {i: n.grad for i, n in enumerate(nodes)} if show_grad else {}
    drawing.show(values, grads, known=set() if not show_grad else set(range(len(nodes))))
    if not show_grad:
        for t in drawing.grad_texts.values():
            t.set_text("")
    return drawing


def draw_modes(root: Value, tangents: dict[str, float], seed: str,
               figsize: tuple[float, float] | None = None) -> Figure:
    """Forward mode (top) and reverse mode (bottom) on the graph below ``root``, which must have
    run ``backward()`` and have labelled nodes.  ``tangents`` maps each label to d node / d seed
    from one forward-mode pass seeded at the input labelled ``seed`` (e.g. from ``Dual``).

    Top: each node shows its value (blue) and its tangent; each edge carries local derivative x
    the tangent of its input, forwards.  Bottom: each node shows d root / d node; each edge
    carries local derivative x the gradient of its output, backwards.  The local derivatives
    come from the engine's closures (:func:`edge_derivatives`)."""
    nodes = visible_nodes(root)
    if any(not n.label for n in nodes):
        raise ValueError("draw_modes needs a label on every node (e.g. c.label = 'c')")
    missing = [n.label for n in nodes if n.label not in tangents]
    if missing or seed not in tangents:
        raise ValueError(f"tangents has no entry for {', '.join(missing or [seed])}")
    pos, edges, local = graph_layout(root), graph_edges(root), edge_derivatives(root)
    out = root.label
    w, h = _default_size(pos)
    fig = Figure(figsize=figsize or (w, 2 * h + 0.6))
    fwd = _graph_axes(fig, [0, 0.52, 1, 0.40], pos,
                      f"forward mode, seeded at {seed}: one pass gives ∂(every node)/∂{seed}")
    rev = _graph_axes(fig, [0, 0.02, 1, 0.40], pos,
                      f"reverse mode, seeded at {out}: one pass gives ∂{out}/∂(every node)")
    fwd_labels = {(s, t): f"{_num(local[(s, t)])}·{_num(tangents[s.label])} = "
                          f"{_num(local[(s, t)] * tangents[s.label])}" for s, t in edges}
    rev_labels = {(s, t): f"{_num(local[(s, t)])}·{_num(t.grad)} = "
                          f"{_num(local[(s, t)] * t.grad)}" for s, t in edges}
    _draw_edges(fwd, pos, edges, fwd_labels)
    _draw_edges(rev, pos, edges, rev_labels, backward=True, colour=GRADIENT)
    for n in nodes:
        for ax, text in ((fwd, f"∂{n.label}/∂{seed} = {_num(tangents[n.label])}"),
                         (rev, f"∂{out}/∂{n.label} = {_num(n.grad)}")):
            _, _, value, grad = _draw_box(ax, *pos[id(n)], node_title(n))
            value.set_text(f"value {_num(n.data)}")
            grad.set_text(text)
    return fig


def _num(x: float) -> str:
    return f"{x:.4g}"
