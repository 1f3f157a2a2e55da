"""Rolling-origin backtests of any forecaster, and a leaderboard comparing models.

Where the windows are
---------------------
Let ``T_i`` be the last period of series ``i`` with an observed target. Window
``k = 0 .. n_windows-1`` (oldest first) has, for that series, the cutoff::

    c_ik = T_i - horizon - step * (n_windows - 1 - k)

A fresh clone of the model is fitted on every row of the series with period
``<= c_ik`` (nothing later is passed to ``fit``) and forecasts the periods
``c_ik + 1 .. c_ik + horizon``. So the last window ends at each series' own
last observation and every earlier window is ``step`` periods earlier;
``step < horizon`` gives overlapping test periods, ``step == horizon``
disjoint ones. One model is fitted per window for all series at once, each
series cut at its own cutoff. A series with no observation up to ``c_ik``
sits that window out (counted in a warning). If a series' value at the
cutoff itself is missing, the model forecasts from its last observed period
and the forecasts for ``c_ik + 1 .. c_ik + horizon`` are kept, so every
window holds the same horizon steps.

``refit=False`` is not offered: the forecaster contract (``fit``/``predict``)
has no way to move a fitted model's forecast origin to later data without
fitting again, and forecasting later windows further ahead from the first
cutoff would label 5-step-ahead errors as 1-step ones.

Exogenous regressors (``exog=``) are passed to ``fit``, and their *actual*
values after the cutoff to ``predict`` (``future=``): the backtest measures
the forecast given the regressors, not the regressors' own forecast error.

Metrics
-------
As in :mod:`talentgap.evaluation.metrics`; MASE and RMSSE are scaled, per
series and window, by the in-sample seasonal naive error of the data up to
that window's cutoff (Hyndman & Koehler 2006), and pooled over windows as the
mean of the scaled errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentgap._arguments import (
    check_count,
    check_levels,
    interval_columns,
    key_list,
    resolve_season_length,
)
from talentgap._keys import series_codes
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.evaluation._common import check_metric_names, numeric, require
from talentgap.evaluation._terms import SCALED_METRICS, lag_differences
from talentgap.evaluation._windows import Series, add_scales, align, assemble, check_unique
from talentgap.periods import NO_PERIOD, period_ordinals

__all__ = ["BacktestResult", "backtest", "leaderboard"]

#: Metrics where lower is better, in the order ``leaderboard`` looks for one to rank by.
_RANKING = ("mase", "rmsse", "mae", "rmse", "smape", "mape")


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Forecasts and accuracy of a rolling-origin backtest.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        ``<keys...>, <time>, cutoff, horizon_step, mean, lo_<level>,
        hi_<level>, actual``: one row per series, window and step;
        ``cutoff`` is the last period the model was fitted on (a Period),
        ``horizon_step`` runs 1..horizon, ``actual`` is NaN where the value
        is missing. Sorted by series, cutoff and step.
    metrics : pandas.DataFrame
        Per series, pooled over its windows and steps: ``<keys...>, metric,
        value, n`` (``n`` = points used), as :func:`~talentgap.evaluation.
        tables.evaluate` returns. For one row per series and window, evaluate
        the forecasts with the cutoff as a key:
        ``evaluate(res.forecasts, keys=[*keys, "cutoff"], metrics=["mae"])``.
    summary : pandas.DataFrame
        One row per metric (index ``metric``); column ``all`` is the mean over
        series of :attr:`metrics`, columns ``h1 .. h<horizon>`` the same per
        horizon step (each series' metric over its windows at that step,
        then the mean over series). NaN series are skipped.
    model : str
        Name of the model's class.
    keys : list of str
    time : str
    horizon, n_windows, step, season_length : int
        As used (``season_length``: the lag of the MASE/RMSSE scale).
    levels : list of float
        Interval levels forecast and judged.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.evaluation import backtest, evaluate
    >>> from talentgap.models import Naive
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2015", periods=8, freq="Y"),
    ...                    "value": [1.0, 2, 4, 7, 11, 16, 22, 29]})
    >>> res = backtest(Naive(), df, target="value", keys=["id"], horizon=2, n_windows=2,
    ...                metrics=["mae", "mase"])
    >>> res.model, res.horizon, res.n_windows, res.season_length
    ('Naive', 2, 2, 1)
    >>> res.metrics
      id metric     value  n
    0  a    mae  8.750000  4
    1  a   mase  3.183333  4
    >>> res.summary
                 all   h1         h2
    metric
    mae     8.750000  5.5  12.000000
    mase    3.183333  2.0   4.366667

    One score per window, from the forecasts:

    >>> evaluate(res.forecasts, keys=["id", "cutoff"], metrics=["mae"])
      id cutoff metric  value  n
    0  a   2019    mae    8.0  2
    1  a   2020    mae    9.5  2
    """

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    summary: pd.DataFrame
    model: str
    keys: list[str]
    time: str
    horizon: int
    n_windows: int
    step: int
    season_length: int
    levels: list[float] = field(default_factory=list)


def backtest(model, df: pd.DataFrame, *, target: str, keys: Sequence[str],
             time: str = "period", horizon: int, n_windows: int, step: int = 1,
             refit: bool = True, level: float | Sequence[float] | None = None,
             exog: Sequence[str] | None = None,
             metrics: Sequence[str] = ("mae", "rmse", "smape", "mase", "bias"),
             season_length: int | None = None) -> BacktestResult:
    """Rolling-origin backtest: refit at each cutoff, forecast, compare with what happened.

    See the module docstring for exactly where the windows are.

    Parameters
    ----------
    model : forecaster
        Any object following the talentgap forecaster contract
        (``fit(df, target=, time=, keys=[, exog=])``, ``predict(horizon,
        level=[, future=])``); it is cloned (``sklearn.base.clone``) for each
        window and never fitted itself.
    df : pandas.DataFrame
        Long table, one row per series and period.
    target : str
        Column to forecast.
    keys : sequence of str
        Columns identifying a series (``[]`` for one series).
    time : str, default "period"
        Period column (Periods or period labels).
    horizon : int
        Steps forecast from each cutoff.
    n_windows : int
        Number of cutoffs per series.
    step : int, default 1
        Periods between consecutive cutoffs.
    refit : bool, default True
        Must be True: the model is refitted at every cutoff (see the module
        docstring for why ``False`` is not offered).
    level : float or sequence of float, optional
        Prediction-interval levels in percent, passed to ``predict``.
    exog : sequence of str, optional
        Exogenous regressor columns of ``df``.
    metrics : sequence of str, default ("mae", "rmse", "smape", "mase", "bias")
        Names from :data:`~talentgap.evaluation.metrics.METRICS`; interval
        metrics (``coverage``, ``interval_score``, ``pinball``) need
        ``level`` and are reported per level (``coverage_80``).
    season_length : int, optional
        Lag of the MASE/RMSSE scale; default from the period frequency.

    Returns
    -------
    BacktestResult

    Raises
    ------
    ParameterError
        For bad arguments, missing columns, ``refit=False``, or data too
        short for any window; for a key naming the time, target or a regressor
        column, or an output column (``cutoff``, ``horizon_step``, ``mean``,
        ``actual``, the interval bounds).
    SchemaError
        For repeated (series, period) rows or forecasts of another frequency.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.models import Naive
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2015", periods=8, freq="Y"),
    ...                    "value": [1.0, 2, 4, 7, 11, 16, 22, 29]})
    >>> res = backtest(Naive(), df, target="value", keys=["id"], horizon=2, n_windows=2)
    >>> res.forecasts[["cutoff", "horizon_step", "period", "mean", "actual"]]
      cutoff  horizon_step period  mean  actual
    0   2019             1   2020  11.0    16.0
    1   2019             2   2021  11.0    22.0
    2   2020             1   2021  16.0    22.0
    3   2020             2   2022  16.0    29.0
    >>> res.summary.loc["mae", ["all", "h1", "h2"]].tolist()
    [8.75, 5.5, 12.0]
    """
    horizon = check_count(horizon, "horizon")
    n_windows = check_count(n_windows, "n_windows")
    step = check_count(step, "step")
    if refit is False:
        raise ParameterError(
            "refit=False is not supported: a talentgap forecaster cannot move its forecast "
            "origin to later data without being fitted again, so every window is refitted; "
            "use refit=True (the default), or fewer windows / a larger step to save time")
    if refit is not True:
        raise ParameterError(f"refit == {refit!r}, must be True")
    exog, levels = list(exog or []), check_levels(level)
    outputs = ["cutoff", "horizon_step", "mean", "actual",
               *(column for lv in levels for column in interval_columns(lv))]
    keys = key_list(keys, distinct=True, time=time, target=target,
                    reserved={**{c: "an output column of backtest" for c in outputs},
                              **{c: "a regressor column" for c in exog}})
    names = check_metric_names(metrics, levels)
    require(df, [*keys, time, target, *exog], "df")
    y = numeric(df, target, "df")
    ordinals, freq = period_ordinals(df, time)
    m = resolve_season_length(season_length, freq)
    codes, ids = series_codes(df, keys)
    n_series = len(ids)
    check_unique(codes, ordinals, keys, time)

    observed = ~np.isnan(y)
    end = np.full(n_series, NO_PERIOD)
    np.maximum.at(end, codes[observed], ordinals[observed])
    empty = end == NO_PERIOD
    if empty.all():
        raise ParameterError(f"column {target!r} has no observed value")
    if empty.any():
        warn(f"{int(empty.sum())} series have no observed value of {target!r} and "
                      "are left out of the backtest", DataQualityWarning, stacklevel=2)
    work = df[list(dict.fromkeys([*keys, time, target, *exog]))].reset_index(drop=True)
    work[time] = pd.arrays.PeriodArray(ordinals, dtype=pd.PeriodDtype(freq))
    diff = lag_differences(codes, ordinals, y, m) if set(names) & SCALED_METRICS else None
    predict_levels = [int(v) if v.is_integer() else v for v in levels] or None

    from sklearn.base import clone  # here, not at the top: importing evaluation stays light

    pieces, skipped, unscaled = [], 0, 0
    for k in range(n_windows):  # a handful of windows, each vectorised over all series
        cutoff = np.where(empty, NO_PERIOD, end - horizon - step * (n_windows - 1 - k))
        in_train = ~empty[codes] & (ordinals <= cutoff[codes])
        last = np.full(n_series, NO_PERIOD)
        np.maximum.at(last, codes[in_train & observed], ordinals[in_train & observed])
        usable = last != NO_PERIOD
        skipped += int((~usable & ~empty).sum())
        if not usable.any():
            continue
        rows = np.flatnonzero(in_train & usable[codes])
        extra = int((cutoff - last)[usable].max())  # a missing value at the cutoff
        fitted = clone(model, safe=False)
        if exog:
            fitted.fit(work.iloc[rows], target=target, time=time, keys=keys, exog=exog)
            ahead = usable[codes] & (ordinals > last[codes]) & (
                ordinals <= last[codes] + horizon + extra)
            future = work.iloc[np.flatnonzero(ahead)][[*keys, time, *exog]]
            forecast = fitted.predict(horizon + extra, level=predict_levels, future=future)
        else:
            fitted.fit(work.iloc[rows], target=target, time=time, keys=keys)
            forecast = fitted.predict(horizon + extra, level=predict_levels)
        piece = align(forecast, keys=keys, time=time, freq=freq, ids=ids, cutoff=cutoff,
                      usable=usable, horizon=horizon, levels=levels)
        piece["_window"] = k
        if diff is not None:
            scale_abs = add_scales(piece, diff, codes, n_series, in_train)
            unscaled += int((np.isnan(scale_abs) & usable).sum())
        pieces.append(piece)
    if not pieces:
        raise ParameterError(
            f"no series has an observation before its first cutoff (horizon={horizon}, "
            f"n_windows={n_windows}, step={step}); use fewer windows or a shorter horizon")
    if skipped:
        warn(f"{skipped} series-window pair(s) skipped: the series has no observation "
                      "up to that window's cutoff", DataQualityWarning, stacklevel=2)
    if unscaled:
        warn(f"MASE/RMSSE undefined (NaN) for {unscaled} series-window pair(s): the "
                      f"data up to the cutoff has no pair of values {m} period(s) apart, or "
                      "is constant over them (scale 0)", DataQualityWarning, stacklevel=2)

    series = Series(keys=keys, time=time, ids=ids, codes=codes, ordinals=ordinals, y=y)
    forecasts, per_series, summary = assemble(pieces, series, names=names, levels=levels,
                                              horizon=horizon)
    return BacktestResult(forecasts=forecasts, metrics=per_series, summary=summary,
                          model=type(model).__name__, keys=keys, time=time, horizon=horizon,
                          n_windows=n_windows, step=step, season_length=m, levels=levels)


# ---- comparing models ---------------------------------------------------------------------
def _named(results) -> list[tuple[str, BacktestResult]]:
    if isinstance(results, BacktestResult):
        results = [results]
    if isinstance(results, Mapping):
        items = list(results.items())
    else:
        items = []
        for entry in results:
            if isinstance(entry, BacktestResult):
                items.append((entry.model, entry))
            elif (isinstance(entry, tuple) and len(entry) == 2
                  and isinstance(entry[1], BacktestResult)):
                items.append((str(entry[0]), entry[1]))
            else:
                raise ParameterError("results must be a dict of name -> BacktestResult, or a "
                                     f"list of BacktestResult or (name, BacktestResult); got "
                                     f"an element of type {type(entry).__name__}")
    if not items:
        raise ParameterError("results is empty")
    names = [name for name, _ in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ParameterError(f"model names {repeated} appear more than once; pass a dict "
                             "{name: result} to name them apart")
    return items


def leaderboard(results, *, by: Sequence[str] | None = None,
                mapping: pd.DataFrame | None = None,
                sort_by: str | None = None) -> pd.DataFrame:
    """Compare backtested models overall, per group of series, or per series.

    Each model's score in a group is the mean over the group's series of its
    per-series metrics (:attr:`BacktestResult.metrics`), so every series
    counts the same whatever its scale (for scale-free metrics such as MASE
    and sMAPE). Only series backtested by *every* model are compared (a
    warning says how many others were left out).

    Parameters
    ----------
    results : dict of str to BacktestResult, or list
        The backtests to compare, by model name; a list may hold results
        (named by their model class) or ``(name, result)`` pairs. All must
        share the same ``keys``.
    by : sequence of str, optional
        Columns to compare within: ``None`` for one overall ranking; some
        key columns (e.g. ``["industry"]``) for one ranking per value; all
        keys for a ranking per series (cell); or columns of ``mapping``.
    mapping : pandas.DataFrame, optional
        The key columns and further grouping columns (e.g. a hierarchy level
        such as ``province`` for each ``region``), joined to the series.
    sort_by : str, optional
        Metric to rank by, lower is better; default the first of ``mase``,
        ``rmsse``, ``mae``, ``rmse``, ``smape``, ``mape`` present.

    Returns
    -------
    pandas.DataFrame
        ``<by...>, model, rank, n_series, <metrics...>``: one row per group
        and model, sorted by group, then ``sort_by``. ``rank`` 1 is best
        within the group (ties share the lower rank).

    Raises
    ------
    ParameterError
        For mixed keys, unknown ``by`` or ``sort_by`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.models import Mean, Naive
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2011", periods=12, freq="Y"),
    ...                    "value": [float(v) for v in range(1, 13)]})
    >>> runs = {name: backtest(model, df, target="value", keys=["id"], horizon=1,
    ...                        n_windows=3) for name, model in [("mean", Mean()),
    ...                                                          ("naive", Naive())]}
    >>> leaderboard(runs)[["model", "rank", "mase"]]
       model  rank  mase
    0  naive     1   1.0
    1   mean     2   5.5
    """
    items = _named(results)
    keys = items[0][1].keys
    if any(r.keys != keys for _, r in items):
        raise ParameterError(f"results have different keys: "
                             f"{ {n: r.keys for n, r in items} }; compare backtests of the "
                             "same series")
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    tables = []
    for name, result in items:
        labels = list(result.metrics["metric"].unique())
        if keys:
            wide = result.metrics.set_index([*keys, "metric"])["value"].unstack("metric")
            wide = wide[labels].reset_index()
        else:
            wide = result.metrics.set_index("metric")["value"].to_frame().T[labels]
            wide = wide.reset_index(drop=True)
        wide.columns.name = None
        wide.insert(0, "model", name)
        tables.append(wide)
    table = pd.concat(tables, ignore_index=True)
    metric_columns = [c for c in table.columns if c not in (*keys, "model")]

    if keys:
        count = table.groupby(keys, observed=True, sort=False)["model"].transform("nunique")
        common = (count == len(items)).to_numpy()
        dropped = table.loc[~common, keys].drop_duplicates().shape[0]
        if dropped:
            warn(f"{dropped} series were backtested by only some of the models and "
                          "are left out of the comparison", DataQualityWarning, stacklevel=2)
        table = table.loc[common]
    if mapping is not None:
        require(mapping, keys, "mapping")
        extra = [c for c in mapping.columns if c not in keys]
        table = table.merge(mapping[[*keys, *extra]].drop_duplicates(keys), on=keys, how="left")
    unknown = [c for c in by if c not in table.columns or c in metric_columns or c == "model"]
    if unknown:
        raise ParameterError(f"by columns {unknown} are neither keys {keys} nor columns of "
                             "mapping")
    if sort_by is None:
        sort_by = next((c for c in _RANKING if c in metric_columns), metric_columns[0])
    if sort_by not in metric_columns:
        raise ParameterError(f"sort_by == {sort_by!r} is not a computed metric; metrics are "
                             f"{metric_columns}")

    grouped = table.groupby([*by, "model"], observed=True, sort=False, dropna=False)
    board = grouped[metric_columns].mean()
    board.insert(0, "n_series", grouped.size())
    board = board.reset_index()
    board = board.sort_values([*by, sort_by, "model"], kind="stable", na_position="last")
    ranks = (board.groupby(by, observed=True, sort=False, dropna=False)[sort_by]
             if by else board[sort_by]).rank(method="min", na_option="bottom")
    board.insert(len(by) + 1, "rank", ranks.astype(np.int64))
    return board.reset_index(drop=True)
