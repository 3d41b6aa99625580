"""Draw a ``Value`` graph with matplotlib: each node shows its value (blue) and gradient (orange).

Pure matplotlib (no graphviz or other system binary).  Nodes are placed in columns by depth
(leaves on the left, the output on the right); edges point from an operation's inputs to its
output, the direction of the forward pass.  Constants mixed into an expression (the ``1`` in
``b + 1``) are folded into their consumer's label instead of getting a box of their own.

:func:`draw_graph` returns a :class:`GraphDrawing` whose :meth:`~GraphDrawing.show` updates the
texts and colours in place, so an explorer can redraw the same figure at every slider move.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from backprop_lib.autodiff.reverse import Value
from backprop_lib.viz.style import FORWARD, GRADIENT, GRADIENT_TEXT, HIGHLIGHT, NEUTRAL

BOX_W, BOX_H = 0.62, 0.58
KNOWN_FACE = "#FFF6E0"   # a pale tint of GRADIENT: this node's gradient is known
PLAIN_FACE = "white"


def visible_nodes(root: Value) -> list[Value]:
    """The non-constant nodes of ``root``'s graph in topological order (inputs first)."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    return [n for n in root.topological_order() if n.op != "const"]


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


def graph_layout(root: Value) -> dict[int, tuple[float, float]]:
    """Positions ``{id(node): (x, y)}``: x = depth (longest path from a leaf), y spread per column."""
    nodes = visible_nodes(root)
    depth: dict[int, int] = {}
    for n in nodes:
        kids = [depth[id(c)] for c in n.children if c.op != "const"]
        depth[id(n)] = 1 + max(kids) if kids else 0
    columns: dict[int, list[Value]] = {}
    for n in nodes:
        columns.setdefault(depth[id(n)], []).append(n)
    pos = {}
    for d, col in columns.items():
        for i, n in enumerate(col):
            pos[id(n)] = (1.1 * d, (len(col) - 1) / 2 - i)
    return pos


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
               figsize: tuple[float, float] | None = None) -> GraphDrawing:
    """Draw the graph below ``root`` on a new ``Figure``: value in blue, gradient in orange
    (``show_grad=False`` shows only the forward values).  Returns the :class:`GraphDrawing`."""
    nodes = visible_nodes(root)
    pos = graph_layout(root)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if figsize is None:
        figsize = (1.9 * (max(xs) - min(xs)) + 2.2, 1.05 * (max(ys) - min(ys)) + 1.4)
    fig = Figure(figsize=figsize)
    ax = fig.add_axes([0, 0, 1, 0.9 if title else 1])
    ax.set_axis_off()
    ax.set_xlim(min(xs) - 0.45, max(xs) + 0.45)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    drawing = GraphDrawing(fig, nodes)
    index = {id(n): i for i, n in enumerate(nodes)}
    for n in nodes:
        x1, y1 = pos[id(n)]
        for c in n.children:
            if c.op == "const":
                continue
            x0, y0 = pos[id(c)]
            ax.add_patch(FancyArrowPatch((x0 + BOX_W / 2, y0), (x1 - BOX_W / 2, y1), arrowstyle="-|>",
                                         mutation_scale=12, color=NEUTRAL, lw=1.0, zorder=1))
    for n in nodes:
        i, (x, y) = index[id(n)], pos[id(n)]
        box = FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.02",
                             facecolor=PLAIN_FACE, edgecolor=NEUTRAL, zorder=2)
        ax.add_patch(box)
        drawing.boxes[i] = box
        drawing.title_texts[i] = ax.text(x, y + 0.16, node_title(n), ha="center", va="center",
                                         fontsize=9, fontweight="bold", zorder=3)
        drawing.value_texts[i] = ax.text(x, y - 0.02, "", ha="center", va="center", fontsize=9,
                                         color=FORWARD, zorder=3)
        drawing.grad_texts[i] = ax.text(x, y - 0.18, "", ha="center", va="center", fontsize=9,
                                        color=GRADIENT_TEXT, fontweight="bold", zorder=3)
    if title:
        fig.suptitle(title, fontsize=11)
    values = {i: n.data for i, n in enumerate(nodes)}
    grads = {i: n.grad for i, n in enumerate(nodes)} if show_grad else {}
    drawing.show(values, grads, known=set() if not show_grad else set(range(len(nodes))))
    if not show_grad:
        for t in drawing.grad_texts.values():
            t.set_text("")
    return drawing
