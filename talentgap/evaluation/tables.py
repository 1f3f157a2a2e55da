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
    level_label,
    resolve_season_length,
)
from talentgap._checks import did_you_mean
from talentgap._keys import codes_in, series_codes
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError, warn
from talentgap.evaluation.metrics import (
    _SPECS,
    INTERVAL_METRICS,
    METRICS,
    SCALED_METRICS,
    _check_bounds,
    _group_means,
    _terms,
    _warn_zero_actuals,
)
from talentgap.periods import period_ordinals

__all__ = ["evaluate"]


def _check_metric_names(metrics: Sequence[str], levels: list[float]) -> list[str]:
    """Known metric names, in order, without repeats; interval metrics need ``levels``."""
    if isinstance(metrics, str):
        metrics = [metrics]
    names = list(dict.fromkeys(metrics))
    if not names:
        raise ParameterError("metrics is empty; name at least one of " + ", ".join(METRICS))
    for name in names:
        if name not in METRICS:
            raise ParameterError(f"unknown metric {name!r}{did_you_mean(name, METRICS)}; "
                                 f"known metrics: {', '.join(METRICS)}")
    needs_level = [n for n in names if n in INTERVAL_METRICS]
    if needs_level and not levels:
        raise ParameterError(f"{needs_level} judge prediction intervals and need a coverage "
                             "level (e.g. level=80 / levels=(80,))")
    return names


def _grouped_metrics(names: Sequence[str], levels: list[float], *, y: np.ndarray,
                    frame: pd.DataFrame, codes: np.ndarray, n_groups: int,
                    scale_abs: np.ndarray | None = None,
                    scale_sq: np.ndarray | None = None
                    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every metric per group code, vectorised: ``{label: (values, n_points)}``.

    ``frame`` holds ``mean`` and the ``lo_<level>``/``hi_<level>`` columns
    row by row with the actuals ``y``; ``scale_abs``/``scale_sq`` are each
    row's MASE/RMSSE scale (NaN where undefined). Interval metrics are
    reported per level; ``pinball`` at a level is the mean of the pinball
    losses of the lower bound (``q = a/2``) and the upper bound
    (``q = 1 - a/2``), ``a = 1 - level/100``.
    """
    f = frame["mean"].to_numpy(dtype=np.float64, na_value=np.nan) if "mean" in frame else None
    out = {}
    for name in names:  # a handful of metrics; each is vectorised over all rows
        spec = _SPECS[name]
        if name not in INTERVAL_METRICS:
            scale = {"abs": scale_abs, "sq": scale_sq, None: None}[spec.scale]
            if name == "mape":
                _warn_zero_actuals(y, f)
            terms = _terms(name, y, f, None, None, scale)
            means, counts = _group_means(terms, codes, n_groups)
            out[name] = (np.sqrt(means) if spec.root else means, counts)
            continue
        for level in levels:
            lo_column, hi_column = interval_columns(level)
            lo = frame[lo_column].to_numpy(dtype=np.float64, na_value=np.nan)
            hi = frame[hi_column].to_numpy(dtype=np.float64, na_value=np.nan)
            if name == "pinball":
                a = 1.0 - level / 100.0
                terms = np.concatenate([_terms(name, y, lo, None, None, None, quantile=a / 2),
                                        _terms(name, y, hi, None, None, None,
                                               quantile=1 - a / 2)])
                means, counts = _group_means(terms, np.concatenate([codes, codes]), n_groups)
                counts = counts // 2
            else:
                _check_bounds(np.nan_to_num(lo, nan=-np.inf), np.nan_to_num(hi, nan=np.inf))
                terms = _terms(name, y, None, lo, hi, None, level=level)
                means, counts = _group_means(terms, codes, n_groups)
            out[f"{name}_{level_label(level)}"] = (means, counts)
    return out


def _long_metrics(ids: pd.DataFrame, results: dict[str, tuple[np.ndarray, np.ndarray]]
                 ) -> pd.DataFrame:
    """``<ids...>, metric, value, n`` from :func:`_grouped_metrics` output (metric-major)."""
    n_groups = len(ids)
    labels = list(results)
    out = ids.iloc[np.tile(np.arange(n_groups), len(labels))].reset_index(drop=True)
    out["metric"] = np.repeat(np.array(labels, dtype=object), n_groups)
    out["value"] = np.concatenate([results[k][0] for k in labels]) if labels else []
    out["n"] = np.concatenate([results[k][1] for k in labels]).astype(np.int64) if labels else []
    return out


def _lag_differences(codes: np.ndarray, ordinals: np.ndarray, y: np.ndarray,
                    season_length: int) -> np.ndarray:
    """``y_t - y_{t-m}`` for each row (same series, ``m`` periods earlier); NaN if absent."""
    if codes.size == 0:
        return np.zeros(0)
    low = int(ordinals.min())
    width = int(ordinals.max()) - low + 1 + season_length
    key = codes * width + (ordinals - low + season_length)
    index = pd.Index(key)
    if not index.is_unique:
        raise SchemaError("repeated (series, period) rows in the training data: each series "
                          "needs one row per period", reason="duplicate_key")
    partner = index.get_indexer(key - season_length)
    previous = np.where(partner >= 0, y[np.maximum(partner, 0)], np.nan)
    return y - previous


def _group_scales(diff: np.ndarray, codes: np.ndarray, n_groups: int,
                 mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MASE and RMSSE scales per group from lag differences; NaN where undefined or 0."""
    keep = ~np.isnan(diff) & (codes >= 0)
    if mask is not None:
        keep &= mask
    scale_abs, _ = _group_means(np.where(keep, np.abs(diff), np.nan), np.maximum(codes, 0),
                                n_groups)
    scale_sq, _ = _group_means(np.where(keep, diff ** 2, np.nan), np.maximum(codes, 0),
                               n_groups)
    return (np.where(scale_abs > 0, scale_abs, np.nan),
            np.where(scale_sq > 0, scale_sq, np.nan))


def _warn_undefined_scales(scale: np.ndarray, season_length: int, what: str) -> None:
    bad = int(np.isnan(scale).sum())
    if bad:
        warn(f"MASE/RMSSE undefined (NaN) for {bad} {what}: the training data has no "
                      f"pair of values {season_length} period(s) apart, or is constant over "
                      "them (scale 0)", DataQualityWarning, stacklevel=3)


def _numeric(frame: pd.DataFrame, column: str, table: str) -> np.ndarray:
    if column not in frame.columns:
        raise ParameterError(f"column {column!r} is not in {table}; columns are "
                             f"{list(frame.columns)}")
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
            values.dtype):
        raise ParameterError(f"column {column!r} of {table} must be numeric, got {values.dtype}")
    y = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(y).any():
        raise SchemaError(f"column {column!r} of {table} holds infinite values", column=column,
                          reason="not_finite")
    return y


def _require(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in {table}; columns are "
                             f"{list(frame.columns)}")


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
        levels, or scaled metrics without ``train``.
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
    keys = key_list(keys, distinct=True)
    level_list = check_levels(levels)
    names = _check_metric_names(metrics, level_list)
    level_list = level_list if any(n in INTERVAL_METRICS for n in names) else []
    needed = [*keys, time]
    if any(n not in INTERVAL_METRICS for n in names):
        needed.append("mean")
    needed += [column for lv in level_list for column in interval_columns(lv)]
    _require(forecasts, needed, "forecasts")

    ordinals, freq = period_ordinals(forecasts, time)
    codes, ids = series_codes(forecasts, keys)
    n_groups = len(ids)
    if actuals is None:
        y = _numeric(forecasts, "actual", "forecasts (no actuals table was given)")
    else:
        _require(actuals, [*keys, time], "actuals")
        y_actual = _numeric(actuals, target, "actuals")
        a_ordinals, a_freq = period_ordinals(actuals, time)
        _same_freq(freq, a_freq, "actuals")
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
        _require(train, [*keys, time], "train")
        y_train = _numeric(train, target, "train")
        t_ordinals, t_freq = period_ordinals(train, time)
        _same_freq(freq, t_freq, "train")
        m = resolve_season_length(season_length, freq)
        t_codes = codes_in(train, keys, ids)
        known = t_codes >= 0
        diff = _lag_differences(t_codes[known], t_ordinals[known], y_train[known], m)
        group_abs, group_sq = _group_scales(diff, t_codes[known], n_groups)
        _warn_undefined_scales(group_abs, m, "series")
        scale_abs, scale_sq = group_abs[codes], group_sq[codes]

    results = _grouped_metrics(names, level_list, y=y, frame=forecasts, codes=codes,
                              n_groups=n_groups, scale_abs=scale_abs, scale_sq=scale_sq)
    return _long_metrics(ids, results)


def _same_freq(freq: str, other: str, table: str) -> None:
    if freq != other:
        raise SchemaError(f"periods of {table} have frequency {other!r} but the forecasts "
                          f"have {freq!r}", reason="bad_period")


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
