"""Rolling-origin backtest of a gap forecaster on a cell x period panel.

:func:`talentgap.evaluation.backtest` judges a forecaster of one target
column. A :class:`~talentgap.models.GapForecaster` is fitted to the panel as a
whole (demand and supply) and forecasts the gap; :func:`backtest_gap` judges
that gap forecast the same way, so its result sits in one
:func:`~talentgap.evaluation.leaderboard` with baselines backtested on the
panel's ``gap`` column.

Where the windows are
---------------------
A gap forecaster forecasts every cell from one origin: the last period with an
observed demand in any cell, ``T``. Window ``k = 0 .. n_windows-1`` (oldest
first) has the cutoff ``c_k = T - horizon - step * (n_windows - 1 - k)`` for
every cell. A fresh clone of the model is fitted on the panel rows with period
``<= c_k`` and forecasts ``c_k + 1 .. c_k + horizon``. When every cell's last
observed gap is at ``T`` these are exactly the windows of
:func:`~talentgap.evaluation.backtest`, so the two results compare like with
like. A cell with no observed demand up to ``c_k`` sits that window out.

What the intervals are compared with
------------------------------------
A gap forecaster with ``sampling_se`` (the default, when the panel has a
``demand_se`` column) forecasts the *population* gap: its intervals leave out
the sampling error of the survey estimates. The actuals of a backtest are
such estimates, so before the coverage and interval score are computed each
interval is widened by the sampling error of the estimate it is compared with
(:func:`~talentgap.evaluation.with_sampling_error`, with the panel's standard
error of that cell-period). Intervals and actuals then refer to the same
quantity, as they do for a baseline fitted to the estimates themselves.
``forecasts`` holds the widened bounds and the ``actual_se`` used.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from talentgap.evaluation._windows import (
    Series,
    actuals,
    add_scales,
    align,
    assemble,
    check_unique,
)
from talentgap.evaluation.backtest import BacktestResult
from talentgap.evaluation.sampling_error import with_sampling_error
from talentgap.periods import period_ordinals

__all__ = ["backtest_gap", "GAP_METRICS"]

#: Metrics of :func:`backtest_gap` by default: in persons (``mae``, ``rmse``,
#: ``bias``) and scaled (``mase``). No sMAPE: a gap crosses 0 (see ``metrics``).
GAP_METRICS = ("mae", "rmse", "mase", "bias")


def backtest_gap(model, panel: pd.DataFrame, *, horizon: int, n_windows: int, step: int = 1,
                 level: float | Sequence[float] | None = None,
                 metrics: Sequence[str] = GAP_METRICS,
                 season_length: int | None = None) -> BacktestResult:
    """Rolling-origin backtest of a gap forecaster: refit at each cutoff, compare the gap.

    See the module docstring for where the windows are.

    Parameters
    ----------
    model : GapForecaster
        An unfitted (or fitted: it is cloned) gap forecaster; its ``keys``
        and ``time`` name the panel's cell and period columns.
    panel : pandas.DataFrame
        The cell x period panel of :func:`talentgap.features.build_panel`:
        the key and period columns, ``demand``, ``supply`` and ``gap`` (the
        observed gap the forecasts are judged against; NaN = not observed).
    horizon : int
        Periods forecast after each cutoff.
    n_windows : int
        Number of cutoffs.
    step : int, default 1
        Periods between consecutive cutoffs.
    level : float or sequence of float, optional
        Gap interval levels (percent) to forecast and judge (``coverage``,
        ``interval_score``).
    metrics : sequence of str, default ("mae", "rmse", "mase", "bias")
        Names from :data:`talentgap.evaluation.METRICS` (:data:`GAP_METRICS`
        by default). sMAPE is left out of the default because a gap crosses
        0: ``|y - f| / (|y| + |f|)`` is 1 (sMAPE 200) wherever the actual
        and forecast gap have opposite signs, and large wherever both are
        small next to their difference, however few persons apart they are;
        so the score (0-200) says more about how many gaps are near 0 than
        about the forecast. Ask for ``"smape"`` to have it.
    season_length : int, optional
        Lag of the MASE/RMSSE scale; default from the frequency (4 for
        quarters).

    Returns
    -------
    BacktestResult
        As :func:`~talentgap.evaluation.backtest` returns, with ``mean`` the
        forecast gap and ``lo_<level>``/``hi_<level>`` its interval bounds;
        ``model`` is the class name. When the model forecasts the population
        gap (its ``sampling_se`` column is in the panel), the bounds are
        widened by each actual's sampling error, which ``forecasts`` shows as
        ``actual_se`` (see the module docstring).

    Raises
    ------
    SchemaError
        A column is missing or a (cell, period) repeats.
    ParameterError
        Bad horizon, windows, step or levels, or no cell has data before the
        first cutoff.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=200)
    >>> res = backtest_gap(gap, panel, horizon=2, n_windows=2, level=[80])
    >>> res.model, len(res.forecasts)
    ('GapForecaster', 16)
    >>> list(res.forecasts.columns)   # actual_se: the panel's demand_se (see above)
    ['region', 'industry', 'period', 'cutoff', 'horizon_step', 'mean', 'lo_80', 'hi_80', 'actual',
     'actual_se']
    """
    horizon = check_count(horizon, "horizon")
    n_windows = check_count(n_windows, "n_windows")
    step = check_count(step, "step")
    time, levels = model.time, check_levels(level)
    keys = key_list(model.keys, allow_empty=False, distinct=True, time=time,
                    reserved={c: f"the {c} column" for c in ("demand", "supply", "gap")})
    names = check_metric_names(metrics, levels)
    require(panel, [*keys, time, "demand", "supply", "gap"], "panel")
    y = numeric(panel, "gap", "panel")
    demand = numeric(panel, "demand", "panel")
    ordinals, freq = period_ordinals(panel, time)
    m = resolve_season_length(season_length, freq)
    codes, ids = series_codes(panel, keys)
    check_unique(codes, ordinals, keys, time)
    n_series = len(ids)

    has_demand = ~np.isnan(demand)
    if not has_demand.any():
        raise ParameterError("column 'demand' has no observed value")
    origin = int(ordinals[has_demand].max())
    column = getattr(model, "sampling_se", None)
    if column not in panel.columns:  # the model's own rule: nothing to take out, or add back
        column = None
    se = numeric(panel, column, "panel") if column is not None else None
    diff = lag_differences(codes, ordinals, y, m) if set(names) & SCALED_METRICS else None
    work = panel.reset_index(drop=True)
    predict_levels = [int(v) if v.is_integer() else v for v in levels] or None

    from sklearn.base import clone  # here, not at the top: importing evaluation stays light

    pieces, skipped = [], 0
    for k in range(n_windows):  # a handful of windows, each vectorised over all cells
        cut = origin - horizon - step * (n_windows - 1 - k)
        in_train = ordinals <= cut
        seen = np.zeros(n_series, dtype=bool)
        seen[codes[in_train & has_demand]] = True
        skipped += int((~seen).sum())
        if not seen.any():
            continue
        try:
            fitted = clone(model).fit(work.iloc[np.flatnonzero(in_train)])
            forecast = fitted.predict(horizon, level=predict_levels)
        except ParameterError as exc:
            label = pd.Period(ordinal=cut, freq=freq)
            raise ParameterError(f"backtest window {k + 1} of {n_windows} (cutoff {label}): "
                                 f"{exc}; or use fewer windows") from exc
        forecast = forecast.rename(columns={"gap": "mean", **{
            gap_column: column for lv in levels for gap_column, column
            in zip(interval_columns(lv, prefix="gap"), interval_columns(lv), strict=True)}})
        piece = align(forecast, keys=keys, time=time, freq=freq, ids=ids,
                      cutoff=np.full(n_series, cut, dtype=np.int64), usable=seen,
                      horizon=horizon, levels=levels)
        piece["_window"] = k
        if se is not None:
            _add_sampling_error(piece, se, codes, ordinals, levels, time)
        if diff is not None:
            add_scales(piece, diff, codes, n_series, in_train)
        pieces.append(piece.dropna(subset=["mean"]))
    if not pieces:
        raise ParameterError(
            f"no cell has an observed demand before the first cutoff (horizon={horizon}, "
            f"n_windows={n_windows}, step={step}); use fewer windows or a shorter horizon")
    if skipped:
        warn(f"{skipped} cell-window pair(s) skipped: the cell has no observed demand "
                      "up to that window's cutoff", DataQualityWarning, stacklevel=2)

    series = Series(keys=keys, time=time, ids=ids, codes=codes, ordinals=ordinals, y=y)
    forecasts, per_series, summary = assemble(pieces, series, names=names, levels=levels,
                                              horizon=horizon,
                                              extra=() if se is None else ("actual_se",))
    return BacktestResult(forecasts=forecasts, metrics=per_series, summary=summary,
                          model=type(model).__name__, keys=keys, time=time, horizon=horizon,
                          n_windows=n_windows, step=step, season_length=m, levels=levels)


def _add_sampling_error(piece: pd.DataFrame, se: np.ndarray, codes: np.ndarray,
                        ordinals: np.ndarray, levels: list[float], time: str) -> None:
    """Add ``actual_se`` to a window's forecasts and widen their bounds by it."""
    actual_se = actuals(piece["_code"].to_numpy(), piece[time].array.asi8, codes, ordinals, se)
    piece["actual_se"] = actual_se
    for level in levels:
        lo, hi = interval_columns(level)
        piece[lo], piece[hi] = with_sampling_error(piece[lo], piece[hi], actual_se, level=level,
                                                   center=piece["mean"])
