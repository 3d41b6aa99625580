"""The network drawing: layout, edge styling by gradient, texts after an update, clear errors."""
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from backprop_lib.viz.network_diagram import (ALPHA_RANGE, DECADES, LAYER_GAP, SPACING, WIDTH_RANGE,
                                          draw_network, edge_label, edge_style, node_positions)
from backprop_lib.viz.style import FORWARD, GRADIENT, NEUTRAL, TARGET_TEXT


def test_node_positions_layout():
    pos = node_positions([2, 3, 1])
    assert [p.shape for p in pos] == [(2, 2), (3, 2), (1, 2)]
    assert np.allclose(pos[1][:, 0], LAYER_GAP) and np.allclose(pos[2][:, 0], 2 * LAYER_GAP)
    # unit 1 at the top, centred on 0, SPACING apart
    assert np.allclose(pos[1][:, 1], [SPACING, 0.0, -SPACING])
    assert np.allclose(pos[0][:, 1], [SPACING / 2, -SPACING / 2]) and pos[2][0, 1] == 0.0


def test_edge_style_is_log_scaled_over_the_decades():
    big = edge_style(0.5, 0.5)
    assert big == (WIDTH_RANGE[1], ALPHA_RANGE[1], GRADIENT, "-")
    # DECADES decades below the largest: the thinnest orange edge; further below: clipped there
    thin = edge_style(0.5 * 10 ** -DECADES, 0.5)
    assert thin[0] == pytest.approx(WIDTH_RANGE[0]) and thin[1] == pytest.approx(ALPHA_RANGE[0])
    assert edge_style(1e-30, 0.5)[:2] == pytest.approx(thin[:2])
    # half-way in log scale: half-way in width
    mid = edge_style(-0.5 * 10 ** -(DECADES / 2), 0.5)
    assert mid[0] == pytest.approx(sum(WIDTH_RANGE) / 2) and mid[3] == "--"   # negative: dashed
    assert edge_style(0.0, 0.5) == (WIDTH_RANGE[0], ALPHA_RANGE[1], NEUTRAL, ":")
    assert edge_style(0.0, 0.0)[2] == NEUTRAL


def _pass_231():
    # the published forward/backward numbers of the course brief (rounded as published)
    values = [[0.05, 0.10], [0.593270, 0.596884, 0.600488], [0.803158]]
    deltas = [[0.012103, 0.013577, 0.015041], [0.125394]]
    g1 = np.outer(deltas[0], values[0])
    g2 = np.array([[0.074393, 0.074846, 0.075298]])
    return values, [g1, g2], deltas


def test_update_writes_values_deltas_and_edge_gradients():
    d = draw_network([2, 3, 1], key=True)
    values, grads, deltas = _pass_231()
    d.update(values, grads, deltas, target=0.01)
    assert [t.get_text() for t in d.value_texts[1]] == ["0.5933", "0.5969", "0.6005"]
    assert d.value_texts[2][0].get_text() == "0.8032"
    assert [t.get_text() for t in d.delta_texts[0]] == ["δ 0.0121", "δ 0.0136", "δ 0.0150"]
    assert d.delta_texts[1][0].get_text() == "δ 0.1254"
    # W^(1)_11 gradient = delta_1 x_1 = 0.012103 * 0.05 = 0.00060515, 3 significant figures
    assert d.edge_texts[0][0][0].get_text() == "6.05e-4"
    assert d.edge_texts[1][0][2].get_text() == "7.53e-2"
    # W^(1)_32 = 0.015041 * 0.10: the label that read "0.0015" beside "0.000752" before
    assert d.edge_texts[0][2][1].get_text() == "1.50e-3"
    assert d.target_text.get_text() == "y = 0.0100" and d.target_text.get_color() == TARGET_TEXT
    # the largest edge gradient (W^(2)_13) is the widest; every edge is orange and solid (all > 0)
    widths = [line.get_linewidth() for layer in d.edges for row in layer for line in row]
    assert max(widths) == pytest.approx(WIDTH_RANGE[1]) and widths[-1] == max(widths)
    assert d.edges[0][0][0].get_linewidth() < d.edges[1][0][0].get_linewidth()
    assert all(to_rgba(line.get_color()) == to_rgba(GRADIENT) for layer in d.edges for row in layer for line in row)
    assert to_rgba(d.value_texts[0][0].get_color()) == to_rgba(FORWARD)
    assert "log scale" in d.key_text.get_text()
    # 6 + 3 + 1 value texts, 3 + 1 deltas, 9 edges, 9 labels, 1 target
    assert len(d.dynamic_artists()) == 6 + 4 + 9 + 9 + 1


def test_update_without_deltas_or_target_and_zero_gradients():
    d = draw_network([2, 3, 1])
    values, grads, _ = _pass_231()
    grads[0][1, :] = 0.0
    d.update(values, grads)
    assert all(t.get_text() == "" for texts in d.delta_texts for t in texts)
    assert d.target_text.get_text() == "" and d.key_text is None
    assert d.edges[0][1][0].get_linestyle() == ":" and d.edge_texts[0][1][0].get_text() == "0"
    d.update(values, [np.zeros((3, 2)), np.zeros((1, 3))])
    assert all(line.get_linestyle() == ":" for layer in d.edges for row in layer for line in row)


def test_draws_into_a_given_axes_and_other_sizes():
    fig = Figure()
    ax = fig.add_subplot()
    d = draw_network([3, 2, 2], ax=ax, title="t")
    assert d.figure is fig and d.ax is ax and d.target_text is None   # two outputs: no single y
    assert len(d.edges) == 2 and len(d.edges[0]) == 2 and len(d.edges[0][0]) == 3


def test_scale_multiplies_every_font_size():
    small, big = draw_network([2, 3, 1], key=True), draw_network([2, 3, 1], key=True, scale=1.5)
    for a, b in zip(small.ax.texts, big.ax.texts):
        assert b.get_fontsize() == pytest.approx(1.5 * a.get_fontsize())


def test_bad_input_is_refused_with_a_useful_message():
    with pytest.raises(TypeError, match="list of at least two layer widths"):
        draw_network("231")
    with pytest.raises(TypeError, match="list of at least two layer widths"):
        draw_network([3])
    with pytest.raises(ValueError, match="sizes\\[1\\] must be a positive integer, got 0"):
        draw_network([2, 0, 1])
    with pytest.raises(ValueError, match="at most 8 units"):
        draw_network([2, 9, 1])
    with pytest.raises(ValueError, match="scale must be > 0"):
        draw_network([2, 3, 1], scale=0)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw_network([2, 3, 1], ax="axes")
    d = draw_network([2, 3, 1])
    values, grads, deltas = _pass_231()
    with pytest.raises(ValueError, match="values must be a list of 3 arrays"):
        d.update(values[:2], grads)
    with pytest.raises(ValueError, match="grads must be a list of 2 arrays"):
        d.update(values, np.zeros(3))
    with pytest.raises(ValueError, match=r"grads\[0\] \(dL/dW\^\(1\)\) must have shape \(3, 2\), got \(2, 3\)"):
        d.update(values, [grads[0].T, grads[1]])
    with pytest.raises(ValueError, match=r"values\[1\] must have shape \(3,\) or \(3, 1\)"):
        d.update([values[0], [1.0, 2.0], values[2]], grads)
    with pytest.raises(ValueError, match="NaN or infinite"):
        d.update([values[0], [np.nan, 0.0, 0.0], values[2]], grads)
    with pytest.raises(ValueError, match="NaN or infinite"):
        d.update(values, [np.full((3, 2), np.inf), grads[1]])
    with pytest.raises(ValueError, match="deltas must be a list of 2 arrays"):
        d.update(values, grads, deltas[:1])


def test_labels_are_written_in_the_text_shades_of_their_colours():
    from backprop_lib.viz.style import GRADIENT_TEXT, contrast_ratio
    d = draw_network([2, 3, 1])
    values, grads, deltas = _pass_231()
    d.update(values, grads, deltas, target=0.01)
    assert to_rgba(d.edge_texts[0][0][0].get_color()) == to_rgba(GRADIENT_TEXT)
    assert to_rgba(d.delta_texts[0][0].get_color()) == to_rgba(GRADIENT_TEXT)
    texts = [t for layer in d.edge_texts for row in layer for t in row]
    assert all(contrast_ratio(t.get_color(), "white") >= 4.5 for t in texts)


@pytest.mark.parametrize("value, text", [(0.00060515, "6.05e-4"), (0.0015041, "1.50e-3"),
                                         (0.000752, "7.52e-4"), (0.0744, "7.44e-2"),
                                         (-2.0, "-2.00e+0"), (12345.0, "1.23e+4"), (0.0, "0")])
def test_edge_labels_have_one_format_for_every_size(value, text):
    assert edge_label(value) == text


def _convex_overlap(p, q) -> bool:
    """Separating-axis test for two convex polygons given as (n, 2) vertex arrays."""
    for poly in (p, q):
        edges = np.roll(poly, -1, axis=0) - poly
        for nx, ny in np.column_stack([-edges[:, 1], edges[:, 0]]):
            if nx == 0 and ny == 0:
                continue
            pp, qq = p @ (nx, ny), q @ (nx, ny)
            if pp.max() < qq.min() or qq.max() < pp.min():
                return False
    return True


def test_every_edge_label_sits_on_its_own_edge_turned_along_it_and_apart_from_the_others():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    d = draw_network([2, 3, 1], figsize=(6.4, 4.2), key=True, scale=1.2)   # as in chapter 4
    values, grads, deltas = _pass_231()
    d.update(values, grads, deltas, target=0.01)
    FigureCanvasAgg(d.figure).draw()                 # lays out the label boxes
    boxes = []
    for layer_lines, layer_labels in zip(d.edges, d.edge_texts):
        for row_lines, row_labels in zip(layer_lines, layer_labels):
            for line, label in zip(row_lines, row_labels):
                (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
                lx, ly = label.get_position()
                # on the line as drawn (collinear with its two ends), and turned along it
                assert (lx - x0) * (y1 - y0) == pytest.approx((ly - y0) * (x1 - x0), abs=1e-9)
                assert min(x0, x1) < lx < max(x0, x1)
                assert label.get_rotation() % 180 == pytest.approx(
                    np.degrees(np.arctan2(y1 - y0, x1 - x0)) % 180, abs=1e-6)
                patch = label.get_bbox_patch()
                assert tuple(patch.get_facecolor()[:3]) == (1.0, 1.0, 1.0)
                boxes.append(patch.get_verts())          # display coordinates
    assert len(boxes) == 9
    for i, a in enumerate(boxes):                    # no two label boxes overlap as drawn
        for j in range(i + 1, len(boxes)):
            assert not _convex_overlap(a, boxes[j]), (i, j)
    # and the test can see an overlap: a box against itself, shifted a little
    assert _convex_overlap(boxes[0], boxes[0] + 3.0)
