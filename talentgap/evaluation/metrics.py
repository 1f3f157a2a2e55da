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
from dataclasses import dataclass

import numpy as np

from talentgap._arguments import check_count, check_levels
from talentgap.errors import DataQualityWarning, ParameterError, warn

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


# ---- the per-point terms behind every metric ------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    """How a metric is computed: the mean of per-point terms, optionally square-rooted."""

    term: Callable[..., np.ndarray]
    uses_pred: bool = True       # NaN in y_pred drops the point
    interval: bool = False       # uses lower/upper (NaN there drops the point)
    scale: str | None = None     # "abs" or "sq": divides by a seasonal-naive scale
    root: bool = False           # sqrt of the mean


def _t_abs(y, f, lo, hi, scale, level, quantile):
    return np.abs(y - f)


def _t_sq(y, f, lo, hi, scale, level, quantile):
    return (y - f) ** 2


def _t_ape(y, f, lo, hi, scale, level, quantile):
    return np.where(y != 0, 100.0 * np.abs(y - f) / np.abs(y), np.nan)


def _t_sape(y, f, lo, hi, scale, level, quantile):
    denominator = np.abs(y) + np.abs(f)
    return np.where(denominator > 0, 200.0 * np.abs(y - f) / denominator, 0.0)


def _t_scaled_abs(y, f, lo, hi, scale, level, quantile):
    return np.abs(y - f) / scale


def _t_scaled_sq(y, f, lo, hi, scale, level, quantile):
    return (y - f) ** 2 / scale


def _t_bias(y, f, lo, hi, scale, level, quantile):
    return f - y


def _t_pinball(y, f, lo, hi, scale, level, quantile):
    d = y - f
    return np.maximum(quantile * d, (quantile - 1.0) * d)


def _t_cover(y, f, lo, hi, scale, level, quantile):
    return ((lo <= y) & (y <= hi)).astype(np.float64)


def _t_winkler(y, f, lo, hi, scale, level, quantile):
    penalty = 2.0 / (1.0 - level / 100.0)
    return (hi - lo) + penalty * np.maximum(lo - y, 0.0) + penalty * np.maximum(y - hi, 0.0)


_SPECS: dict[str, _Spec] = {
    "mae": _Spec(_t_abs),
    "rmse": _Spec(_t_sq, root=True),
    "mape": _Spec(_t_ape),
    "smape": _Spec(_t_sape),
    "mase": _Spec(_t_scaled_abs, scale="abs"),
    "rmsse": _Spec(_t_scaled_sq, scale="sq", root=True),
    "bias": _Spec(_t_bias),
    "pinball": _Spec(_t_pinball),
    "coverage": _Spec(_t_cover, uses_pred=False, interval=True),
    "interval_score": _Spec(_t_winkler, uses_pred=False, interval=True),
}

#: Metrics judged on prediction intervals (reported per level by :func:`evaluate`).
INTERVAL_METRICS = frozenset({"coverage", "interval_score", "pinball"})
#: Metrics scaled by the in-sample seasonal naive error (need training data).
SCALED_METRICS = frozenset({"mase", "rmsse"})


def _terms(name: str, y, f, lo, hi, scale, level=None, quantile=None) -> np.ndarray:
    """Per-point terms of metric ``name``; NaN where the point is left out."""
    spec = _SPECS[name]
    valid = ~np.isnan(y)
    if spec.uses_pred:
        valid &= ~np.isnan(f)
    if spec.interval:
        valid &= ~np.isnan(lo) & ~np.isnan(hi)
    if spec.scale is not None:
        valid &= ~np.isnan(scale)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = spec.term(y, f, lo, hi, scale, level, quantile)
    return np.where(valid, terms, np.nan)


def _group_means(terms: np.ndarray, codes: np.ndarray,
                 n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the non-NaN terms per group code (NaN for an empty group), and the counts."""
    ok = ~np.isnan(terms)
    counts = np.bincount(codes[ok], minlength=n_groups)
    sums = np.bincount(codes[ok], weights=terms[ok], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan), counts


def _warn_zero_actuals(y: np.ndarray, f: np.ndarray) -> None:
    zeros = int(np.sum((y == 0) & ~np.isnan(f)))
    if zeros:
        warn(f"mape is undefined where the actual value is 0; {zeros} such point(s) "
                      "left out (smape or mase handle zeros)", DataQualityWarning, stacklevel=3)


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


def _check_bounds(lo: np.ndarray, hi: np.ndarray) -> None:
    crossed = lo > hi
    if crossed.any():
        first = int(np.flatnonzero(crossed)[0])
        raise ParameterError(f"lower > upper at {int(crossed.sum())} point(s), e.g. position "
                             f"{first}: {lo[first]:g} > {hi[first]:g}")


def _train_scale(y_train, season_length: int, kind: str, name: str) -> float:
    if y_train is None:
        raise ParameterError(f"{name} needs y_train, the series the model was fitted on, "
                             "for its scale (the in-sample seasonal naive error)")
    train = _as_array(y_train, "y_train")
    diff = train[season_length:] - train[:-season_length] if train.size > season_length else []
    diff = np.asarray(diff, dtype=np.float64)
    diff = diff[~np.isnan(diff)]
    if diff.size == 0:
        raise ParameterError(
            f"{name} needs y_train with at least season_length + 1 = {season_length + 1} "
            f"values (one pair {season_length} period(s) apart); got {train.size}")
    scale = float(np.mean(np.abs(diff)) if kind == "abs" else np.mean(diff ** 2))
    if scale == 0:
        warn(f"{name} is undefined: y_train is constant over every {season_length}-"
                      "period step (scale 0); returning NaN", DataQualityWarning, stacklevel=3)
        return np.nan
    return scale


def _compute(name: str, y_true, y_pred, *, y_train, season_length, lower, upper, level,
             quantile) -> float:
    """One metric on 1-D arrays (the shared engine of the public metric functions)."""
    spec = _SPECS[name]
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
        _check_bounds(lo, hi)
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
        _warn_zero_actuals(y, f)
    terms = _terms(name, y, f, lo, hi, scale, level, quantile)
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
