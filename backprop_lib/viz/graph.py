"""Draw a ``Value`` graph with matplotlib: each node shows its value (blue) and gradient (orange).

Pure matplotlib (no graphviz or other system binary).  Nodes are placed in columns by depth
(leaves on the left, the output on the right); edges point from an operation's inputs to its
output, the direction of the forward pass.  Constants mixed into an expression (the ``1`` in
``b + 1``) are folded into their consumer's label instead of getting a box of their own.

The layout (:func:`graph_layout`) puts every node in the column just left of its first consumer
and orders each column so that no edge runs through a box (tests/viz/test_graph_layout.py
checks it for the graphs the chapters draw).  :func:`draw_graph` returns a
:class:`GraphDrawing` whose :meth:`~GraphDrawing.show` updates the texts and colours in place,
so an explorer can redraw the same figure at every slider move; :func:`draw_modes` draws forward
and reverse mode on one graph, one above the other, with the number each edge carries.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from backprop_lib.autodiff.reverse import Value
from backprop_lib.viz.style import FORWARD, GRADIENT, GRADIENT_TEXT, HIGHLIGHT, NEUTRAL

BOX_W, BOX_H = 0.62, 0.58
BOX_PAD = 0.02           # the rounded box is drawn this much larger on every side
COLUMN_STEP = 1.1        # x distance of neighbouring columns (data units)
KNOWN_FACE = "#FFF6E0"   # a pale tint of GRADIENT: this node's gradient is known
PLAIN_FACE = "white"
MAX_ORDERINGS = 5040     # column orders tried by graph_layout (7!); larger graphs keep theirs


def visible_nodes(root: Value) -> list[Value]:
    """The non-constant nodes of ``root``'s graph in topological order (inputs first)."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    return [n for n in root.topological_order() if n.op != "const"]


def graph_edges(root: Value) -> list[tuple[Value, Value]]:
    """The drawn edges ``(input, node)`` below ``root``, once per pair (``a + a`` has one)."""
    edges = []
    for n in visible_nodes(root):
        seen = set()
        for c in n.children:
            if c.op != "const" and id(c) not in seen:
                seen.add(id(c))
                edges.append((c, n))
    return edges


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


# ---------------------------------------------------------------------- layout
def _columns(nodes: list[Value]) -> dict[int, list[Value]]:
    """Each node's column: one left of its first consumer (the output in the last column)."""
    depth: dict[int, int] = {}
    for n in nodes:                      # longest path from a leaf
        kids = [depth[id(c)] for c in n.children if c.op != "const"]
        depth[id(n)] = 1 + max(kids) if kids else 0
    consumers: dict[int, list[Value]] = {id(n): [] for n in nodes}
    for n in nodes:
        for c in n.children:
            if c.op != "const":
                consumers[id(c)].append(n)
    for n in reversed(nodes):            # pull towards the consumers: no long edges
        if consumers[id(n)]:
            depth[id(n)] = min(depth[id(m)] for m in consumers[id(n)]) - 1
    columns: dict[int, list[Value]] = {}
    for n in nodes:
        columns.setdefault(depth[id(n)], []).append(n)
    return dict(sorted(columns.items()))


def _place(columns, shifts=None) -> dict[int, tuple[float, float]]:
    """Positions: column d at x = COLUMN_STEP d, its nodes one unit apart, centred on
    ``shifts[d]`` (0 by default)."""
    shifts = shifts or {}
    return {id(n): (COLUMN_STEP * d, (len(col) - 1) / 2 - i + shifts.get(d, 0.0))
            for d, col in columns.items() for i, n in enumerate(col)}


def edge_segment(pos, src: Value, dst: Value) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where the edge src -> dst is drawn: from the right side of src's box to the left of dst's."""
    (x0, y0), (x1, y1) = pos[id(src)], pos[id(dst)]
    return (x0 + BOX_W / 2, y0), (x1 - BOX_W / 2, y1)


def _hits_box(p, q, centre, margin: float = BOX_PAD + 0.03) -> bool:
    """Whether the segment p-q enters the box at ``centre`` (grown by ``margin``): Liang-Barsky."""
    (x0, y0), (x1, y1), (cx, cy) = p, q, centre
    lo, hi = 0.0, 1.0
    for d, s, low, high in ((x1 - x0, x0, cx - BOX_W / 2 - margin, cx + BOX_W / 2 + margin),
                            (y1 - y0, y0, cy - BOX_H / 2 - margin, cy + BOX_H / 2 + margin)):
        if d == 0:
            if not low < s < high:
                return False
            continue
        t0, t1 = sorted(((low - s) / d, (high - s) / d))
        lo, hi = max(lo, t0), min(hi, t1)
    return lo < hi


def _cross(s, t) -> bool:
    """Whether two segments cross at a point inside both (shared end points do not count)."""
    (p1, p2), (p3, p4) = s, t

    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    return d1 * d2 < 0 and d3 * d4 < 0


def _layout_cost(nodes, edges, pos):
    """(edges through a box, edge crossings, total vertical run): smaller is a clearer drawing."""
    segs = [(edge_segment(pos, s, t), s, t) for s, t in edges]
    hits = sum(_hits_box(p, q, pos[id(n)]) for (p, q), s, t in segs for n in nodes
               if n is not s and n is not t)
    crossings = sum(_cross(a[0], b[0]) for a, b in itertools.combinations(segs, 2))
    run = sum(abs(p[1] - q[1]) for (p, q), _, _ in segs)
    return hits, crossings, run


def graph_layout(root: Value) -> dict[int, tuple[float, float]]:
    """Positions ``{id(node): (x, y)}``: x by column (each node one column left of its first
    consumer), y spread per column, in the column order with the fewest edges through a box,
    then the fewest crossings (the topological order when it ties); a column still crossed by
    an edge that skips it is then shifted up or down by half a box spacing at a time."""
    nodes = visible_nodes(root)
    edges = graph_edges(root)
    columns = _columns(nodes)
    keys = list(columns)
    orders = [list(itertools.permutations(columns[k])) for k in keys]
    best, best_cost = columns, None
    if math.prod(len(o) for o in orders) <= MAX_ORDERINGS:
        for combo in itertools.product(*orders):
            order = dict(zip(keys, combo))
            cost = _layout_cost(nodes, edges, _place(order))
            if best_cost is None or cost < best_cost:
                best, best_cost = order, cost
    shifts = {k: 0.0 for k in keys}
    cost = _layout_cost(nodes, edges, _place(best, shifts))
    for _ in range(8):                   # coordinate descent while edges cross boxes
        if cost[0] == 0:
            break
        improved = False
        for k in keys:
            for step in (0.5, -0.5, 1.0, -1.0):
                trial = {**shifts, k: shifts[k] + step}
                trial_cost = _layout_cost(nodes, edges, _place(best, trial))
                if trial_cost < cost:
                    shifts, cost, improved = trial, trial_cost, True
        if not improved:
            break
    return _place(best, shifts)


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
    box = FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle=f"round,pad={BOX_PAD}",
                         facecolor=PLAIN_FACE, edgecolor=NEUTRAL, zorder=2)
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
