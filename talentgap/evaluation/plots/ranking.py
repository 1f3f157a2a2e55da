"""Ranked bar chart of the largest expected shortages."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import check_count
from talentgap.errors import ParameterError
from talentgap.evaluation.plots._common import (
    _DASH,
    _SHORTAGE_COLOR,
    _bound_patterns,
    _check_ax,
    _check_frame,
    _check_levels,
    _format_number,
    _is_probability,
    _level_text,
    _new_axes,
    _numbers,
    _pick_period,
    _require,
    _value_label,
)

__all__ = ['top_shortages']


def top_shortages(gap_forecast: pd.DataFrame, *, n: int = 15, period=None,
                  time: str = "period", value: str = "gap",
                  keys: Sequence[str] = ("industry", "region"),
                  interval: float | tuple[str, str] | None = None,
                  units: str | None = "persons", title: str | None = None, ax=None):
    """Ranked horizontal bars of the cells with the largest expected shortage.

    Parameters
    ----------
    gap_forecast : pandas.DataFrame
        One row per cell and period: ``<keys...>, <time>, <value>``, e.g.
        the output of :class:`~talentgap.models.gap.GapForecaster`.
    n : int, default 15
        Number of cells to show (fewer when fewer have a shortage).
    period : period label or Period, optional
        The period to rank; default the last one in the table.
    time : str, default "period"
    value : str, default "gap"
        Column to rank by, largest first; only cells with ``value > 0`` (a
        shortage) and not NaN are ranked. ``"p_shortage"`` ranks by the
        probability of a shortage; ``"mean"`` ranks a forecaster's output
        (a forecast of the gap by :class:`~talentgap.models.AutoForecaster`
        or a baseline, columns ``mean``, ``lo_80``, ...).
    keys : sequence of str, default ("industry", "region")
        Columns naming a cell; the bar label joins their values in this
        order, ``"textiles — Northvale"``.
    interval : float or (str, str), optional
        Error bars: a level such as ``80`` (columns ``<value>_lo_80`` and
        ``<value>_hi_80``, or ``lo_80``/``hi_80`` for ``value="mean"``) or
        the two column names.
    units : str or None, default "persons"
        Shown on the x label (not for probabilities, on 0-1).
    title : str, optional
        Default ``"Largest forecast shortages, <period>"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; default a new pyplot figure whose height grows
        with ``n`` (0.3 inch a bar)
        (``matplotlib.pyplot.subplots``, as pandas and scikit-learn plots
        make, so a notebook shows it inline; it is never shown from here;
        close it with ``plt.close(ax.figure)`` when drawing many).

    Returns
    -------
    matplotlib.axes.Axes
        One bar (``ax.patches``) per ranked cell, the largest on top, the
        value written at the end of each bar. With no shortage at all the
        Axes holds no bar and says so.

    Raises
    ------
    ParameterError
        For missing or non-numeric columns, ``n < 1``, an unknown period, or
        several rows for one cell in the period.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> g = pd.DataFrame({"region": ["North", "North", "South", "South"],
    ...                   "industry": ["textiles", "construction"] * 2,
    ...                   "period": "2025",
    ...                   "gap": [120.0, -40, 15, 60],
    ...                   "gap_lo_80": [80.0, -90, -20, 10], "gap_hi_80": [170.0, 5, 50, 95]})
    >>> ax = top_shortages(g, n=5, interval=80)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['textiles — North', 'construction — South', 'textiles — South']
    >>> plt.close(ax.figure)
    """
    frame = _check_frame(gap_forecast, "gap_forecast")
    _check_ax(ax)
    n = check_count(n, "n")
    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        raise ParameterError("keys must name at least one column, e.g. ('industry', 'region')")
    bounds = None
    if interval is not None:
        if isinstance(interval, (int, float, np.integer, np.floating)) and not isinstance(
                interval, bool):
            level = _check_levels(interval)[0]
            bounds = tuple(p.format(level=_level_text(level)) for p in _bound_patterns(value))
        elif (isinstance(interval, (tuple, list)) and len(interval) == 2
              and all(isinstance(c, str) for c in interval)):
            bounds = tuple(interval)
        else:
            raise ParameterError("interval must be a level such as 80 or a pair of column "
                                 f"names (lo, hi); got {interval!r}")
    hint = ""
    if value not in frame.columns and "mean" in frame.columns:
        hint = ("; a forecaster's output (AutoForecaster, ETS, ...) holds its point forecast "
                "in 'mean' and its intervals in lo_<level>/hi_<level>: pass value='mean'")
    _require(frame, [*keys, time, value, *(bounds or ())], "gap_forecast", hint)
    frame, period_label = _pick_period(frame, time, period, "gap_forecast")
    if frame.duplicated(subset=keys).any():
        raise ParameterError(f"gap_forecast has several rows per cell {keys} in period "
                             f"{period_label}; add the other key columns to keys")

    v = _numbers(frame, value, "gap_forecast")
    chosen = np.flatnonzero(v > 0)
    chosen = chosen[np.argsort(-v[chosen], kind="stable")][:n]
    labels = [_DASH.join(str(frame[k].iloc[i]) for k in keys) for i in chosen]
    values = v[chosen]
    probability = _is_probability(value)

    if ax is None:
        longest = max((len(s) for s in labels), default=10)
        width = min(max(6.5, 4.5 + 0.075 * min(longest, 60)), 14.0)
        ax = _new_axes((width, 1.2 + 0.3 * max(len(chosen), 3)))
    positions = np.arange(len(chosen))
    xerr = None
    ends, starts = values.copy(), np.zeros_like(values)
    if bounds is not None and len(chosen):
        low = _numbers(frame, bounds[0], "gap_forecast")[chosen]
        high = _numbers(frame, bounds[1], "gap_forecast")[chosen]
        xerr = np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
        ends, starts = np.fmax(values, high), np.fmin(0.0, low)
    ax.barh(positions, values, height=0.7, color=_SHORTAGE_COLOR, alpha=0.85,
            xerr=xerr, error_kw={"ecolor": "0.25", "elinewidth": 1.0, "capsize": 2.5},
            label=_value_label(value, units))
    for y, x, text in zip(positions, ends, values, strict=True):
        ax.annotate(_format_number(text, probability), (x, y), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.tick_params(axis="y", labelsize=9, length=0)
    if len(chosen):
        ax.set_ylim(len(chosen) - 0.5, -0.5)  # rank 1 on top
        right = float(np.nanmax(ends))
        right = (1.0 if probability and right <= 1 else right) * 1.15
        left = float(np.nanmin(starts))
        if left < 0:
            left -= 0.03 * (right - left)
            ax.axvline(0.0, color="0.35", linewidth=0.8)
        ax.set_xlim(left, right)
    else:
        ax.text(0.5, 0.5, f"no shortage forecast for {period_label}", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(-0.5, 0.5)
    xlabel = _value_label(value, units)
    if bounds is not None:
        whiskers = (f"{_level_text(level)}% interval" if not isinstance(interval, (tuple, list))
                    else f"{bounds[0]} to {bounds[1]}")
        xlabel += f"; whiskers: {whiskers}"
    ax.set_xlabel(xlabel)
    if title is None:
        title = f"Largest forecast shortages, {period_label}"
    ax.set_title(title)
    ax.grid(True, axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
