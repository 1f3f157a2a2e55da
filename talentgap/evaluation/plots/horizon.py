"""Backtest error by forecast horizon, for one or several models."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import level_label, parse_level_label
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.evaluation.plots._common import (
    _FREQ_WORDS,
    _RAW_METRICS,
    _STEP_COLUMN,
    _check_ax,
    _check_frame,
    _new_axes,
    _numbers,
    _require,
    _Scale,
)

__all__ = ['error_by_horizon']


def _is_backtest_result(obj) -> bool:
    return (isinstance(getattr(obj, "summary", None), pd.DataFrame)
            and isinstance(getattr(obj, "forecasts", None), pd.DataFrame))


def _freq_word(frame: pd.DataFrame, time: str) -> str:
    if time in frame.columns and isinstance(frame[time].dtype, pd.PeriodDtype):
        return _FREQ_WORDS.get(_Scale("period", frame[time].dtype).code, "periods")
    return "periods"


def _did_you_mean(metric: str, available: Sequence[str]) -> str:
    """``"; did you mean 'coverage_80'?"`` for a metric named without its level, or a typo."""
    close = ([m for m in available if m.startswith(f"{metric}_")]
             or difflib.get_close_matches(metric, list(available), n=3))
    if not close:
        return ""
    return (f"; did you mean {close[0]!r}?" if len(close) == 1
            else f"; did you mean one of {close}?")


def _from_summary(summary: pd.DataFrame, metric: str, name: str) -> pd.DataFrame:
    steps = {c: int(m.group(1)) for c in summary.columns if (m := _STEP_COLUMN.match(str(c)))}
    if metric not in summary.index:
        available = [str(m) for m in summary.index]
        raise ParameterError(f"metric {metric!r} is not in {name}; its metrics are "
                             f"{available}{_did_you_mean(metric, available)}")
    row = summary.loc[metric, list(steps)]
    return pd.DataFrame({"step": list(steps.values()),
                         "value": pd.to_numeric(row, errors="coerce").to_numpy(float)})


def _from_forecasts(frame: pd.DataFrame, metric: str, *, horizon: str, mean: str, actual: str,
                    keys: Sequence[str] | None, by: str | None, name: str) -> pd.DataFrame:
    if metric not in _RAW_METRICS:
        raise ParameterError(f"metric {metric!r} cannot be computed from forecasts and actuals "
                             f"alone; choose one of {list(_RAW_METRICS)}, or pass the "
                             "BacktestResult (its summary holds mase, rmsse, coverage, ...)")
    _require(frame, [horizon, mean, actual, *(keys or []), *([by] if by else [])], name)
    y, f = _numbers(frame, actual, name), _numbers(frame, mean, name)
    step = _numbers(frame, horizon, name)
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "mae":
            terms = np.abs(y - f)
        elif metric == "rmse":
            terms = (y - f) ** 2
        elif metric == "bias":
            terms = f - y
        elif metric == "mape":
            zeros = int(np.sum((y == 0) & np.isfinite(f)))
            if zeros:
                warn(f"mape is undefined where the actual value is 0; {zeros} such "
                              "point(s) left out", DataQualityWarning, stacklevel=3)
            terms = np.where(y != 0, 100.0 * np.abs(y - f) / np.abs(y), np.nan)
        else:
            denominator = np.abs(y) + np.abs(f)
            terms = np.where(denominator > 0, 200.0 * np.abs(y - f) / denominator, 0.0)
    terms[~(np.isfinite(y) & np.isfinite(f))] = np.nan
    work = pd.DataFrame({"step": step, "term": terms})
    groups = ["step"]
    if by:
        work.insert(0, "_by", frame[by].to_numpy(dtype=object))
        groups = ["_by", "step"]
    work = work[np.isfinite(step)]
    if keys:
        for i, key in enumerate(keys):
            work[f"_key{i}"] = frame.loc[np.isfinite(step), key].to_numpy(dtype=object)
        series = [*groups, *[f"_key{i}" for i in range(len(keys))]]
        per = work.groupby(series, sort=False, dropna=False)["term"].mean()
        if metric == "rmse":
            per = np.sqrt(per)
        out = per.groupby(level=list(range(len(groups))), sort=False).mean()
    else:
        out = work.groupby(groups, sort=False, dropna=False)["term"].mean()
        if metric == "rmse":
            out = np.sqrt(out)
    out = out.rename("value").reset_index()
    out["step"] = out["step"].astype(np.int64)
    return out


def _curves(results, metric: str, *, by, keys, horizon, mean, actual, time):
    """Long table ``label, step, value`` and the x-axis frequency word."""
    if isinstance(results, Mapping) or (isinstance(results, (list, tuple))
                                        and not isinstance(results, pd.DataFrame)):
        if by is not None:
            raise ParameterError("by= compares groups within one table; with several results "
                                 "each result is one line already")
        items = (list(results.items()) if isinstance(results, Mapping)
                 else [(getattr(r, "model", f"model {i + 1}"), r) for i, r in enumerate(results)])
        if not items:
            raise ParameterError("results is empty")
        pieces, word = [], "periods"
        for label, result in items:
            piece, word = _curves(result, metric, by=None, keys=keys, horizon=horizon,
                                  mean=mean, actual=actual, time=time)
            piece["label"] = str(label)
            pieces.append(piece)
        return pd.concat(pieces, ignore_index=True), word
    if _is_backtest_result(results):
        fc = results.forecasts
        res_time = getattr(results, "time", time)
        word = _freq_word(fc, res_time)
        available = [str(m) for m in results.summary.index]
        if by is None and (metric in available or metric not in _RAW_METRICS):
            out = _from_summary(results.summary, metric, "the backtest summary")
        elif metric not in _RAW_METRICS:
            raise ParameterError(
                f"metric {metric!r} with by={by!r}: by= splits the backtest forecasts into "
                f"groups, and from forecasts and actuals alone only {list(_RAW_METRICS)} can "
                f"be computed; drop by= to plot {metric!r} from the backtest summary (its "
                f"metrics are {available})")
        else:
            out = _from_forecasts(fc, metric, horizon=horizon, mean=mean, actual=actual,
                                  keys=keys if keys is not None else getattr(results, "keys",
                                                                             None),
                                  by=by, name="the backtest forecasts")
            if by:
                out = out.rename(columns={"_by": "label"})
        if "label" not in out:
            out["label"] = str(getattr(results, "model", ""))
        return out, word
    frame = _check_frame(results, "results")
    word = _freq_word(frame, time)
    if frame.index.name == "metric" and any(_STEP_COLUMN.match(str(c)) for c in frame.columns):
        out = _from_summary(frame, metric, "the summary table")
        out["label"] = ""
        return out, word
    if {"metric", "value"} <= set(frame.columns) and horizon in frame.columns:
        sub = frame[frame["metric"].astype(str) == metric]
        if sub.empty:
            raise ParameterError(f"metric {metric!r} is not in the metrics table; it has "
                                 f"{sorted(frame['metric'].astype(str).unique())}")
        if by:
            _require(sub, [by], "the metrics table")
        out = pd.DataFrame({"label": sub[by].astype(str).to_numpy() if by else "",
                            "step": _numbers(sub, horizon, "the metrics table"),
                            "value": _numbers(sub, "value", "the metrics table")})
        out = out[np.isfinite(out["step"])].astype({"step": np.int64})
        return out, word
    out = _from_forecasts(frame, metric, horizon=horizon, mean=mean, actual=actual, keys=keys,
                          by=by, name="results")
    out = out.rename(columns={"_by": "label"})
    if "label" not in out:
        out["label"] = ""
    return out, word


def _metric_name(metric: str) -> str:
    names = {"mae": "MAE", "rmse": "RMSE", "mape": "MAPE", "smape": "sMAPE", "mase": "MASE",
             "rmsse": "RMSSE"}
    return names.get(metric, metric.replace("_", " "))


def _metric_axis_label(metric: str, units: str | None) -> str:
    if metric in ("mae", "rmse", "bias", "pinball") or metric.startswith("interval_score"):
        name = _metric_name(metric)
        return f"{name} ({units})" if units else name
    if metric == "mape":
        return "MAPE (%)"
    if metric == "smape":
        return "sMAPE (0-200)"
    if metric in ("mase", "rmsse"):
        return f"{metric.upper()} (1 = in-sample naive error)"
    if metric.startswith("coverage"):
        return "coverage (share of actuals inside, 0-1)"
    return metric


def error_by_horizon(results, *, metric: str = "mae", by: str | None = None,
                     keys: Sequence[str] | None = None, horizon: str = "horizon_step",
                     mean: str = "mean", actual: str = "actual", time: str = "period",
                     units: str | None = "persons", title: str | None = None, ax=None):
    """Plot backtest error against the number of periods ahead, per model or group.

    Parameters
    ----------
    results : BacktestResult, DataFrame, or dict / list of them
        One of

        * a :class:`~talentgap.evaluation.backtest.BacktestResult`: its
          ``summary`` row ``metric`` (columns ``h1 .. h<horizon>``) is
          plotted, so every metric the backtest computed (``mase``,
          ``coverage_80``, ...) is available and the values are exactly
          those of the summary;
        * its ``.forecasts`` table (``<horizon>, <mean>, <actual>``, e.g.
          ``horizon_step, mean, actual``): ``mae``, ``rmse``, ``bias``,
          ``mape`` or ``smape`` is computed per horizon step from the rows
          with both values;
        * a long metrics table ``<horizon>, metric, value`` (or a summary
          table indexed by ``metric`` with columns ``h1 ..``);
        * a dict ``{name: result}`` or a list of results (named by their
          ``model``): one line per entry, to compare models.
    metric : str, default "mae"
        Metric name. In a forecasts table computed as ``mae = mean(|y - f|)``,
        ``rmse = sqrt(mean((y - f)^2))``, ``bias = mean(f - y)`` (positive =
        forecasts too high), ``mape`` in percent, ``smape`` on 0-200;
        ``mase``/``rmsse`` need the training scale and so a BacktestResult.
    by : str, optional
        Column of a forecasts or metrics table whose values get one line
        each, e.g. ``"model"`` for a table stacking several models'
        forecasts.
    keys : sequence of str, optional
        Series columns of a forecasts table. Given, the metric is computed
        per series and averaged over series at each step (as a
        BacktestResult's ``summary`` does); without it, it is pooled over all
        rows of the step. A BacktestResult's own ``keys`` are used for it.
    horizon, mean, actual : str
        Column names in a forecasts table (defaults ``"horizon_step"``,
        ``"mean"``, ``"actual"``).
    time : str, default "period"
        Period column, used only to name the horizon unit ("quarters ahead").
    units : str or None, default "persons"
        Units of scale-dependent metrics (``mae``, ``rmse``, ``bias``).
    title : str, optional
        Default ``"Forecast error by horizon: <metric>"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; default a new 7 x 4 inch pyplot figure
        (``matplotlib.pyplot.subplots``, as pandas and scikit-learn plots
        make, so a notebook shows it inline; it is never shown from here;
        close it with ``plt.close(ax.figure)`` when drawing many).

    Returns
    -------
    matplotlib.axes.Axes
        One line with markers per model or group (a legend when there are
        several), integer horizon ticks, and a reference line at 0 for
        ``bias``, at 1 for ``mase``/``rmsse``, and at the nominal level for
        ``coverage_<level>``.

    Raises
    ------
    ParameterError
        For missing columns, an unknown metric, or a metric that needs more
        than the table holds.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> fc = pd.DataFrame({"model": ["naive"] * 4 + ["ets"] * 4,
    ...                    "horizon_step": [1, 2, 1, 2] * 2,
    ...                    "mean": [10.0, 10, 12, 12, 11, 12, 13, 15],
    ...                    "actual": [11.0, 14, 13, 16] * 2})
    >>> ax = error_by_horizon(fc, metric="mae", by="model")
    >>> [line.get_label() for line in ax.get_lines()]
    ['naive', 'ets']
    >>> ax.get_lines()[1].get_ydata().tolist()  # ets: mean |error| at steps 1 and 2
    [0.0, 1.5]
    >>> plt.close(ax.figure)
    """
    from matplotlib.ticker import MaxNLocator

    _check_ax(ax)
    if not isinstance(metric, str) or not metric:
        raise ParameterError(f"metric must be a metric name such as 'mae', got {metric!r}")
    if keys is not None:
        keys = [keys] if isinstance(keys, str) else list(keys)
    curves, word = _curves(results, metric, by=by, keys=keys, horizon=horizon, mean=mean,
                           actual=actual, time=time)
    if curves.empty:
        raise ParameterError("no horizon step to plot")
    if ax is None:
        ax = _new_axes((7.0, 4.0))
    labels = list(dict.fromkeys(curves["label"]))
    for label in labels:
        piece = curves[curves["label"] == label].sort_values("step")
        ax.plot(piece["step"].to_numpy(), piece["value"].to_numpy(float), marker="o",
                linewidth=1.6, markersize=4, label=label or metric)
    if metric == "bias":
        ax.axhline(0.0, color="0.35", linewidth=0.8, zorder=1)
    elif metric in ("mase", "rmsse"):
        ax.axhline(1.0, color="0.35", linewidth=0.8, linestyle=":", zorder=1)
    elif metric.startswith("coverage_") and (level := parse_level_label(metric[9:])):
        ax.axhline(level / 100, color="0.35", linewidth=0.8, linestyle=":",
                   zorder=1, label=f"nominal {level_label(level)}%")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"horizon ({word} ahead)")
    ax.set_ylabel(_metric_axis_label(metric, units))
    ax.set_title(title if title is not None
                 else f"Forecast error by horizon: {_metric_name(metric)}")
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    if len(labels) > 1 or ax.get_legend_handles_labels()[1][len(labels):]:
        ax.legend(title=by, fontsize=8, frameon=False, loc="best")
    return ax


# ---- top shortages ----------------------------------------------------------------------------
