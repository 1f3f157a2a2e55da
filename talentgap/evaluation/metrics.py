"""Forecast accuracy metrics with one shared signature, and per-series evaluation.

Every metric is a pure function of 1-D arrays with the same signature::

    metric(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None,
           level=None, quantile=None) -> float

Each metric uses the arguments it needs and ignores the others, so code can
loop over :data:`METRICS` without special cases. The definitions are those of
the methods page (docs/methods.md, "Forecast accuracy"; Hyndman & Koehler 2006
for MASE; Gneiting & Raftery 2007 for the pinball loss and the interval score):

==================  ===============================================================
``mae``             ``mean(|y - f|)``
``rmse``            ``sqrt(mean((y - f)^2))``
``mape``            ``100 * mean(|y - f| / |y|)`` in percent, points with ``y == 0``
                    left out (with a :class:`~talentgap.errors.DataQualityWarning`)
``smape``           ``200 * mean(|y - f| / (|y| + |f|))`` on 0-200; ``0/0`` counts 0
``mase``            ``mean(|y - f|) / mean(|y_t - y_{t-m}|)``, scale from ``y_train``
``rmsse``           ``sqrt(mean((y - f)^2) / mean((y_t - y_{t-m})^2))``
``bias``            ``mean(f - y)``; positive = forecasts too high
``pinball``         ``mean(max(q*(y - f_q), (q - 1)*(y - f_q)))``, ``y_pred`` = ``f_q``
``coverage``        share of ``y`` inside ``[lower, upper]`` (a fraction, 0-1)
``interval_score``  ``mean((u - l) + (2/a)(l - y)[y < l] + (2/a)(y - u)[y > u])``,
                    ``a = 1 - level/100`` (Winkler score)
==================  ===============================================================

Missing values: a point where ``y_true``, or an input the metric uses
(``y_pred``; ``lower`` and ``upper``), is NaN is left out; with no point left
the metric is NaN. NaN in ``y_train`` only removes the differences it enters.
Infinite values, arrays of different lengths, crossed bounds and arguments out
of range raise :class:`~talentgap.errors.ParameterError`.

MASE and RMSSE: the scale ``mean(|y_t - y_{t-m}|)`` is the in-sample error of
the seasonal naive forecast (``m = season_length``; lag 1 for annual data).
When it is zero (a constant training series) the metric is undefined: NaN,
with a :class:`~talentgap.errors.DataQualityWarning`.

:func:`evaluate` computes the metrics per series of long forecast tables.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from talentgap._arguments import check_count, check_levels
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.evaluation._terms import (
    INTERVAL_METRICS,
    SCALED_METRICS,
    SPECS,
    check_bounds,
    naive_scales,
    point_terms,
    warn_zero_actuals,
)

__all__ = [
    "mae",
    "rmse",
    "mape",
    "smape",
    "mase",
    "rmsse",
    "bias",
    "pinball",
    "coverage",
    "interval_score",
    "METRICS",
    "INTERVAL_METRICS",
    "SCALED_METRICS",
]


# ---- input checks ---------------------------------------------------------------------------
def _as_array(values, name: str) -> np.ndarray:
    if values is None:
        raise ParameterError(f"{name} is required")
    try:
        if hasattr(values, "to_numpy"):
            array = values.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must hold numbers ({exc})") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ParameterError(f"{name} must be 1-D, got shape {array.shape}")
    n_inf = int(np.isinf(array).sum())
    if n_inf:
        raise ParameterError(f"{name} holds {n_inf} infinite value(s); metrics need finite "
                             "numbers (NaN marks a missing value)")
    return array


def _same_length(array: np.ndarray, name: str, n: int) -> np.ndarray:
    if array.shape[0] != n:
        raise ParameterError(f"{name} has {array.shape[0]} values but y_true has {n}; "
                             "they must match point by point")
    return array


def _check_quantile(quantile) -> float:
    if quantile is None:
        raise ParameterError("pinball needs quantile=, the level q in (0, 1) that y_pred "
                             "forecasts (e.g. quantile=0.9)")
    if not 0 < float(quantile) < 1:
        raise ParameterError(f"quantile == {quantile!r}, must be in (0, 1)")
    return float(quantile)


def _train_scale(y_train, season_length: int, kind: str, name: str) -> float:
    if y_train is None:
        raise ParameterError(f"{name} needs y_train, the series the model was fitted on, "
                             "for its scale (the in-sample seasonal naive error)")
    train = _as_array(y_train, "y_train")
    diff = np.asarray(train[season_length:] - train[:-season_length]
                      if train.size > season_length else [], dtype=np.float64)
    if np.isnan(diff).all():
        raise ParameterError(
            f"{name} needs y_train with at least season_length + 1 = {season_length + 1} "
            f"values (one pair {season_length} period(s) apart); got {train.size}")
    scale_abs, scale_sq = naive_scales(diff, np.zeros(diff.size, dtype=np.int64), 1)
    scale = float((scale_abs if kind == "abs" else scale_sq)[0])
    if np.isnan(scale):
        warn(f"{name} is undefined: y_train is constant over every {season_length}-"
                      "period step (scale 0); returning NaN", DataQualityWarning, stacklevel=3)
    return scale


def _compute(name: str, y_true, y_pred, *, y_train, season_length, lower, upper, level,
             quantile) -> float:
    """One metric on 1-D arrays (the shared engine of the public metric functions)."""
    spec = SPECS[name]
    y = _as_array(y_true, "y_true")
    n = y.shape[0]
    f = lo = hi = None
    if spec.uses_pred or y_pred is not None:
        f = _same_length(_as_array(y_pred, "y_pred"), "y_pred", n)
    if spec.interval:
        if lower is None or upper is None:
            raise ParameterError(f"{name} needs lower= and upper=, the interval bounds")
        lo = _same_length(_as_array(lower, "lower"), "lower", n)
        hi = _same_length(_as_array(upper, "upper"), "upper", n)
        check_bounds(lo, hi)
    m = check_count(season_length, "season_length")
    if name == "interval_score":
        if level is None:
            raise ParameterError("interval_score needs level=, the coverage of the interval "
                                 "in percent (e.g. 80)")
        if not np.isscalar(level):
            raise ParameterError(f"level == {level!r}: interval_score takes one level, e.g. 80")
        level = check_levels(level)[0]
    if name == "pinball":
        quantile = _check_quantile(quantile)
    scale = np.nan
    if spec.scale is not None:
        scale = _train_scale(y_train, m, spec.scale, name)
    if name == "mape":
        warn_zero_actuals(y, f)
    terms = point_terms(name, y, f, lo, hi, scale, level, quantile)
    terms = terms[~np.isnan(terms)]
    if terms.size == 0:
        return float("nan")
    value = float(np.mean(terms))
    return float(np.sqrt(value)) if spec.root else value


# ---- the public metrics -----------------------------------------------------------------------
def mae(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None, level=None,
        quantile=None) -> float:
    """Mean absolute error ``mean(|y - f|)``, in the units of the data.

    Parameters
    ----------
    y_true, y_pred : array-like, 1-D
        Actual values and point forecasts; NaN pairs are left out.
    y_train, season_length, lower, upper, level, quantile
        Part of the shared metric signature; not used.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If the arrays differ in length, are not 1-D or hold infinite values.

    Examples
    --------
    >>> mae([1, 2, 3], [2, 2, 5])
    1.0
    """
    return _compute("mae", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def rmse(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None, level=None,
         quantile=None) -> float:
    """Root mean squared error ``sqrt(mean((y - f)^2))``, in the units of the data.

    Parameters and errors as in :func:`mae`.

    Examples
    --------
    >>> round(rmse([1, 2, 3], [2, 2, 5]), 4)   # sqrt((1 + 0 + 4) / 3)
    1.291
    """
    return _compute("rmse", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def mape(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None, level=None,
         quantile=None) -> float:
    """Mean absolute percentage error ``100 * mean(|y - f| / |y|)``, in percent.

    Undefined where ``y == 0``: those points are left out, with a
    :class:`~talentgap.errors.DataQualityWarning` giving their number. Prefer
    :func:`smape` or :func:`mase` for counts that can be zero.

    Parameters and errors as in :func:`mae`.

    Examples
    --------
    >>> mape([2, 4], [1, 5])    # 100 * mean(1/2, 1/4)
    37.5
    """
    return _compute("mape", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def smape(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None,
          level=None, quantile=None) -> float:
    """Symmetric MAPE on 0-200: ``200 * mean(|y - f| / (|y| + |f|))``.

    A point with ``y == f == 0`` counts 0 (a perfect forecast), so the value is
    always defined and lies in [0, 200].

    Parameters and errors as in :func:`mae`.

    Examples
    --------
    >>> round(smape([2, 0], [1, 0]), 4)   # 200 * mean(1/3, 0)
    33.3333
    """
    return _compute("smape", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def mase(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None, level=None,
         quantile=None) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006).

    ``mean(|y - f|) / mean(|y_t - y_{t-m}|)``, the scale taken over the
    training series ``y_train`` with ``m = season_length``. Below 1: better
    than the in-sample seasonal naive forecast.

    Parameters
    ----------
    y_true, y_pred : array-like, 1-D
        Actual values and point forecasts; NaN pairs are left out.
    y_train : array-like, 1-D
        The series the forecasts were fitted on, in time order.
    season_length : int, default 1
        The lag ``m`` of the scale (4 quarterly, 12 monthly, 1 annual).
    lower, upper, level, quantile
        Part of the shared metric signature; not used.

    Returns
    -------
    float
        NaN (with a :class:`~talentgap.errors.DataQualityWarning`) when the
        scale is 0.

    Raises
    ------
    ParameterError
        If ``y_train`` is missing or has no pair of values ``m`` periods apart,
        or for bad arrays as in :func:`mae`.

    Examples
    --------
    >>> mase([3, 5], [4, 4], y_train=[1, 2, 4, 7])   # 1 / mean(1, 2, 3)
    0.5
    >>> mase([3, 5], [4, 4], y_train=[1, 2, 4, 7], season_length=2)   # 1 / mean(3, 5)
    0.25
    """
    return _compute("mase", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def rmsse(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None,
          level=None, quantile=None) -> float:
    """Root mean squared scaled error ``sqrt(mean((y - f)^2) / mean((y_t - y_{t-m})^2))``.

    The squared counterpart of :func:`mase` (used in the M5 competition).
    Parameters, return value and errors as in :func:`mase`.

    Examples
    --------
    >>> round(rmsse([3, 5], [4, 4], y_train=[1, 2, 4, 7]), 4)   # sqrt(1 / (14/3))
    0.4629
    """
    return _compute("rmsse", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def bias(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None, level=None,
         quantile=None) -> float:
    """Mean error ``mean(f - y)``: positive when forecasts are too high.

    Parameters and errors as in :func:`mae`.

    Examples
    --------
    >>> bias([1, 2, 3], [2, 2, 5])
    1.0
    """
    return _compute("bias", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def pinball(y_true, y_pred, *, y_train=None, season_length=1, lower=None, upper=None,
            level=None, quantile=None) -> float:
    """Pinball (quantile) loss ``mean(max(q*(y - f), (q - 1)*(y - f)))``.

    At ``q = 0.5`` it is half the :func:`mae` of the median forecast.

    Parameters
    ----------
    y_true : array-like, 1-D
        Actual values.
    y_pred : array-like, 1-D
        Forecasts of the ``quantile``-quantile.
    quantile : float
        The quantile level ``q``, in (0, 1).
    y_train, season_length, lower, upper, level
        Part of the shared metric signature; not used.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If ``quantile`` is missing or outside (0, 1), or for bad arrays.

    Examples
    --------
    >>> round(pinball([10, 10], [8, 12], quantile=0.9), 6)   # mean(0.9*2, 0.1*2)
    1.0
    """
    return _compute("pinball", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def coverage(y_true, y_pred=None, *, y_train=None, season_length=1, lower=None, upper=None,
             level=None, quantile=None) -> float:
    """Share of actual values inside ``[lower, upper]`` (bounds included), 0-1.

    Parameters
    ----------
    y_true : array-like, 1-D
        Actual values.
    y_pred : array-like, optional
        Not used (checked for length when given).
    lower, upper : array-like, 1-D
        Interval bounds; NaN bounds leave the point out.
    y_train, season_length, level, quantile
        Part of the shared metric signature; not used.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If a bound is missing, ``lower > upper`` anywhere, or for bad arrays.

    Examples
    --------
    >>> round(coverage([1, 5, 9], lower=[0, 0, 0], upper=[4, 4, 10]), 4)
    0.6667
    """
    return _compute("coverage", y_true, y_pred, y_train=y_train, season_length=season_length,
                    lower=lower, upper=upper, level=level, quantile=quantile)


def interval_score(y_true, y_pred=None, *, y_train=None, season_length=1, lower=None,
                   upper=None, level=None, quantile=None) -> float:
    """Interval (Winkler) score of intervals at ``level`` percent; lower is better.

    ``mean((u - l) + (2/a)*(l - y)*[y < l] + (2/a)*(y - u)*[y > u])`` with
    ``a = 1 - level/100`` (Gneiting & Raftery 2007): the interval width plus
    a penalty for every actual outside it. In the units of the data.

    Parameters
    ----------
    y_true : array-like, 1-D
        Actual values.
    y_pred : array-like, optional
        Not used (checked for length when given).
    lower, upper : array-like, 1-D
        Interval bounds.
    level : float
        Nominal coverage of the interval in percent, in (0, 100).
    y_train, season_length, quantile
        Part of the shared metric signature; not used.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If a bound or ``level`` is missing, ``lower > upper``, or for bad arrays.

    Examples
    --------
    Inside (width 4), above by 1 and below by 1 at 80% (penalty ``2/0.2 = 10``):

    >>> round(interval_score([1, 5, -1], lower=[0, 0, 0], upper=[4, 4, 4], level=80), 4)
    10.6667
    """
    return _compute("interval_score", y_true, y_pred, y_train=y_train,
                    season_length=season_length, lower=lower, upper=upper, level=level,
                    quantile=quantile)


#: Every metric by name, all with the shared signature.
METRICS: dict[str, Callable[..., float]] = {
    "mae": mae,
    "rmse": rmse,
    "mape": mape,
    "smape": smape,
    "mase": mase,
    "rmsse": rmsse,
    "bias": bias,
    "pinball": pinball,
    "coverage": coverage,
    "interval_score": interval_score,
}
