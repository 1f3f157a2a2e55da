"""Long tables to series x time arrays, and forecasts back to long tables.

Every forecaster works on a :class:`SeriesArrays`: one row per series, one
column per period, **right-aligned** so that the last column holds every
series' last observation (shorter series are padded with NaN on the left).
Missing periods inside a series are filled by linear interpolation for
fitting, and the number filled is recorded per series; trailing missing
targets end a series early (its forecasts start after its last observed
period).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from talentgap._arguments import interval_columns, key_list
from talentgap._keys import series_codes
from talentgap._registry import register_dataclass
from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import period_ordinals

__all__ = ["SeriesArrays", "to_arrays", "forecast_frame", "interpolate_inside"]


@register_dataclass("SeriesArrays")
@dataclass(frozen=True)
class SeriesArrays:
    """Series laid out as a right-aligned 2-D array.

    Attributes
    ----------
    ids : pandas.DataFrame
        One row per series with its key values (categorical keys kept).
    values : numpy.ndarray, shape (n_series, n_periods)
        Target values, NaN before each series' first observation; internal
        gaps interpolated.
    observed : numpy.ndarray of bool, same shape
        True where the value was observed (False where interpolated or padding).
    n_obs : numpy.ndarray of int
        Length of each series from its first to its last observation.
    last_period : numpy.ndarray of int64
        Ordinal of each series' last observed period.
    freq : str
        pandas period frequency string (e.g. ``"Q-DEC"``).
    exog : numpy.ndarray or None, shape (n_series, n_periods, n_exog)
        Exogenous regressors aligned with ``values``.
    exog_names : tuple of str
    """

    ids: pd.DataFrame
    values: np.ndarray
    observed: np.ndarray
    n_obs: np.ndarray
    last_period: np.ndarray
    freq: str
    exog: np.ndarray | None = None
    exog_names: tuple[str, ...] = ()

    @property
    def n_series(self) -> int:
        return self.values.shape[0]

    @property
    def n_interpolated(self) -> np.ndarray:
        """Interpolated values per series."""
        inside = ~np.isnan(self.values)
        return (inside & ~self.observed).sum(axis=1)

    def take(self, rows: np.ndarray) -> SeriesArrays:
        """The series at positions ``rows`` (columns trimmed to the longest)."""
        n_obs = self.n_obs[rows]
        width = int(n_obs.max()) if rows.size else 0
        cut = self.values.shape[1] - width
        return replace(
            self,
            ids=self.ids.iloc[rows].reset_index(drop=True),
            values=self.values[rows, cut:],
            observed=self.observed[rows, cut:],
            n_obs=n_obs,
            last_period=self.last_period[rows],
            exog=None if self.exog is None else self.exog[rows, cut:],
        )

    def truncate(self, steps: int) -> SeriesArrays:
        """Drop the last ``steps`` periods of every series (for rolling origins)."""
        if steps == 0:
            return self
        return replace(
            self,
            values=self.values[:, :-steps],
            observed=self.observed[:, :-steps],
            n_obs=np.maximum(self.n_obs - steps, 0),
            last_period=self.last_period - steps,
            exog=None if self.exog is None else self.exog[:, :-steps],
        )


def interpolate_inside(values: np.ndarray) -> np.ndarray:
    """Linearly interpolate NaNs between observed values along axis 1 (vectorised).

    Leading and trailing NaNs are left as they are.

    Examples
    --------
    >>> import numpy as np
    >>> interpolate_inside(np.array([[np.nan, 1.0, np.nan, np.nan, 4.0, np.nan]]))
    array([[nan,  1.,  2.,  3.,  4., nan]])
    """
    valid = ~np.isnan(values)
    if valid.all():
        return values.copy()
    n_cols = values.shape[1]
    col = np.arange(n_cols)
    prev = np.maximum.accumulate(np.where(valid, col, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(valid, col, n_cols)[:, ::-1], axis=1)[:, ::-1]
    inside = ~valid & (prev >= 0) & (nxt < n_cols)
    rows = np.nonzero(inside)
    p, q = prev[rows], nxt[rows]
    left, right = values[rows[0], p], values[rows[0], q]
    out = values.copy()
    out[rows] = left + (right - left) * (rows[1] - p) / (q - p)
    return out


def to_arrays(df: pd.DataFrame, *, target: str, time: str, keys: Sequence[str],
              exog: Sequence[str] | None = None) -> SeriesArrays:
    """Lay out a long table as right-aligned series arrays.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table, one row per series and period.
    target, time : str
        Value column and period column (Periods, period labels, or
        timestamps of a regular frequency).
    keys : sequence of str
        Columns identifying a series (may be empty for a single series).
    exog : sequence of str, optional
        Exogenous regressor columns (no missing values allowed).

    Returns
    -------
    SeriesArrays

    Raises
    ------
    ParameterError
        For missing columns, a non-numeric target, or a key naming the
        time, target or a regressor column (:func:`talentgap._arguments.key_list`).
    SchemaError
        For repeated (keys, period) rows, unusable periods, missing
        regressor values, or a table without any observed target.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a", "a", "a", "b"],
    ...                    "period": ["2024Q1", "2024Q2", "2024Q4", "2024Q2"],
    ...                    "value": [1.0, 2.0, 4.0, 7.0]})
    >>> arrays = to_arrays(df, target="value", time="period", keys=["id"])
    >>> arrays.values
    array([[ 1.,  2.,  3.,  4.],
           [nan, nan, nan,  7.]])
    >>> arrays.n_obs.tolist(), arrays.n_interpolated.tolist()
    ([4, 1], [1, 0])
    """
    exog = list(exog or [])
    keys = key_list(keys, distinct=True, time=time, target=target,
                    reserved={column: "a regressor column" for column in exog})
    missing = [c for c in [*keys, time, target, *exog] if c not in df.columns]
    if missing:
        indexed = [c for c in missing if c in df.index.names]
        hint = ""
        if indexed:
            what = "it is" if len(indexed) == 1 else "they are"
            where = "the index" if df.index.nlevels == 1 else "levels of the index"
            hint = (f"; {', '.join(map(repr, indexed))}: {what} {where}, not a column: use "
                    "df.reset_index()")
        raise ParameterError(f"columns {missing} are not in the table; "
                             f"columns are {list(df.columns)}{hint}")
    if not pd.api.types.is_numeric_dtype(df[target].dtype) or pd.api.types.is_bool_dtype(
            df[target].dtype):
        raise ParameterError(f"target column {target!r} must be numeric, got {df[target].dtype}")
    ordinal, freq = period_ordinals(df, time)
    y = df[target].to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(y).any():
        raise SchemaError(f"column {target!r} holds infinite values", column=target,
                          reason="not_finite")
    codes, ids = series_codes(df, keys)
    n_series = len(ids)

    # Each series ends at its last observed (non-NaN) period; NaN rows after it are ignored.
    has_value = ~np.isnan(y)
    if not has_value.any():
        raise SchemaError(f"column {target!r} has no observed value", column=target,
                          reason="missing_value")
    last = np.full(n_series, np.iinfo(np.int64).min)
    np.maximum.at(last, codes[has_value], ordinal[has_value])
    first = np.full(n_series, np.iinfo(np.int64).max)
    np.minimum.at(first, codes[has_value], ordinal[has_value])
    empty = last == np.iinfo(np.int64).min
    if empty.any():
        example = ids.iloc[np.flatnonzero(empty)[:3]].to_dict("records")
        raise SchemaError(f"{int(empty.sum())} series have no observed {target!r} value, "
                          f"e.g. {example}", column=target, reason="missing_value")
    n_obs = (last - first + 1).astype(np.int64)
    width = int(n_obs.max())
    column = width - 1 - (last[codes] - ordinal)
    # rows between each series' first and last observed period (trailing NaN rows after
    # the last one are ignored; they would otherwise spill into the next series' row)
    inside = (ordinal >= first[codes]) & (ordinal <= last[codes])
    flat = codes[inside] * width + column[inside]
    if np.unique(flat).size != flat.size:
        raise SchemaError(f"repeated ({', '.join([*keys, time])}) rows: each series needs "
                          "one row per period", column=time, reason="duplicate_key")
    values = np.full((n_series, width), np.nan)
    values.flat[flat] = y[inside]
    observed = ~np.isnan(values)
    values = interpolate_inside(values)

    exog_array = None
    if exog:
        x = df[exog].to_numpy(dtype=np.float64, na_value=np.nan)
        exog_array = np.full((n_series, width, len(exog)), np.nan)
        exog_array.reshape(-1, len(exog))[flat] = x[inside]
        gaps = np.isnan(exog_array).any(axis=2) & ~np.isnan(values)
        if gaps.any():
            raise SchemaError(f"exogenous columns {exog} have missing values in "
                              f"{int(gaps.sum())} observed periods", column=exog[0],
                              reason="missing_value")
    return SeriesArrays(ids=ids, values=values, observed=observed, n_obs=n_obs,
                        last_period=last, freq=freq, exog=exog_array,
                        exog_names=tuple(exog))


def forecast_frame(ids: pd.DataFrame, last_period: np.ndarray, freq: str, mean: np.ndarray,
                   bounds: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
                   time: str = "period") -> pd.DataFrame:
    """Long forecast table: ``<keys>, <time>, mean, lo_<level>, hi_<level>, ...``.

    ``mean`` and each bound have shape (n_series, horizon); rows are ordered
    by series, then step.
    """
    n_series, horizon = mean.shape
    steps = np.arange(1, horizon + 1)
    out = ids.iloc[np.repeat(np.arange(n_series), horizon)].reset_index(drop=True)
    out[time] = pd.PeriodIndex.from_ordinals(
        (last_period[:, None] + steps[None, :]).ravel(), freq=freq)
    out["mean"] = mean.ravel()
    for level in sorted(bounds or {}):
        lo, hi = bounds[level]
        lo_column, hi_column = interval_columns(level)
        out[lo_column] = lo.ravel()
        out[hi_column] = hi.ravel()
    return out
