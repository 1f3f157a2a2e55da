"""How far the sample paths of a short series reach: its history class's interval.

The gap model's paths draw scaled backtest errors pooled over all cells
(:mod:`talentgap.models._gap_paths`). That pool says how far forecasts miss
for series like those in it, not for a series with only a few observations
of its own. :func:`short_history_widening` forecasts windows of the longer
series cut to each short length with the same model, takes their conformal
interval at :data:`WIDENING_LEVEL` as the class's interval, and returns per
series the factors that stretch the deviations of its paths below and above
their centre to that interval. :mod:`talentgap.models._gap_paths` re-exports
both names.
"""

from __future__ import annotations

import numpy as np

from talentgap._words import count_words, or_words
from talentgap.errors import DataQualityWarning, collect_warnings, warn
from talentgap.models._conformal import (
    calibration_scales,
    conformal_quantiles,
    short_histories,
)

__all__ = ["WIDENING_LEVEL", "short_history_widening", "warn_uncalibrated"]

#: Coverage level (percent) whose interval widths set a short history's widening factor.
WIDENING_LEVEL = 80.0


def short_history_widening(model, errors: np.ndarray, scale: np.ndarray,
                           horizon: int) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """Per series of ``model``: the factors that stretch its paths to its history class's interval.

    The paths of every cell draw scaled backtest errors from one pool (the
    errors divided by the series' scales ``scale``, centred on their median
    at each step). That pool says how far forecasts miss for series like those
    in it, not for a series with only a few observations of its own. A
    series is *short* when it has fewer than
    :func:`~talentgap.models._conformal.short_history_limit` observations or
    when none of its backtest origins leaves enough data to scale the errors
    without the periods they forecast
    (:func:`~talentgap.models._conformal.short_histories`, the rule the
    forecasters' own intervals use): its own backtests then say nothing
    honest about it. For each length ``k`` of a short series, windows of
    ``k`` observations of the longer series are forecast by the same model
    (``model.short_history_errors``), and their conformal interval at
    :data:`WIDENING_LEVEL` is the class's interval, in signed errors around
    the forecast. The *lower* factor is the class's lower bound divided by
    the centred pool's, the *upper* factor the same for the upper bounds,
    each averaged over the steps and at least 1: a path's deviations below
    its centre are multiplied by the first, those above by the second, so a
    short series' paths reach as far as its class's interval on each side.
    Short series tend to be new and growing, which their few observations
    undershoot (the class's upper bound is the further one), and the paths
    keep that asymmetry. Widths are compared in the units the paths use.

    Parameters
    ----------
    model : BaseForecaster
        The fitted inner forecaster.
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        Its backtest errors (``model.cv_errors(horizon)``).
    scale : numpy.ndarray, shape (n_series,) or (n_series, n_windows)
        The scales the paths' pool divides the errors by, per series or per
        series and origin.
    horizon : int

    Returns
    -------
    lower, upper : numpy.ndarray
        Each of shape (n_series,), every value >= 1 (1 for series that are
        not short or whose length no longer series can calibrate).
    uncalibrated : dict of int to int
        The short lengths no longer series can calibrate, with how many
        series have each: their paths keep the pooled errors. The caller
        warns about them once for demand and supply together
        (:func:`warn_uncalibrated`).

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=4, industries=2, n_periods=16, seed=0,
    ...                                   new_trades=["ecommerce"], new_trade_start=10)
    >>> model = tg.models.Naive().fit(data.truth.dropna(subset=["demand"]), target="demand",
    ...                               keys=["region", "industry"])
    >>> errors = model.cv_errors(2)
    >>> from talentgap.models._conformal import series_scale
    >>> scale = series_scale(model.arrays_.values, model.season_length_)
    >>> lower, upper, uncalibrated = short_history_widening(model, errors, scale, 2)
    >>> short = model.arrays_.n_obs < 8
    >>> bool((lower[~short] == 1).all() and (upper[~short] == 1).all())
    True
    >>> bool((upper[short] > 1).all()), uncalibrated
    (True, {})
    """
    n_obs = model.arrays_.n_obs
    m = int(model.season_length_)
    lower, upper = np.ones(n_obs.size), np.ones(n_obs.size)
    with collect_warnings():  # the caller warns about the pool as a whole
        calibrated = calibration_scales(errors, model.arrays_.values, m)
    short = short_histories(n_obs, errors, calibrated, m)
    lengths = np.unique(n_obs[short])
    if lengths.size == 0:
        return lower, upper, {}
    per_origin = np.asarray(scale, dtype=np.float64)
    if per_origin.ndim == 1:
        per_origin = np.repeat(per_origin[:, None], errors.shape[1], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = errors / per_origin[:, :, None]
    scaled[~np.isfinite(scaled)] = np.nan
    centre = _pool_medians(scaled.reshape(-1, scaled.shape[2]))
    with collect_warnings():
        pool_lo, pool_hi = conformal_quantiles(
            errors - centre[None, None, :] * per_origin[:, :, None], per_origin,
            [WIDENING_LEVEL])[WIDENING_LEVEL]
        classes = model.short_history_errors(lengths, horizon)
    uncalibrated = {}
    for length in lengths:  # a handful of history lengths
        errors_k = classes[int(length)]
        if not np.isfinite(errors_k).any():
            uncalibrated[int(length)] = int((short & (n_obs == length)).sum())
            continue
        with collect_warnings():
            lo, hi = conformal_quantiles(errors_k[:, None, :], np.ones(errors_k.shape[0]),
                                         [WIDENING_LEVEL])[WIDENING_LEVEL]
        rows = short & (n_obs == length)
        lower[rows] = _mean_ratio(lo, pool_lo)
        upper[rows] = _mean_ratio(hi, pool_hi)
    return lower, upper, uncalibrated


def warn_uncalibrated(by_side: dict[str, dict[int, int]]) -> None:
    """One warning for the short series of every side whose length no series calibrates.

    ``by_side`` maps a side ("demand", "supply") to the third value of
    :func:`short_history_widening`. The warning names the lengths in words
    and how many series of each side have them.

    Examples
    --------
    >>> from talentgap.errors import collect_warnings
    >>> with collect_warnings() as caught:
    ...     warn_uncalibrated({"demand": {24: 6}, "supply": {23: 2}})
    >>> print(caught[0])
    no series is long enough to calibrate the sample paths of series with 23 or 24 \
observations (6 demand series with 24, 2 supply series with 23); their paths use the errors \
pooled over all series, which are likely too narrow for them
    """
    lengths = sorted({n for found in by_side.values() for n in found})
    if not lengths:
        return
    counts = ", ".join(
        f"{count_words(sum(found.values()), f'{side} series', f'{side} series')} with "
        f"{or_words(sorted(found))}" for side, found in by_side.items() if found)
    warn(f"no series is long enough to calibrate the sample paths of series with "
         f"{or_words(lengths)} observations ({counts}); their paths use the errors pooled "
         "over all series, which are likely too narrow for them", DataQualityWarning,
         stacklevel=5)


def _pool_medians(pool: np.ndarray) -> np.ndarray:
    """Median of each column's finite values (0 for a column without any)."""
    out = np.zeros(pool.shape[1])
    has = np.isfinite(pool).any(axis=0)
    out[has] = np.nanmedian(pool[:, has], axis=0)
    return out


def _mean_ratio(bound: np.ndarray, pool_bound: np.ndarray) -> float:
    """Mean over steps of ``bound / pool_bound`` (steps where the pool's is 0 skipped), >= 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(pool_bound != 0, bound / pool_bound, np.nan)
    if not np.isfinite(ratio).any():
        return 1.0
    return max(float(np.nanmean(ratio)), 1.0)
