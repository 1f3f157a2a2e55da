"""Seasonal ARIMA with exogenous regressors, one statsmodels model per series.

:class:`SARIMAX` wraps :class:`statsmodels.tsa.statespace.sarimax.SARIMAX`
(maximum likelihood through the Kalman filter; Durbin & Koopman, *Time Series
Analysis by State Space Methods*, 2nd ed., 2012). It is the model to use when
exogenous regressors are known for the forecast periods (planned training
places, announced investment, employment projections): their future values
enter the forecasts.

statsmodels fits one series at a time, so within a chunk this module loops
over the series in Python (unavoidable here); the chunks themselves run in
parallel through joblib (``n_jobs``). Chunks are kept small (at most
:data:`CHUNK_SERIES` series) so that the work spreads over the workers, and
BLAS runs single-threaded inside the loop: the Kalman filter's matrices are
tiny, and multi-threaded BLAS only adds overhead (4-10 times slower on a busy
machine).

The learned state is plain numbers (orders and parameter vectors); forecasts
re-run the Kalman filter with those parameters, which gives exactly the
forecasts of the original statsmodels fit.
"""

from __future__ import annotations

import logging
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from talentgap._registry import register
from talentgap.errors import ParameterError
from talentgap.models import base as _base
from talentgap.models.base import BaseForecaster

__all__ = ["SARIMAX", "CHUNK_SERIES"]

logger = logging.getLogger(__name__)

#: Largest number of series per joblib task (each series is a separate fit).
CHUNK_SERIES = 16

#: Below this many observations the automatic rule does not difference (d = 0).
_SHORT = 8
_TRENDS = ("n", "c", "t", "ct")
_START = ((1, 1), (0, 0), (1, 0), (0, 1))  # first candidates (p, q) of the stepwise search
_MAX_PQ = 2


def _statsmodels_sarimax():
    # Imported on first use: statsmodels is slow to import and only this model needs it.
    from statsmodels.tsa.statespace.sarimax import SARIMAX as StatsmodelsSARIMAX
    return StatsmodelsSARIMAX


def _is_order(value, size: int) -> bool:
    return (isinstance(value, (tuple, list)) and len(value) == size
            and all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 0
                    for v in value))


def _fit_one(endog, exog, order, seasonal_order, trend):
    """Fit one specification: (params, aic, converged); raises on a failed fit."""
    # Import before silencing: statsmodels adds "always" warning filters when first
    # imported, which would otherwise override the "ignore" below on the first fit.
    statsmodels_sarimax = _statsmodels_sarimax()
    with warnings.catch_warnings():
        # ConvergenceWarning, "non-stationary starting parameters", "too few
        # observations": recorded through `converged` and the AIC instead.
        warnings.simplefilter("ignore")
        model = statsmodels_sarimax(endog, exog=exog, order=order,
                                    seasonal_order=seasonal_order, trend=trend)
        result = model.fit(disp=False)
    params = np.asarray(result.params, dtype=np.float64)
    aic = float(result.aic)
    if not (np.isfinite(params).all() and np.isfinite(aic)):
        raise FloatingPointError("non-finite parameters or likelihood")
    converged = bool((result.mle_retvals or {}).get("converged", True))
    return params, aic, converged


def _forecast_one(spec, endog, exog, horizon, exog_future):
    statsmodels_sarimax = _statsmodels_sarimax()  # before silencing, as in _fit_one
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = statsmodels_sarimax(endog, exog=exog, order=spec["order"],
                                    seasonal_order=spec["seasonal_order"],
                                    trend=spec["trend"])
        result = model.filter(spec["params"])
        return np.asarray(result.forecast(horizon, exog=exog_future), dtype=np.float64)


def _naive(endog: np.ndarray, horizon: int) -> np.ndarray:
    """The base class's fallback for one series: last value (mean below 3 observations)."""
    point = endog[-1] if endog.size >= 3 else float(np.mean(endog))
    return np.full(horizon, point)


@register("SARIMAX")
class SARIMAX(BaseForecaster):
    """Seasonal ARIMA with optional exogenous regressors, fitted per series.

    Parameters
    ----------
    season_length : int, optional
        Season length ``m``; default from the period frequency.
    order : tuple of int, default (1, 1, 1)
        ``(p, d, q)``; used as given when ``auto=False``, else the start of
        the search.
    seasonal_order : tuple of int, optional
        ``(P, D, Q, s)``; default ``(0, 1, 1, m)`` for series with at least
        ``3*m`` observations when ``m > 1``, else ``(0, 0, 0, 0)``.
    auto : bool, default True
        Choose ``(p, q)`` in ``{0, 1, 2}`` per series by AIC with a small
        stepwise search (start from ``(1, 1), (0, 0), (1, 0), (0, 1)``, then
        move to a neighbour while the AIC improves; Hyndman & Khandakar
        2008). ``d`` is 1, or 0 for series shorter than 8 observations (no
        unit-root test); with ``d = D = 0`` and ``trend=None`` a constant is
        included so that forecasts revert to the series mean, not to zero.
    trend : {"n", "c", "t", "ct"}, optional
        Deterministic trend passed to statsmodels.
    nonnegative : bool, optional
        Keep forecasts and bounds >= 0; default: True for count data.
    n_windows : int, default 3
        Rolling origins for the conformal prediction intervals (each refits
        every series).
    n_jobs : int, default 1
        Parallel jobs over chunks of series.

    Attributes
    ----------
    fitted_summary_ : pandas.DataFrame
        Per series: ``order``, ``seasonal_order``, ``aic``, ``converged``
        (the optimiser's verdict, False where no model was fitted;
        ConvergenceWarnings are not shown) and
        ``note`` (why a simpler specification was used), besides the
        columns every forecaster reports.

    Notes
    -----
    A series whose chosen specification fails (an exception, or non-finite
    parameters) is refitted with ``(1, d, 0)`` and no seasonal part; if that
    fails too, or the series is constant, it gets the naive forecast with the
    reason in ``fallback_reason``. One bad series never affects the others.
    Only each series' own span (no padding) is passed to statsmodels;
    interior gaps arrive linearly interpolated by the base class.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"id": "a",
    ...                    "period": pd.period_range("2015Q1", periods=24, freq="Q"),
    ...                    "value": 100 + np.cumsum(rng.normal(0, 1, 24))})
    >>> fc = SARIMAX(order=(1, 1, 0), auto=False).fit(df, keys=["id"])
    >>> fc.fitted_summary_[["order", "seasonal_order"]].iloc[0].tolist()
    ['(1, 1, 0)', '(0, 1, 1, 4)']
    >>> fc.predict(2)["period"].astype(str).tolist()
    ['2021Q1', '2021Q2']
    """

    _supports_exog = True

    def __init__(self, *, season_length: int | None = None, order=(1, 1, 1),
                 seasonal_order=None, auto: bool = True, trend: str | None = None,
                 nonnegative: bool | None = None, n_windows: int = 3,
                 n_jobs: int | None = 1) -> None:
        self.season_length = season_length
        self.order = order
        self.seasonal_order = seasonal_order
        self.auto = auto
        self.trend = trend
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs

    # ---- parameters ------------------------------------------------------------------
    def _check_params(self) -> None:
        if not _is_order(self.order, 3):
            raise ParameterError(f"order == {self.order!r}, must be (p, d, q) of integers >= 0")
        if self.seasonal_order is not None and not _is_order(self.seasonal_order, 4):
            raise ParameterError(f"seasonal_order == {self.seasonal_order!r}, must be None or "
                                 "(P, D, Q, s) of integers >= 0")
        if self.auto not in (True, False):
            raise ParameterError(f"auto == {self.auto!r}, must be True or False")
        if self.trend is not None and self.trend not in _TRENDS:
            raise ParameterError(f"trend == {self.trend!r}, must be None or one of "
                                 f"{list(_TRENDS)}")

    def _min_obs(self, season_length: int) -> int:
        return 6

    @staticmethod
    def _chunks(n_series: int) -> list[np.ndarray]:
        # Every series is a separate statsmodels fit: small chunks keep the jobs busy.
        size = max(1, min(_base.CHUNK_SIZE, CHUNK_SERIES))
        return [np.arange(start, min(start + size, n_series))
                for start in range(0, n_series, size)]

    def _fit_chunk(self, arrays, m):
        # Series that could not be fitted at all (state "reason") take the naive forecast;
        # report them through fallback_reason like the series the base class skips.
        chunk, reasons = super()._fit_chunk(arrays, m)
        if chunk["state"] is not None:
            for row, reason in zip(chunk["usable"], chunk["state"]["reason"], strict=True):
                if reason is not None:
                    reasons[row] = reason
        return chunk, reasons

    # ---- model -------------------------------------------------------------------------
    def _candidates(self, n_obs: int, m: int):
        """(p, d, q), seasonal order and trend for one series (p, q None when searched)."""
        if self.seasonal_order is not None:
            seasonal = tuple(int(v) for v in self.seasonal_order)
        elif m > 1 and n_obs >= 3 * m:
            seasonal = (0, 1, 1, m)
        else:
            seasonal = (0, 0, 0, 0)
        if not self.auto:
            return tuple(int(v) for v in self.order), seasonal, self.trend
        d = 1 if n_obs >= _SHORT else 0
        trend = self.trend
        if trend is None and d == 0 and seasonal[1] == 0:
            trend = "c"
        return (None, d, None), seasonal, trend

    def _search(self, endog, exog, d, seasonal, trend):
        """Stepwise AIC search over (p, q) in {0, 1, 2}; returns the best fit or raises."""
        tried: dict[tuple[int, int], tuple | None] = {}

        def score(pq):
            if pq not in tried:
                try:
                    tried[pq] = _fit_one(endog, exog, (pq[0], d, pq[1]), seasonal, trend)
                except Exception as exc:  # any failure only drops this candidate
                    logger.debug("SARIMAX candidate %s failed: %s", pq, exc)
                    tried[pq] = None
            fit = tried[pq]
            return np.inf if fit is None else fit[1]

        best = min(_START, key=score)
        while True:
            p, q = best
            near = [(p + dp, q + dq) for dp in (-1, 0, 1) for dq in (-1, 0, 1)
                    if (dp or dq) and 0 <= p + dp <= _MAX_PQ and 0 <= q + dq <= _MAX_PQ]
            step = min(near, key=score)
            if score(step) >= score(best):
                break
            best = step
        if tried[best] is None:
            raise ParameterError(
                f"auto == True, but none of the {len(tried)} orders (p, {d}, q) tried, with p "
                f"and q in 0..{_MAX_PQ}, seasonal_order {seasonal} and trend {trend!r}, could "
                "be fitted to this series; use auto=False with an order=(p, d, q) that fits")
        return (best[0], d, best[1]), tried[best]

    def _fit_series(self, endog, exog, m):
        """Fit one series with the fallbacks; a dict describing the fit (never raises)."""
        n = endog.size
        if np.ptp(endog) == 0 and (exog is None or np.ptp(exog, axis=0).max() == 0):
            return {"reason": "constant series; naive"}
        order, seasonal, trend = self._candidates(n, m)
        note = None
        try:
            if self.auto:
                order, (params, aic, converged) = self._search(endog, exog, order[1],
                                                               seasonal, trend)
            else:
                params, aic, converged = _fit_one(endog, exog, order, seasonal, trend)
        except Exception as exc:  # one bad series must not sink the chunk
            note = (f"{_label(order, seasonal)} failed ({type(exc).__name__}: {exc})"[:200])
            order, seasonal = (1, order[1], 0), (0, 0, 0, 0)
            try:
                params, aic, converged = _fit_one(endog, exog, order, seasonal, trend)
            except Exception as exc2:  # then the naive forecast
                logger.info("SARIMAX failed on a series (%s; then %s); naive forecast",
                            note, exc2)
                return {"reason": f"SARIMAX failed ({type(exc2).__name__}); naive",
                        "note": note}
            note += f"; used {_label(order, seasonal)}"
        return {"order": order, "seasonal_order": seasonal, "trend": trend, "params": params,
                "aic": aic, "converged": converged, "note": note, "reason": None}

    def _fit_arrays(self, values, n_obs, season_length, exog):
        n_series, n_periods = values.shape
        endogs, exogs, fits = [], [], []
        with threadpool_limits(limits=1, user_api="blas"):
            for i in range(n_series):  # statsmodels fits one series at a time
                start = n_periods - int(n_obs[i])
                endog = values[i, start:].copy()
                x = None if exog is None else exog[i, start:].copy()
                endogs.append(endog)
                exogs.append(x)
                fits.append(self._fit_series(endog, x, season_length))
        return {"endog": endogs, "exog": exogs, "fits": fits,
                "reason": [fit["reason"] for fit in fits]}

    def _forecast_arrays(self, state, horizon, exog_future):
        out = np.full((len(state["fits"]), horizon), np.nan)
        series = zip(state["fits"], state["endog"], state["exog"], strict=True)
        with threadpool_limits(limits=1, user_api="blas"):
            for i, (fit, endog, x) in enumerate(series):
                if fit["reason"] is not None:
                    out[i] = _naive(endog, horizon)
                    continue
                future = None if exog_future is None else exog_future[i]
                try:
                    out[i] = _forecast_one(fit, endog, x, horizon, future)
                except Exception as exc:  # NaN rows get the base class's fallback
                    logger.info("SARIMAX forecast failed on a series: %s", exc)
        return out

    def _describe(self, state):
        fits = state["fits"]
        return pd.DataFrame({
            "order": [str(f["order"]) if "order" in f else None for f in fits],
            "seasonal_order": [str(f["seasonal_order"]) if "order" in f else None
                               for f in fits],
            "aic": [f.get("aic", np.nan) for f in fits],
            "converged": [f.get("converged", False) for f in fits],
            "note": [f.get("note") for f in fits],
        })


def _label(order, seasonal) -> str:
    if order[0] is None:
        return f"(p, {order[1]}, q)x{seasonal}"
    return f"{order}x{seasonal}"
