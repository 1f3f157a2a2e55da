"""Series with short histories: which they are, and the windows that calibrate them.

Step 6 of the interval method (:mod:`talentgap.models._conformal`): a
series too short for the pooled calibration (:func:`short_history_limit`,
:func:`short_histories`) is calibrated on windows of as many observations
cut from the longer series (:func:`short_windows`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["short_history_limit", "short_histories", "short_windows"]


def short_history_limit(season_length: int) -> int:
    """Fewest observations for a series to use the pooled interval calibration.

    Two seasons, and at least 4: with fewer, neither the seasonal difference
    nor a fitted model says much about the series.

    Examples
    --------
    >>> short_history_limit(4), short_history_limit(12), short_history_limit(1)
    (8, 24, 4)
    """
    return max(2 * int(season_length), 4)


def short_histories(n_obs: np.ndarray, errors: np.ndarray, scale: np.ndarray,
                    season_length: int) -> np.ndarray:
    """Which series are calibrated by their history class (step 6), not the pool.

    A series is *short* when it has fewer than :func:`short_history_limit`
    observations, or when none of its backtest errors has a scale computed
    without the periods it forecast
    (:func:`~talentgap.models._conformal.scales.calibration_scales`): its own
    backtests then say nothing honest about it, and its forecast comes from
    fits to a handful of observations. With 8 quarters and a 4-step horizon,
    for instance, every origin leaves at most 4 observations besides the
    held-out ones, too few for a seasonal difference.

    Parameters
    ----------
    n_obs : numpy.ndarray of int, shape (n_series,)
        Observations per series.
    errors : numpy.ndarray, shape (n_series, n_windows, horizon)
        Backtest errors (only their finiteness is used).
    scale : numpy.ndarray, shape (n_series, n_windows)
        Their scales without look-ahead
        (:func:`~talentgap.models._conformal.scales.calibration_scales`, or a
        positive multiple of it); NaN where an origin cannot be scaled.
    season_length : int

    Returns
    -------
    numpy.ndarray of bool, shape (n_series,)

    Examples
    --------
    >>> import numpy as np
    >>> from talentgap.models._conformal.scales import calibration_scales
    >>> values = np.arange(24.0).reshape(2, 12) ** 1.5
    >>> values[1, :4] = np.nan                     # the second series: 8 quarters
    >>> errors = np.ones((2, 2, 4))
    >>> scale = calibration_scales(errors, values, 4)
    >>> np.isfinite(scale).tolist()                # no origin of the second can be scaled
    [[True, True], [False, False]]
    >>> short_histories(np.array([12, 8]), errors, scale, 4).tolist()
    [False, True]
    """
    own = (np.isfinite(errors) & np.isfinite(scale)[:, :, None]).any(axis=(1, 2))
    return (np.asarray(n_obs) < short_history_limit(season_length)) | ~own


def short_windows(n_obs: np.ndarray, width: int, length: int, horizon: int,
                  n_windows: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``length`` observations followed by ``horizon`` actuals, in long series.

    Window ``j`` (``j = 0 .. n_windows - 1``) of a series starts ``j`` periods
    after its first observation; only windows whose ``horizon`` periods after
    the ``length`` ones lie inside the series are kept.

    Parameters
    ----------
    n_obs : numpy.ndarray of int, shape (n_series,)
        Observations per series (right-aligned in a table of ``width`` columns).
    width : int
        Columns of the right-aligned table.
    length, horizon, n_windows : int

    Returns
    -------
    rows : numpy.ndarray of int, shape (n_kept,)
        Series of each kept window.
    columns : numpy.ndarray of int, shape (n_kept, length + horizon)
        Table columns of each window: the ``length`` observations, then the
        ``horizon`` actuals.

    Examples
    --------
    >>> rows, columns = short_windows(np.array([3, 6]), 6, 2, 2, 3)
    >>> rows.tolist(), columns.tolist()
    ([1, 1, 1], [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]])
    """
    offsets = np.arange(max(int(n_windows), 1))
    first = width - np.asarray(n_obs, dtype=np.int64)
    fits = offsets[None, :] + length + horizon <= np.asarray(n_obs)[:, None]
    rows, offset = np.nonzero(fits)
    columns = (first[rows] + offset)[:, None] + np.arange(length + horizon)[None, :]
    return rows, columns
