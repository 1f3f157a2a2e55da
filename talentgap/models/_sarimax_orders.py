"""Orders of differencing for :class:`~talentgap.models.SARIMAX`, chosen from the data.

The rules of ``auto.arima`` (Hyndman & Khandakar 2008, the ``forecast`` R
package) and statsforecast's ``AutoARIMA``:

- seasonal differencing ``D``: 1 when the seasonal strength of the series
  (Wang, Smith & Hyndman 2006) is at least :data:`SEASONAL_STRENGTH`, else 0;
- then ordinary differencing ``d``: 0, or 1 while the KPSS test
  (Kwiatkowski, Phillips, Schmidt & Shin 1992) of the (seasonally
  differenced) series rejects level stationarity at :data:`KPSS_ALPHA`.

With exogenous regressors both tests look at the residuals of the least
squares regression of the series on them (and a constant), as ``auto.arima``
does: a series that wanders only because its regressors do needs no
differencing. statsmodels tests one series at a time; each test costs a small
fraction of one SARIMAX fit, so they run inside the per-series loop of the fit.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["KPSS_ALPHA", "SEASONAL_STRENGTH", "MAX_D", "seasonal_strength",
           "kpss_differences", "regression_residuals", "differencing_orders"]

#: Level of the KPSS test that decides ``d`` (``auto.arima``'s default).
KPSS_ALPHA = 0.05
#: Seasonal strength from which the series is seasonally differenced (``auto.arima``).
SEASONAL_STRENGTH = 0.64
#: Most ordinary differences the test may choose.
MAX_D = 1
#: Fewest observations the KPSS test is run on; shorter series are not differenced.
MIN_KPSS = 8


def regression_residuals(endog: np.ndarray, exog: np.ndarray | None) -> np.ndarray:
    """``endog`` less its least squares fit on a constant and ``exog`` (``endog`` if None).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(6.0)[:, None]
    >>> regression_residuals(3 + 2 * x[:, 0] + np.array([1, -1, 1, -1, 1, -1]), x).round(2)
    array([ 0.57, -1.26,  0.91, -0.91,  1.26, -0.57])
    """
    endog = np.asarray(endog, dtype=np.float64)
    if exog is None:
        return endog
    design = np.column_stack([np.ones(endog.size), np.asarray(exog, dtype=np.float64)])
    beta, *_ = np.linalg.lstsq(design, endog, rcond=None)
    return endog - design @ beta


def seasonal_strength(y: np.ndarray, m: int) -> float:
    """Seasonal strength ``max(0, 1 - Var(R) / Var(S + R))`` from an STL decomposition.

    ``S`` and ``R`` are the seasonal and remainder components of
    :class:`statsmodels.tsa.seasonal.STL` with period ``m``; 0 for a series
    shorter than two seasons or without variation.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> season = np.tile([0.0, 5.0, 2.0, -7.0], 8)
    >>> round(seasonal_strength(10 + season + rng.normal(0, 1, 32), 4), 2) > 0.64
    True
    >>> round(seasonal_strength(10 + rng.normal(0, 1, 32), 4), 2) < 0.64
    True
    """
    from statsmodels.tsa.seasonal import STL  # imported on first use, like SARIMAX

    y = np.asarray(y, dtype=np.float64)
    if m < 2 or y.size < 2 * m or np.ptp(y) == 0:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = STL(y, period=m).fit()
    remainder = np.asarray(parts.resid)
    total = float(np.var(np.asarray(parts.seasonal) + remainder))
    return 0.0 if total <= 0 else max(0.0, 1.0 - float(np.var(remainder)) / total)


def kpss_differences(y: np.ndarray, *, alpha: float = KPSS_ALPHA, max_d: int = MAX_D) -> int:
    """Ordinary differences ``d`` that make ``y`` level-stationary by the KPSS test.

    Difference while the test rejects stationarity at ``alpha`` (at most
    ``max_d`` times), with ``trunc(4 (n/100)^(1/4))`` lags as ``auto.arima``
    uses; a series shorter than :data:`MIN_KPSS` or constant is not differenced.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> kpss_differences(rng.normal(0, 1, 60)), kpss_differences(np.cumsum(rng.normal(1, 1, 60)))
    (0, 1)
    """
    from statsmodels.tsa.stattools import kpss

    y = np.asarray(y, dtype=np.float64)
    d = 0
    while d < max_d and y.size >= MIN_KPSS and np.ptp(y) > 0:
        lags = max(1, int(4 * (y.size / 100) ** 0.25))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # p-values outside the table's range are clipped
            p_value = kpss(y, regression="c", nlags=lags)[1]
        if p_value >= alpha:
            break
        y = np.diff(y)
        d += 1
    return d


def differencing_orders(endog: np.ndarray, exog: np.ndarray | None, m: int, *,
                        seasonal: bool) -> tuple[int, int]:
    """``(d, D)`` for one series: ``D`` by seasonal strength (when ``seasonal``), then ``d``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> walk = np.cumsum(rng.normal(0, 1, 40)) + np.tile([0.0, 6.0, 3.0, -9.0], 10)
    >>> differencing_orders(walk, None, 4, seasonal=True)  # the seasonal difference suffices
    (0, 1)
    >>> differencing_orders(rng.normal(0, 1, 40), None, 4, seasonal=True)
    (0, 0)
    """
    y = regression_residuals(endog, exog)
    big_d = int(seasonal and seasonal_strength(y, m) >= SEASONAL_STRENGTH)
    if big_d:
        y = y[m:] - y[:-m]
    return kpss_differences(y), big_d
