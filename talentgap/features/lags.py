"""Time-series features on a long panel: lags, rolling windows, growth rates.

Every function lays each value column out as a 2-D array (cells x periods,
NaN where a period is absent), computes along the time axis for all cells at
once, and writes the result back to the rows of the input. Periods are
matched by their calendar position, not by row order, so a panel with
missing periods gets NaN where the earlier period is absent instead of a
value from the wrong period.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import check_counts, key_list
from talentgap.errors import ParameterError
from talentgap.features._groups import group_rows

__all__ = ["add_lags", "add_rolling", "add_growth"]


class _Layout:
    """Where each row of a long panel sits in a cells x periods matrix."""

    def __init__(self, df: pd.DataFrame, keys: Sequence[str], time: str) -> None:
        keys = key_list(keys, distinct=True, time=time)
        missing = [c for c in [*keys, time] if c not in df.columns]
        if missing:
            raise ParameterError(f"columns {missing} are not in the panel; "
                                 f"columns are {list(df.columns)}")
        if not isinstance(df[time].dtype, pd.PeriodDtype):
            raise ParameterError(f"column {time!r} must hold pandas Periods, "
                                 f"got {df[time].dtype}; parse it with talentgap.io.parse_periods")
        blank = [c for c in [*keys, time] if df[c].isna().any()]
        if blank:  # NaT ordinals or -1 key codes would index the wrong (or no) cell
            raise ParameterError(f"columns {blank} have missing values; every row needs "
                                 "its cell and period")
        groups = group_rows(df, keys) if keys else None
        self.row = groups.codes if groups is not None else np.zeros(len(df), dtype=np.int64)
        self.n_rows = groups.n_groups if groups is not None else 1
        ordinals = df[time].array.asi8
        self.col = ordinals - ordinals.min() if len(df) else ordinals
        self.n_cols = int(self.col.max()) + 1 if len(df) else 0
        flat = self.row * self.n_cols + self.col
        if np.unique(flat).size != flat.size:
            raise ParameterError(
                f"the panel has repeated ({', '.join([*keys, time])}) rows; these features "
                "need one row per cell and period"
            )

    def matrix(self, values: np.ndarray) -> np.ndarray:
        out = np.full((self.n_rows, self.n_cols), np.nan)
        out[self.row, self.col] = values
        return out

    def rows(self, matrix: np.ndarray) -> np.ndarray:
        return matrix[self.row, self.col]


def _shift(matrix: np.ndarray, steps: int) -> np.ndarray:
    """Values ``steps`` periods earlier along axis 1 (NaN before the start)."""
    out = np.full_like(matrix, np.nan)
    if steps < matrix.shape[1]:
        out[:, steps:] = matrix[:, : matrix.shape[1] - steps]
    return out


def _window_squares(matrix: np.ndarray, mean: np.ndarray, window: int) -> np.ndarray:
    """Sum of squared deviations from ``mean`` over each trailing window (NaNs skipped).

    Two passes (the window means first) rather than ``sum(x^2) - n*mean^2`` from
    running sums, which cancels catastrophically when a series' level is large
    next to its spread (employment of 10^6 varying by tens). One vectorised
    pass per position in the window.
    """
    out = np.zeros_like(matrix)
    for k in range(window):
        deviation = _shift(matrix, k) - mean
        out += np.where(np.isnan(deviation), 0.0, deviation * deviation)
    return out


def _value_columns(df: pd.DataFrame, columns) -> list[str]:
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in the panel")
    return columns


def add_lags(df: pd.DataFrame, *, columns: str | Sequence[str] = ("gap",),
             lags: int | Sequence[int] = (1,), keys: Sequence[str] = ("region", "industry"),
             time: str = "period") -> pd.DataFrame:
    """Add lagged copies of value columns, per cell.

    Parameters
    ----------
    df : pandas.DataFrame
        A long panel with one row per cell and period.
    columns : str or sequence of str, default ("gap",)
        Value columns to lag.
    lags : int or sequence of int, default (1,)
        Lags in periods (>= 1).
    keys : sequence of str, default ("region", "industry")
        Columns identifying a cell.
    time : str, default "period"
        Period column (pandas ``Period`` dtype).

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with ``<column>_lag<k>`` columns: the value ``k``
        periods earlier in the same cell, NaN when that period is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["A"] * 3 + ["B"] * 2,
    ...                    "period": pd.PeriodIndex(["2024Q1", "2024Q2", "2024Q4",
    ...                                              "2024Q1", "2024Q2"], freq="Q"),
    ...                    "gap": [1.0, 2.0, 4.0, 10.0, 20.0]})
    >>> add_lags(df, lags=[1, 2], keys=["region"])[["gap_lag1", "gap_lag2"]].values.tolist()
    [[nan, nan], [1.0, nan], [nan, 2.0], [nan, nan], [10.0, nan]]
    """
    columns, lags = _value_columns(df, columns), check_counts(lags, "lags")
    layout = _Layout(df, keys, time)
    out = df.copy()
    for name in columns:
        matrix = layout.matrix(df[name].to_numpy(dtype=np.float64))
        for k in lags:
            out[f"{name}_lag{k}"] = layout.rows(_shift(matrix, k))
    return out


def add_rolling(df: pd.DataFrame, *, columns: str | Sequence[str] = ("gap",),
                windows: int | Sequence[int] = (4,), stats: Sequence[str] = ("mean",),
                min_periods: int | None = None, keys: Sequence[str] = ("region", "industry"),
                time: str = "period") -> pd.DataFrame:
    """Add rolling-window statistics over the last ``w`` periods (current included).

    Parameters
    ----------
    df : pandas.DataFrame
        A long panel with one row per cell and period.
    columns : str or sequence of str, default ("gap",)
    windows : int or sequence of int, default (4,)
        Window lengths in periods.
    stats : sequence of {"mean", "sum", "std"}, default ("mean",)
        ``std`` is the sample standard deviation (ddof=1).
    min_periods : int, optional
        Observed values needed in a window (default: the window length, so
        a window touching a missing period gives NaN).
    keys, time
        As in :func:`add_lags`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``<column>_roll<w>_<stat>`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["A"] * 4,
    ...                    "period": pd.period_range("2024Q1", periods=4, freq="Q"),
    ...                    "gap": [1.0, 2.0, 3.0, 6.0]})
    >>> add_rolling(df, windows=2, stats=["mean", "sum"], keys=["region"]).iloc[:, -2:]
       gap_roll2_mean  gap_roll2_sum
    0             NaN            NaN
    1             1.5            3.0
    2             2.5            5.0
    3             4.5            9.0
    """
    columns, windows = _value_columns(df, columns), check_counts(windows, "windows")
    unknown = [s for s in stats if s not in ("mean", "sum", "std")]
    if unknown:
        raise ParameterError(f"stats {unknown} are not supported; use 'mean', 'sum', 'std'")
    layout = _Layout(df, keys, time)
    out = df.copy()
    for name in columns:
        matrix = layout.matrix(df[name].to_numpy(dtype=np.float64))
        observed = ~np.isnan(matrix)
        zeroed = np.where(observed, matrix, 0.0)
        sums = np.cumsum(np.pad(zeroed, ((0, 0), (1, 0))), axis=1)
        counts = np.cumsum(np.pad(observed.astype(np.int64), ((0, 0), (1, 0))), axis=1)
        for w in windows:
            lo = np.maximum(np.arange(1, layout.n_cols + 1) - w, 0)
            hi = np.arange(1, layout.n_cols + 1)
            total = sums[:, hi] - sums[:, lo]
            count = counts[:, hi] - counts[:, lo]
            enough = count >= (w if min_periods is None else min_periods)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = total / count
                result = {"mean": mean, "sum": total}
                if "std" in stats:
                    result["std"] = np.sqrt(_window_squares(matrix, mean, w) / (count - 1))
            for stat in stats:
                value = np.where(enough & ((count > 1) | (stat != "std")), result[stat], np.nan)
                out[f"{name}_roll{w}_{stat}"] = layout.rows(value)
    return out


def add_growth(df: pd.DataFrame, *, columns: str | Sequence[str] = ("demand",),
               periods: int | Sequence[int] = (1,), kind: str = "pct",
               keys: Sequence[str] = ("region", "industry"), time: str = "period") -> pd.DataFrame:
    """Add growth over ``p`` periods, per cell.

    Parameters
    ----------
    df : pandas.DataFrame
        A long panel with one row per cell and period.
    columns : str or sequence of str, default ("demand",)
    periods : int or sequence of int, default (1,)
        Horizons ``p`` (e.g. 4 for year-on-year growth of quarterly data).
    kind : {"pct", "log", "diff"}, default "pct"
        ``pct``: ``x_t / x_{t-p} - 1`` (NaN when ``x_{t-p} == 0``); ``log``:
        ``log(x_t) - log(x_{t-p})`` (NaN unless both are > 0); ``diff``:
        ``x_t - x_{t-p}``.
    keys, time
        As in :func:`add_lags`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``<column>_growth<p>``, ``<column>_logdiff<p>`` or
        ``<column>_diff<p>`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["A"] * 3,
    ...                    "period": pd.period_range("2022", periods=3, freq="Y"),
    ...                    "demand": [100.0, 110.0, 0.0]})
    >>> add_growth(df, keys=["region"])["demand_growth1"].round(3).tolist()
    [nan, 0.1, -1.0]
    """
    columns, periods = _value_columns(df, columns), check_counts(periods, "periods")
    suffix = {"pct": "growth", "log": "logdiff", "diff": "diff"}
    if kind not in suffix:
        raise ParameterError(f"kind={kind!r} is not supported; use 'pct', 'log' or 'diff'")
    layout = _Layout(df, keys, time)
    out = df.copy()
    for name in columns:
        matrix = layout.matrix(df[name].to_numpy(dtype=np.float64))
        for p in periods:
            before = _shift(matrix, p)
            with np.errstate(invalid="ignore", divide="ignore"):
                if kind == "pct":
                    value = np.where(before != 0, matrix / before - 1.0, np.nan)
                elif kind == "log":
                    ok = (matrix > 0) & (before > 0)
                    value = np.where(ok, np.log(np.where(ok, matrix, 1.0))
                                     - np.log(np.where(ok, before, 1.0)), np.nan)
                else:
                    value = matrix - before
            out[f"{name}_{suffix[kind]}{p}"] = layout.rows(value)
    return out
