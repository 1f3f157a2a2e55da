"""Helpers shared by the plotting functions: checks, time axes, labels, colours."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd

from talentgap._arguments import check_levels, level_label
from talentgap._words import exact_number
from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import parse_periods

__all__: list[str] = []  # private helpers of the plotting modules

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
    """A level as interval column names write it (:func:`talentgap._arguments.level_label`)."""
    return level_label(level)


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
    """The ``levels`` argument of a plot, checked by :func:`talentgap._arguments.check_levels`."""
    return check_levels(levels, name="levels")


def _value_label(value: str, units: str | None) -> str:
    if value == "p_shortage":
        return "probability of shortage (0-1)"
    return f"{value} ({units})" if units else value


def _is_probability(value: str) -> bool:
    return value == "p_shortage" or value.startswith("p_")


def _format_number(v: float, probability: bool) -> str:
    """A value on a chart: a probability at 2 decimals, anything else whole; blank if missing."""
    return exact_number(v, decimals=2 if probability else 0) if np.isfinite(v) else ""


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


