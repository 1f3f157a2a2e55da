"""Metrics per series on long forecast tables.

:func:`evaluate` joins forecasts to actuals and computes the metrics of
:mod:`talentgap.evaluation.metrics` for every series at once, with group
codes and :func:`numpy.bincount` rather than a loop over series.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import (
    check_levels,
    interval_columns,
    key_list,
    resolve_season_length,
)
from talentgap._keys import codes_in, series_codes
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError, warn
from talentgap.evaluation._common import check_metric_names, numeric, require, same_freq
from talentgap.evaluation._terms import (
    INTERVAL_METRICS,
    SCALED_METRICS,
    grouped_metrics,
    lag_differences,
    long_metrics,
    naive_scales,
)
from talentgap.periods import period_ordinals

__all__ = ["evaluate"]


def _warn_undefined_scales(scale: np.ndarray, season_length: int, what: str) -> None:
    bad = int(np.isnan(scale).sum())
    if bad:
        warn(f"MASE/RMSSE undefined (NaN) for {bad} {what}: the training data has no "
             f"pair of values {season_length} period(s) apart, or is constant over "
             "them (scale 0)", DataQualityWarning, stacklevel=3)


def evaluate(forecasts: pd.DataFrame, actuals: pd.DataFrame | None = None,
             train: pd.DataFrame | None = None, *, keys: Sequence[str], time: str = "period",
             target: str = "value",
             metrics: Sequence[str] = ("mase", "smape", "mae", "rmse", "bias"),
             season_length: int | None = None,
             levels: Sequence[float] | None = (80,)) -> pd.DataFrame:
    """Accuracy of each series' forecasts, from long tables.

    Vectorised over series (group codes and ``numpy.bincount``), so it scales
    to many thousands of series.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        A forecaster's output: ``<keys...>, <time>, mean`` and, for interval
        metrics, ``lo_<level>``/``hi_<level>``.
    actuals : pandas.DataFrame, optional
        ``<keys...>, <time>, <target>``: the values that happened. Forecast
        rows without an actual (missing row or NaN) are left out. When
        omitted, ``forecasts`` must have an ``actual`` column (as the
        :func:`~talentgap.evaluation.backtest` forecasts have).
    train : pandas.DataFrame, optional
        ``<keys...>, <time>, <target>``: the data the forecasts were fitted
        on; required by ``mase`` and ``rmsse`` for their scale.
    keys : sequence of str
        Columns identifying a series (``[]`` for one series). Metrics are
        computed per distinct key combination of ``forecasts``.
    time : str, default "period"
        Period column (Periods or period labels) in every table.
    target : str, default "value"
        Value column of ``actuals`` and ``train``.
    metrics : sequence of str, default ("mase", "smape", "mae", "rmse", "bias")
        Names from :data:`METRICS`. ``coverage``, ``interval_score`` and
        ``pinball`` are computed per level in ``levels``; ``pinball`` at a
        level is the mean pinball loss of the lower bound (quantile ``a/2``)
        and the upper bound (``1 - a/2``), ``a = 1 - level/100``.
    season_length : int, optional
        Lag of the MASE/RMSSE scale; default from the period frequency
        (4 quarterly, 12 monthly, 1 annual).
    levels : sequence of float, default (80,)
        Interval levels judged by the interval metrics (ignored otherwise).

    Returns
    -------
    pandas.DataFrame
        Long table ``<keys...>, metric, value, n``: one row per series and
        metric label (``mase``, ``coverage_80``, ...), ``n`` = the points
        used. Sorted by metric (in the order asked), then series.

    Raises
    ------
    ParameterError
        For unknown metrics, missing columns, interval metrics without
        levels, or scaled metrics without ``train``; for a key naming the time
        column, the target (read from ``actuals``/``train``), a forecast column
        (``mean``, ``actual``, the interval bounds) or an output column
        (``metric``, ``value``, ``n``).
    SchemaError
        For repeated (series, period) actuals or mismatching frequencies.

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"id": ["a", "a", "b"], "period": ["2024", "2025", "2024"],
    ...                    "mean": [4.0, 4.0, 10.0]})
    >>> actual = pd.DataFrame({"id": ["a", "a", "b"], "period": ["2024", "2025", "2024"],
    ...                        "value": [3.0, 5.0, 12.0]})
    >>> train = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 2,
    ...                       "period": ["2020", "2021", "2022", "2023", "2022", "2023"],
    ...                       "value": [1.0, 2.0, 4.0, 7.0, 10.0, 14.0]})
    >>> evaluate(fc, actual, train, keys=["id"], metrics=["mae", "mase"])
      id metric  value  n
    0  a    mae    1.0  2
    1  b    mae    2.0  1
    2  a   mase    0.5  2
    3  b   mase    0.5  1
    """
    level_list = check_levels(levels)
    names = check_metric_names(metrics, level_list)
    level_list = level_list if any(n in INTERVAL_METRICS for n in names) else []
    read = ["mean", *(column for lv in level_list for column in interval_columns(lv))]
    keys = key_list(keys, distinct=True, time=time,
                    target=None if actuals is None and train is None else target,
                    reserved={**{c: "an output column of evaluate" for c in ("metric", "value",
                                                                          "n")},
                              **{c: "a forecast column" for c in read},
                              **({"actual": "the actual-value column"} if actuals is None
                                 else {})})
    needed = [*keys, time]
    if any(n not in INTERVAL_METRICS for n in names):
        needed.append("mean")
    needed += [column for lv in level_list for column in interval_columns(lv)]
    require(forecasts, needed, "forecasts")

    ordinals, freq = period_ordinals(forecasts, time)
    codes, ids = series_codes(forecasts, keys)
    n_groups = len(ids)
    if actuals is None:
        y = numeric(forecasts, "actual", "forecasts (no actuals table was given)")
    else:
        require(actuals, [*keys, time], "actuals")
        y_actual = numeric(actuals, target, "actuals")
        a_ordinals, a_freq = period_ordinals(actuals, time)
        same_freq(freq, a_freq, "actuals")
        a_codes = codes_in(actuals, keys, ids)
        y = _lookup(codes, ordinals, a_codes, a_ordinals, y_actual)
        unmatched = int(np.isnan(y).sum())
        if unmatched:
            warn(f"{unmatched} of {y.size} forecast rows have no actual value and are "
                          "left out", DataQualityWarning, stacklevel=2)

    scale_abs = scale_sq = None
    if any(n in SCALED_METRICS for n in names):
        if train is None:
            raise ParameterError(f"{[n for n in names if n in SCALED_METRICS]} need train=, "
                                 "the data the forecasts were fitted on, for their scale")
        require(train, [*keys, time], "train")
        y_train = numeric(train, target, "train")
        t_ordinals, t_freq = period_ordinals(train, time)
        same_freq(freq, t_freq, "train")
        m = resolve_season_length(season_length, freq)
        t_codes = codes_in(train, keys, ids)
        known = t_codes >= 0
        diff = lag_differences(t_codes[known], t_ordinals[known], y_train[known], m)
        group_abs, group_sq = naive_scales(diff, t_codes[known], n_groups)
        _warn_undefined_scales(group_abs, m, "series")
        scale_abs, scale_sq = group_abs[codes], group_sq[codes]

    results = grouped_metrics(names, level_list, y=y, frame=forecasts, codes=codes,
                              n_groups=n_groups, scale_abs=scale_abs, scale_sq=scale_sq)
    return long_metrics(ids, results)


def _lookup(codes: np.ndarray, ordinals: np.ndarray, source_codes: np.ndarray,
            source_ordinals: np.ndarray, source_values: np.ndarray) -> np.ndarray:
    """Value of ``source`` at each (code, ordinal); NaN where it has none."""
    known = source_codes >= 0
    source_codes, source_ordinals = source_codes[known], source_ordinals[known]
    source_values = source_values[known]
    if source_codes.size == 0:
        return np.full(codes.size, np.nan)
    low = min(int(ordinals.min()), int(source_ordinals.min())) if codes.size else 0
    high = max(int(ordinals.max()), int(source_ordinals.max())) if codes.size else 0
    width = high - low + 1
    index = pd.Index(source_codes * width + (source_ordinals - low))
    if not index.is_unique:
        raise SchemaError("repeated (series, period) rows in the actuals: each series needs "
                          "one row per period", reason="duplicate_key")
    position = index.get_indexer(codes * width + (ordinals - low))
    return np.where(position >= 0, source_values[np.maximum(position, 0)], np.nan)
