"""Plots of forecasts, skill gaps and backtest errors, drawn with matplotlib.

Four charts a planner reads:

* :func:`fan_chart` -- one cell's history and forecast with shaded intervals;
* :func:`gap_heatmap` -- the gap (or the probability of a shortage) of every
  industry x region cell in one period;
* :func:`top_shortages` -- the cells with the largest expected shortage, ranked;
* :func:`error_by_horizon` -- backtest error against the number of periods ahead.

Conventions shared by every function:

* Each returns the :class:`matplotlib.axes.Axes` it drew on and never calls
  ``plt.show()``. Pass ``ax=`` to draw into an existing Axes (its figure is
  left as it is); without it a new figure is made with
  ``matplotlib.pyplot.subplots(layout="constrained")`` and sized to the
  content, so notebooks display it. Close it (``plt.close(ax.figure)``) when
  making many, e.g. in a loop that saves PNG files.
* No global state is changed: no ``rcParams``, style or backend.
* Periods (pandas ``Period`` values, or labels such as ``"2024Q1"`` parsed by
  :func:`talentgap.periods.parse_periods`) are placed at their ordinal
  (``Period.ordinal``) on the x axis and labelled as periods (``2024Q1``);
  dates and plain numbers are plotted as they are.
* NaN and infinite values are drawn as gaps (lines, bands) or grey cells
  (heatmap), and left out of rankings and error averages.
* A missing column or a bad argument raises
  :class:`~talentgap.errors.ParameterError` naming it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, ParameterError, SchemaError
from talentgap.periods import parse_periods

__all__ = ["fan_chart", "gap_heatmap", "error_by_horizon", "top_shortages"]

_HISTORY_COLOR = "#333333"
_FORECAST_COLOR = "#1f6fb4"
_SHORTAGE_COLOR = "#c0392b"
_MISSING_COLOR = "#d9d9d9"
_DASH = " \u2014 "  # " — " between the key values of a cell
#: Raw-forecast metrics :func:`error_by_horizon` can compute from ``mean`` and ``actual``.
_RAW_METRICS = ("mae", "rmse", "bias", "mape", "smape")
_STEP_COLUMN = re.compile(r"^h(\d+)$")
_FREQ_WORDS = {"Y": "years", "Q": "quarters", "M": "months"}


# ---- small checks -----------------------------------------------------------------------------
def _check_frame(frame, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    return frame


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str, hint: str = "") -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in {name}; its columns are "
                             f"{list(frame.columns)}{hint}")


def _numbers(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    """A column as float64 with NaN for missing and infinite values."""
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype):
        raise ParameterError(f"column {column!r} of {name} must be numeric, got dtype "
                             f"{values.dtype}")
    out = values.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    out[~np.isfinite(out)] = np.nan
    return out


def _check_ax(ax):
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise ParameterError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _new_axes(figsize: tuple[float, float]):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _level_text(level) -> str:
    return f"{float(level):g}"


def _bound_patterns(column: str) -> tuple[str, str]:
    """Interval column patterns of a forecast column: ``lo_{level}`` for ``mean``."""
    if column == "mean":
        return "lo_{level}", "hi_{level}"
    return f"{column}_lo_{{level}}", f"{column}_hi_{{level}}"


def _check_pattern(pattern, name: str) -> str:
    if not isinstance(pattern, str) or "{level}" not in pattern:
        raise ParameterError(f"{name} must be a column name pattern holding '{{level}}', "
                             f"e.g. 'lo_{{level}}'; got {pattern!r}")
    return pattern


def _levels_present(frame: pd.DataFrame, lo: str, hi: str) -> list[float]:
    regex = re.compile("^" + re.escape(lo).replace(re.escape("{level}"),
                                                   r"(\d+(?:\.\d+)?)") + "$")
    found = [float(m.group(1)) for c in frame.columns if (m := regex.match(str(c)))]
    return sorted(lv for lv in found if 0 < lv < 100
                  and hi.format(level=_level_text(lv)) in frame.columns)


def _check_levels(levels) -> list[float]:
    if isinstance(levels, (int, float, np.integer, np.floating)) and not isinstance(levels, bool):
        levels = [levels]
    try:
        out = [float(lv) for lv in levels]
    except (TypeError, ValueError):
        raise ParameterError(f"levels must be numbers in (0, 100), got {levels!r}") from None
    bad = [lv for lv in out if not 0 < lv < 100]
    if bad:
        raise ParameterError(f"levels {bad} are out of range; interval levels are percents "
                             "in (0, 100), e.g. (80, 95)")
    return sorted(set(out))


def _value_label(value: str, units: str | None) -> str:
    if value == "p_shortage":
        return "probability of shortage (0-1)"
    return f"{value} ({units})" if units else value


def _is_probability(value: str) -> bool:
    return value == "p_shortage" or value.startswith("p_")


def _format_number(v: float, probability: bool) -> str:
    if not np.isfinite(v):
        return ""
    if probability:
        return f"{v:.2f}"
    text = f"{v:,.0f}"
    return "0" if text == "-0" else text


# ---- the time axis ----------------------------------------------------------------------------
class _Scale:
    """How a time column maps to x positions: ``kind`` 'period', 'date' or 'number'."""

    def __init__(self, kind: str, dtype: pd.PeriodDtype | None = None) -> None:
        self.kind = kind
        self.dtype = dtype

    @property
    def code(self) -> str | None:
        if self.dtype is None:
            return None
        letter = self.dtype.freq.freqstr[0].upper()
        return {"A": "Y"}.get(letter, letter)

    def same(self, other: _Scale) -> bool:
        return self.kind == other.kind and self.dtype == other.dtype

    def describe(self) -> str:
        return f"{self.dtype.freq.freqstr} periods" if self.dtype is not None else self.kind + "s"

    def label(self, x: float) -> str:
        if self.kind == "period":
            return str(pd.PeriodIndex.from_ordinals([int(round(x))], freq=self.dtype.freq)[0])
        if self.kind == "date":
            import matplotlib.dates as mdates

            return str(mdates.num2date(x).date())
        return f"{x:g}"


def _positions(values: pd.Series, name: str, scale: _Scale | None = None):
    """x positions (float, NaN where missing) of a time column, and its :class:`_Scale`."""
    dtype = values.dtype
    missing = values.isna().to_numpy()
    if isinstance(dtype, pd.PeriodDtype):
        x = values.array.asi8.astype(np.float64)
        x[missing] = np.nan
        return x, _Scale("period", dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        import matplotlib.dates as mdates

        present = values[~missing]
        if present.dt.tz is not None:
            present = present.dt.tz_localize(None)
        x = np.full(len(values), np.nan)
        x[~missing] = mdates.date2num(present.to_numpy())
        return x, _Scale("date")
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return values.to_numpy(dtype=np.float64, na_value=np.nan, copy=True), _Scale("number")
    freq = scale.code if scale is not None and scale.kind == "period" else None
    x = np.full(len(values), np.nan)
    if (~missing).any():
        try:
            parsed = pd.PeriodIndex(parse_periods(values[~missing].to_numpy(dtype=object),
                                                  freq=freq, name=name))
        except SchemaError as exc:
            raise ParameterError(f"{name}: {exc}") from None
        x[~missing] = parsed.asi8
        return x, _Scale("period", parsed.dtype)
    return x, scale or _Scale("number")


def _position_of(period, scale: _Scale, name: str) -> float:
    """The x position of one period given by the caller."""
    if scale.kind == "period":
        try:
            return float(parse_periods([period], freq=scale.code, name=name).asi8[0])
        except (SchemaError, TypeError, ValueError) as exc:
            raise ParameterError(f"{name} == {period!r} is not a {scale.describe()[:-1]} "
                                 f"label: {exc}") from None
    if scale.kind == "date":
        import matplotlib.dates as mdates

        return float(mdates.date2num(pd.Timestamp(period)))
    return float(period)


@cache
def _period_locator_class():
    from matplotlib.ticker import Locator

    class PeriodLocator(Locator):
        """Ticks at whole periods, spaced 1, 2, ... periods, aligned to year starts."""

        _STEPS = {"Y": (1, 2, 5, 10, 20, 50, 100), "Q": (1, 2, 4, 8, 20, 40, 80, 200),
                  "M": (1, 2, 3, 6, 12, 24, 60, 120, 240)}

        def __init__(self, code: str | None, max_ticks: int = 9) -> None:
            self.steps = self._STEPS.get(code, (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))
            self.max_ticks = max_ticks

        def __call__(self):
            vmin, vmax = self.axis.get_view_interval()
            return self.tick_values(vmin, vmax)

        def tick_values(self, vmin, vmax):
            lo, hi = sorted((float(vmin), float(vmax)))
            if not (np.isfinite(lo) and np.isfinite(hi)):
                return np.array([])
            for step in self.steps:
                first = np.ceil(lo / step) * step
                if (hi - first) // step + 1 <= self.max_ticks:
                    break
            return np.arange(first, np.floor(hi) + 0.5, step)

    return PeriodLocator


def _format_time_axis(axis, scale: _Scale, max_ticks: int = 9) -> None:
    """Tick locator and labels of an x (or y) axis holding the positions of ``scale``."""
    from matplotlib.ticker import FuncFormatter

    if scale.kind == "period":
        axis.set_major_locator(_period_locator_class()(scale.code, max_ticks))

        def label(x, _pos):
            return scale.label(x) if abs(x - round(x)) < 1e-6 else ""

        axis.set_major_formatter(FuncFormatter(label))
    elif scale.kind == "date":
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator()
        axis.set_major_locator(locator)
        axis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _pick_period(frame: pd.DataFrame, time: str, period, name: str):
    """The rows of one period (default: the last) and that period's label."""
    x, scale = _positions(frame[time], f"column {time!r} of {name}")
    if not np.isfinite(x).any():
        raise ParameterError(f"column {time!r} of {name} holds no period")
    target = np.nanmax(x) if period is None else _position_of(period, scale, "period")
    rows = x == target
    if not rows.any():
        present = np.unique(x[np.isfinite(x)])
        shown = [scale.label(v) for v in present[-6:]]
        raise ParameterError(f"period {period!r} is not in {name}; its last periods are "
                             f"{shown}")
    return frame.loc[rows], scale.label(target)


def _cell_rows(frame: pd.DataFrame, keys: Mapping, name: str) -> np.ndarray:
    """Boolean mask of the rows of one cell, given as ``{column: value}``."""
    _require(frame, list(keys), name)
    mask = np.ones(len(frame), dtype=bool)
    for column, wanted in keys.items():
        mask &= frame[column].to_numpy(dtype=object) == wanted
    if not mask.any():
        cells = frame[list(keys)].drop_duplicates().head(5)
        examples = [dict(zip(cells.columns, map(str, row), strict=True))
                    for row in cells.itertuples(index=False)]
        raise ParameterError(f"no rows of {name} match keys={dict(keys)!r}; cells there "
                             f"include {examples}")
    return mask


def _check_keys(keys) -> dict:
    if keys is None:
        return {}
    if not isinstance(keys, Mapping):
        raise ParameterError("keys must be a dict {column: value} naming one cell, e.g. "
                             "{'region': 'Northvale', 'industry': 'textiles'}; got "
                             f"{type(keys).__name__}")
    return dict(keys)


def _one_per_period(x: np.ndarray, name: str, keys: dict) -> None:
    finite = x[np.isfinite(x)]
    if np.unique(finite).size != finite.size:
        hint = ("pass keys={column: value, ...} to pick one cell" if not keys
                else f"keys={keys!r} match several series; add the remaining key columns")
        raise ParameterError(f"{name} has several rows per period; {hint}")


# ---- fan chart --------------------------------------------------------------------------------
def _band_colors(n: int) -> list[tuple[float, float, float]]:
    """Opaque tints of the forecast colour, lightest first (for the widest band)."""
    from matplotlib.colors import to_rgb

    base = np.array(to_rgb(_FORECAST_COLOR))
    strengths = np.linspace(0.22, 0.5, n) if n > 1 else np.full(n, 0.35)
    return [tuple(1.0 - (1.0 - base) * s) for s in strengths]


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
        Axes to draw into; default a new 8 x 4 inch figure.

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
def _grid(frame: pd.DataFrame, rows: str, cols: str, value: str, name: str):
    """The values as a rows x cols array (NaN where absent), with sorted labels."""
    r_codes, r_labels = pd.factorize(frame[rows].astype(str), sort=True)
    c_codes, c_labels = pd.factorize(frame[cols].astype(str), sort=True)
    flat = r_codes * len(c_labels) + c_codes
    if np.unique(flat).size != flat.size:
        raise ParameterError(f"{name} has several rows per {rows} x {cols} in this period "
                             "(another key column, e.g. skill_level?); filter or sum them "
                             "first")
    grid = np.full((len(r_labels), len(c_labels)), np.nan)
    grid[r_codes, c_codes] = _numbers(frame, value, name)
    return grid, list(r_labels), list(c_labels)


def _thin_ticks(axis, labels: list[str], space_in: float, font_in: float) -> None:
    """Label every k-th category so that labels are at least one text height apart."""
    n = len(labels)
    k = max(1, int(np.ceil(font_in * 1.15 / max(space_in / max(n, 1), 1e-9))))
    positions = np.arange(0, n, k)
    axis.set_ticks(positions, [labels[i] for i in positions])


def gap_heatmap(gap_forecast: pd.DataFrame, *, value: str = "gap", period=None,
                time: str = "period", rows: str = "industry", cols: str = "region",
                cmap: str | None = None, annotate: bool | None = None,
                units: str | None = "persons", title: str | None = None, ax=None):
    """Heatmap of one period's gap (or shortage probability) per industry x region.

    Parameters
    ----------
    gap_forecast : pandas.DataFrame
        One row per cell and period: ``<rows>, <cols>, <time>, <value>``,
        e.g. the output of :class:`~talentgap.models.gap.GapForecaster` or
        the panel of :func:`talentgap.features.build_panel`.
    value : str, default "gap"
        Column to show. ``"gap"`` (and any column with negative values) uses
        a diverging colour map centred at 0, symmetric, red = shortage;
        ``"p_shortage"`` (any ``p_*`` column) a sequential map fixed to 0-1;
        other columns a sequential map over their range.
    period : period label or Period, optional
        The period to show; default the last one in the table.
    time : str, default "period"
    rows, cols : str, default "industry", "region"
        Columns giving the heatmap rows and columns (labels sorted).
    cmap : str, optional
        A matplotlib colour-map name overriding the default (``"RdBu_r"``,
        ``"YlOrRd"`` or ``"viridis"``). Missing cells are grey.
    annotate : bool, optional
        Write each cell's value in it; default when there are at most 200
        cells and they are wide enough to hold a number.
    units : str or None, default "persons"
        Shown on the colour-bar label (not for probabilities, on 0-1).
    title : str, optional
        Default ``"<value> by <rows> and <cols>, <period>"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; default a new figure sized to the grid (about
        0.65 x 0.4 inch per cell, smaller for large grids).

    Returns
    -------
    matplotlib.axes.Axes
        Holding one image (``ax.images[0]``, shape ``(n_rows, n_cols)``)
        with a colour bar (``ax.images[0].colorbar``). Column labels are
        rotated when they do not fit; with very many categories only every
        k-th is labelled.

    Raises
    ------
    ParameterError
        For missing or non-numeric columns, an unknown period, or several
        rows for one cell in the period.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> g = pd.DataFrame({"region": ["North", "North", "South", "South"],
    ...                   "industry": ["textiles", "construction"] * 2,
    ...                   "period": pd.Period("2025Q1", freq="Q"),
    ...                   "gap": [120.0, -40, 15, None], "p_shortage": [0.9, 0.2, 0.6, None]})
    >>> ax = gap_heatmap(g)
    >>> ax.images[0].get_array().shape  # industries x regions
    (2, 2)
    >>> ax.images[0].colorbar.ax.get_ylabel()
    'gap (persons)'
    >>> plt.close(ax.figure)
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    frame = _check_frame(gap_forecast, "gap_forecast")
    _check_ax(ax)
    _require(frame, [rows, cols, time, value], "gap_forecast")
    if rows == cols:
        raise ParameterError(f"rows and cols must be different columns, both are {rows!r}")
    frame, period_label = _pick_period(frame, time, period, "gap_forecast")
    grid, r_labels, c_labels = _grid(frame, rows, cols, value, "gap_forecast")
    n_rows, n_cols = grid.shape

    finite = grid[np.isfinite(grid)]
    probability = _is_probability(value)
    if probability:
        norm, default_cmap = Normalize(0.0, 1.0), "YlOrRd"
    elif "gap" in value or (finite.size and finite.min() < 0):
        half = float(np.max(np.abs(finite))) if finite.size else 1.0
        half = half if half > 0 else 1.0
        norm, default_cmap = Normalize(-half, half), "RdBu_r"
    else:
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        norm, default_cmap = Normalize(low, high if high > low else low + 1.0), "viridis"
    try:
        colormap = colormaps[cmap or default_cmap].with_extremes(bad=_MISSING_COLOR)
    except KeyError:
        raise ParameterError(f"cmap {cmap!r} is not a matplotlib colour map name") from None

    cell_w = min(0.7, max(0.12, 14.0 / n_cols))
    cell_h = min(0.4, max(0.12, 10.0 / n_rows))
    longest_row = max(len(s) for s in r_labels)
    longest_col = max(len(s) for s in c_labels)
    label_in = 0.075  # width of one tick-label character at 9 pt, inches
    rotate = longest_col * label_in > 0.92 * cell_w
    if ax is None:
        width = 1.0 + min(longest_row, 40) * label_in + n_cols * cell_w + 1.3
        height = (1.0 + n_rows * cell_h
                  + (min(longest_col, 40) * label_in * 0.72 if rotate else 0.25))
        ax = _new_axes((min(max(width, 5.0), 40.0), min(max(height, 3.0), 40.0)))
    fig = ax.figure

    image = ax.imshow(np.ma.masked_invalid(grid), cmap=colormap, norm=norm, aspect="auto",
                      interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, fraction=0.06 if n_cols < 8 else 0.04, pad=0.02)
    bar.set_label(_value_label(value, units))

    size = ax.get_position().size * fig.get_size_inches()
    _thin_ticks(ax.xaxis, c_labels, size[0], 9 / 72 if rotate else longest_col * label_in)
    _thin_ticks(ax.yaxis, r_labels, size[1], 9 / 72)
    ax.tick_params(labelsize=9, length=0)
    if rotate:
        for label in ax.get_xticklabels():
            label.set(rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.0)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)

    if annotate is None:
        annotate = n_rows * n_cols <= 200 and size[0] / n_cols >= 0.42
    if annotate:
        font = 8 if size[1] / n_rows >= 0.25 else 6.5
        for (i, j), v in np.ndenumerate(grid):
            if not np.isfinite(v):
                continue
            r, g, b, _ = colormap(norm(v))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(j, i, _format_number(v, probability), ha="center", va="center",
                    fontsize=font, color="white" if dark else "black")

    ax.set_xlabel(cols)
    ax.set_ylabel(rows)
    if title is None:
        name = {"gap": "Skill gap", "p_shortage": "Probability of shortage"}.get(value, value)
        title = f"{name} by {rows} and {cols}, {period_label}"
    ax.set_title(title)
    return ax


# ---- error by horizon -------------------------------------------------------------------------
def _is_backtest_result(obj) -> bool:
    return (isinstance(getattr(obj, "summary", None), pd.DataFrame)
            and isinstance(getattr(obj, "forecasts", None), pd.DataFrame))


def _freq_word(frame: pd.DataFrame, time: str) -> str:
    if time in frame.columns and isinstance(frame[time].dtype, pd.PeriodDtype):
        return _FREQ_WORDS.get(_Scale("period", frame[time].dtype).code, "periods")
    return "periods"


def _from_summary(summary: pd.DataFrame, metric: str, name: str) -> pd.DataFrame:
    steps = {c: int(m.group(1)) for c in summary.columns if (m := _STEP_COLUMN.match(str(c)))}
    if metric not in summary.index:
        raise ParameterError(f"metric {metric!r} is not in {name}; it has "
                             f"{list(summary.index)}")
    row = summary.loc[metric, list(steps)]
    return pd.DataFrame({"step": list(steps.values()),
                         "value": pd.to_numeric(row, errors="coerce").to_numpy(float)})


def _from_forecasts(frame: pd.DataFrame, metric: str, *, horizon: str, mean: str, actual: str,
                    keys: Sequence[str] | None, by: str | None, name: str) -> pd.DataFrame:
    if metric not in _RAW_METRICS:
        raise ParameterError(f"metric {metric!r} cannot be computed from forecasts and actuals "
                             f"alone; choose one of {list(_RAW_METRICS)}, or pass the "
                             "BacktestResult (its summary holds mase, rmsse, coverage, ...)")
    _require(frame, [horizon, mean, actual, *(keys or []), *([by] if by else [])], name)
    y, f = _numbers(frame, actual, name), _numbers(frame, mean, name)
    step = _numbers(frame, horizon, name)
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "mae":
            terms = np.abs(y - f)
        elif metric == "rmse":
            terms = (y - f) ** 2
        elif metric == "bias":
            terms = f - y
        elif metric == "mape":
            zeros = int(np.sum((y == 0) & np.isfinite(f)))
            if zeros:
                warnings.warn(f"mape is undefined where the actual value is 0; {zeros} such "
                              "point(s) left out", DataQualityWarning, stacklevel=3)
            terms = np.where(y != 0, 100.0 * np.abs(y - f) / np.abs(y), np.nan)
        else:
            denominator = np.abs(y) + np.abs(f)
            terms = np.where(denominator > 0, 200.0 * np.abs(y - f) / denominator, 0.0)
    terms[~(np.isfinite(y) & np.isfinite(f))] = np.nan
    work = pd.DataFrame({"step": step, "term": terms})
    groups = ["step"]
    if by:
        work.insert(0, "_by", frame[by].to_numpy(dtype=object))
        groups = ["_by", "step"]
    work = work[np.isfinite(step)]
    if keys:
        for i, key in enumerate(keys):
            work[f"_key{i}"] = frame.loc[np.isfinite(step), key].to_numpy(dtype=object)
        series = [*groups, *[f"_key{i}" for i in range(len(keys))]]
        per = work.groupby(series, sort=False, dropna=False)["term"].mean()
        if metric == "rmse":
            per = np.sqrt(per)
        out = per.groupby(level=list(range(len(groups))), sort=False).mean()
    else:
        out = work.groupby(groups, sort=False, dropna=False)["term"].mean()
        if metric == "rmse":
            out = np.sqrt(out)
    out = out.rename("value").reset_index()
    out["step"] = out["step"].astype(np.int64)
    return out


def _curves(results, metric: str, *, by, keys, horizon, mean, actual, time):
    """Long table ``label, step, value`` and the x-axis frequency word."""
    if isinstance(results, Mapping) or (isinstance(results, (list, tuple))
                                        and not isinstance(results, pd.DataFrame)):
        if by is not None:
            raise ParameterError("by= compares groups within one table; with several results "
                                 "each result is one line already")
        items = (list(results.items()) if isinstance(results, Mapping)
                 else [(getattr(r, "model", f"model {i + 1}"), r) for i, r in enumerate(results)])
        if not items:
            raise ParameterError("results is empty")
        pieces, word = [], "periods"
        for label, result in items:
            piece, word = _curves(result, metric, by=None, keys=keys, horizon=horizon,
                                  mean=mean, actual=actual, time=time)
            piece["label"] = str(label)
            pieces.append(piece)
        return pd.concat(pieces, ignore_index=True), word
    if _is_backtest_result(results):
        fc = results.forecasts
        res_time = getattr(results, "time", time)
        word = _freq_word(fc, res_time)
        if by is None and metric in results.summary.index:
            out = _from_summary(results.summary, metric, "the backtest summary")
        else:
            out = _from_forecasts(fc, metric, horizon=horizon, mean=mean, actual=actual,
                                  keys=keys if keys is not None else getattr(results, "keys",
                                                                             None),
                                  by=by, name="the backtest forecasts")
            if by:
                out = out.rename(columns={"_by": "label"})
        if "label" not in out:
            out["label"] = str(getattr(results, "model", ""))
        return out, word
    frame = _check_frame(results, "results")
    word = _freq_word(frame, time)
    if frame.index.name == "metric" and any(_STEP_COLUMN.match(str(c)) for c in frame.columns):
        out = _from_summary(frame, metric, "the summary table")
        out["label"] = ""
        return out, word
    if {"metric", "value"} <= set(frame.columns) and horizon in frame.columns:
        sub = frame[frame["metric"].astype(str) == metric]
        if sub.empty:
            raise ParameterError(f"metric {metric!r} is not in the metrics table; it has "
                                 f"{sorted(frame['metric'].astype(str).unique())}")
        if by:
            _require(sub, [by], "the metrics table")
        out = pd.DataFrame({"label": sub[by].astype(str).to_numpy() if by else "",
                            "step": _numbers(sub, horizon, "the metrics table"),
                            "value": _numbers(sub, "value", "the metrics table")})
        out = out[np.isfinite(out["step"])].astype({"step": np.int64})
        return out, word
    out = _from_forecasts(frame, metric, horizon=horizon, mean=mean, actual=actual, keys=keys,
                          by=by, name="results")
    out = out.rename(columns={"_by": "label"})
    if "label" not in out:
        out["label"] = ""
    return out, word


def _metric_name(metric: str) -> str:
    names = {"mae": "MAE", "rmse": "RMSE", "mape": "MAPE", "smape": "sMAPE", "mase": "MASE",
             "rmsse": "RMSSE"}
    return names.get(metric, metric.replace("_", " "))


def _metric_axis_label(metric: str, units: str | None) -> str:
    if metric in ("mae", "rmse", "bias", "pinball") or metric.startswith("interval_score"):
        name = _metric_name(metric)
        return f"{name} ({units})" if units else name
    if metric == "mape":
        return "MAPE (%)"
    if metric == "smape":
        return "sMAPE (0-200)"
    if metric in ("mase", "rmsse"):
        return f"{metric.upper()} (1 = in-sample naive error)"
    if metric.startswith("coverage"):
        return "coverage (share of actuals inside, 0-1)"
    return metric


def error_by_horizon(results, *, metric: str = "mae", by: str | None = None,
                     keys: Sequence[str] | None = None, horizon: str = "horizon_step",
                     mean: str = "mean", actual: str = "actual", time: str = "period",
                     units: str | None = "persons", title: str | None = None, ax=None):
    """Plot backtest error against the number of periods ahead, per model or group.

    Parameters
    ----------
    results : BacktestResult, DataFrame, or dict / list of them
        One of

        * a :class:`~talentgap.evaluation.backtest.BacktestResult`: its
          ``summary`` row ``metric`` (columns ``h1 .. h<horizon>``) is
          plotted, so every metric the backtest computed (``mase``,
          ``coverage_80``, ...) is available and the values are exactly
          those of the summary;
        * its ``.forecasts`` table (``<horizon>, <mean>, <actual>``, e.g.
          ``horizon_step, mean, actual``): ``mae``, ``rmse``, ``bias``,
          ``mape`` or ``smape`` is computed per horizon step from the rows
          with both values;
        * a long metrics table ``<horizon>, metric, value`` (or a summary
          table indexed by ``metric`` with columns ``h1 ..``);
        * a dict ``{name: result}`` or a list of results (named by their
          ``model``): one line per entry, to compare models.
    metric : str, default "mae"
        Metric name. In a forecasts table computed as ``mae = mean(|y - f|)``,
        ``rmse = sqrt(mean((y - f)^2))``, ``bias = mean(f - y)`` (positive =
        forecasts too high), ``mape`` in percent, ``smape`` on 0-200;
        ``mase``/``rmsse`` need the training scale and so a BacktestResult.
    by : str, optional
        Column of a forecasts or metrics table whose values get one line
        each, e.g. ``"model"`` for a table stacking several models'
        forecasts.
    keys : sequence of str, optional
        Series columns of a forecasts table. Given, the metric is computed
        per series and averaged over series at each step (as a
        BacktestResult's ``summary`` does); without it, it is pooled over all
        rows of the step. A BacktestResult's own ``keys`` are used for it.
    horizon, mean, actual : str
        Column names in a forecasts table (defaults ``"horizon_step"``,
        ``"mean"``, ``"actual"``).
    time : str, default "period"
        Period column, used only to name the horizon unit ("quarters ahead").
    units : str or None, default "persons"
        Units of scale-dependent metrics (``mae``, ``rmse``, ``bias``).
    title : str, optional
        Default ``"Forecast error by horizon: <metric>"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; default a new 7 x 4 inch figure.

    Returns
    -------
    matplotlib.axes.Axes
        One line with markers per model or group (a legend when there are
        several), integer horizon ticks, and a reference line at 0 for
        ``bias``, at 1 for ``mase``/``rmsse``, and at the nominal level for
        ``coverage_<level>``.

    Raises
    ------
    ParameterError
        For missing columns, an unknown metric, or a metric that needs more
        than the table holds.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> fc = pd.DataFrame({"model": ["naive"] * 4 + ["ets"] * 4,
    ...                    "horizon_step": [1, 2, 1, 2] * 2,
    ...                    "mean": [10.0, 10, 12, 12, 11, 12, 13, 15],
    ...                    "actual": [11.0, 14, 13, 16] * 2})
    >>> ax = error_by_horizon(fc, metric="mae", by="model")
    >>> [line.get_label() for line in ax.get_lines()]
    ['naive', 'ets']
    >>> ax.get_lines()[1].get_ydata().tolist()  # ets: mean |error| at steps 1 and 2
    [0.0, 1.5]
    >>> plt.close(ax.figure)
    """
    from matplotlib.ticker import MaxNLocator

    _check_ax(ax)
    if not isinstance(metric, str) or not metric:
        raise ParameterError(f"metric must be a metric name such as 'mae', got {metric!r}")
    if keys is not None:
        keys = [keys] if isinstance(keys, str) else list(keys)
    curves, word = _curves(results, metric, by=by, keys=keys, horizon=horizon, mean=mean,
                           actual=actual, time=time)
    if curves.empty:
        raise ParameterError("no horizon step to plot")
    if ax is None:
        ax = _new_axes((7.0, 4.0))
    labels = list(dict.fromkeys(curves["label"]))
    for label in labels:
        piece = curves[curves["label"] == label].sort_values("step")
        ax.plot(piece["step"].to_numpy(), piece["value"].to_numpy(float), marker="o",
                linewidth=1.6, markersize=4, label=label or metric)
    if metric == "bias":
        ax.axhline(0.0, color="0.35", linewidth=0.8, zorder=1)
    elif metric in ("mase", "rmsse"):
        ax.axhline(1.0, color="0.35", linewidth=0.8, linestyle=":", zorder=1)
    elif (m := re.match(r"^coverage_(\d+(?:\.\d+)?)$", metric)):
        ax.axhline(float(m.group(1)) / 100, color="0.35", linewidth=0.8, linestyle=":",
                   zorder=1, label=f"nominal {m.group(1)}%")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"horizon ({word} ahead)")
    ax.set_ylabel(_metric_axis_label(metric, units))
    ax.set_title(title if title is not None
                 else f"Forecast error by horizon: {_metric_name(metric)}")
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    if len(labels) > 1 or ax.get_legend_handles_labels()[1][len(labels):]:
        ax.legend(title=by, fontsize=8, frameon=False, loc="best")
    return ax


# ---- top shortages ----------------------------------------------------------------------------
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
        probability of a shortage.
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
        Axes to draw into; default a new figure whose height grows with
        ``n`` (0.3 inch a bar).

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
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n == {n!r}, must be an integer >= 1")
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
    _require(frame, [*keys, time, value, *(bounds or ())], "gap_forecast")
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
