"""Readable axes for the plan plots: round ticks that fit their labels, plain numbers.

Money and worker counts on the planning charts run from a few hundred to
billions. Matplotlib's default ticks assume labels about three characters
wide and switch to an offset or scientific notation for large values; the
helpers here pick round ticks (1, 2, 2.5 or 5 x 10^k) spaced by the width
of the labels they will carry, and format them with thousands separators,
never with an offset. :func:`money_text` writes money for a legend.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from talentgap._words import money_words, unsigned_zero

__all__ = ["money_text", "round_ticks", "tick_text", "readable_axis",
           "readable_count_axis"]

#: Tick labels, in em of the tick font: the width of a digit (other characters count by
#: their share of it), the least gap between neighbouring labels, a label's height.
_DIGIT_EM, _GAP_EM, _LINE_EM = 0.64, 1.2, 2.0
_MAX_TICKS = 8
_MANTISSAS = np.array([1.0, 2.0, 2.5, 5.0])


def tick_text(value: float) -> str:
    """A tick value: thousands separators, at most 3 decimals, never scientific notation.

    Examples
    --------
    >>> tick_text(1_250_000.0), tick_text(2.5), tick_text(0.30000000000000004)
    ('1,250,000', '2.5', '0.3')
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return unsigned_zero(f"{value:,.3f}".rstrip("0").rstrip("."))


def money_text(value: float) -> str:
    """Money for a legend or a label: three significant figures, millions and billions in words.

    :func:`talentgap._words.money_words` (the report's money) at three
    significant figures below a million too: a legend keeps its labels short.

    Examples
    --------
    >>> money_text(812_496_666.7), money_text(45_260.0), money_text(2.5e9), money_text(80)
    ('812 million', '45,300', '2.5 billion', '80')
    """
    return money_words(value, figures=3)


def round_ticks(lo: float, hi: float, least_step: float) -> np.ndarray:
    """Ticks at multiples of a round step (1, 2, 2.5 or 5 x 10^k) of at least ``least_step``.

    At least two ticks between ``lo`` and ``hi`` whatever ``least_step`` says.

    Examples
    --------
    >>> round_ticks(0.0, 340_000.0, 60_000.0).tolist()
    [0.0, 100000.0, 200000.0, 300000.0]
    >>> round_ticks(3.0, 7.0, 100.0).tolist()
    [4.0, 6.0]
    """
    lo, hi = sorted((float(lo), float(hi)))
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo]) if math.isfinite(lo) else np.array([])
    least = max(float(least_step), (hi - lo) / (_MAX_TICKS + 1))
    exponent = math.floor(math.log10(least))
    steps = (_MANTISSAS[None, :] * 10.0 ** np.arange(exponent - 2, exponent + 2)[:, None]).ravel()
    first = np.ceil(lo / steps - 1e-9)
    count = np.floor(hi / steps + 1e-9) - first + 1
    fits = count >= 2
    if not fits.any():
        return np.array([lo, hi])
    wide = fits & (steps >= least * (1 - 1e-9))
    pick = np.flatnonzero(wide)[0] if wide.any() else np.flatnonzero(fits)[-1]
    return (first[pick] + np.arange(count[pick])) * steps[pick]


def _label_em(text: str) -> float:
    """The width of a tick label in em: digits and signs full, separators and points half."""
    narrow = sum(text.count(c) for c in ",.")
    return (len(text) - narrow + 0.5 * narrow) * _DIGIT_EM


@functools.cache
def _fitting_locator_class():
    """A tick locator whose ticks are as close as their labels' width allows.

    Matplotlib's automatic tick count assumes labels about three characters
    wide, so labels such as ``"320,000"`` on a narrow axis run into each
    other; this locator measures the widest label at draw time.
    """
    from matplotlib import font_manager, rcParams
    from matplotlib.ticker import Locator

    class FittingLocator(Locator):
        def __init__(self, label: Callable[[float], str]):
            self._label = label

        def __call__(self):
            vmin, vmax = self.axis.get_view_interval()
            return self.tick_values(vmin, vmax)

        def tick_values(self, vmin, vmax):
            return round_ticks(vmin, vmax, self._least_step(float(vmin), float(vmax)))

        def _least_step(self, vmin: float, vmax: float) -> float:
            axis = self.axis
            if axis is None or getattr(axis, "axes", None) is None:
                return 0.0
            horizontal = axis.axis_name == "x"
            box = axis.axes.bbox
            length = (box.width if horizontal else box.height) * 72.0 / axis.figure.dpi
            size = font_manager.FontProperties(
                size=rcParams[f"{axis.axis_name}tick.labelsize"]).get_size_in_points()
            if horizontal:
                # the widest label of the closest ticks allowed: no coarser tick is wider
                dense = round_ticks(vmin, vmax, 0.0)
                label = max((_label_em(self._label(v)) for v in dense), default=0.0)
                per_label = (label + _GAP_EM) * size
            else:
                per_label = _LINE_EM * size
            return abs(vmax - vmin) * per_label / max(length, 1.0)

    return FittingLocator


def _count_unit(largest: float) -> tuple[float, str]:
    """A unit for worker counts on an axis: whole workers up to ten million.

    Examples
    --------
    >>> _count_unit(340_000.0), _count_unit(12e6)
    ((1.0, 'workers'), (1000000.0, 'millions of workers'))
    """
    for scale, unit in ((1e9, "billions of workers"), (1e6, "millions of workers")):
        if largest >= 10 * scale:
            return scale, unit
    return 1.0, "workers"


def readable_count_axis(axis, *values) -> str:
    """:func:`readable_axis` for worker counts; the unit for the axis label."""
    arrays = [np.abs(np.asarray(v, dtype=np.float64)).ravel() for v in values]
    both = np.concatenate(arrays) if arrays else np.array([])
    finite = both[np.isfinite(both)]
    scale, unit = _count_unit(float(finite.max()) if finite.size else 0.0)
    readable_axis(axis, scale=scale)
    return unit


def readable_axis(axis, *, scale: float = 1.0) -> None:
    """Round ticks that fit their labels, plain numbers with thousands separators.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis`` or ``ax.yaxis`` of a money or count axis.
    scale : float, default 1.0
        Labels show ``value / scale`` (``1e6`` with "(millions)" in the axis
        label, as ``money_scale`` gives). No offset
        text and no scientific notation, whatever the range.
    """
    from matplotlib.ticker import FuncFormatter

    def label(x: float, _pos=None) -> str:
        return tick_text(x / scale)

    axis.set_major_locator(_fitting_locator_class()(label))
    axis.set_major_formatter(FuncFormatter(label))
