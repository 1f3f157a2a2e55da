"""AutoForecaster: several forecasters fitted side by side and combined per series.

Each candidate model is fitted to every series; rolling-origin backtests of
every candidate (the same origins for all) measure how each does on each
series. The forecast of a series is a combination of the candidates: by
default the mean of the ``top`` candidates that rank best on that series,
plus an anchor candidate (optimised Theta) that is always in (a trimmed
"forecast combination", which in forecasting competitions beats picking a
single model; Petropoulos & Svetunkov 2020, Makridakis et al. 2020). The
ranking half-pools each series' backtest errors with how the candidates do
across the whole collection (:func:`ranking_scores`), because a few
overlapping backtest windows rank candidates with much noise. Prediction
intervals are conformal, from the
(cross-fitted) backtest errors of the combined forecast itself; see the
class docstring and :mod:`talentgap.models._conformal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import clone

from talentgap._arguments import check_count, resolve_season_length
from talentgap._keys import key_values_text
from talentgap._registry import register
from talentgap.errors import DataQualityWarning, ParameterError, collect_warnings, warn
from talentgap.models._analogues import match_analogues
from talentgap.models._auto_exog import exog_aware, window_weights
from talentgap.models._auto_summary import fallback_reasons, fitted_summary, series_are, too_short
from talentgap.models._auto_weights import COMBINATIONS, candidate_weights, combine, cross_fitted
from talentgap.models._outliers import warn_outlying_values
from talentgap.models._ranking import (
    fit_candidates,
    issued_errors,
    mean_errors,
    ranking_horizons,
    ranking_scores,
    shorter_backtests,
)
from talentgap.models._series import to_arrays
from talentgap.models.base import BaseForecaster

__all__ = ["AutoForecaster", "default_candidates", "ranking_scores", "ranking_horizons"]


def default_candidates(season_length: int | None = None, *, exog: bool = False,
                       n_windows: int = 5, n_jobs: int | None = 1) -> dict[str, BaseForecaster]:
    """The candidate models :class:`AutoForecaster` uses when none are given.

    Exponential smoothing (automatic form among level, damped-trend and
    seasonal forms), optimised Theta, damped-trend ETS, and the naive, drift
    and (for seasonal data) seasonal naive
    benchmarks; SARIMAX joins when exogenous regressors are given (and then
    :class:`AutoForecaster` combines only the candidates that use them; see
    its Notes). The combination :class:`AutoForecaster` makes of them by default (the two
    best-ranked per series plus Theta) beats every single candidate on the
    Tourism, M3 and M1 data sets, and was the best of the combination rules
    tried over all of them together (see the Notes of
    :class:`AutoForecaster` and ``benchmarks/accuracy.py``).
    """
    from talentgap.models import baselines, ets, theta  # here: they import this package

    common = {"season_length": season_length, "n_windows": n_windows, "n_jobs": n_jobs}
    candidates = {
        # every default form, undamped trends included: smooth trends (M3 "other", M1
        # quarterly) are forecast better with them, Tourism no worse (docs/methods.md)
        "ets": ets.ETS(forms=ets.DEFAULT_FORMS, **common),
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

    A parameter changed after ``fit`` takes effect at the next ``fit``: until then the
    weights, forecasts and intervals use those the fit recorded in ``params_``.

    Parameters
    ----------
    season_length : int, optional
        Default from the period frequency (4 quarterly, 12 monthly, 1 annual).
    candidates : dict of str to forecaster, optional
        Unfitted forecasters to combine; default :func:`default_candidates`.
        They are cloned; their ``season_length``, ``n_windows`` and
        ``n_jobs`` are set from this estimator.
    combination : {"top_mean", "mean", "median", "best"}, default "top_mean"
        ``top_mean``: mean of the ``top`` best-ranked candidates on the
        series and the ``anchor``; ``mean``/``median``: of all candidates;
        ``best``: the single best-ranked candidate per series. Candidates
        are ranked by :func:`ranking_scores`.
    top : int, default 2
        Best-ranked candidates averaged by ``top_mean`` (besides the anchor).
    anchor : str or None, default "theta"
        Candidate that ``top_mean`` always includes where it has backtest
        errors, whatever its rank (with exogenous regressors, only where
        it uses them or no candidate that does forecasts the series; see
        the Notes): a robust method that keeps the
        combination from resting on a noisy ranking alone (the Theta method
        won the M3 competition and is a benchmark of M4; Makridakis &
        Hibon 2000, Makridakis et al. 2020). Ignored when no candidate
        has that name; ``None``: no anchor.
    selection_horizon : int, optional
        Horizon of the backtests that rank candidates; default two years
        of periods (8 quarterly, 24 monthly, 4 annual). A seasonal series
        too short for its earliest origin to keep two seasons is ranked on
        a shorter horizon (:func:`ranking_horizons`).
    nonnegative : bool, optional
        Keep forecasts and bounds >= 0; default: True for count data.
    n_windows : int, default 5
        Rolling origins, for ranking candidates and for conformal intervals.
    n_jobs : int, default 1
        Parallel jobs over chunks of series (passed to the candidates).
    analogues : dict, optional
        Cold start: ``{key_column: {value: analogue_value}}``, e.g.
        ``{"industry": {"live_streaming": "ecommerce"}}``. A series with fewer
        than ``min_history`` observations whose key is declared is forecast
        as its analogue (the series with the analogue value and the same
        other keys, at least ``min_history`` observations and the same last
        period) scaled by the ratio of the series' total over the periods it
        was observed to the analogue's smoothed values over the same periods
        (:func:`~talentgap.models._analogues.smoothed_values`); its intervals
        contain the analogue's, scaled the same way. Labelled ``analogue
        <column>=<value> x <ratio>``. A declared series that cannot use its
        analogue (none with the same other keys, the analogue too short or
        ending in another period, no positive level) keeps its own forecast,
        with a ``DataQualityWarning`` at fit and the reason in
        ``fitted_summary_["fallback_reason"]``. An analogue value that no
        series has is a ``ParameterError``.
    min_history : int, optional
        Observations below which a series with a declared analogue uses it.
        Default: the most observations any candidate needs
        (``max(c.min_observations())``; 8 quarters with the default
        candidates), i.e. a series is forecast from its analogue where some
        candidate would fall back to naive. ``0`` turns analogues off (with a
        warning when some are declared).

    Attributes
    ----------
    params_ : dict
        The parameters of the last fit, which every method after it uses
        (``n_jobs`` aside, which changes no number).
    candidates_ : dict of str to forecaster
        The fitted candidates.
    weights_ : pandas.DataFrame
        Weight of each candidate in each series' forecast.
    anchor_ : str or None
        The anchor in use (None when no candidate has the ``anchor`` name).
    pooled_ranking_ : bool
        True: candidates ranked by :func:`ranking_scores` (models saved
        before it rank by each series' own errors and have no anchor).
    ranking_horizon_ : numpy.ndarray of int
        Per series, the horizon of the backtests its candidates were ranked on.
    fitted_summary_ : pandas.DataFrame
        Per series: the candidates used and their weights (0 for a series
        forecast from its analogue), the ranking horizon, the ETS form, and
        any fallback reason.
    min_history_ : int
        The ``min_history`` in use (its default resolved from the candidates).
    exog_aware_ : numpy.ndarray of bool or None
        With exogenous regressors, per series and candidate (n_series,
        n_candidates): whether the candidate uses them and forecast the
        series without a naive fallback; None when fitted without them.
    analogue_rows_, analogue_ratio_ : numpy.ndarray
        Per series, the row of the analogue it is forecast from (-1: none)
        and the level ratio applied to it.

    Notes
    -----
    **Ranking.** A candidate's error on a series is its mean absolute
    backtest error over the origins and steps, from backtests of the model
    it issues (ETS's final form and Theta's final seasonal choice refitted
    at each origin, where they can be; a search at each origin would rank
    what the candidate chooses from a shorter history instead), at the
    series' ranking horizon (:func:`ranking_horizons`). Five overlapping origins
    measure which candidate suits a series with much noise: picking the
    lowest error per series gains little over a fixed combination on
    competition data. The rank therefore uses the candidate's error relative
    to the series' best, on the log scale, averaged half-and-half with its
    mean over all series (:func:`ranking_scores`): a candidate must do
    clearly better on a series to outrank one that does better across the
    collection. The weights of a series thus depend on the other series
    fitted with it (as the intervals do); its candidates' forecasts do not.
    On the yearly, quarterly, monthly and "other" series of the Tourism, M3
    and M1 competitions this ranking with ``top=2`` and the Theta anchor
    lowered the mean MASE of eight of the nine data sets against the mean
    of the three lowest errors per series (e.g. Tourism yearly 2.625 to
    2.569, M3 yearly 2.624 to 2.598, M1 yearly 3.669 to 3.577, M3 monthly
    0.871 to 0.846) and raised Tourism quarterly by 0.4%.

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
      borrow calibration from the others, each series' scale multiplied by
      its difficulty factor (how large its backtest errors are relative to
      the pool's, half-pooled towards 1 and cross-fitted over origins; see
      :func:`~talentgap.models._conformal.difficulty_factors`), so that
      series that are easy to forecast get narrower intervals and hard
      ones wider;
    - bounds ``mean + z_lo * s * f`` and ``mean + z_hi * s * f`` (``f`` the
      difficulty factor), with ``z_hi`` the
      ``ceil((n + 1)(1 - a/2))``-th smallest scaled error and ``z_lo`` the
      same rank from the top (finite-sample conformal quantiles of each tail,
      so intervals may be asymmetric when the forecasts are biased); the
      symmetric quantile of ``|e|`` where ``n`` is too small for the tails;
      widths non-decreasing in ``h``; levels nested; clipped at 0 for count
      data.

    **Exogenous regressors.** Fitted with ``exog``, the candidates that
    use regressors (SARIMAX among the defaults) get the other candidates'
    models' weight: on every series where at least one of them has a
    backtest score and did not fall back to a naive forecast, only they are
    ranked and combined (by every ``combination`` rule) and the ``anchor`` is
    not added, so that models blind to the regressors cannot outvote the ones
    that use them when the regressors move in the forecast periods. Series
    where all of them fell back keep the usual combination. ``exog_aware_``
    records, per series and candidate, which ones counted. The backtests use
    the regressors' observed values, so the intervals leave out the error of
    forecasting the regressors.

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
                 combination: str = "top_mean", top: int = 2, anchor: str | None = "theta",
                 selection_horizon: int | None = None, nonnegative: bool | None = None,
                 n_windows: int = 5, n_jobs: int | None = 1, analogues=None,
                 min_history: int | None = None) -> None:
        self.season_length = season_length
        self.candidates = candidates
        self.combination = combination
        self.top = top
        self.anchor = anchor
        self.selection_horizon = selection_horizon
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs
        self.analogues = analogues
        self.min_history = min_history

    def _check_params(self) -> None:
        if self.candidates is not None and not (
                isinstance(self.candidates, dict)
                and all(isinstance(name, str) and isinstance(model, BaseForecaster)
                        for name, model in self.candidates.items())):
            raise ParameterError("candidates must be a dict {name: forecaster} of talentgap "
                                 "forecasters, e.g. {'ets': ETS(), 'theta': Theta()}; got "
                                 f"{type(self.candidates).__name__}")
        if self.min_history is not None:
            check_count(self.min_history, "min_history", minimum=0)
        if self.analogues is not None and not (
                isinstance(self.analogues, dict)
                and all(isinstance(c, str) and isinstance(m, dict)
                        and all(isinstance(a, str) and isinstance(b, str)
                                for a, b in m.items())
                        for c, m in self.analogues.items())):
            raise ParameterError(f"analogues == {self.analogues!r}, must be a dict "
                                 "{key_column: {value: analogue_value}} of strings, e.g. "
                                 "{'industry': {'live_streaming': 'ecommerce'}}")
        if self.combination not in COMBINATIONS:
            raise ParameterError(f"combination == {self.combination!r}, must be one of "
                                 f"{COMBINATIONS}")
        check_count(self.top, "top")
        if self.anchor is not None and not isinstance(self.anchor, str):
            raise ParameterError(f"anchor == {self.anchor!r}, must be a candidate's name "
                                 "(e.g. 'theta') or None")
        if self.n_windows < 1:
            raise ParameterError("n_windows == 0: AutoForecaster ranks its candidates by "
                                 "backtests and needs n_windows >= 1")
        if self.selection_horizon is not None:
            check_count(self.selection_horizon, "selection_horizon")

    def _candidate_params(self) -> dict:
        """The parameters every candidate takes from this model."""
        return {"season_length": self.season_length, "n_windows": self.n_windows,
                "n_jobs": self.n_jobs, "nonnegative": self.nonnegative}

    def fit(self, df: pd.DataFrame, *, target: str = "value", time: str = "period",
            keys: Sequence[str], exog: Sequence[str] | None = None):
        """Fit every candidate and weigh them per series (see the class docstring).

        Parameters and return value as in :meth:`BaseForecaster.fit`.
        """
        self._record_params()
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
        models = {name: clone(model).set_params(**self._candidate_params())
                  for name, model in candidates.items()}
        labels = {"target": target, "time": time, "keys": keys, "backtest_horizon": horizon}
        fitted = fit_candidates(models, arrays, labels)
        self.candidates_ = fitted
        self._set_layout(arrays, target=target, time=time, keys=keys)
        self.chunks_ = [np.arange(arrays.n_series)]
        self.states_ = [None]
        self.fallback_reason_ = np.full(arrays.n_series, None, dtype=object)
        warn_outlying_values(arrays, self.season_length_, target)  # likely data errors
        self.short_fallback_ = np.stack(
            [too_short(model) for model in fitted.values()], axis=1)   # (n, k)
        # the candidates' backtests at the selection horizon are learned state (the weights
        # come from them); other horizons are computed when asked and never saved
        self._candidate_cv = {horizon: {name: model.cv_forecasts(horizon)
                                        for name, model in fitted.items()}}
        self.ranking_horizon_ = ranking_horizons(arrays.n_obs, horizon, self.season_length_,
                                                 int(self.n_windows))
        self.pooled_ranking_ = True
        self.anchor_ = self.anchor if self.anchor in fitted else None
        self.exog_aware_ = exog_aware(fitted) if arrays.exog_names else None
        weights = self._weights_from_scores(self._ranking_errors(candidates, labels))
        self.weights_ = pd.DataFrame(weights, columns=list(fitted))
        self.min_history_ = self._resolved_min_history()
        match = match_analogues(arrays, keys, self._fit_param("analogues"), self.min_history_,
                                self.season_length_)
        self.analogue_rows_, self.analogue_ratio_ = match.rows, match.ratio
        self.fallback_reason_ = fallback_reasons(self, match.unused)
        self.fitted_summary_ = self._summary()
        self._warn_short(match.unused, target)
        return self

    def _resolved_min_history(self) -> int:
        """``min_history``, or by default the most observations any candidate needs."""
        given = self._fit_param("min_history")
        if given is not None:
            if given == 0 and self._fit_param("analogues"):
                warn("min_history=0: no series is shorter than that, so the declared "
                     "analogues are never used; leave min_history unset to forecast series "
                     "too short for some candidate from their analogue", DataQualityWarning,
                     stacklevel=3)
            return int(given)
        return max(model.min_observations() for model in self.candidates_.values())

    def _warn_short(self, unused: np.ndarray, target: str) -> None:
        """Warn at fit of series forecast from an analogue, not from theirs, or with fallbacks.

        The series are named by their key values (``North / textiles``), and the
        column forecast is said, so that the warnings of two models fitted to
        the same cells (a gap model's demand and supply) read apart.
        """
        ids = self.arrays_.ids.astype(str)
        analogue = self.analogue_rows_ >= 0
        missed = unused != None  # noqa: E711
        fallback = (self.fallback_reason_ != None) & ~analogue  # noqa: E711
        see = f" (forecasting {target!r}): see fitted_summary_['fallback_reason']"
        if analogue.any():
            warn(f"{series_are(analogue)} forecast from their declared analogue scaled to "
                 f"their level, e.g. {key_values_text(ids, np.flatnonzero(analogue))}{see}",
                 DataQualityWarning, stacklevel=3)
        if missed.any():
            shown = np.flatnonzero(missed)[:3]
            examples = "; ".join(f"{key_values_text(ids, [row])} {why}" for row, why in zip(
                shown, unused[shown], strict=True))
            verb = "is" if missed.sum() == 1 else "are"
            warn(f"{int(missed.sum())} series cannot use their declared analogue and {verb} "
                 f"forecast from their own history: {examples}{see}", DataQualityWarning,
                 stacklevel=3)
        if fallback.any():
            count = int(fallback.sum())
            warn(f"{series_are(fallback)} too short for some candidate models and "
                 f"{'uses' if count == 1 else 'use'} a naive forecast in their place, e.g. "
                 f"{key_values_text(ids, np.flatnonzero(fallback))}{see}; their "
                 "prediction intervals are calibrated on windows of as many observations of "
                 "the longer series", DataQualityWarning, stacklevel=3)

    # ---- combination -----------------------------------------------------------------
    def _candidate_forecasts(self, horizon: int) -> dict[str, np.ndarray]:
        """Backtest forecasts (n, W, h) of every candidate, cached per horizon."""
        if horizon in self._candidate_cv:
            return self._candidate_cv[horizon]
        return self._memo(("candidate_cv", horizon),
                          lambda: shorter_backtests(self.candidates_, horizon,
                                                     self._candidate_cv))

    def _backtest_errors(self, horizon: int) -> np.ndarray:
        """Absolute backtest errors of the model each candidate issues, shape (n, W, h, k)."""
        return issued_errors(self.candidates_, self.arrays_, horizon,
                             int(self._fit_param("n_windows")), self._candidate_forecasts(horizon))

    def _ranking_errors(self, templates: dict[str, BaseForecaster], labels: dict) -> np.ndarray:
        """Mean absolute backtest error (n, k) of each candidate at its series' ranking horizon.

        Series ranked on a shorter horizon than the selection horizon
        (:func:`ranking_horizons`) are backtested by the candidates refitted to
        them alone (a few series, usually: refitting every series would double
        the fit), with that horizon announced; what that refit warns, the fit
        on every series has said already.
        """
        horizon = int(labels["backtest_horizon"])
        score = np.full((self.arrays_.n_series, len(self.candidates_)), np.nan)
        at = self.ranking_horizon_ == horizon
        if at.any():
            score[at] = mean_errors(self._backtest_errors(horizon)[at])
        for shorter in np.unique(self.ranking_horizon_[~at]):  # a few horizons
            rows = np.flatnonzero(self.ranking_horizon_ == shorter)
            part = self.arrays_.take(rows)
            models = {name: clone(model).set_params(**self._candidate_params())
                      for name, model in templates.items()}
            with collect_warnings():
                refitted = fit_candidates(models, part, {**labels,
                                                          "backtest_horizon": int(shorter)})
                searched = {name: model.cv_forecasts(int(shorter))
                            for name, model in refitted.items()}
                score[rows] = mean_errors(issued_errors(refitted, part, int(shorter),
                                                          int(self.n_windows), searched))
        return score

    def _weights_from(self, errors: np.ndarray) -> np.ndarray:
        """Per-series weights (n, k) from absolute backtest errors (n, W, h, k)."""
        return self._weights_from_scores(mean_errors(errors))

    def _weights_from_scores(self, score: np.ndarray) -> np.ndarray:
        """Per-series weights (n, k) from mean absolute backtest errors (n, k; NaN: none)."""
        return candidate_weights(
            score, list(self.candidates_), combination=self._fit_param("combination"),
            top=self._fit_param("top"), anchor=self.__dict__.get("anchor_"),
            # models saved before the pooled ranking and the anchor rank by their own errors
            pooled=self.__dict__.get("pooled_ranking_", False),
            aware=self.__dict__.get("exog_aware_"))

    def _combine(self, forecasts: dict[str, np.ndarray],
                 weights: np.ndarray | None = None) -> np.ndarray:
        """Combine candidate forecasts (n, ...) with per-series weights (default: fitted)."""
        weights = self.weights_.to_numpy() if weights is None else weights
        return combine(forecasts, list(self.candidates_), weights,
                       median=self._fit_param("combination") == "median")

    def min_observations(self) -> int:
        """The fewest observations any candidate fits: a series is forecast where one does.

        Returns
        -------
        int
            The smallest ``min_observations()`` of the fitted ``candidates_``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        self._check_fitted("min_observations")
        return min(model.min_observations() for model in self.candidates_.values())

    def cv_forecasts(self, horizon: int) -> np.ndarray:
        """Backtest forecasts of the combination, cross-fitted.

        The forecast at origin ``k`` combines the candidates with weights
        chosen on the *other* origins, so the errors that calibrate the
        prediction intervals are not flattered by choosing the candidates on
        those same errors.
        """
        return self._cross_fitted(self._candidate_forecasts(horizon), horizon)

    def _calibration_forecasts(self, horizon: int, searched: np.ndarray | None = None, *,
                               quiet: bool = False) -> np.ndarray:
        """The cross-fitted combination of the candidates' calibration backtests.

        The weights are those of :meth:`cv_forecasts` (chosen on the
        candidates' searched backtests, so the ranking is unchanged); each
        candidate contributes the backtests of the model it issues (for ETS,
        the final form refitted at each origin; for Theta, the final seasonal
        adjustment kept).
        """
        own = self._candidate_forecasts(horizon)
        forecasts, dropped = dict(own), {}
        for name, model in self.candidates_.items():
            if type(model)._calibration_forecasts is not BaseForecaster._calibration_forecasts:
                forecasts[name] = model._calibration_forecasts(horizon, own[name], quiet=quiet)
                # origins too short for the final form: the combination is dropped there
                # too (the other candidates alone are a different forecast)
                dropped[name] = np.isnan(forecasts[name]) & np.isfinite(own[name])
        return self._cross_fitted(forecasts, horizon, dropped)

    def _cross_fitted(self, forecasts: dict[str, np.ndarray], horizon: int,
                      dropped: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Combine backtests (n, W, h) per origin with weights chosen on the other origins.

        ``dropped``: per candidate, cells (n, W, h) where the combination is left
        NaN if that candidate has weight there.
        """
        return cross_fitted(forecasts, self._backtest_errors(horizon), list(self.candidates_),
                            weigh=self._weights_from, combine=self._combine, dropped=dropped)

    def _window_forecasts(self, window, horizon, exog_future):
        """The combination's forecasts of series with only ``window``'s observations.

        Such short series have no backtest, so every candidate counts equally
        (as in :meth:`_weights_from`); each candidate is fitted to the window
        alone and falls back to naive where it is too short, as it would for
        a series of that length.
        """
        without = replace(window, exog=None, exog_names=())
        forecasts = {
            name: model._window_forecasts(window if model._supports_exog else without,
                                          horizon, exog_future if model._supports_exog
                                          else None)
            for name, model in self.candidates_.items()}
        return self._combine(forecasts, window_weights(
            self.candidates_, window.n_series, self.__dict__.get("exog_aware_") is not None))

    def _forecast_all(self, arrays, chunks, states, horizon, exog_future):
        means = {}
        for name, model in self.candidates_.items():
            future = exog_future if model._supports_exog else None
            means[name] = model.point_forecasts(horizon, future=future)
        return self._from_analogues(self._combine(means))

    _has_fitted_values = True  # see fitted_values()

    def _fitted_array(self):
        """The candidates' fitted values, combined with the fitted per-series weights.

        Candidates without cheap fitted values (SARIMAX, GlobalBoosting) are
        left out, the others' weights renormalised per series (as a
        candidate's missing forecast is in :meth:`_combine`).
        """
        shape = self.arrays_.values.shape
        fitted = {name: model._fitted_array() if model._has_fitted_values
                  else np.full(shape, np.nan) for name, model in self.candidates_.items()}
        return self._combine(fitted)

    # ---- cold start from declared analogues ---------------------------------------------
    def _analogue_rows(self) -> np.ndarray:
        """Rows of series forecast from an analogue (none in artifacts saved before them)."""
        found = self.__dict__.get("analogue_rows_")
        return np.zeros(0, dtype=np.int64) if found is None else np.flatnonzero(found >= 0)

    def _from_analogues(self, mean: np.ndarray) -> np.ndarray:
        """Replace the forecasts of series with an analogue by its, scaled."""
        rows = self._analogue_rows()
        if rows.size:
            mean = mean.copy()
            mean[rows] = (mean[self.analogue_rows_[rows]]
                          * self.analogue_ratio_[rows, None])
        return mean

    def _short_history_bounds(self, bounds, mean, scale, pooled, horizon) -> None:
        """Short-series bounds (see the base class), containing the analogues' scaled."""
        super()._short_history_bounds(bounds, mean, scale, pooled, horizon)
        rows = self._analogue_rows()
        if not rows.size:
            return
        source, level = self.analogue_rows_[rows], self.analogue_ratio_[rows, None]
        for lo, hi in bounds.values():
            lo[rows] = np.minimum(lo[rows], lo[source] * level)
            hi[rows] = np.maximum(hi[rows], hi[source] * level)

    def _min_history(self) -> int:
        """The ``min_history`` of the fit (artifacts saved before its default: the given)."""
        found = self.__dict__.get("min_history_")
        return int(self._fit_param("min_history") or 0) if found is None else int(found)

    def _summary(self) -> pd.DataFrame:
        """The ``fitted_summary_`` table (see :mod:`talentgap.models._auto_summary`)."""
        return fitted_summary(self)
