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
forecasts of the original statsmodels fit. The rolling-origin backtests
(intervals, and ranking inside AutoForecaster) choose the differencing again on
each origin's history (two cheap tests) and keep the fitted ``(p, q)``; where
the specification is unchanged they refit from the fitted parameters: a few
optimiser iterations per series and origin instead of a whole order search.
"""

from __future__ import annotations

import logging
import warnings
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from talentgap._registry import register
from talentgap.errors import ParameterError
from talentgap.models import base as _base
from talentgap.models._fallback import _Fallback
from talentgap.models._sarimax_orders import differencing_orders
from talentgap.models._series import SeriesArrays
from talentgap.models.base import BaseForecaster

__all__ = ["SARIMAX", "CHUNK_SERIES"]

logger = logging.getLogger(__name__)

#: Largest number of series per joblib task (each series is a separate fit).
CHUNK_SERIES = 16

#: Below this many observations the automatic rule does not difference (d = 0).
_SHORT = 8
#: Optimiser iterations of the refits at the backtest origins (warm-started).
_REFIT_ITERATIONS = 20
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


class _Fit(NamedTuple):
    """One fitted specification: its parameters, criteria and the optimiser's verdict."""

    params: np.ndarray
    aic: float
    aicc: float
    converged: bool


def _fit_one(endog, exog, order, seasonal_order, trend, start_params=None,
             maxiter=50) -> _Fit:
    """Fit one specification; raises on a failed fit.

    ``start_params``: where the optimiser starts (statsmodels' own choice if None).
    ``aicc`` is statsmodels' ``aic + 2k(k+1)/(n - k - 1)`` (``k`` parameters,
    the variance included; ``n`` observations after the diffuse burn-in),
    infinite where it is not finite (``n - k - 1 <= 0``).
    """
    # Import before silencing: statsmodels adds "always" warning filters when first
    # imported, which would otherwise override the "ignore" below on the first fit.
    statsmodels_sarimax = _statsmodels_sarimax()
    with warnings.catch_warnings():
        # ConvergenceWarning, "non-stationary starting parameters", "too few
        # observations": recorded through `converged` and the AIC instead.
        warnings.simplefilter("ignore")
        model = statsmodels_sarimax(endog, exog=exog, order=order,
                                    seasonal_order=seasonal_order, trend=trend)
        result = model.fit(start_params=start_params, disp=False, maxiter=maxiter)
    params = np.asarray(result.params, dtype=np.float64)
    aic = float(result.aic)
    if not (np.isfinite(params).all() and np.isfinite(aic)):
        raise FloatingPointError("non-finite parameters or likelihood")
    converged = bool((result.mle_retvals or {}).get("converged", True))
    aicc = float(result.aicc)
    return _Fit(params, aic, aicc if np.isfinite(aicc) else np.inf, converged)


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
    order : tuple of int, optional
        ``(p, d, q)``. Given: ``d`` is used as given, and so are ``p`` and
        ``q`` when ``auto=False``. None (default): ``d`` is chosen per
        series by the KPSS test (below), and ``p = q = 1`` when
        ``auto=False``.
    seasonal_order : tuple of int, optional
        ``(P, D, Q, s)``, used as given. None (default): ``(0, 1, 1, m)``
        for a series with at least ``3*m`` observations (``m > 1``) whose
        seasonal strength is at least 0.64, else ``(0, 0, 0, 0)``.
    auto : bool, default True
        Choose ``(p, q)`` in ``{0, 1, 2}`` per series by AICc with a small
        stepwise search (start from ``(1, 1), (0, 0), (1, 0), (0, 1)``, then
        move to a neighbour while the AICc improves; Hyndman & Khandakar
        2008). With ``trend=None`` and ``d + D <= 1`` the search also
        chooses whether to keep the constant (``d + D = 0``: forecasts revert
        to the series mean) or the drift (``d + D = 1``: forecasts continue
        the average change), as ``auto.arima`` does; see Notes.
    trend : {"n", "c", "t", "ct"}, optional
        Deterministic trend passed to statsmodels, used as given (no
        choice). None (default): the rule in Notes. statsmodels applies it
        to the differenced series: ``"c"`` with ``d = 1`` is a drift of the
        levels, ``"t"`` a drift that changes linearly.
    nonnegative : bool, optional
        Keep forecasts and bounds >= 0; default: True for count data.
    n_windows : int, default 3
        Rolling origins for the conformal prediction intervals. Each origin
        chooses ``d`` and ``D`` again on its own history and refits with the
        fitted ``(p, q)`` and constant or drift (see :meth:`cv_forecasts`).
    n_jobs : int, default 1
        Parallel jobs over chunks of series.

    Attributes
    ----------
    fitted_summary_ : pandas.DataFrame
        Per series: ``order``, ``seasonal_order``, ``trend``, ``aic``, ``aicc`` (the
        criterion the order search chooses by), ``converged``
        (the optimiser's verdict, False where no model was fitted;
        ConvergenceWarnings are not shown) and
        ``note`` (why a simpler specification was used), besides the
        columns every forecaster reports.

    Notes
    -----
    **Differencing chosen from the data** (as ``auto.arima`` and
    statsforecast's ``AutoARIMA`` do; see
    :mod:`talentgap.models._sarimax_orders`): with regressors, on the
    residuals of the series' least squares regression on them. ``D = 1``
    when the seasonal strength ``max(0, 1 - Var(R) / Var(S + R))`` of an STL
    decomposition is at least 0.64 (Wang, Smith & Hyndman 2006); then
    ``d = 1`` when the KPSS test (level stationarity, ``trunc(4 (n/100)^(1/4))``
    lags, statsmodels' ``kpss``) rejects at 5% on the (seasonally
    differenced) series, else 0. Series shorter than 8 observations are not
    differenced. The tests run per series inside the per-series fit loop; each
    costs a small fraction of one fit. On 200 simulated series of 40
    observations the test chose ``d = 1`` for about 65% of random walks and for
    4-6% of stationary AR(1) series (coefficient 0.3).

    **Constant and drift** (``trend=None``; ``auto.arima``'s rule): a
    constant in the ``d + D`` times differenced series when ``d + D <= 1``
    -- the mean of a stationary series (``d + D = 0``), or the drift of the
    levels (``d + D = 1``: its average change per period, ``m`` times that
    for a seasonal difference) -- and none when ``d + D >= 2``. With
    ``auto=True`` the stepwise search also moves between with and without
    it (and starts from ``(0, d, 0)`` without it), keeping what the AICc
    prefers; with ``auto=False`` (and ``order`` not given) it is always
    included. ``fitted_summary_["trend"]`` says what was fitted (``"n"``:
    none).

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
    >>> fc.fitted_summary_[["order", "seasonal_order"]].iloc[0].tolist()  # no season found
    ['(1, 1, 0)', '(0, 0, 0, 0)']
    >>> fc.predict(2)["period"].astype(str).tolist()
    ['2021Q1', '2021Q2']
    """

    _supports_exog = True

    def __init__(self, *, season_length: int | None = None, order=None,
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
        if self.order is not None and not _is_order(self.order, 3):
            raise ParameterError(f"order == {self.order!r}, must be None or (p, d, q) of "
                                 "integers >= 0")
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
    def _candidates(self, endog: np.ndarray, exog: np.ndarray | None, m: int):
        """(p, d, q), seasonal order and trend for one series (p, q None when searched).

        ``d`` and ``D`` not given by ``order`` / ``seasonal_order`` come from the
        data (:func:`~talentgap.models._sarimax_orders.differencing_orders`).
        """
        n_obs = endog.size
        seasonal_possible = m > 1 and n_obs >= 3 * m
        tested = None
        if self.order is None or self.seasonal_order is None:
            tested = ((0, 0) if n_obs < _SHORT else
                      differencing_orders(endog, exog, m, seasonal=seasonal_possible))
        if self.seasonal_order is not None:
            seasonal = tuple(int(v) for v in self.seasonal_order)
        elif tested[1]:
            seasonal = (0, 1, 1, m)
        else:
            seasonal = (0, 0, 0, 0)
        d = tested[0] if self.order is None else int(self.order[1])
        trend = self._default_trend(d, seasonal[1])
        if not self.auto and self.order is not None:
            return tuple(int(v) for v in self.order), seasonal, trend
        pq = (None, None) if self.auto else (1, 1)
        return (pq[0], d, pq[1]), seasonal, trend

    def _default_trend(self, d: int, big_d: int) -> str | None:
        """The deterministic term for ``d`` and ``D``: the given ``trend``, else by the rule.

        The rule (``auto.arima``'s): a constant in the ``d + D`` times
        differenced series when ``d + D <= 1`` (statsmodels' ``trend="c"``:
        the mean for ``d + D = 0``, the drift of the levels for ``d + D =
        1``), none above. It does not apply when ``order`` is given with
        ``auto=False`` (the specification is then used as given).
        """
        if self.trend is not None or (not self.auto and self.order is not None):
            return self.trend
        return "c" if d + big_d <= 1 else None

    def _term_searched(self, d: int, big_d: int) -> bool:
        """Whether the order search also chooses with or without the term (by the criterion)."""
        return bool(self.auto) and self.trend is None and d + big_d <= 1

    def _search(self, endog, exog, d, seasonal, trend, toggle=False):
        """Stepwise AICc search over (p, q) in {0, 1, 2}; ``(order, trend, fit)`` or raises.

        ``toggle``: the search also moves between ``trend`` and no trend
        (``auto.arima``'s constant and drift), starting from ``(0, d, 0)``
        without it too.
        """
        tried: dict[tuple[int, int, bool], tuple | None] = {}
        with_term = trend is not None

        def score(spec):
            if spec not in tried:
                p, q, term = spec
                try:
                    tried[spec] = _fit_one(endog, exog, (p, d, q), seasonal,
                                           trend if term else None)
                except Exception as exc:  # any failure only drops this candidate
                    logger.debug("SARIMAX candidate %s failed: %s", spec, exc)
                    tried[spec] = None
            fit = tried[spec]
            return np.inf if fit is None else fit.aicc

        starts = [(p, q, with_term) for p, q in _START]
        if toggle and with_term:
            starts.append((0, 0, False))
        best = min(starts, key=score)
        while True:
            p, q, term = best
            near = [(p + dp, q + dq, term) for dp in (-1, 0, 1) for dq in (-1, 0, 1)
                    if (dp or dq) and 0 <= p + dp <= _MAX_PQ and 0 <= q + dq <= _MAX_PQ]
            if toggle and with_term:
                near.append((p, q, not term))
            step = min(near, key=score)
            if score(step) >= score(best):
                break
            best = step
        if tried[best] is None:
            terms = f"trend {trend!r} or none" if toggle and with_term else f"trend {trend!r}"
            raise ParameterError(
                f"auto == True, but none of the {len(tried)} orders (p, {d}, q) tried, with p "
                f"and q in 0..{_MAX_PQ}, seasonal_order {seasonal} and {terms}, could "
                "be fitted to this series; use auto=False with an order=(p, d, q) that fits")
        return (best[0], d, best[1]), (trend if best[2] else None), tried[best]

    def _fit_series(self, endog, exog, m):
        """Fit one series with the fallbacks; a dict describing the fit (never raises)."""
        if np.ptp(endog) == 0 and (exog is None or np.ptp(exog, axis=0).max() == 0):
            return {"reason": "constant series; naive"}
        order, seasonal, trend = self._candidates(endog, exog, m)
        note = None
        try:
            if self.auto:
                toggle = self._term_searched(order[1], seasonal[1])
                order, trend, fit = self._search(endog, exog, order[1], seasonal, trend,
                                                 toggle)
            else:
                fit = _fit_one(endog, exog, order, seasonal, trend)
        except Exception as exc:  # one bad series must not sink the chunk
            note = (f"{_label(order, seasonal)} failed ({type(exc).__name__}: {exc})"[:200])
            order, seasonal = (1, order[1], 0), (0, 0, 0, 0)
            trend = self._default_trend(order[1], 0)
            try:
                fit = _fit_one(endog, exog, order, seasonal, trend)
            except Exception as exc2:  # then the naive forecast
                logger.info("SARIMAX failed on a series (%s; then %s); naive forecast",
                            note, exc2)
                return {"reason": f"SARIMAX failed ({type(exc2).__name__}); naive",
                        "note": note}
            note += f"; used {_label(order, seasonal)}"
        return {"order": order, "seasonal_order": seasonal, "trend": trend,
                "params": fit.params, "aic": fit.aic, "aicc": fit.aicc,
                "converged": fit.converged, "note": note, "reason": None}

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

    # ---- backtests -----------------------------------------------------------------------
    def cv_forecasts(self, horizon: int) -> np.ndarray:
        """Forecasts from the last ``n_windows`` origins, shape (n_series, n_windows, horizon).

        Origin ``k`` holds out each series' last ``horizon + k`` periods. At
        each origin every series chooses ``d`` and ``D`` (those not given by
        ``order`` / ``seasonal_order``) with the tests of the fit run on the
        history before the origin only, so the periods an origin forecasts
        never choose its differencing, and refits with the ``(p, q)`` chosen
        at fit, with the constant or drift that ``d + D`` calls for (none
        where the search dropped it and ``d + D`` is the fitted one). Where
        that specification is the fitted one, the optimiser starts from the
        fitted parameters (at most 20 iterations); else from statsmodels'
        starting values. The ``(p, q)`` search is not rerun.
        Series that got the naive forecast at fit get it at every origin, as
        does an origin whose refit fails. NaN where a series is too short at
        that origin.
        """
        arrays = self.arrays_
        tasks = [(arrays.take(rows), self.season_length_, horizon, chunk)
                 for rows, chunk in zip(self.chunks_, self.states_, strict=True)]
        results = self._parallel(self._worker()._backtest_fitted, tasks)
        out = np.full((arrays.n_series, int(self._fit_param("n_windows")), horizon), np.nan)
        for rows, result in zip(self.chunks_, results, strict=True):
            out[rows] = result
        return out

    def _backtest_fitted(self, part: SeriesArrays, m: int, horizon: int, chunk) -> np.ndarray:
        """One chunk's backtests (see :meth:`cv_forecasts`), with its fitted ``chunk``."""
        windows = int(self._fit_param("n_windows"))
        out = np.full((part.n_series, windows, horizon), np.nan)
        fits = [] if chunk["state"] is None else [
            (int(row), fit) for row, fit in zip(chunk["usable"], chunk["state"]["fits"],
                                                strict=True) if fit["reason"] is None]
        shortest = max(self._min_obs(m), 1)
        with threadpool_limits(limits=1, user_api="blas"):
            for k in range(windows):  # a handful of origins
                cut = horizon + k
                if cut >= part.values.shape[1]:
                    break
                train = part.truncate(cut)
                mean = _Fallback.forecast(train.values, train.n_obs, horizon)
                for row, fit in fits:  # statsmodels fits one series at a time
                    n = int(train.n_obs[row])
                    if n < shortest:
                        continue
                    endog = train.values[row, -n:]
                    x = None if part.exog is None else train.exog[row, -n:]
                    future = None if part.exog is None else part.exog[row, -cut:][:horizon]
                    spec = self._origin_spec(fit, endog, x, m)
                    same = all(spec[key] == fit[key]
                               for key in ("order", "seasonal_order", "trend"))
                    try:  # warm-started where the specification is the fitted one
                        params = _fit_one(endog, x, spec["order"], spec["seasonal_order"],
                                          spec["trend"],
                                          start_params=fit["params"] if same else None,
                                          maxiter=_REFIT_ITERATIONS if same else 50).params
                        point = _forecast_one({**spec, "params": params}, endog, x, horizon,
                                              future)
                    except Exception as exc:  # this origin keeps the naive forecast
                        logger.debug("SARIMAX backtest refit failed: %s", exc)
                        continue
                    if np.isfinite(point).all():
                        mean[row] = point
                ok = train.n_obs >= shortest
                out[ok, k] = mean[ok]
        return out

    def _origin_spec(self, fit, endog, exog, m) -> dict:
        """The specification refitted at a backtest origin whose history is ``endog``.

        ``d``, ``D`` and the trend that follows from them are chosen again on
        the origin's history (as :meth:`_candidates` does at fit), so that the
        periods an origin forecasts never choose its differencing; ``(p, q)``
        are the fitted ones (``(1, 0)`` without a seasonal part where the fit
        fell back to that). Where the search dropped the constant or drift and
        the origin has the fitted ``d + D``, the origin drops it too.
        """
        order, seasonal, trend = self._candidates(endog, exog, m)
        if fit.get("note") is not None:  # the fit fell back, as _fit_series does
            return {"order": (1, order[1], 0), "seasonal_order": (0, 0, 0, 0),
                    "trend": self._default_trend(order[1], 0)}
        fitted = fit["order"][1] + fit["seasonal_order"][1]
        if (fit["trend"] is None and self._term_searched(fit["order"][1],
                                                         fit["seasonal_order"][1])
                and order[1] + seasonal[1] == fitted):
            trend = None
        return {"order": (fit["order"][0], order[1], fit["order"][2]),
                "seasonal_order": seasonal, "trend": trend}

    def _describe(self, state):
        fits = state["fits"]
        return pd.DataFrame({
            "order": [str(f["order"]) if "order" in f else None for f in fits],
            "seasonal_order": [str(f["seasonal_order"]) if "order" in f else None
                               for f in fits],
            "trend": [(f["trend"] or "n") if "order" in f else None for f in fits],
            "aic": [f.get("aic", np.nan) for f in fits],
            "aicc": [f.get("aicc", np.nan) for f in fits],
            "converged": [f.get("converged", False) for f in fits],
            "note": [f.get("note") for f in fits],
        })


def _label(order, seasonal) -> str:
    if order[0] is None:
        return f"(p, {order[1]}, q)x{seasonal}"
    return f"{order}x{seasonal}"
