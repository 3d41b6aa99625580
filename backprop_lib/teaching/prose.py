"""Numbers for the prose, rounded where they are produced, so they hold on every machine.

numpy's SIMD loops and OpenBLAS's kernels change with the CPU, so the last bits of a float differ
between a learner's laptop, Binder and CI. A chapter therefore stores (glues) and prints each
number at the precision its lesson needs and no more, and this module is where that happens:

- :func:`rounded` turns a value into the number the prose prints (``rounded(0.4761249, ".4f")``
  is ``0.4761``), and refuses a value so close to a rounding tie that another CPU could print the
  neighbouring digit;
- :func:`below` states rounding noise as the bound it meets (``below(3.7e-15, 1e-12)`` is
  ``1e-12``), and refuses a value that does not meet it (:func:`above` for a lower bound);
- :class:`ChapterGlue` glues both under the chapter's prefix, for ``{glue:text}`` in the prose.

The format given here is the one the prose uses (``{glue:text}`c3_loss:.4f```); the repository
tests check that every glued number is stored with no more digits than its prose reference shows.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

#: A value nearer than this (relative) to a rounding tie is refused: its last printed digit
#: could differ on another CPU. Cross-CPU differences of the chapters' numbers are ~1e-15.
TIE_RTOL = 1e-9

_FLOAT_TYPES = "eEf%"


def _as_real(value, name: str) -> float:
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _decimals(fmt: str) -> tuple[int, str]:
    """The precision and type of a float format such as ``.4f``, ``,.0f``, ``.1e``, ``.0%``."""
    if not fmt or fmt[-1] not in _FLOAT_TYPES:
        raise ValueError(f"fmt must be a float format ending in one of {_FLOAT_TYPES!r} "
                         f"(such as '.4f' or '.1e'), or 'd' for integers; got {fmt!r}")
    body = fmt[:-1].lstrip(",")
    if not body.startswith(".") or not body[1:].isdigit():
        raise ValueError(f"fmt must give a precision, such as '.4f'; got {fmt!r}")
    return int(body[1:]), fmt[-1].lower()


def rounded(value, fmt: str, rtol: float = TIE_RTOL) -> float | int:
    """``value`` as the prose prints it with format ``fmt``: ``float(format(value, fmt))``.

    ``fmt`` is a float format (``.4f``, ``,.0f``, ``.1e``, ``.1%``) or ``d`` for an integer (which
    must then be integral). Raises ``ValueError`` when ``value`` lies within ``rtol`` (relative) of
    a rounding tie of ``fmt``, because then the printed digit depends on the last bits.
    """
    if fmt == "d":
        if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise TypeError(f"an integer was expected for format 'd', got {value!r}")
        return int(value)
    x = _as_real(value, "value")
    digits, kind = _decimals(fmt)
    if kind == "e":
        exponent = math.floor(math.log10(abs(x))) if x else 0
        unit = 10.0 ** (exponent - digits)
    else:
        unit = 10.0 ** (-digits - (2 if kind == "%" else 0))
    tie_gap = abs(abs(x) / unit % 1.0 - 0.5) * unit
    if x and tie_gap <= rtol * abs(x):
        raise ValueError(f"{x!r} is within {rtol:g} (relative) of a rounding tie of {fmt!r}: "
                         "its last digit could differ on another machine; show fewer digits")
    if kind == "%":
        return round(x, digits + 2)
    return float(format(x, fmt.replace(",", "")))


def shown(value, fmt: str, rtol: float = TIE_RTOL) -> str:
    """``format(value, fmt)`` after the tie check of :func:`rounded`: a number for printing."""
    return format(rounded(value, fmt, rtol), fmt)


def below(value, bound: float) -> float:
    """Rounding noise as the bound it meets: returns ``bound`` if ``|value| < bound``.

    Raises ``ValueError`` otherwise, so a chapter never states a bound its numbers break.
    """
    x, b = _as_real(value, "value"), _as_real(bound, "bound")
    if b <= 0:
        raise ValueError(f"bound must be positive, got {b}")
    if not abs(x) < b:
        raise ValueError(f"|value| = {abs(x):.3g} is not below the bound {b:g}")
    return b


def above(value, bound: float) -> float:
    """A lower bound, the mirror of :func:`below`: returns ``bound`` if ``|value| > bound``.

    For a claim such as "float32 leaves an error above 5e-04": raises ``ValueError`` otherwise.
    """
    x, b = _as_real(value, "value"), _as_real(bound, "bound")
    if b <= 0:
        raise ValueError(f"bound must be positive, got {b}")
    if not abs(x) > b:
        raise ValueError(f"|value| = {abs(x):.3g} is not above the bound {b:g}")
    return b


class ChapterGlue:
    """Glue numbers for a chapter's prose under the prefix ``<prefix>_``, already rounded.

    >>> glue_all = ChapterGlue("c3")                  # doctest: +SKIP
    >>> glue_all(".4f", loss=0.31455, out=0.80316)    # c3_loss = 0.3146, c3_out = 0.8032
    >>> glue_all.bound(1e-9, delta_err=3.1e-11)       # c3_delta_err = 1e-09 (checked)
    >>> glue_all.text(name="sigmoid")                 # strings as they are
    """

    def __init__(self, prefix: str):
        if not isinstance(prefix, str) or not prefix.isidentifier():
            raise ValueError(f"prefix must be an identifier such as 'c3', got {prefix!r}")
        self.prefix = prefix

    def _glue(self, name: str, value) -> None:
        from myst_nb import glue  # only where a notebook glues: the library works without it

        glue(f"{self.prefix}_{name}", value, display=False)

    def __call__(self, fmt: str, **values) -> None:
        """Glue each ``name=value`` rounded to ``fmt`` (see :func:`rounded`)."""
        for name, value in values.items():
            self._glue(name, rounded(value, fmt))

    def bound(self, bound: float, **values) -> None:
        """Glue ``bound`` under each name, after checking that every value is below it."""
        for name, value in values.items():
            self._glue(name, below(value, bound))

    def above(self, bound: float, **values) -> None:
        """Glue ``bound`` under each name, after checking that every value is above it."""
        for name, value in values.items():
            self._glue(name, above(value, bound))

    def text(self, **values: str) -> None:
        """Glue strings (names, labels, verdicts) as they are."""
        for name, value in values.items():
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__}; "
                                "glue numbers with a format")
            self._glue(name, value)

    def figure(self, name: str, fig) -> None:
        """Glue a figure for ``{glue:figure}``: a matplotlib figure (then closed, so it is not
        shown twice) or any displayable image, such as an explorer's ``IPython.display.Image``."""
        from matplotlib.figure import Figure

        self._glue(name, fig)
        if isinstance(fig, Figure):
            import matplotlib.pyplot as plt

            plt.close(fig)
