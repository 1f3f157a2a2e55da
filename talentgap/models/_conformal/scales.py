"""The scale of each series, and the fences that tell its data errors from its movements.

Step 2 of the interval method (:mod:`talentgap.models._conformal`): the
typical change of a series (:func:`series_scale`, the MASE denominator
blended with its recent level), the same statistic without the periods a
rolling origin forecast (:func:`calibration_scales`), and the far fences of a
series' own differences (:func:`difference_fences`, in
:mod:`talentgap.models._conformal.fences`) that keep a value typed 50 times
too large out of it; :func:`outlying_values` names such values.
A series that never changed (:func:`never_changed`) has scale 0; a short one
whose values are all 0 has no statistic of its own (:func:`uninformative_scales`)
and borrows the scale of its history class (:func:`class_scales`).
"""

from __future__ import annotations

import numpy as np

from talentgap._numeric import nanmean
from talentgap.errors import DataQualityWarning, warn
from talentgap.models._conformal.fences import (
    OWN_FENCE_IQR,
    OWN_FENCE_MIN,
    difference_fences,
    differences,
)
from talentgap.models._conformal.short_series import short_history_limit, short_windows

__all__ = ["series_scale", "recent_periods", "calibration_scales", "difference_fences",
           "outlying_values", "outlying_changes", "confirmed_spikes", "never_changed",
           "uninformative_scales", "window_scales", "class_scales",
           "OWN_FENCE_IQR", "OWN_FENCE_MIN"]


def _mean_abs_diff(values: np.ndarray, lag: int) -> np.ndarray:
    """Mean of ``|y_t - y_{t-lag}|`` over each row's observed pairs (NaN if none).

    Two values equal up to floating-point rounding (one estimate summed in
    two orders, say) differ by 0, not by 1e-17: a scale of 1e-17 would blow
    every error it divides up by as much. A difference beyond the row's own
    far fences (:func:`difference_fences`) is left out: it is a data error
    (or a break no other change of the series comes near), not the typical
    movement the scale measures; with it, one value typed 50 times too
    large made a series' scale 160 times its usual size.

    Examples
    --------
    >>> values = np.array([[0.1 + 0.2, 0.3, 0.5]])
    >>> float(values[0, 0] - values[0, 1]) != 0.0, _mean_abs_diff(values[:, :2], 1).tolist()
    (True, [0.0])
    >>> _mean_abs_diff(values, 1).tolist()     # (0 + 0.2) / 2
    [0.1]
    >>> spike = np.array([[10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10]])
    >>> # quartiles of the 9 changes -1 and 1: the jumps 490 and -489 are left out
    >>> round(float(_mean_abs_diff(spike, 1)[0]), 2)
    1.29
    """
    if values.shape[1] <= lag:
        return np.full(values.shape[0], np.nan)
    diff = differences(values, lag)
    lower, upper = difference_fences(diff)
    diff = np.abs(np.where((diff < lower[:, None]) | (diff > upper[:, None]), np.nan, diff))
    count = np.sum(~np.isnan(diff), axis=1)
    total = np.nansum(diff, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _scale_options(values: np.ndarray, season_length: int) -> np.ndarray:
    """The statistics a series' scale is chosen from, in order, shape (4, n_series)."""
    level = nanmean(np.abs(values), axis=1)  # NaN for all-NaN rows
    return np.stack([_mean_abs_diff(values, season_length), _mean_abs_diff(values, 1), level,
                     np.ones(values.shape[0])])


def _usable(scale: np.ndarray) -> np.ndarray:
    return (scale > 0) & np.isfinite(scale)


def never_changed(values: np.ndarray, season_length: int) -> np.ndarray:
    """Which series never changed: two seasons of history or more, every change 0.

    A row qualifies when it has at least
    :func:`~talentgap.models._conformal.short_history_limit` observations,
    its observed one-period changes are all 0 (up to rounding) and so are
    its observed seasonal ones. Its scale is 0 (:func:`series_scale`): its
    history shows no typical change to scale errors by, and every model
    forecasts it without backtest error. A shorter row of equal values is
    not flagged: a few values say little about how a series moves.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN where not observed).
    season_length : int

    Returns
    -------
    numpy.ndarray of bool, shape (n_series,)

    Examples
    --------
    >>> values = np.array([[40.0] * 8, [np.nan] * 5 + [40.0] * 3, [40.0] * 7 + [41.0]])
    >>> never_changed(values, 4).tolist()   # the second is too short, the third moved
    [True, False, False]
    """
    lag1 = _mean_abs_diff(values, 1)
    seasonal = _mean_abs_diff(values, season_length)
    n_obs = np.sum(~np.isnan(values), axis=1)
    return ((lag1 == 0) & ((seasonal == 0) | np.isnan(seasonal))
            & (n_obs >= short_history_limit(season_length)))


def _scale_choice(values: np.ndarray, season_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Each series' whole-series statistic and which of :func:`_scale_options` it is."""
    options = _scale_options(values, season_length)
    choice = np.argmax(_usable(options), axis=0)  # the last option (1) is always usable
    return options[choice, np.arange(values.shape[0])], choice


def outlying_changes(values: np.ndarray, season_length: int):
    """:func:`outlying_values` with the change behind each and the fence it crossed.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN where not observed).
    season_length : int

    Returns
    -------
    hit : numpy.ndarray of bool, same shape as ``values``
        :func:`outlying_values`.
    lag : numpy.ndarray of int, shape (n_series,)
        Periods between the values each series' changes compare (its season
        length, or 1); 0 for series without such changes.
    change : numpy.ndarray, same shape as ``values``
        Each value minus the value ``lag`` periods before (NaN where none).
    lower, upper : numpy.ndarray, each (n_series,)
        The series' far fences (:func:`difference_fences`; infinite where
        not fenced).

    Examples
    --------
    >>> values = np.array([[10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10]])
    >>> hit, lag, change, lower, upper = outlying_changes(values, 1)
    >>> np.flatnonzero(hit[0]).tolist(), lag.tolist(), float(change[0, 6]), upper.tolist()
    ([6], [1], 490.0, [21.0])
    """
    _, choice = _scale_choice(values, season_length)
    n_series, width = values.shape
    hit = np.zeros(values.shape, dtype=bool)
    lags = np.zeros(n_series, dtype=np.int64)
    change = np.full(values.shape, np.nan)
    lower, upper = np.full(n_series, -np.inf), np.full(n_series, np.inf)
    for lag, rows in ((int(season_length), choice == 0), (1, choice == 1)):  # two lags
        if not rows.any() or width <= lag:
            continue
        at = np.flatnonzero(rows)
        diff = differences(values[rows], lag)
        low, high = difference_fences(diff)
        with np.errstate(invalid="ignore"):
            beyond = np.where(diff > high[:, None], 1, np.where(diff < low[:, None], -1, 0))
        back = np.zeros(beyond.shape, dtype=bool)
        back[:, lag:] = beyond[:, lag:] * beyond[:, :-lag] < 0
        columns = np.arange(lag, width)[None, :]
        hit[at[:, None], columns] = (beyond != 0) & ~back
        change[at[:, None], columns] = diff
        lags[at], lower[at], upper[at] = lag, low, high
    return hit, lags, change, lower, upper


def confirmed_spikes(hit: np.ndarray, lag: np.ndarray, change: np.ndarray,
                     lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Which outlying values a later value confirms as a one-off spike.

    An outlying value (:func:`outlying_changes`) is a *confirmed spike* when
    the series comes back from it: the change ``lag`` periods later, from
    the outlying value to the next one, lies beyond the opposite far fence
    (the way out of the spike that :func:`outlying_values` does not count).
    A value near the end of a series, with no value ``lag`` periods later,
    is never confirmed: no later value tells a spike from the start of a new
    level. Nor is the start of a new level that persists (the series does not
    come back), nor a run of several outlying values in a row (the way back
    starts from a value that is not outlying itself).

    Parameters
    ----------
    hit, lag, change, lower, upper : numpy.ndarray
        The outputs of :func:`outlying_changes`.

    Returns
    -------
    numpy.ndarray of bool, same shape as ``hit``

    Examples
    --------
    >>> values = np.array([[10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10],      # a spike
    ...                    [10.0, 11, 10, 12, 11, 10, 500, 510, 505, 511],   # a new level
    ...                    [10.0, 11, 10, 12, 11, 10, 12, 11, 10, 500]])     # the last value
    >>> found = outlying_changes(values, 1)
    >>> found[0].sum(axis=1).tolist()
    [1, 1, 1]
    >>> confirmed_spikes(*found).sum(axis=1).tolist()
    [1, 0, 0]
    """
    with np.errstate(invalid="ignore"):
        beyond = np.where(change > upper[:, None], 1, np.where(change < lower[:, None], -1, 0))
    confirmed = np.zeros(hit.shape, dtype=bool)
    for step in np.unique(lag[lag > 0]):  # at most two lags
        if hit.shape[1] <= step:
            continue
        rows = np.flatnonzero(lag == step)
        back = beyond[rows, step:] * beyond[rows, :-step] < 0
        confirmed[rows[:, None], np.arange(hit.shape[1] - step)[None, :]] = (
            hit[rows, :-step] & back)
    return confirmed


def outlying_values(values: np.ndarray, season_length: int) -> np.ndarray:
    """Where a value changes by far more than its series' other changes: a likely data error.

    The changes are the differences the series' scale is built from (a
    season apart, or one period apart where the series is too short for
    that; :func:`series_scale`); a value is *outlying* when its change from
    the value before lies beyond the series' own far fences
    (:func:`difference_fences`), except when that change only takes the
    series back from an outlying value (the way out of a spike). Series
    scaled by their level or by 1 have no such changes.
    :func:`outlying_changes` also gives the change and the fences.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN where not observed).
    season_length : int

    Returns
    -------
    numpy.ndarray of bool, same shape as ``values``

    Examples
    --------
    >>> values = np.array([[10.0, 11, 10, 12, 11, 10, 500, 11, 12, 10],
    ...                    [10.0, 11, 10, 12, 11, 10, 500, 510, 505, 511]])
    >>> np.flatnonzero(outlying_values(values, 1)[0]).tolist()   # the spike, not its way back
    [6]
    >>> np.flatnonzero(outlying_values(values, 1)[1]).tolist()   # the start of a new level
    [6]
    """
    return outlying_changes(values, season_length)[0]


def recent_periods(season_length: int) -> int:
    """How many of a series' last periods its scale also looks at: 4 seasons, at least 8.

    Examples
    --------
    >>> recent_periods(4), recent_periods(12), recent_periods(1)
    (16, 48, 8)
    """
    return max(4 * int(season_length), 8)


def _with_recent(whole: np.ndarray, recent_values: np.ndarray, season_length: int,
                 choice: np.ndarray) -> np.ndarray:
    """Geometric mean of the whole-series statistic and the same one over recent periods.

    Where the recent periods do not allow the statistic (or it is 0 there),
    the whole-series one is kept; a NaN whole-series statistic stays NaN.
    """
    recent = _scale_options(recent_values, season_length)[choice, np.arange(whole.shape[0])]
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        product = whole * recent
        # sqrt(x * x) is exactly x; the product of square roots only where the product
        # overflows or underflows
        blended = np.where(_usable(product), np.sqrt(product), np.sqrt(whole) * np.sqrt(recent))
    return np.where(_usable(recent) & _usable(whole) & _usable(blended), blended, whole)


def series_scale(values: np.ndarray, season_length: int) -> np.ndarray:
    """Typical one-step change of each series: the MASE denominator, with its recent level.

    ``mean(|y_t - y_{t-m}|)`` over each row's observed values, falling back
    to lag 1 where the series is shorter than ``m + 1`` (or its seasonal
    changes are all 0), then to ``mean(|y|)``, then to 1. The statistic
    is the geometric mean of its value over the whole row and over the
    row's last :func:`recent_periods` periods (the whole-row value alone
    where those do not allow it). A series that never changed in two
    seasons or more (:func:`never_changed`) has scale 0, so its interval is
    its point forecast; every other scale is positive and finite.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN before each one's first observation).
    season_length : int

    Returns
    -------
    numpy.ndarray, shape (n_series,)

    Examples
    --------
    >>> import numpy as np
    >>> series_scale(np.array([[1.0, 2.0, 4.0], [np.nan, 5.0, 5.0]]), 1).tolist()
    [1.5, 5.0]
    >>> # 12 calm changes of 1, then 8 periods changing by 4: sqrt(2.2 * 4)
    >>> grown = np.concatenate([np.arange(13.0), 12 + 4 * np.arange(1.0, 9.0)])
    >>> round(float(series_scale(grown[None, :], 1)[0]), 3)
    2.966
    >>> series_scale(np.array([[40.0] * 8, [np.nan] * 6 + [40.0] * 2]), 4).tolist()
    [0.0, 40.0]
    """
    whole, choice = _scale_choice(values, season_length)
    recent = values[:, max(0, values.shape[1] - recent_periods(season_length)):]
    scale = _with_recent(whole, recent, season_length, choice)
    return np.where(never_changed(values, season_length), 0.0, scale)


def calibration_scales(errors: np.ndarray, values: np.ndarray,
                       season_length: int) -> np.ndarray:
    """Scale of each series for the errors of each rolling origin, without look-ahead.

    For origin ``k`` (which forecast the ``H`` periods ending ``k`` periods
    before each series' last one), the statistic :func:`series_scale` uses
    for the series, computed with those ``H`` periods left out: differences
    that involve a held-out period are dropped. NaN where the rest of the
    series does not allow that statistic (the window's errors then do not
    calibrate). A series that never changed (:func:`never_changed`) has
    scale 0 at every origin: its errors (0) then leave the pool as 0/0.
    Only if that leaves no usable error at all are the whole-series scales
    used, with a ``DataQualityWarning``.

    Parameters
    ----------
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        Backtest errors (only their shape and finiteness are used).
    values : numpy.ndarray, shape (n_series, n_periods)
        The right-aligned series the backtests were run on.
    season_length : int

    Returns
    -------
    numpy.ndarray, shape (n_series, n_windows)

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[1.0, 2.0, 3.0, 4.0, 10.0, 11.0]])
    >>> errors = np.ones((1, 2, 1))
    >>> series_scale(values, 1).tolist()  # the jump 4 -> 10 is in it
    [2.0]
    >>> # origin 0 forecast 11: diffs 1, 1, 1, 6; origin 1 forecast 10: diffs 1, 1, 1
    >>> calibration_scales(errors, values, 1).tolist()
    [[2.25, 1.0]]
    """
    n_series, windows, horizon = errors.shape
    width = values.shape[1]
    _, choice = _scale_choice(values, season_length)
    rows = np.arange(n_series)
    out = np.full((n_series, windows), np.nan)
    for k in range(windows):  # a handful of origins
        cut = horizon + k
        if cut >= width:
            break
        held_out = values.copy()
        held_out[:, width - cut:width - cut + horizon] = np.nan
        whole = _scale_options(held_out, season_length)[choice, rows]
        # recent: the periods just before the window (and the few after it, as in the whole)
        recent = held_out[:, max(0, width - cut - recent_periods(season_length)):]
        scale = _with_recent(whole, recent, season_length, choice)
        out[:, k] = np.where(_usable(scale), scale, np.nan)
    out[never_changed(values, season_length)] = 0.0
    finite = np.isfinite(errors)
    if finite.any() and not (finite & np.isfinite(out)[:, :, None]).any():
        warn(
            "the series are too short to scale backtest errors without the periods they "
            "forecast; intervals use whole-series scales and may be too narrow; use longer "
            "series or more series", DataQualityWarning, stacklevel=3)
        out = np.repeat(series_scale(values, season_length)[:, None], windows, axis=1)
    return out


def uninformative_scales(values: np.ndarray, season_length: int) -> np.ndarray:
    """Which series have no statistic of their own to scale by: a short run of zeros.

    A row with observations, every one of them 0, that has not
    :func:`never_changed` (fewer than two seasons of them): no change and no
    level to measure its movements by. :func:`series_scale` gives it the
    last fallback, 1 person, whatever the size of the series around it;
    :func:`class_scales` and :func:`window_scales` give it its history
    class's typical scale instead.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN where not observed).
    season_length : int

    Returns
    -------
    numpy.ndarray of bool, shape (n_series,)

    Examples
    --------
    >>> values = np.array([[np.nan] * 7 + [0.0], [np.nan] * 4 + [0.0] * 4, [0.0] * 8,
    ...                    [np.nan] * 6 + [0.0, 3.0], [np.nan] * 7 + [1.0], [np.nan] * 8])
    >>> uninformative_scales(values, 4).tolist()  # the third never changed: scale 0
    [True, True, False, False, False, False]
    """
    _, choice = _scale_choice(values, season_length)
    n_obs = np.sum(~np.isnan(values), axis=1)
    constant = choice == 3  # no change, no level: only the fallback 1 was usable
    return constant & (n_obs > 0) & ~never_changed(values, season_length)


def _median_usable(scale: np.ndarray) -> float:
    """Median of the usable (positive, finite) scales; NaN if there are none."""
    usable = scale[_usable(scale)]
    return float(np.median(usable)) if usable.size else np.nan


def window_scales(values: np.ndarray, season_length: int) -> np.ndarray:
    """:func:`series_scale` of windows of one history length, zeros scaled like the others.

    A window whose values are all 0 (:func:`uninformative_scales`) gets the
    median scale of the other windows (NaN if every window is such: its
    errors then calibrate nothing), instead of the fallback 1 that would put
    its errors, in persons, among errors relative to the windows' scales.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_windows, length)
        The observations of windows of the same length.
    season_length : int

    Returns
    -------
    numpy.ndarray, shape (n_windows,)

    Examples
    --------
    >>> windows = np.array([[0.0, 0.0], [10.0, 14.0], [20.0, 26.0], [30.0, 40.0]])
    >>> window_scales(windows, 4).tolist()   # lag-1 changes 4, 6, 10; median 6
    [6.0, 4.0, 6.0, 10.0]
    """
    scale = series_scale(values, season_length)
    zeros = uninformative_scales(values, season_length)
    if zeros.any():
        scale = np.where(zeros, _median_usable(scale[~zeros]), scale)
    return scale


def class_scales(values: np.ndarray, n_obs: np.ndarray, season_length: int, horizon: int,
                 n_windows: int) -> np.ndarray:
    """:func:`series_scale`, with a short run of zeros given its history class's scale.

    A series whose observations are all 0 and too few to say it never
    changes (:func:`uninformative_scales`) has no scale of its own; the
    fallback of 1 person made its intervals a person or two wide however
    large the other series are. Its scale is the median of the scales of
    the windows that calibrate its history class (step 6 of
    :mod:`talentgap.models._conformal`: ``k`` consecutive observations of
    each longer series, :func:`~talentgap.models._conformal.short_windows`),
    each computed from its ``k`` observations (:func:`window_scales`): how
    much a series with ``k`` observations of this data typically moves, in
    the units of the class's scaled errors. Where no series is long enough
    for such windows, the median of the other series' own scales; where
    there are none either, 1. Every other series keeps
    :func:`series_scale`.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_series, n_periods)
        Right-aligned series (NaN before each one's first observation).
    n_obs : numpy.ndarray of int, shape (n_series,)
        Observations per series.
    season_length : int
    horizon, n_windows : int
        Of the class's windows, as in
        :func:`~talentgap.models._conformal.short_windows`.

    Returns
    -------
    numpy.ndarray, shape (n_series,)

    Examples
    --------
    >>> values = np.array([[10.0, 14.0, 12.0, 18.0],
    ...                    [20.0, 30.0, 26.0, 40.0],
    ...                    [np.nan, np.nan, np.nan, 0.0]])
    >>> n_obs = np.array([4, 4, 1])
    >>> float(series_scale(values, 1)[2]), float(class_scales(values, n_obs, 1, 2, 2)[2])
    (1.0, 17.0)

    The class's windows of one observation (followed by 2 actuals, 2 per
    series) are 10, 14, 20 and 30, and a window of one observation is
    scaled by its level: the zero series gets their median, 17.
    """
    scale = series_scale(values, season_length)
    zeros = uninformative_scales(values, season_length)
    if not zeros.any():
        return scale
    n_obs = np.asarray(n_obs, dtype=np.int64)
    fallback = _median_usable(scale[~zeros])
    out = scale.copy()
    width = values.shape[1]
    for length in np.unique(n_obs[zeros]):  # a handful of history lengths
        rows, columns = short_windows(n_obs, width, int(length), horizon, n_windows)
        borrowed = np.nan
        if rows.size:
            windows = values[rows[:, None], columns[:, :int(length)]]
            borrowed = _median_usable(window_scales(windows, season_length))
        if not np.isfinite(borrowed):
            borrowed = fallback if np.isfinite(fallback) else 1.0
        out[zeros & (n_obs == length)] = borrowed
    return out
