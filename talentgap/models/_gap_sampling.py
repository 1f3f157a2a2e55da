"""The survey's sampling error in the gap model's demand paths.

The backtest errors behind :class:`~talentgap.models.GapForecaster`'s
paths compare forecasts with survey estimates, so they hold the estimates'
sampling error as well as the forecast's own; a path for the population
demand keeps only the second. :func:`recent_sampling_se` gives each cell's
standard error, :func:`sampling_error_removal` the shift and multiplier that
take its variance out of the cell's paths.
"""

from __future__ import annotations

import numpy as np

__all__ = ["recent_sampling_se", "sampling_error_removal", "MAX_SAMPLING_SHARE"]

#: The largest share of a cell's predictive demand variance taken out as sampling error.
MAX_SAMPLING_SHARE = 0.5


def recent_sampling_se(se: np.ndarray, periods: int) -> np.ndarray:
    """Per cell, the root mean square of its last ``periods`` known standard errors.

    Parameters
    ----------
    se : numpy.ndarray, shape (n_cells, n_periods)
        Standard errors of the demand estimates, oldest first; NaN where unknown.
    periods : int
        How many of each cell's last known values to use.

    Returns
    -------
    numpy.ndarray
        Shape (n_cells,); 0 for a cell without a known standard error.

    Examples
    --------
    >>> se = np.array([[9.0, 3.0, np.nan, 4.0], [np.nan, np.nan, np.nan, np.nan]])
    >>> recent_sampling_se(se, 2).tolist()    # sqrt((3**2 + 4**2) / 2)
    [3.5355339059327378, 0.0]
    """
    known = np.isfinite(se)
    from_end = np.cumsum(known[:, ::-1], axis=1)[:, ::-1]
    keep = known & (from_end <= periods)
    count = keep.sum(axis=1)
    total = np.where(keep, np.square(np.where(known, se, 0.0)), 0.0).sum(axis=1)
    return np.sqrt(total / np.maximum(count, 1))


def sampling_error_removal(pool: np.ndarray, lag: np.ndarray, scale: np.ndarray,
                           se: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Shift and multiplier that take the survey's sampling error out of the demand paths.

    The backtest errors in the pool compare forecasts with survey estimates,
    so their spread holds the estimates' sampling error as well as the
    forecast's own error. A path for the population demand keeps only the
    second: for cell ``c`` and step ``h``, the pool's deviations from their
    mean ``mu_h`` (variance ``var_h``, in scaled units) are multiplied by
    ``sqrt(1 - (se_c / s_c)**2 / var_h)``, with ``se_c`` the cell's standard
    error (:func:`recent_sampling_se`) and ``s_c`` its path scale, which takes
    the cell's sampling variance out of its predictive variance. At most
    :data:`MAX_SAMPLING_SHARE` of the variance is taken out: a standard error
    estimated from a few respondents can be far too large, and a cell whose
    estimates seemed to be all sampling error would otherwise get paths of
    no spread.

    Parameters
    ----------
    pool : numpy.ndarray, shape (steps, pairs)
        Scaled demand errors of the pool, step-major.
    lag : numpy.ndarray of int, shape (n_cells,)
        Each cell's first step in the pool.
    scale : numpy.ndarray, shape (n_cells,)
        Each cell's path scale (NaN or 0: left as it is).
    se : numpy.ndarray, shape (n_cells,)
        Each cell's sampling standard error, in persons (0: nothing taken out).
    horizon : int

    Returns
    -------
    shift, multiplier : numpy.ndarray, each (n_cells, horizon)
        The path of a draw with scaled error ``z`` is ``mean + shift +
        multiplier * scale * z``: its expectation is unchanged and its
        variance is reduced by the sampling variance.

    Examples
    --------
    >>> pool = np.array([[-2.0, -1.0, 1.0, 2.0]])         # one step: mean 0, variance 2.5
    >>> shift, multiplier = sampling_error_removal(pool, np.array([0, 0]), np.array([10.0, 10.0]),
    ...                                            np.array([5.0, 50.0]), 1)
    >>> multiplier.round(3).tolist()    # sqrt(1 - 0.5**2 / 2.5); the second: half taken out
    [[0.949], [0.707]]
    """
    mu, var = pool.mean(axis=1), pool.var(axis=1)
    steps = lag[:, None] + np.arange(horizon)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.square(se / scale)[:, None] / var[steps]
        multiplier = np.sqrt(1.0 - np.clip(share, 0.0, MAX_SAMPLING_SHARE))
    multiplier = np.where(np.isfinite(multiplier), multiplier, 1.0)
    with np.errstate(invalid="ignore"):
        shift = np.where(multiplier < 1.0, mu[steps] * scale[:, None] * (1.0 - multiplier), 0.0)
    return shift, multiplier
