"""Where the boxes of a ``Value`` graph figure go (:mod:`backprop_lib.viz.graph` draws them).

Columns by depth: every node sits one column left of its first consumer (the output in the last
column, leaves next to the node that uses them), so edges are short.  Each column is then
ordered, and if need be shifted, so that no edge runs through a box and as few edges as possible
cross (tests/viz/test_graph_layout.py checks it for the graphs the chapters draw).
"""
from __future__ import annotations

import itertools
import math

from backprop_lib.autodiff.reverse import Value

BOX_W, BOX_H = 0.62, 0.58
BOX_PAD = 0.02           # the rounded box is drawn this much larger on every side
COLUMN_STEP = 1.1        # x distance of neighbouring columns (data units)
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
