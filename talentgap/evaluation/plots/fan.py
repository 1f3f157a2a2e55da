"""Fan chart of one cell: history, forecast and nested prediction bands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError
from talentgap.evaluation.plots._common import (
    _FORECAST_COLOR,
    _HISTORY_COLOR,
    _band_colors,
    _bound_patterns,
    _cell_rows,
    _check_ax,
    _check_frame,
    _check_keys,
    _check_levels,
    _check_pattern,
    _format_time_axis,
    _level_text,
    _levels_present,
    _new_axes,
    _numbers,
    _one_per_period,
    _positions,
    _require,
    _value_label,
)

__all__ = ['fan_chart']


def fan_chart(history: pd.DataFrame | None, forecast: pd.DataFrame, *,
              keys: Mapping | None = None, time: str = "period", value: str = "gap",
              mean: str | None = None, levels: float | Sequence[float] | None = None,
              lo: str | None = None, hi: str | None = None, title: str | None = None,
              units: str | None = "persons", ax=None):
    """Plot one cell's history, its forecast and shaded prediction intervals.

    Parameters
    ----------
    history : pandas.DataFrame or None
        Observed values: ``<time>, <value>`` (e.g. the panel of
        :func:`talentgap.features.build_panel`), possibly of many cells.
        ``None`` plots the forecast alone.
    forecast : pandas.DataFrame
        Forecasts: ``<time>, <mean>`` and interval columns, e.g. the output
        of any talentgap forecaster (``mean, lo_<level>, hi_<level>``) or of
        :class:`~talentgap.models.gap.GapForecaster` (``gap, gap_lo_<level>,
        gap_hi_<level>``).
    keys : dict, optional
        The cell to plot as ``{column: value}``, e.g. ``{"region":
        "Northvale", "industry": "textiles"}``; applied to both tables.
        Without it each table must hold one row per period.
    time : str, default "period"
        Period column of both tables.
    value : str, default "gap"
        Column of ``history`` to plot.
    mean : str, optional
        Point-forecast column of ``forecast``; default ``"mean"`` when
        present, else ``value`` (as in the GapForecaster output).
    levels : float or sequence of float, optional
        Interval levels in percent to shade, e.g. ``(80, 95)``; default every
        level whose ``lo``/``hi`` columns are in ``forecast``.
    lo, hi : str, optional
        Patterns of the interval column names holding ``{level}``; default
        ``"lo_{level}"``/``"hi_{level}"`` for ``mean="mean"`` and
        ``"<mean>_lo_{level}"``/``"<mean>_hi_{level}"`` otherwise (so
        ``"gap_lo_{level}"`` for the GapForecaster output). Levels are
        written as ``80`` or ``97.5``.
    title : str, optional
        Default: ``"<value>: <key values>"``, naming the cell.
    units : str or None, default "persons"
        Shown on the y label, ``"gap (persons)"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; default a new 8 x 4 inch pyplot figure
        (``matplotlib.pyplot.subplots``, as pandas and scikit-learn plots
        make, so a notebook shows it inline; it is never shown from here;
        close it with ``plt.close(ax.figure)`` when drawing many).

    Returns
    -------
    matplotlib.axes.Axes
        With one line for the history (label ``observed <value>``), one for
        the forecast (``forecast``) and one filled band per level (a
        ``PolyCollection``, the widest drawn first and lightest). The
        forecast line and bands start from the last observed value when it
        directly precedes the first forecast period. A horizontal line marks
        zero when the values reach both sides of it, a dotted vertical line
        the forecast origin.

    Raises
    ------
    ParameterError
        For missing columns or levels, a cell not found, several rows per
        period, or periods of different frequencies in the two tables.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> history = pd.DataFrame({"period": pd.period_range("2023Q1", periods=6, freq="Q"),
    ...                         "gap": [40.0, 55, 30, -10, 5, 20]})
    >>> forecast = pd.DataFrame({"period": pd.period_range("2024Q3", periods=4, freq="Q"),
    ...                          "mean": [25.0, 30, 28, 35],
    ...                          "lo_80": [5.0, 0, -8, -10], "hi_80": [45.0, 60, 64, 80],
    ...                          "lo_95": [-8.0, -15, -30, -35], "hi_95": [58.0, 75, 86, 105]})
    >>> ax = fan_chart(history, forecast, title="Skill gap: textiles in Northvale")
    >>> len(ax.collections)  # one shaded band per level
    2
    >>> ax.get_ylabel()
    'gap (persons)'
    >>> plt.close(ax.figure)
    """
    forecast = _check_frame(forecast, "forecast")
    keys = _check_keys(keys)
    _check_ax(ax)
    if mean is None:
        mean = "mean" if "mean" in forecast.columns else value
    default_lo, default_hi = _bound_patterns(mean)
    lo = _check_pattern(default_lo if lo is None else lo, "lo")
    hi = _check_pattern(default_hi if hi is None else hi, "hi")
    hint = ("; for the GapForecaster output pass mean='gap' (its bounds are "
            "'gap_lo_<level>')" if mean == "mean" and "gap" in forecast.columns else "")
    _require(forecast, [time, mean], "forecast", hint)
    levels = _levels_present(forecast, lo, hi) if levels is None else _check_levels(levels)
    bounds = [(lo.format(level=_level_text(lv)), hi.format(level=_level_text(lv)))
              for lv in levels]
    _require(forecast, [c for pair in bounds for c in pair], "forecast",
             f" (interval columns named by lo={lo!r}, hi={hi!r})")

    fc = forecast.loc[_cell_rows(forecast, keys, "forecast")] if keys else forecast
    fx, scale = _positions(fc[time], f"column {time!r} of forecast")
    _one_per_period(fx, "forecast", keys)
    order = np.argsort(fx, kind="stable")
    fx = fx[order]
    f_mean = _numbers(fc, mean, "forecast")[order]
    f_bounds = [(_numbers(fc, a, "forecast")[order], _numbers(fc, b, "forecast")[order])
                for a, b in bounds]

    hx = hy = np.array([])
    if history is not None:
        history = _check_frame(history, "history")
        _require(history, [time, value], "history")
        hist = history.loc[_cell_rows(history, keys, "history")] if keys else history
        hx, h_scale = _positions(hist[time], f"column {time!r} of history", scale)
        if not h_scale.same(scale):
            raise ParameterError(f"history has {h_scale.describe()} but forecast has "
                                 f"{scale.describe()}; both need the same frequency")
        _one_per_period(hx, "history", keys)
        h_order = np.argsort(hx, kind="stable")
        hx, hy = hx[h_order], _numbers(hist, value, "history")[h_order]

    if ax is None:
        ax = _new_axes((8.0, 4.0))

    # Start the forecast from the last observation when it directly precedes the forecast.
    anchor = None
    observed = np.isfinite(hx) & np.isfinite(hy)
    if observed.any() and np.isfinite(fx).any():
        last = np.flatnonzero(observed)[-1]
        step = 1.0 if scale.kind == "period" else np.nan
        if hx[last] == np.nanmin(fx) - step and hx[last] == np.nanmax(hx):
            anchor = (hx[last], hy[last])

    def with_anchor(x, y):
        if anchor is None:
            return x, y
        return np.r_[anchor[0], x], np.r_[anchor[1], y]

    single = anchor is None and np.isfinite(fx).sum() == 1  # one step: give bands a width
    colors = _band_colors(len(levels))
    bands = {}
    # Widest first, so the narrower (darker) bands are painted over it.
    for (level, (b_lo, b_hi)), color in zip(reversed(list(zip(levels, f_bounds, strict=True))),
                                            colors, strict=True):
        x, y0 = with_anchor(fx, b_lo)
        _, y1 = with_anchor(fx, b_hi)
        if single:
            keep = np.isfinite(x)
            x = np.r_[x[keep] - 0.3, x[keep] + 0.3]
            y0, y1 = np.repeat(y0[keep], 2), np.repeat(y1[keep], 2)
        bands[level] = ax.fill_between(x, y0, y1, color=color, linewidth=0, zorder=1,
                                       label=f"{_level_text(level)}% interval")
    handles = []
    if hx.size:
        handles += ax.plot(hx, hy, color=_HISTORY_COLOR, linewidth=1.6, marker="o",
                           markersize=2.5, zorder=3, label=f"observed {value}")
    x, y = with_anchor(fx, f_mean)
    handles += ax.plot(x, y, color=_FORECAST_COLOR, linewidth=1.8, linestyle="--", marker="o",
                       markersize=3, zorder=4, label="forecast")
    handles += [bands[level] for level in levels]  # narrowest first
    if anchor is not None:
        ax.axvline(anchor[0], color="0.5", linestyle=":", linewidth=0.9, zorder=0)

    every = np.concatenate([hy, f_mean, *[b for pair in f_bounds for b in pair]])
    every = every[np.isfinite(every)]
    if every.size and every.min() <= 0 <= every.max():
        ax.axhline(0.0, color="0.35", linewidth=0.8, zorder=2)

    _format_time_axis(ax.xaxis, scale)
    if title is None:
        cell = ", ".join(str(v) for v in keys.values())
        name = "Skill gap" if value == "gap" else value
        title = f"{name}: {cell}" if cell else name
    ax.set_title(title)
    ax.set_xlabel(time)
    ax.set_ylabel(_value_label(value, units))
    ax.grid(True, axis="y", color="0.9", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    if single:
        centre = float(np.nanmin(fx))
        ax.set_xlim(float(np.nanmin(np.r_[centre - 1.0, hx - 0.5])), centre + 1.0)
    ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.9, edgecolor="none")
    return ax


# ---- heatmap ----------------------------------------------------------------------------------
