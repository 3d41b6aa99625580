"""Deterministic tables of named numbers, for notebooks: fixed precision, as text and as HTML.

A :class:`Table` displays as an HTML table in Jupyter and in the built book (``_repr_html_``)
and as aligned fixed-width text everywhere else (``str``/``repr``).  Both renderings depend only
on the numbers and the precision, so notebook outputs are byte-for-byte reproducible and can be
compared by nbval.  A table refuses a number that lies within ``TABLE_TIE_RTOL`` (1e-12,
relative) of a rounding tie of its precision (``0.5606875`` at 6 decimals): its last printed
digit would depend on the last bits of the float, which change with the CPU (by ~1e-15 relative
for the numbers a table shows), so the table would not read the same on every machine.  Choose
another precision then; widgets, which are never compared, pass ``check_ties=False``.  Numbers
that carry more noise than that (finite differences, float32) need a margin of their own: print
them as the bound they meet instead (:func:`backprop_lib.teaching.below`).

    Table.from_columns("unit j", ["1", "2", "3"], {"z^(1)_j": z1, "a^(1)_j": a1}, precision=6)
    matrix_table("dL/dW^(1)", grad_W1)      # rows j = 1..n_l, columns k = 1..n_{l-1}
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from backprop_lib._validation import positive_int
from backprop_lib.teaching.prose import rounded

#: A number nearer than this (relative) to a rounding tie of its table precision is refused. The
#: glue helper uses 1e-9 for the few numbers of the prose (which can always show fewer digits);
#: a table shows many numbers at one precision, and 1e-12 is still 1000 times the ~1e-15 by which
#: the same computation differs between CPUs.
TABLE_TIE_RTOL = 1e-12


def format_number(value, precision: int = 6, check_tie: bool = False) -> str:
    """A number at fixed precision: ``precision`` decimals, or scientific notation (with
    ``precision - 2`` decimals, at least 2) when 0 < |value| < 10^-max(precision - 2, 1) or
    |value| >= 1e6, so a small number keeps at least three significant figures (precision >= 3).
    Integers print as integers, strings pass through, NaN and infinities by name.

    With ``check_tie=True``, raises ``ValueError`` for a float within ``TABLE_TIE_RTOL``
    (relative) of a rounding tie of that format (see :func:`backprop_lib.teaching.rounded`)."""
    precision = positive_int(precision, "precision")
    if not isinstance(check_tie, bool):
        raise TypeError(f"check_tie must be True or False, got {check_tie!r}")
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    v = float(value)
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if v != 0.0 and (abs(v) < 10.0 ** -max(precision - 2, 1) or abs(v) >= 1e6):
        fmt = f".{max(precision - 2, 2)}e"
    else:
        fmt = f".{precision}f"
    if check_tie:
        try:
            rounded(v, fmt, rtol=TABLE_TIE_RTOL)
        except ValueError as exc:
            raise ValueError(f"{exc} (here: choose another precision than {precision})") from None
    return format(v, fmt)


@dataclass(frozen=True)
class Table:
    """A header row and body rows of already formatted cells; ``title`` is an optional caption."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""

    @classmethod
    def from_rows(cls, header: Sequence[str], rows: Sequence[Sequence], precision: int = 6,
                  title: str = "", check_ties: bool = True) -> "Table":
        """Rows of numbers or strings under ``header``; every row needs one cell per header entry.

        Numbers are formatted by :func:`format_number`; with ``check_ties`` (the default) a number
        at a rounding tie of ``precision`` is refused, because its last digit could differ on
        another machine."""
        precision = positive_int(precision, "precision")
        if isinstance(header, str) or not isinstance(header, Sequence) or not header:
            raise TypeError(f"header must be a non-empty list of column names, got {header!r}")
        if isinstance(rows, str) or not isinstance(rows, Sequence):
            raise TypeError(f"rows must be a list of rows, got {type(rows).__name__}")
        body = []
        for i, row in enumerate(rows):
            cells = list(np.asarray(row, dtype=object).ravel()) if isinstance(row, np.ndarray) else list(row)
            if len(cells) != len(header):
                raise ValueError(f"row {i} has {len(cells)} cells, the header has {len(header)}: {list(header)}")
            body.append(tuple(format_number(c, precision, check_ties) for c in cells))
        return cls(tuple(str(h) for h in header), tuple(body), str(title))

    @classmethod
    def from_columns(cls, index_name: str, index: Sequence, columns: Mapping[str, Sequence],
                     precision: int = 6, title: str = "", check_ties: bool = True) -> "Table":
        """One column per entry of ``columns`` (name -> vector of len(index)), rows named by ``index``."""
        if not isinstance(columns, Mapping) or not columns:
            raise TypeError("columns must be a non-empty dict {column name: vector}")
        index = [str(i) for i in index]
        cols = {}
        for name, col in columns.items():
            arr = np.asarray(col, dtype=float).ravel()
            if arr.size != len(index):
                raise ValueError(f"column {name!r} has {arr.size} entries, the index has {len(index)}")
            cols[name] = arr
        rows = [[index[i]] + [cols[name][i] for name in cols] for i in range(len(index))]
        return cls.from_rows([index_name, *cols], rows, precision, title, check_ties)

    def text(self) -> str:
        """Aligned fixed-width text: first column left-aligned, the others right-aligned."""
        widths = [max(len(self.header[c]), *(len(r[c]) for r in self.rows)) if self.rows else len(self.header[c])
                  for c in range(len(self.header))]

        def line(cells):
            return "  ".join(cell.ljust(w) if c == 0 else cell.rjust(w)
                             for c, (cell, w) in enumerate(zip(cells, widths))).rstrip()

        out = ([self.title] if self.title else []) + [line(self.header), line("-" * w for w in widths)]
        return "\n".join(out + [line(r) for r in self.rows])

    def html(self) -> str:
        """An HTML table (escaped; padded cells, numbers right-aligned in a monospace font)."""
        esc = html.escape
        parts = ['<table class="bp-table">']
        if self.title:
            parts.append(f"<caption>{esc(self.title)}</caption>")
        pad = "padding:0.15em 0.7em"
        parts.append("<thead><tr>" + "".join(f'<th style="{pad};text-align:{"left" if c == 0 else "right"}">'
                                             f"{esc(h)}</th>" for c, h in enumerate(self.header))
                     + "</tr></thead><tbody>")
        for row in self.rows:
            cells = [f'<th style="{pad};text-align:left">{esc(row[0])}</th>'] + [
                f'<td style="{pad};text-align:right;font-family:monospace">{esc(c)}</td>' for c in row[1:]]
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.html()

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__


def matrix_table(name: str, matrix, precision: int = 6, row_name: str = "j", col_name: str = "k",
                 check_ties: bool = True) -> Table:
    """A matrix as a table with 1-based row and column labels, e.g. W^(l)_{jk} for j = 1..n_l
    (rows) and k = 1..n_{l-1} (columns).  ``matrix`` must be 2-D (a column vector is (n, 1))."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {m.shape}")
    header = [f"{name}: {row_name} \\ {col_name}"] + [f"{col_name}={k + 1}" for k in range(m.shape[1])]
    rows = [[f"{row_name}={j + 1}", *m[j]] for j in range(m.shape[0])]
    return Table.from_rows(header, rows, precision, check_ties=check_ties)
