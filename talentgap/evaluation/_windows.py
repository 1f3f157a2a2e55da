"""The windows of a rolling-origin backtest: aligning, scaling and scoring their forecasts.

Private to :mod:`talentgap.evaluation`. :func:`~talentgap.evaluation.backtest`
and :func:`~talentgap.evaluation.backtest_gap` choose the cutoffs and fit the
model; both hand each window's forecasts to :func:`align` (and
:func:`add_scales` for MASE/RMSSE), then all windows to :func:`assemble`,
which joins the actuals and scores them per series and per horizon step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._arguments import interval_columns
from talentgap._keys import codes_in
from talentgap._numeric import nanmean
from talentgap.errors import DataQualityWarning, SchemaError, collect_warnings, warn
from talentgap.evaluation._common import require, same_freq
from talentgap.evaluation._terms import grouped_metrics, long_metrics, naive_scales
from talentgap.periods import period_ordinals

__all__ = ["Series", "check_unique", "align", "add_scales", "actuals", "assemble"]


@dataclass(frozen=True, eq=False)
class Series:
    """The backtested table by series: what the windows' forecasts are scored against.

    ``ids`` holds one row of key values per series; ``codes``, ``ordinals``
    and ``y`` give each row's series, period ordinal and actual value.
    """

    keys: list[str]
    time: str
    ids: pd.DataFrame
    codes: np.ndarray
    ordinals: np.ndarray
    y: np.ndarray


def add_scales(piece: pd.DataFrame, diff: np.ndarray, codes: np.ndarray, n_series: int,
               in_train: np.ndarray) -> np.ndarray:
    """Give a window's forecasts the MASE/RMSSE scales of their series' training rows.

    Adds ``_scale_abs`` and ``_scale_sq`` to ``piece``; returns the absolute
    scale per series (NaN where undefined).
    """
    scale_abs, scale_sq = naive_scales(diff, codes, n_series, mask=in_train)
    piece["_scale_abs"] = scale_abs[piece["_code"].to_numpy()]
    piece["_scale_sq"] = scale_sq[piece["_code"].to_numpy()]
    return scale_abs


def assemble(pieces: list[pd.DataFrame], series: Series, *, names: list[str],
             levels: list[float], horizon: int, extra: Sequence[str] = ()
             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Forecasts, per-series metrics and summary of a backtest from its windows' pieces.

    ``pieces`` are the windows' :func:`align` output with a ``_window``
    column (and the :func:`add_scales` columns). Sorts the forecasts by
    series, window and step, joins the actuals and scores them: the three
    tables of a :class:`~talentgap.evaluation.BacktestResult`. ``extra``
    columns of the pieces are kept in its ``forecasts`` after ``actual``.
    """
    keys, time = series.keys, series.time
    fc = pd.concat(pieces, ignore_index=True)
    order = np.lexsort((fc["horizon_step"].to_numpy(), fc["_window"].to_numpy(),
                        fc["_code"].to_numpy()))
    fc = fc.iloc[order].reset_index(drop=True)
    fc["actual"] = actuals(fc["_code"].to_numpy(), _ordinals(fc[time]), series.codes,
                           series.ordinals, series.y)

    per_series, summary = _score(fc, names, levels, series.ids, horizon)
    bounds = [column for lv in levels for column in interval_columns(lv)]
    forecasts = fc[[*keys, time, "cutoff", "horizon_step", "mean", *bounds, "actual", *extra]]
    return forecasts, per_series, summary


def check_unique(codes: np.ndarray, ordinals: np.ndarray, keys: list[str], time: str) -> None:
    """Raise :class:`~talentgap.errors.SchemaError` if a (series, period) row repeats."""
    frame = pd.DataFrame({"code": codes, "ordinal": ordinals})
    repeated = frame.duplicated()
    if repeated.any():
        raise SchemaError(f"repeated ({', '.join([*keys, time])}) rows: {int(repeated.sum())} "
                          f"row(s) repeat an earlier series-period, e.g. row "
                          f"{int(np.flatnonzero(repeated)[0])}; each series needs one row per "
                          "period", column=time, reason="duplicate_key")


def _ordinals(periods: pd.Series) -> np.ndarray:
    """Period ordinals of a Period column (a copy)."""
    return periods.array.asi8.copy()


def align(forecast: pd.DataFrame, *, keys: list[str], time: str, freq: str,
          ids: pd.DataFrame, cutoff: np.ndarray, usable: np.ndarray, horizon: int,
          levels: list[float]) -> pd.DataFrame:
    """A window's forecasts for steps 1..horizon after each cutoff, with series codes."""
    bounds = [column for lv in levels for column in interval_columns(lv)]
    require(forecast, [*keys, time, "mean", *bounds], "the model's forecasts")
    f_ordinals, f_freq = period_ordinals(forecast, time)
    same_freq(freq, f_freq, "the model's forecasts")
    f_codes = codes_in(forecast, keys, ids)
    known = f_codes >= 0
    known[known] = usable[f_codes[known]]
    steps = np.where(known, f_ordinals - cutoff[np.maximum(f_codes, 0)], 0)
    keep = np.flatnonzero(known & (steps >= 1) & (steps <= horizon))
    flat = f_codes[keep] * horizon + steps[keep]
    if np.unique(flat).size != flat.size:
        raise SchemaError("the model's forecasts repeat a (series, period) row",
                          column=time, reason="duplicate_key")
    expected = int(usable.sum()) * horizon
    if keep.size < expected:
        warn(f"the model's forecasts lack {expected - keep.size} of {expected} "
             "series-steps of a window; those are not evaluated", DataQualityWarning,
             stacklevel=3)
    piece = forecast.iloc[keep][[*keys, time, "mean", *bounds]].reset_index(drop=True)
    piece[time] = pd.arrays.PeriodArray(f_ordinals[keep], dtype=pd.PeriodDtype(freq))
    piece["cutoff"] = pd.arrays.PeriodArray(cutoff[f_codes[keep]], dtype=pd.PeriodDtype(freq))
    piece["horizon_step"] = steps[keep].astype(np.int64)
    piece["_code"] = f_codes[keep]
    return piece


def actuals(codes: np.ndarray, ordinals: np.ndarray, data_codes: np.ndarray,
            data_ordinals: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Value of ``y`` at each (series code, period ordinal); NaN where the data has none.

    Examples
    --------
    >>> import numpy as np
    >>> actuals(np.array([0, 1]), np.array([5, 5]), np.array([0, 0]), np.array([4, 5]),
    ...         np.array([1.0, 2.0]))
    array([ 2., nan])
    """
    low = int(min(ordinals.min(), data_ordinals.min()))
    width = int(max(ordinals.max(), data_ordinals.max())) - low + 1
    index = pd.Index(data_codes * width + (data_ordinals - low))
    position = index.get_indexer(codes * width + (ordinals - low))
    return np.where(position >= 0, y[np.maximum(position, 0)], np.nan)


def _score(fc: pd.DataFrame, names: list[str], levels: list[float], ids: pd.DataFrame,
           horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-series metrics (long) and the summary (overall and per horizon step)."""
    present, code = np.unique(fc["_code"].to_numpy(), return_inverse=True)
    n_groups = present.size
    scaled = "_scale_abs" in fc
    common = {
        "y": fc["actual"].to_numpy(dtype=np.float64),
        "frame": fc,
        "scale_abs": fc["_scale_abs"].to_numpy() if scaled else None,
        "scale_sq": fc["_scale_sq"].to_numpy() if scaled else None,
    }
    per_series = grouped_metrics(names, levels, codes=code, n_groups=n_groups, **common)
    step_code = code * horizon + fc["horizon_step"].to_numpy() - 1
    with collect_warnings():  # the same points; warned about above
        per_step = grouped_metrics(names, levels, codes=step_code,
                                   n_groups=n_groups * horizon, **common)
    labels = list(per_series)
    table = np.full((len(labels), horizon + 1), np.nan)
    for row, label in enumerate(labels):  # a metric NaN for every series stays NaN
        table[row, 0] = nanmean(per_series[label][0], axis=0)
        table[row, 1:] = nanmean(per_step[label][0].reshape(n_groups, horizon), axis=0)
    summary = pd.DataFrame(table, columns=["all", *[f"h{h}" for h in range(1, horizon + 1)]],
                           index=pd.Index(labels, name="metric"))
    return long_metrics(ids.iloc[present].reset_index(drop=True), per_series), summary
