"""The graph figures keep their edges clear of the boxes: no edge segment passes through the box
of a node other than its two ends, for every graph the chapters draw (and a few more shapes).

The check is geometric and independent of the layout's own search: points sampled densely along
each drawn segment must stay outside every other box.
"""
import numpy as np
import pytest

from backprop_lib.autodiff.reverse import Value
from backprop_lib.explorers.backward_stepper import running_example
from backprop_lib.viz.graph import (BOX_H, BOX_PAD, BOX_W, draw_graph, draw_modes, edge_derivatives,
                                    edge_segment, graph_edges, graph_layout, visible_nodes)


def labelled(**values):
    return [Value(v, label=k) for k, v in values.items()]


def neuron():                            # chapter 2, Fig. "one neuron": y = (w x + b)^2
    x, w, b = labelled(x=2.0, w=3.0, b=1.0)
    p = w * x
    s = p + b
    y = s ** 2
    for node, name in ((p, "p"), (s, "s"), (y, "y")):
        node.label = name
    return y


def max_gate():                          # chapter 2: m = max(x, y) z as relu(x - y) + y
    x, y, z = labelled(x=-2.0, y=5.0, z=-4.0)
    return ((x - y).relu() + y) * z


def gates_exercise():                    # chapter 2, ex-02-gates: max(x y, x + y)
    x, y = labelled(x=3.0, y=-1.0)
    return (x * y - (x + y)).relu() + (x + y)


def used_twice():                        # chapter 2: b = a + a, c = b b
    (a,) = labelled(a=3.0)
    b = a + a
    return b * b


GRAPHS = {"running example (ch. 1, 2)": running_example, "neuron (ch. 2)": neuron,
          "max gate": max_gate, "gates exercise": gates_exercise, "a + a": used_twice}


def through_boxes(root, pos, samples=2001):
    """(edge, node) pairs where the drawn edge enters the box of a node that is not its end."""
    hits = []
    t = np.linspace(0.0, 1.0, samples)
    for src, dst in graph_edges(root):
        (x0, y0), (x1, y1) = edge_segment(pos, src, dst)
        px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        for n in visible_nodes(root):
            if n is src or n is dst:
                continue
            cx, cy = pos[id(n)]
            inside = ((np.abs(px - cx) < BOX_W / 2 + BOX_PAD)       # the box as drawn
                      & (np.abs(py - cy) < BOX_H / 2 + BOX_PAD))
            if inside.any():
                hits.append((src.label or src.op, dst.label or dst.op, n.label or n.op))
    return hits


@pytest.mark.parametrize("make", GRAPHS.values(), ids=GRAPHS.keys())
def test_no_edge_runs_through_a_box(make):
    root = make()
    assert through_boxes(root, graph_layout(root)) == []


@pytest.mark.parametrize("make", GRAPHS.values(), ids=GRAPHS.keys())
def test_boxes_do_not_overlap_and_every_edge_points_right(make):
    root = make()
    pos = graph_layout(root)
    nodes = visible_nodes(root)
    for i, m in enumerate(nodes):
        for n in nodes[i + 1:]:
            (xm, ym), (xn, yn) = pos[id(m)], pos[id(n)]
            assert abs(xm - xn) >= BOX_W or abs(ym - yn) >= BOX_H
    assert all(pos[id(s)][0] < pos[id(t)][0] for s, t in graph_edges(root))


def test_the_check_finds_an_edge_through_a_box():
    """The old layout (all leaves in the first column) drew b -> s through the box of p."""
    root = neuron()
    nodes = {n.label: n for n in visible_nodes(root)}
    old = {id(nodes["w"]): (0.0, 1.0), id(nodes["x"]): (0.0, 0.0), id(nodes["b"]): (0.0, -1.0),
           id(nodes["p"]): (1.1, 0.0), id(nodes["s"]): (2.2, 0.0), id(nodes["y"]): (3.3, 0.0)}
    assert through_boxes(root, old) == [("b", "s", "p")]


def test_a_leaf_sits_just_left_of_its_consumer():
    root = neuron()
    pos = graph_layout(root)
    nodes = {n.label: n for n in visible_nodes(root)}
    assert pos[id(nodes["b"])][0] == pos[id(nodes["p"])][0]    # b beside p, not beside w
    assert pos[id(nodes["w"])][0] == pos[id(nodes["x"])][0] < pos[id(nodes["p"])][0]


def test_edge_derivatives_come_from_the_closures_and_leave_gradients_alone():
    e = running_example(2.0, 1.0)
    e.backward()
    before = {n.label: n.grad for n in visible_nodes(e)}
    local = {(s.label, t.label): v for (s, t), v in edge_derivatives(e).items()}
    assert local == {("a", "c"): 1.0, ("b", "c"): 1.0, ("b", "d"): 1.0,
                     ("c", "e"): 2.0, ("d", "e"): 3.0}     # multiply: the other input
    assert {n.label: n.grad for n in visible_nodes(e)} == before
    (a,) = labelled(a=3.0)
    twice = a + a
    assert list(edge_derivatives(twice).values()) == [2.0]   # one edge, used twice


def test_draw_modes_labels_each_edge_with_what_it_carries():
    e = running_example(2.0, 1.0)
    e.backward()
    tangents = {"a": 0.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 5.0}
    fig = draw_modes(e, tangents, "b")
    fwd, rev = fig.axes
    texts = lambda ax: {t.get_text() for t in ax.texts}
    assert {"1·0 = 0", "3·1 = 3", "∂e/∂b = 5"} <= texts(fwd)
    assert {"1·3 = 3", "2·1 = 2", "∂e/∂b = 5", "∂e/∂a = 2"} <= texts(rev)
    with pytest.raises(ValueError, match="no entry for d"):
        draw_modes(e, {k: v for k, v in tangents.items() if k != "d"}, "b")


def test_draw_graph_writes_edge_labels():
    e = running_example(2.0, 1.0)
    nodes = {n.label: n for n in visible_nodes(e)}
    d = draw_graph(e, show_grad=False, edge_labels={(nodes["c"], e): "2"})
    assert "2" in {t.get_text() for t in d.figure.axes[0].texts}
