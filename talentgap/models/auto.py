"""AutoForecaster: several forecasters fitted side by side and combined per series.

Each candidate model is fitted to every series; rolling-origin backtests of
every candidate (the same origins for all) measure how each does on each
series. The forecast of a series is a combination of the candidates: by
default the mean of the ``top`` candidates with the lowest backtest error on
that series (a trimmed "forecast combination", which in forecasting
competitions beats picking a single model; Petropoulos & Svetunkov 2020,
Makridakis et al. 2020). Prediction intervals are conformal, from the
(cross-fitted) backtest errors of the combined forecast itself; see the
class docstring and :mod:`talentgap.models._conformal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import clone

from talentgap._arguments import resolve_season_length
from talentgap._registry import register
from talentgap.errors import ParameterError
from talentgap.models._series import to_arrays
from talentgap.models.base import BaseForecaster, backtest_actuals

__all__ = ["AutoForecaster", "default_candidates"]

_COMBINATIONS = ("top_mean", "mean", "median", "best")


def default_candidates(season_length: int | None = None, *, exog: bool = False,
                       n_windows: int = 5, n_jobs: int | None = 1) -> dict[str, BaseForecaster]:
    """The candidate models :class:`AutoForecaster` uses when none are given.

    Exponential smoothing (automatic form among level, damped-trend and
    seasonal forms), optimised Theta, damped-trend ETS, and the naive, drift
    and (for seasonal data) seasonal naive
    benchmarks; SARIMAX joins when exogenous regressors are given. On the
    Tourism benchmark (see ``benchmarks/RESULTS.md``) the mean of the three
    candidates with the lowest backtest error per series beat every single
    candidate and the other combination rules tried.
    """
    from talentgap.models import baselines, ets, theta  # here: they import this package

    common = {"season_length": season_length, "n_windows": n_windows, "n_jobs": n_jobs}
    candidates = {
        # undamped trends are left to the damped candidate: AAN and AAA add
        # nothing to the combination on the Tourism data and cost a quarter of the time
        "ets": ets.ETS(forms=("ANN", "AAdN", "ANA", "AAdA", "log-ANN", "log-ANA"), **common),
        "theta": theta.Theta(**common),
        "damped": ets.ETS(forms=("AAdN", "AAdA"), **common),
        "naive": baselines.Naive(**common),
        "drift": baselines.Drift(**common),
    }
    if season_length is None or season_length > 1:
        candidates["seasonal_naive"] = baselines.SeasonalNaive(**common)
    if exog:
        from talentgap.models.sarimax import SARIMAX

        candidates["sarimax"] = SARIMAX(**common)
    return candidates


@register("AutoForecaster", config_name="auto")
class AutoForecaster(BaseForecaster):
    """Fit several forecasters and combine them per series by their backtest accuracy.

    Parameters
    ----------
    season_length : int, optional
        Default from the period frequency (4 quarterly, 12 monthly, 1 annual).
    candidates : dict of str to forecaster, optional
        Unfitted forecasters to combine; default :func:`default_candidates`.
        They are cloned; their ``season_length``, ``n_windows`` and
        ``n_jobs`` are set from this estimator.
    combination : {"top_mean", "mean", "median", "best"}, default "top_mean"
        ``top_mean``: mean of the ``top`` candidates with the lowest scaled
        backtest error on the series; ``mean``/``median``: of all
        candidates; ``best``: the single best candidate per series.
    top : int, default 3
        Candidates averaged by ``top_mean``.
    selection_horizon : int, optional
        Horizon of the backtests that rank candidates; default two years
        of periods (8 quarterly, 24 monthly, 4 annual).
    nonnegative : bool, optional
        Keep forecasts and bounds >= 0; default: True for count data.
    n_windows : int, default 5
        Rolling origins, for ranking candidates and for conformal intervals.
    n_jobs : int, default 1
        Parallel jobs over chunks of series (passed to the candidates).

    Attributes
    ----------
    candidates_ : dict of str to forecaster
        The fitted candidates.
    weights_ : pandas.DataFrame
        Weight of each candidate in each series' forecast.
    fitted_summary_ : pandas.DataFrame
        Per series: the candidates used and their weights, the ETS form, and
        any fallback reason.

    Notes
    -----
    **Prediction intervals** at level ``1 - a``, for each horizon step ``h``:

    - errors ``e = actual - forecast`` of the combined forecast from the
      ``n_windows`` rolling origins (the combination at an origin is chosen
      on the other origins);
    - each divided by its series' scale ``s`` (mean absolute seasonal
      difference, the MASE denominator) computed *without the periods that
      origin forecast*: from the whole series, the scale would contain the
      actuals its errors are measured against and make them look small, which
      on short series narrows intervals (70% instead of 80% coverage on the
      yearly Tourism series, 11 to 47 years long);
    - pooled over all series and origins (``n`` errors), so short series
      borrow calibration from the others;
    - bounds ``mean + z_lo * s`` and ``mean + z_hi * s``, with ``z_hi`` the
      ``ceil((n + 1)(1 - a/2))``-th smallest scaled error and ``z_lo`` the
      same rank from the top (finite-sample conformal quantiles of each tail,
      so intervals may be asymmetric when the forecasts are biased); the
      symmetric quantile of ``|e|`` where ``n`` is too small for the tails;
      widths non-decreasing in ``h``; levels nested; clipped at 0 for count
      data.

    The scaled errors of different series are assumed exchangeable with the
    error of a new forecast. Series whose volatility keeps growing with their
    level (steady multiplicative growth) break that in one direction: their
    intervals cover somewhat less than the level.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=20, seed=0)
    >>> fc = AutoForecaster().fit(data.truth, target="demand", keys=["region", "industry"])
    >>> out = fc.predict(4, level=[80])
    >>> list(out.columns)
    ['region', 'industry', 'period', 'mean', 'lo_80', 'hi_80']
    """

    _supports_exog = True  # passed on to the candidates that use it

    def __init__(self, *, season_length: int | None = None, candidates=None,
                 combination: str = "top_mean", top: int = 3,
                 selection_horizon: int | None = None, nonnegative: bool | None = None,
                 n_windows: int = 5, n_jobs: int | None = 1) -> None:
        self.season_length = season_length
        self.candidates = candidates
        self.combination = combination
        self.top = top
        self.selection_horizon = selection_horizon
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        if self.combination not in _COMBINATIONS:
            raise ParameterError(f"combination == {self.combination!r}, must be one of "
                                 f"{_COMBINATIONS}")
        if not float(self.top).is_integer() or self.top < 1:
            raise ParameterError(f"top == {self.top!r}, must be an integer >= 1")
        if self.n_windows < 1:
            raise ParameterError("n_windows == 0: AutoForecaster ranks its candidates by "
                                 "backtests and needs n_windows >= 1")
        if self.selection_horizon is not None and (
                not float(self.selection_horizon).is_integer() or self.selection_horizon < 1):
            raise ParameterError(f"selection_horizon == {self.selection_horizon!r}, must be "
                                 "an integer >= 1")

    def fit(self, df: pd.DataFrame, *, target: str = "value", time: str = "period",
            keys: Sequence[str], exog: Sequence[str] | None = None):
        """Fit every candidate and weigh them per series (see the class docstring).

        Parameters and return value as in :meth:`BaseForecaster.fit`.
        """
        self._check_common_params()
        self._check_params()
        arrays = to_arrays(df, target=target, time=time, keys=keys, exog=exog)
        candidates = self.candidates
        if candidates is None:
            m = resolve_season_length(self.season_length, arrays.freq)
            candidates = default_candidates(m, exog=bool(exog))
        if not candidates:
            raise ParameterError("candidates is empty")
        horizon = self.selection_horizon or 2 * max(
            resolve_season_length(self.season_length, arrays.freq), 2)
        without_exog = replace(arrays, exog=None, exog_names=())
        fitted = {}
        for name, model in candidates.items():
            model = clone(model).set_params(season_length=self.season_length,
                                            n_windows=self.n_windows, n_jobs=self.n_jobs,
                                            nonnegative=self.nonnegative)
            data = arrays if model._supports_exog else without_exog
            fitted[name] = model.fit_arrays(data, target=target, time=time, keys=keys,
                                            backtest_horizon=horizon)
        self.candidates_ = fitted
        self._set_layout(arrays, target=target, time=time, keys=keys)
        self.chunks_ = [np.arange(arrays.n_series)]
        self.states_ = [None]
        self.fallback_reason_ = np.full(arrays.n_series, None, dtype=object)
        # the candidates' backtests at the selection horizon are learned state (the weights
        # come from them); other horizons are computed when asked and never saved
        self._candidate_cv = {horizon: {name: model.cv_forecasts(horizon)
                                        for name, model in fitted.items()}}
        self.weights_ = self._weights(horizon)
        self.fitted_summary_ = self._summary()
        return self

    # ---- combination -----------------------------------------------------------------
    def _candidate_forecasts(self, horizon: int) -> dict[str, np.ndarray]:
        """Backtest forecasts (n, W, h) of every candidate, cached per horizon."""
        if horizon in self._candidate_cv:
            return self._candidate_cv[horizon]
        return self._memo(("candidate_cv", horizon),
                          lambda: {name: model.cv_forecasts(horizon)
                                   for name, model in self.candidates_.items()})

    def _backtest_errors(self, horizon: int) -> np.ndarray:
        """Absolute backtest errors of every candidate, shape (n, W, h, k)."""
        forecasts = self._candidate_forecasts(horizon)
        actual, observed = backtest_actuals(self.arrays_, horizon, int(self.n_windows))
        return np.stack([np.where(observed, np.abs(actual - forecasts[n]), np.nan)
                         for n in self.candidates_], axis=-1)

    def _weights_from(self, errors: np.ndarray) -> np.ndarray:
        """Per-series weights (n, k) from absolute backtest errors (n, W, h, k)."""
        n_series, n_candidates = errors.shape[0], errors.shape[-1]
        flat = errors.reshape(n_series, -1, n_candidates)
        count = np.sum(~np.isnan(flat), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):  # NaN, not a warning, when none
            score = np.where(count > 0, np.nansum(flat, axis=1) / count, np.nan)
        has_score = np.isfinite(score)
        weights = np.zeros((n_series, n_candidates))
        if self.combination in ("mean", "median"):
            weights[:] = 1.0
        else:
            count = 1 if self.combination == "best" else min(int(self.top), n_candidates)
            ranked = np.argsort(np.where(has_score, score, np.inf), axis=1, kind="stable")
            weights[np.arange(n_series)[:, None], ranked[:, :count]] = 1.0
            # series with no backtest at all: every candidate counts
            weights[~has_score.any(axis=1)] = 1.0
        return weights / weights.sum(axis=1, keepdims=True)

    def _weights(self, horizon: int) -> pd.DataFrame:
        """Per-series weights from the candidates' backtest errors."""
        weights = self._weights_from(self._backtest_errors(horizon))
        return pd.DataFrame(weights, columns=list(self.candidates_))

    def _combine(self, forecasts: dict[str, np.ndarray],
                 weights: np.ndarray | None = None) -> np.ndarray:
        """Combine candidate forecasts (n, ...) with per-series weights (default: fitted)."""
        names = list(self.candidates_)
        stacked = np.stack([forecasts[n] for n in names], axis=-1)      # (n, ..., k)
        if self.combination == "median":
            return np.nanmedian(stacked, axis=-1)
        weights = self.weights_.to_numpy() if weights is None else weights
        shape = (weights.shape[0],) + (1,) * (stacked.ndim - 2) + (weights.shape[1],)
        w = np.broadcast_to(weights.reshape(shape), stacked.shape)
        usable = np.isfinite(stacked) & (w > 0)
        total = np.where(usable, w, 0.0).sum(axis=-1)
        combined = np.where(usable, stacked * w, 0.0).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, combined / total, np.nan)

    def cv_forecasts(self, horizon: int) -> np.ndarray:
        """Backtest forecasts of the combination, cross-fitted.

        The forecast at origin ``k`` combines the candidates with weights
        chosen on the *other* origins, so the errors that calibrate the
        prediction intervals are not flattered by choosing the candidates on
        those same errors.
        """
        forecasts = self._candidate_forecasts(horizon)
        errors = self._backtest_errors(horizon)
        windows = errors.shape[1]
        out = np.full((self.arrays_.n_series, windows, horizon), np.nan)
        for k in range(windows):  # a handful of origins
            weights = self._weights_from(np.delete(errors, k, axis=1))
            out[:, k] = self._combine({n: f[:, k] for n, f in forecasts.items()}, weights)
        return out

    def _forecast_all(self, arrays, chunks, states, horizon, exog_future):
        means = {}
        for name, model in self.candidates_.items():
            future = exog_future if model._supports_exog else None
            means[name] = model.point_forecasts(horizon, future=future)
        return self._combine(means)

    def _summary(self) -> pd.DataFrame:
        arrays = self.arrays_
        summary = arrays.ids.copy()
        weights = self.weights_
        # e.g. "ets 0.33 + theta 0.33 + drift 0.33": one label per weight pattern
        patterns, inverse = np.unique(weights.to_numpy().round(4), axis=0, return_inverse=True)
        labels = np.array([" + ".join(f"{n} {w:.2f}" for n, w in zip(weights.columns, row,
                                                                       strict=True) if w > 0)
                           for row in patterns], dtype=object)
        summary["model"] = labels[inverse.ravel()]
        summary["n_obs"] = arrays.n_obs
        summary["n_interpolated"] = arrays.n_interpolated
        for name in weights.columns:
            summary[f"weight_{name}"] = weights[name].to_numpy()
        if "ets" in self.candidates_:
            summary["ets_form"] = self.candidates_["ets"].fitted_summary_.get("ets_form")
        reasons = []
        for row in range(arrays.n_series):
            found = [f"{name}: {model.fallback_reason_[row]}"
                     for name, model in self.candidates_.items()
                     if model.fallback_reason_[row] is not None]
            reasons.append("; ".join(found) if found else None)
        summary["fallback_reason"] = pd.Series(reasons, dtype=object)
        return summary

