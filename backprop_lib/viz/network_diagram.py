"""Draw a small fully connected network whose nodes show values and whose edges show gradients.

One circle per unit, in columns by layer (input on the left).  Inside each circle: the unit's
activation a^(l)_j in the forward colour (blue).  Under each non-input unit: its error signal
delta^(l)_j = dL/dz^(l)_j, which is also dL/db^(l)_j (BP4), in the gradient colour (orange).
Each edge W^(l)_{jk} (from unit k of layer l-1 to unit j of layer l) is drawn in orange with a
width and opacity that grow with log10 |dL/dW^(l)_{jk}| (BP3) over the four decades below the
largest edge gradient, solid when the gradient is positive and dashed when it is negative; an
edge whose gradient is exactly zero is a thin grey dotted line.  A label on each edge gives the
gradient to three significant figures in one style for every size (:func:`edge_label`: 6.05e-4,
7.44e-2), in a white box turned along its edge, so that it reads as part of the line it sits on;
the labels of edges into a hidden layer sit LABEL_AT of the way towards the head, where they are
well apart and away from the crossings in the middle.  With ``key=True`` text under the drawing
explains this encoding.

:func:`draw_network` builds the figure once and returns a :class:`NetworkDiagram`; its
:meth:`~NetworkDiagram.update` rewrites the texts and restyles the edges in place, so an explorer
can redraw the same figure at every slider move without rebuilding it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from backprop_lib._validation import finite_scalar, positive_int
from backprop_lib.viz.style import (FORWARD, GRADIENT, GRADIENT_TEXT, NEUTRAL, TARGET_TEXT,
                                    text_colour)

RADIUS = 0.27
LAYER_GAP = 2.2
DECADES = 4.0                 # edge widths span this many decades below the largest gradient
WIDTH_RANGE = (0.6, 6.0)
ALPHA_RANGE = (0.3, 1.0)
LABEL_AT = 0.7                # edge labels sit this far along the edge (mid-way into the output)
EDGE_LABEL_FMT = "3 significant figures, scientific (e.g. 6.05e-4)"
SPACING = 1.3                 # vertical distance between the units of a layer


def node_positions(sizes: Sequence[int]) -> list[np.ndarray]:
    """Centres of the units: one (n_l, 2) array per layer, layer l at x = l * LAYER_GAP and the
    units of a layer spaced SPACING apart, centred on y = 0, unit 1 at the top."""
    return [np.column_stack([np.full(n, l * LAYER_GAP), SPACING * ((n - 1) / 2 - np.arange(n, dtype=float))])
            for l, n in enumerate(sizes)]


def edge_style(grad: float, largest: float) -> tuple[float, float, str, str]:
    """(linewidth, alpha, colour, linestyle) for an edge with gradient ``grad`` when the largest
    |gradient| among the edges is ``largest``: log-scaled over DECADES decades."""
    if grad == 0.0 or largest == 0.0:
        return WIDTH_RANGE[0], ALPHA_RANGE[1], NEUTRAL, ":"
    level = (np.log10(abs(grad)) - np.log10(largest) + DECADES) / DECADES
    level = float(min(max(level, 0.0), 1.0))
    width = WIDTH_RANGE[0] + level * (WIDTH_RANGE[1] - WIDTH_RANGE[0])
    alpha = ALPHA_RANGE[0] + level * (ALPHA_RANGE[1] - ALPHA_RANGE[0])
    return width, alpha, GRADIENT, "-" if grad > 0 else "--"


def _column(values, n: int, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape not in ((n,), (n, 1)):
        raise ValueError(f"{name} must have shape ({n},) or ({n}, 1), got {arr.shape}")
    arr = arr.reshape(n)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values; only finite numbers can be drawn")
    return arr


@dataclass
class NetworkDiagram:
    """The drawn network: ``figure``, ``ax``, ``sizes`` and the artists that :meth:`update` changes.

    ``value_texts[l][j]`` (l = 0..L), ``delta_texts[l][j]`` (l = 1..L, index l - 1),
    ``edges[l][j][k]`` and ``edge_texts[l][j][k]`` (l = 1..L, index l - 1) follow the book's
    W^(l)_{jk} with 0-based j, k; ``target_text`` shows y next to the output.
    """

    figure: Figure
    ax: Axes
    sizes: list[int]
    value_texts: list[list] = field(default_factory=list)
    delta_texts: list[list] = field(default_factory=list)
    edges: list[list[list]] = field(default_factory=list)
    edge_texts: list[list[list]] = field(default_factory=list)
    target_text: object = None
    key_text: object = None

    def dynamic_artists(self) -> list:
        """Every artist that :meth:`update` changes (texts and edges), e.g. for blitting."""
        flat = [t for texts in self.value_texts + self.delta_texts for t in texts]
        flat += [a for layer in self.edges + self.edge_texts for row in layer for a in row]
        return flat + ([self.target_text] if self.target_text is not None else [])

    def update(self, values: Sequence, grads: Sequence, deltas: Sequence | None = None,
               target: float | None = None) -> None:
        """Show a forward and backward pass for one example.

        ``values``: a^(0), ..., a^(L), each of shape (n_l,) or (n_l, 1).
        ``grads``: dL/dW^(1), ..., dL/dW^(L), each (n_l, n_{l-1}) (BP3).
        ``deltas``: delta^(1), ..., delta^(L), each (n_l,) or (n_l, 1) (BP1, BP2); ``None`` hides them.
        ``target``: y for a one-unit output (shown in green), or ``None``.
        """
        a, g, d = self._checked_pass(values, grads, deltas)
        for l, texts in enumerate(self.value_texts):
            for j, text in enumerate(texts):
                text.set_text(_fmt(a[l][j]))
        for l, texts in enumerate(self.delta_texts, start=1):
            for j, text in enumerate(texts):
                text.set_text("" if d is None else f"δ {_fmt(d[l - 1][j])}")
        largest = max(float(np.max(np.abs(arr))) for arr in g)
        for l, rows in enumerate(self.edges, start=1):
            for j, row in enumerate(rows):
                for k, line in enumerate(row):
                    value = float(g[l - 1][j, k])
                    width, alpha, colour, style = edge_style(value, largest)
                    line.set_linewidth(width)
                    line.set_alpha(alpha)
                    line.set_color(colour)
                    line.set_linestyle(style)
                    label = self.edge_texts[l - 1][j][k]
                    label.set_text(edge_label(value))
                    label.set_color(text_colour(colour))
        if self.target_text is not None:
            self.target_text.set_text("" if target is None else f"y = {_fmt(float(target))}")

    def _checked_pass(self, values, grads, deltas):
        """The arguments of :meth:`update` checked against ``sizes``: a^(l) (n_l,) for l = 0..L,
        dL/dW^(l) (n_l, n_{l-1}) and delta^(l) (n_l,) (or None) for l = 1..L."""
        L = len(self.sizes) - 1
        if not isinstance(values, Sequence) or len(values) != L + 1:
            raise ValueError(f"values must be a list of {L + 1} arrays a^(0)..a^({L}), got {_describe(values)}")
        if not isinstance(grads, Sequence) or len(grads) != L:
            raise ValueError(f"grads must be a list of {L} arrays dL/dW^(1)..dL/dW^({L}), got {_describe(grads)}")
        if deltas is not None and (not isinstance(deltas, Sequence) or len(deltas) != L):
            raise ValueError(f"deltas must be a list of {L} arrays delta^(1)..delta^({L}), got {_describe(deltas)}")
        a = [_column(v, n, f"values[{l}]") for l, (v, n) in enumerate(zip(values, self.sizes))]
        g = []
        for l in range(1, L + 1):
            arr = np.asarray(grads[l - 1], dtype=float)
            shape = (self.sizes[l], self.sizes[l - 1])
            if arr.shape != shape:
                raise ValueError(f"grads[{l - 1}] (dL/dW^({l})) must have shape {shape}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"grads[{l - 1}] contains NaN or infinite values")
            g.append(arr)
        d = None if deltas is None else [_column(v, self.sizes[l], f"deltas[{l - 1}]")
                                         for l, v in enumerate(deltas, start=1)]
        return a, g, d


def _describe(obj) -> str:
    return f"{len(obj)} item(s)" if isinstance(obj, Sequence) else type(obj).__name__


def edge_label(v: float) -> str:
    """An edge's gradient as its label: three significant figures, always in the same scientific
    style, so that labels of different sizes compare at a glance (6.05e-4, 1.50e-3, 7.53e-2,
    -2.00e+0); exactly zero is "0"."""
    if v == 0.0:
        return "0"
    mantissa, exponent = f"{v:.2e}".split("e")
    return f"{mantissa}e{int(exponent):+d}" if int(exponent) >= 0 else f"{mantissa}e{int(exponent)}"


def _fmt(v: float) -> str:
    """Four decimals (e.g. 0.5933), switching to three significant figures in scientific
    notation (6.05e-04) outside 1e-3 <= |v| < 1e4."""
    return "0" if v == 0.0 else (f"{v:.4f}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}")


def draw_network(sizes: Sequence[int], ax: Axes | None = None, figsize: tuple[float, float] = (8.0, 4.6),
                 title: str | None = None, key: bool = False, scale: float = 1.0) -> NetworkDiagram:
    """Draw an empty network with layer widths ``sizes`` = [n_0, ..., n_L] and return the diagram.

    ``ax``: draw into this axes (e.g. one panel of an explorer's figure); otherwise a new
    ``Figure`` of size ``figsize`` is made.  ``key=True`` writes the colour and width encoding
    under the drawing.  ``scale`` multiplies every font size (e.g. 1.2 for a figure shown small
    on a page).  Call :meth:`NetworkDiagram.update` to fill it in.
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise TypeError(f"sizes must be a list of at least two layer widths like [2, 3, 1], got {sizes!r}")
    sizes = [positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
    scale = finite_scalar(scale, "scale", positive=True)
    if max(sizes) > 8:
        raise ValueError(f"draw_network is for small networks (at most 8 units a layer), got {sizes}")
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    if ax is None:
        figure = Figure(figsize=figsize)
        ax = figure.add_axes([0.0, 0.0, 1.0, 0.92 if title else 1.0])
    else:
        figure = ax.figure
    ax.set_axis_off()
    ax.set_aspect("equal")
    pos = node_positions(sizes)
    half = SPACING * (max(sizes) - 1) / 2
    ax.set_xlim(-0.9, (len(sizes) - 1) * LAYER_GAP + 1.2)
    ax.set_ylim(-half - (1.2 if key else 0.85), half + 0.75)
    diagram = NetworkDiagram(figure, ax, sizes)
    _draw_edges(diagram, pos, scale)
    _draw_units(diagram, pos, scale)
    if key:
        diagram.key_text = ax.text(
            0.5, 0.0, "blue: activations a;  orange: \u03b4 = \u2202L/\u2202z = \u2202L/\u2202b under each unit (BP4),\n"
            "\u2202L/\u2202W on each edge (BP3);  edge width: |\u2202L/\u2202W| on a log scale over "
            f"{DECADES:g} decades;\nsolid: > 0,  dashed: < 0,  grey dotted: exactly 0",
            transform=ax.transAxes, fontsize=8 * scale, color=NEUTRAL, ha="center", va="bottom", zorder=3)
    if title:
        figure.suptitle(title, fontsize=11 * scale)
    return diagram


def _draw_edges(diagram: NetworkDiagram, pos: list[np.ndarray], scale: float) -> None:
    """One grey line per weight W^(l)_{jk} and an empty label on it (filled by ``update``)."""
    ax = diagram.ax
    for l in range(1, len(pos)):
        lines, labels = [], []
        for j, (xj, yj) in enumerate(pos[l]):
            row_lines, row_labels = [], []
            for k, (xk, yk) in enumerate(pos[l - 1]):
                x0, x1 = xk + RADIUS, xj - RADIUS            # the line as drawn
                (line,) = ax.plot([x0, x1], [yk, yj], color=NEUTRAL, lw=1.0, solid_capstyle="butt", zorder=1)
                t = 0.5 if l == len(pos) - 1 else LABEL_AT   # edges into the output: mid-way
                lx, ly = x0 + t * (x1 - x0), yk + t * (yj - yk)
                angle = float(np.degrees(np.arctan2(yj - yk, x1 - x0)))   # equal aspect: as drawn
                row_lines.append(line)
                row_labels.append(ax.text(lx, ly, "", fontsize=7.5 * scale, fontweight="bold", ha="center",
                                          va="center", rotation=angle, rotation_mode="anchor", zorder=4,
                                          bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none")))
            lines.append(row_lines)
            labels.append(row_labels)
        diagram.edges.append(lines)
        diagram.edge_texts.append(labels)


def _draw_units(diagram: NetworkDiagram, pos: list[np.ndarray], scale: float) -> None:
    """A circle per unit with its name, an empty value text inside and (below the non-input
    units) an empty delta text; a target text beside a one-unit output."""
    ax = diagram.ax
    for l, centres in enumerate(pos):
        texts, deltas = [], []
        for j, (x, y) in enumerate(centres):
            ax.add_patch(Circle((x, y), RADIUS, facecolor="white", edgecolor=FORWARD, lw=1.6, zorder=2))
            texts.append(ax.text(x, y, "", color=FORWARD, fontsize=8 * scale, ha="center", va="center", zorder=3))
            name = f"$x_{{{j + 1}}}$" if l == 0 else f"$a^{{({l})}}_{{{j + 1}}}$"
            ax.text(x, y + RADIUS + 0.1, name, fontsize=9 * scale, ha="center", va="bottom", zorder=3)
            if l > 0:
                deltas.append(ax.text(x, y - RADIUS - 0.08, "", color=GRADIENT_TEXT, fontsize=8.5 * scale,
                                      fontweight="bold", ha="center", va="top", zorder=3))
        diagram.value_texts.append(texts)
        if l > 0:
            diagram.delta_texts.append(deltas)
    if diagram.sizes[-1] == 1:
        x, y = pos[-1][0]
        diagram.target_text = ax.text(x + RADIUS + 0.12, y, "", color=TARGET_TEXT, fontsize=9 * scale, ha="left",
                                      va="center", zorder=3)
