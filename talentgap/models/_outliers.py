"""Naming the values of fitted series that look like data errors.

A value whose change from the one before (a season before, for seasonal
series) lies far outside the series' own changes
(:func:`~talentgap.models._conformal.outlying_values`) is held in by the
interval calibration, but a model fitted to it may still follow it. The
forecasters name such values when they are fitted, with a
:class:`~talentgap.errors.DataQualityWarning`, so the caller can check them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, warn
from talentgap.models._conformal import OWN_FENCE_IQR, outlying_values

__all__ = ["outlier_examples", "warn_outlying_values"]

#: How many outlying values a warning names.
_EXAMPLES = 3


def outlier_examples(ids: pd.DataFrame, values: np.ndarray, last_period: np.ndarray,
                     freq: str, hit: np.ndarray, *, limit: int = _EXAMPLES) -> list[str]:
    """``"key=value, ... at <period> (<value>)"`` for the first ``limit`` hits.

    Parameters
    ----------
    ids : pandas.DataFrame
        One row per series with its key values.
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series: the last column is each series' ``last_period``.
    last_period : numpy.ndarray of int64
        Period ordinal of each series' last column.
    freq : str
        pandas period frequency.
    hit : numpy.ndarray of bool, same shape as ``values``
        The values to name.
    limit : int, default 3

    Returns
    -------
    list of str

    Examples
    --------
    >>> ids = pd.DataFrame({"region": ["North"]})
    >>> values = np.array([[10.0, 500.0, 11.0]])
    >>> last = np.array([pd.Period("2024Q3", freq="Q").ordinal])
    >>> outlier_examples(ids, values, last, "Q-DEC", np.array([[False, True, False]]))
    ['region=North at 2024Q2 (500)']
    """
    rows, columns = np.nonzero(hit)
    rows, columns = rows[:limit], columns[:limit]
    width = values.shape[1]
    periods = pd.PeriodIndex.from_ordinals(last_period[rows] - (width - 1 - columns), freq=freq)
    out = []
    for row, column, period in zip(rows, columns, periods, strict=True):  # a few examples
        keys = ", ".join(f"{name}={value}" for name, value in ids.iloc[row].items())
        label = f"{keys} at {period}" if keys else f"at {period}"
        out.append(f"{label} ({values[row, column]:.6g})")
    return out


def warn_outlying_values(arrays, season_length: int, target: str, *,
                         stacklevel: int = 3) -> np.ndarray:
    """Warn about values far outside their series' own changes; return which series have one.

    Parameters
    ----------
    arrays : SeriesArrays
        The fitted series (:func:`talentgap.models._series.to_arrays`).
    season_length : int
    target : str
        The column the series come from (named in the message).
    stacklevel : int, default 3

    Returns
    -------
    numpy.ndarray of bool, shape (n_series,)

    Examples
    --------
    >>> import warnings
    >>> import talentgap as tg
    >>> from talentgap.models._series import to_arrays
    >>> frame = pd.DataFrame({"period": pd.period_range("2020Q1", periods=12, freq="Q"),
    ...                       "value": [10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10, 11, 12]})
    >>> arrays = to_arrays(frame, target="value", time="period", keys=[])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_outlying_values(arrays, 1, "value").tolist()
    [True]
    >>> "at 2021Q3 (500)" in str(caught[0].message)
    True
    """
    hit = outlying_values(arrays.values, season_length)
    flagged = hit.any(axis=1)
    if flagged.any():
        examples = outlier_examples(arrays.ids, arrays.values, arrays.last_period,
                                    arrays.freq, hit)
        count = int(hit.sum())
        values = "1 value" if count == 1 else f"{count} values"
        verb = "lies" if count == 1 else "lie"
        warn(f"column '{target}': {values} in {int(flagged.sum())} series {verb} far outside "
             "their series' other changes (the change from the value before, a season "
             f"before for seasonal series, is more than {OWN_FENCE_IQR:g} interquartile "
             f"ranges beyond the quartiles of the series' changes): data errors, or a "
             "survey estimate that one large respondent moved, "
             f"e.g. {'; '.join(examples)}; the intervals leave them out of the series' "
             "scale, but the point forecasts may follow them: check them, and correct errors",
             DataQualityWarning, stacklevel=stacklevel)
    return flagged
