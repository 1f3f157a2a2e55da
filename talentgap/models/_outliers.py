"""Naming, and on request masking, the values of series that look like data errors.

A value whose change from the one before (a season before, for seasonal
series) lies far outside the series' own changes
(:func:`~talentgap.models._conformal.outlying_values`) is held in by the
interval calibration, but a model fitted to it may still follow it. The
forecasters name such values when they are fitted, with a
:class:`~talentgap.errors.DataQualityWarning`, so the caller can check them.
Whether to drop them is the caller's choice: :func:`mask_outliers` sets those
that look like one-off errors (the series comes back afterwards) to missing
(the forecasters then interpolate them like any missing value) and lists what
it masked; ``GapForecaster(outliers="mask")`` does so for demand and supply.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import key_list, resolve_season_length
from talentgap._keys import series_codes
from talentgap.errors import DataQualityWarning, warn
from talentgap.models._conformal import OWN_FENCE_IQR, outlying_changes, outlying_values
from talentgap.models._conformal.scales import confirmed_spikes
from talentgap.models._series import to_arrays
from talentgap.periods import period_ordinals

__all__ = ["outlier_examples", "warn_outlying_values", "mask_outliers", "MASKED_COLUMNS"]

#: Columns of the table of masked values after the key and time columns
#: (:func:`mask_outliers`).
MASKED_COLUMNS = ("column", "value", "change", "lag", "fence")

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


def mask_outliers(df: pd.DataFrame, *, target: str = "value", time: str = "period",
                  keys: Sequence[str], season_length: int | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set the values that look like one-off data errors to missing, and list them.

    The values considered are those behind the forecasters' warnings and the
    gap model's ``outlier_in_history`` flag
    (:func:`~talentgap.models._conformal.outlying_values`): a value whose
    change from the value a season before (one period before, for series
    too short for seasonal changes) lies more than
    :data:`~talentgap.models._conformal.OWN_FENCE_IQR` (10) interquartile
    ranges beyond the quartiles of the series' other changes; the change
    back from such a value is not counted. Of these, only a *confirmed
    spike* is masked
    (:func:`~talentgap.models._conformal.scales.confirmed_spikes`): the
    series comes back from it, the change to the value a season (or a
    period) later lying beyond the opposite fence. A flagged value that no
    later value confirms, one in the last season of the series or the start
    of a new level that persists, is kept: it may be real, and is still
    named by the warning and the flag. A value typed 50 times too large
    inside the series is masked; a series' own movements, even large ones,
    almost never are (series with fewer than 5 non-zero changes are never
    masked). The series
    are laid out as the forecasters lay them out
    (:func:`talentgap.models._series.to_arrays`): missing values inside a
    series are interpolated before the changes are taken, and only
    observed values are masked.

    A forecaster fitted to the result treats a masked value as any missing
    value: inside a series it is interpolated and counted in its
    ``fitted_summary_["n_interpolated"]`` (a value of a series' last season
    is never masked: no later value confirms it). Masking is a data-policy
    choice: nothing is masked unless asked, and every masked value is listed.

    Parameters
    ----------
    df : pandas.DataFrame
        Long table, one row per series and period.
    target : str, default "value"
        The column whose values are checked (NaN: not observed).
    time : str, default "period"
        Period column.
    keys : sequence of str
        Columns identifying a series (``[]`` for one series).
    season_length : int, optional
        Periods per season; default from the frequency (4 for quarters, 12
        for months, 1 for years), as the forecasters choose it.

    Returns
    -------
    masked : pandas.DataFrame
        A copy of ``df`` with the outlying values of ``target`` set to
        missing (an integer column becomes float); the input is unchanged.
    outliers : pandas.DataFrame
        One row per masked value, by series then period: the ``keys`` and
        ``time`` of its row, ``column`` (``target``), ``value`` (the value
        masked), ``change`` (it minus the value ``lag`` periods before, that
        one interpolated if it was missing), ``lag`` and ``fence`` (the
        series' fence the change crossed: above the upper one, or below the
        lower). Empty when nothing is masked.

    Raises
    ------
    ParameterError
        For missing columns or a non-numeric target.
    SchemaError
        For repeated (keys, period) rows, unusable periods, or a table
        without any observed target.

    Examples
    --------
    >>> import pandas as pd
    >>> demand = [10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10, 11, 12]
    >>> df = pd.DataFrame({"cell": "A",
    ...                    "period": pd.period_range("2021Q1", periods=12, freq="Q"),
    ...                    "demand": demand})
    >>> masked, outliers = mask_outliers(df, target="demand", keys=["cell"], season_length=1)
    >>> outliers
      cell  period  column  value  change  lag  fence
    0    A  2022Q3  demand  500.0   490.0    1   21.0
    >>> int(masked["demand"].isna().sum()), int(df["demand"].isna().sum())
    (1, 0)
    >>> # a new level at the end: flagged, but no later value confirms a spike
    >>> shifted = df.assign(demand=[10.0, 11, 10, 12, 11, 10, 12, 11, 12, 10, 200, 201])
    >>> len(mask_outliers(shifted, target="demand", keys=["cell"], season_length=1)[1])
    0
    >>> import talentgap as tg
    >>> fc = tg.models.Naive().fit(masked, target="demand", keys=["cell"])
    >>> int(fc.fitted_summary_["n_interpolated"].iloc[0])
    1
    """
    keys = key_list(keys, distinct=True)
    if target in df.columns:
        observed = df[target].notna().to_numpy()
        if observed.any():
            df_in = df.iloc[np.flatnonzero(observed)]
        else:
            df_in = df  # to_arrays says that nothing is observed
    else:
        df_in = df  # to_arrays names the missing column
    arrays = to_arrays(df_in, target=target, time=time, keys=keys)
    m = resolve_season_length(season_length, arrays.freq)
    hit, lag, change, lower, upper = outlying_changes(arrays.values, m)
    hit = confirmed_spikes(hit, lag, change, lower, upper) & arrays.observed
    # each observed row's place in the arrays (rows of series codes, columns of periods)
    codes, _ = series_codes(df_in, keys)
    ordinal, _ = period_ordinals(df_in, time)
    width = arrays.values.shape[1]
    column = width - 1 - (arrays.last_period[codes] - ordinal)
    found = np.flatnonzero(hit[codes, column])
    found = found[np.lexsort((ordinal[found], codes[found]))]
    row, at = codes[found], column[found]
    moved = change[row, at]
    outliers = df_in.iloc[found][[*keys, time]].reset_index(drop=True)
    outliers["column"] = target
    outliers["value"] = arrays.values[row, at]
    outliers["change"] = moved
    outliers["lag"] = lag[row].astype(np.int64)
    outliers["fence"] = np.where(moved > upper[row], upper[row], lower[row])
    out = df.copy()
    if found.size:
        where = np.zeros(len(df), dtype=bool)
        where[np.flatnonzero(observed)[found]] = True
        out[target] = out[target].mask(where)
    return out, outliers
