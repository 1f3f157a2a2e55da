"""Conformal prediction intervals of a forecaster, from its rolling-origin errors.

:class:`_IntervalsMixin` holds the part of :class:`~talentgap.models.base.BaseForecaster`
that turns the fitted model into intervals: rolling-origin backtests
(:meth:`~_IntervalsMixin.cv_forecasts`, :meth:`~_IntervalsMixin.cv_errors`), their
calibration into conformal quantiles (the steps of
:mod:`talentgap.models._conformal`), and the wider intervals of series with short
histories, calibrated on short windows of the longer series. It relies on the fitting
machinery of ``BaseForecaster`` (``_memo``, ``_fit_param``, ``_worker``, ``_fit_chunk``,
``_forecast_all``, ``_parallel``, ``_chunks``, ``_check_fitted``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from talentgap._arguments import check_horizon, check_levels
from talentgap._words import count_words, or_words
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.models._conformal import (
    calibration_scales,
    class_scales,
    conformal_quantiles,
    difficulty_factors,
    interval_bounds,
    short_histories,
    short_windows,
    window_scales,
)
from talentgap.models._fallback import _Fallback
from talentgap.models._series import SeriesArrays

__all__ = ["backtest_actuals"]


class _IntervalsMixin:
    """Rolling-origin backtests and conformal intervals of a :class:`BaseForecaster`."""

    def _conformal(self, horizon: int,
                   levels: list[float]) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        """Per-horizon conformal quantiles (see :mod:`talentgap.models._conformal`), cached."""
        errors, scale, _ = self._calibration(horizon)
        windows = self._fit_param("n_windows")
        if windows == 0 or not np.isfinite(errors).any():
            raise ParameterError(
                f"prediction intervals need rolling-origin errors: n_windows == "
                f"{windows} and the series are too short for any {horizon}-step "
                "backtest; fit with n_windows >= 1 and longer series, or predict without level")
        return conformal_quantiles(errors, scale, levels)

    def _calibration(self, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Backtest errors, their scales and each series' difficulty factor, cached."""
        def calibration():
            errors = self._calibration_errors(horizon)
            # each origin's errors scaled without the periods it forecast (no look-ahead),
            # times the series' difficulty estimated on the other origins (step 7)
            scale = calibration_scales(errors, self.arrays_.values, self.season_length_)
            per_origin, overall = difficulty_factors(errors, scale)
            return errors, scale * per_origin, overall

        return self._memo(("calibration", horizon), calibration)

    def _series_scales(self, horizon: int) -> np.ndarray:
        """Per series: the scale its interval is drawn at, before its difficulty (step 2).

        :func:`~talentgap.models._conformal.series_scale`, except that a short
        run of zeros takes the scale of its history class's windows
        (:func:`~talentgap.models._conformal.class_scales`), cached.
        """
        arrays = self.arrays_
        return self._memo(("series_scales", horizon), lambda: class_scales(
            arrays.values, arrays.n_obs, self.season_length_, horizon,
            int(self._fit_param("n_windows"))))

    def _difficulty(self, horizon: int) -> np.ndarray:
        """Per series: the difficulty factor its interval scale is multiplied by (step 7)."""
        return self._calibration(horizon)[2]

    def _short_histories(self, horizon: int) -> np.ndarray:
        """Per series: whether its history class calibrates it (see
        :func:`~talentgap.models._conformal.short_histories`)."""
        errors, scale, _ = self._calibration(horizon)
        return short_histories(self.arrays_.n_obs, errors, scale, self.season_length_)

    def _short_history_quantiles(self, horizon: int, pooled: dict) -> dict[int, dict]:
        """Per short history length present: its class's quantiles, never inside ``pooled``.

        See step 6 of :mod:`talentgap.models._conformal`: short series (fewer
        than ``short_history_limit(m)`` observations, or no backtest error
        scaled without look-ahead) get the conformal quantiles of windows of
        that many observations of the longer series; lengths no series is long
        enough to calibrate are left out, with a warning.
        """
        n_obs = self.arrays_.n_obs
        lengths = np.unique(n_obs[self._short_histories(horizon)])
        if lengths.size == 0:
            return {}
        pools = self._memo(("short_history", horizon),
                           lambda: self.short_history_errors(lengths, horizon))
        out, uncalibrated = {}, []
        for length in lengths:  # a handful of history lengths
            scaled = pools[int(length)]
            if not np.isfinite(scaled).any():
                uncalibrated.append(int(length))
                continue
            quantiles = conformal_quantiles(scaled[:, None, :], np.ones(scaled.shape[0]),
                                            list(pooled))
            out[int(length)] = {lv: (np.fmin(lo, pooled[lv][0]), np.fmax(hi, pooled[lv][1]))
                                for lv, (lo, hi) in quantiles.items()}
        if uncalibrated:
            concerned = int((self._short_histories(horizon)
                             & np.isin(n_obs, uncalibrated)).sum())
            warn(f"no series is long enough to calibrate intervals for series of "
                 f"{or_words(uncalibrated)} observations "
                 f"({count_words(concerned, 'series', 'series')}); they use the errors pooled "
                 "over all series, which are likely too narrow for them", DataQualityWarning,
                 stacklevel=5)
        return out

    def _short_history_bounds(self, bounds: dict, mean: np.ndarray, scale: np.ndarray,
                              pooled: dict, horizon: int) -> None:
        """Replace, in ``bounds``, those of short series by their history class's."""
        n_obs, short = self.arrays_.n_obs, self._short_histories(horizon)
        for length, quantiles in self._short_history_quantiles(horizon, pooled).items():
            rows = short & (n_obs == length)  # each class vectorised over its series
            part = interval_bounds(mean[rows], scale[rows], quantiles, self.nonnegative_)
            for level, (lo, hi) in part.items():
                bounds[level][0][rows], bounds[level][1][rows] = lo, hi

    def short_history_factors(self, horizon: int, *, level: float = 80.0) -> np.ndarray:
        """How much wider each series' intervals are than the pooled ones, per series.

        The ratio of the width of the ``level`` interval of the series'
        history class (see :meth:`short_history_errors`) to the pooled one,
        averaged over the ``horizon`` steps: 1 for series that are not short
        (two seasons of history or more and a backtest error scaled without
        look-ahead). For composites that draw sample paths from pooled
        scaled errors, multiplying a series' scale by its factor widens its
        paths as its intervals are widened.

        Parameters
        ----------
        horizon : int
            Steps ahead (>= 1).
        level : float, default 80
            Coverage level in percent whose widths are compared.

        Returns
        -------
        numpy.ndarray
            Shape (n_series,), every value >= 1.
        """
        self._check_fitted("short_history_factors")
        horizon = check_horizon(horizon)
        level = check_levels([level])[0]
        n_obs, short = self.arrays_.n_obs, self._short_histories(horizon)
        factors = np.ones(self.arrays_.n_series)
        if not short.any():
            return factors
        pooled = self._conformal(horizon, [level])
        width = pooled[level][1] - pooled[level][0]
        for length, quantiles in self._short_history_quantiles(horizon, pooled).items():
            lo, hi = quantiles[level]
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(width > 0, (hi - lo) / width, 1.0)
            factors[short & (n_obs == length)] = max(float(np.nanmean(ratio)), 1.0)
        return factors

    def short_history_errors(self, lengths: Sequence[int],
                             horizon: int) -> dict[int, np.ndarray]:
        """Scaled errors of forecasts from short windows of the longer series.

        For each history length ``k``: windows of ``k`` observations of every
        series long enough (see :func:`~talentgap.models._conformal.short_windows`)
        are forecast ``horizon`` steps by this model, fitted to the window
        alone, and the errors divided by the scale of the ``k`` observations
        (:func:`~talentgap.models._conformal.series_scale`; a window of zeros
        takes the median of the others', :func:`~talentgap.models._conformal.window_scales`),
        as for a series that has only ``k``.

        Parameters
        ----------
        lengths : sequence of int
            History lengths (>= 1).
        horizon : int
            Steps forecast from each window.

        Returns
        -------
        dict of int to numpy.ndarray
            Per length, scaled errors of shape (n_windows_kept, horizon); NaN
            where the actual was not observed.
        """
        self._check_fitted("short_history_errors")
        arrays = self.arrays_
        out = {}
        for length in lengths:  # a handful of history lengths
            length = int(length)
            rows, columns = short_windows(arrays.n_obs, arrays.values.shape[1], length,
                                          horizon, int(self._fit_param("n_windows")))
            if rows.size == 0:
                out[length] = np.full((0, horizon), np.nan)
                continue
            take = (rows[:, None], columns)
            exog = None if arrays.exog is None else arrays.exog[take]
            width = arrays.values.shape[1]
            window = replace(
                arrays, ids=arrays.ids.iloc[rows].reset_index(drop=True),
                values=arrays.values[take][:, :length],
                observed=arrays.observed[take][:, :length],
                n_obs=np.full(rows.size, length, dtype=arrays.n_obs.dtype),
                last_period=arrays.last_period[rows] - (width - 1 - columns[:, length - 1]),
                exog=None if exog is None else exog[:, :length])
            future = None if exog is None else exog[:, length:]
            forecast = self._window_forecasts(window, horizon, future)
            if self.nonnegative_:
                forecast = np.maximum(forecast, 0.0)
            actual = arrays.values[take][:, length:]
            observed = arrays.observed[take][:, length:]
            scale = window_scales(window.values, self.season_length_)
            out[length] = np.where(observed, actual - forecast, np.nan) / scale[:, None]
        return out

    def _window_forecasts(self, window: SeriesArrays, horizon: int,
                          exog_future: np.ndarray | None) -> np.ndarray:
        """Forecasts (n, horizon) of this model fitted afresh to ``window``'s series only."""
        worker = self._worker()
        state, _ = worker._fit_chunk(window, self.season_length_)
        mean = worker._forecast_all(window, [np.arange(window.n_series)], [state], horizon,
                                    exog_future)
        bad = ~np.isfinite(mean).all(axis=1)
        if bad.any():
            mean[bad] = _Fallback.forecast(window.values[bad], window.n_obs[bad], horizon)
        return mean

    def cv_errors(self, horizon: int) -> np.ndarray:
        """Errors (actual - forecast) of forecasts from the last ``n_windows`` origins.

        Origin ``k`` (``k = 0 .. n_windows-1``) holds out each series' last
        ``horizon + k`` periods, refits on the rest and forecasts ``horizon``
        steps. Returns shape (n_series, n_windows, horizon), NaN where a
        series is too short.
        """
        return self._errors_of(self.cv_forecasts(horizon), horizon)

    def _calibration_errors(self, horizon: int) -> np.ndarray:
        """The backtest errors that calibrate the intervals, shape as :meth:`cv_errors`."""
        return self._errors_of(self._calibration_forecasts(horizon), horizon)

    def _calibration_forecasts(self, horizon: int, searched: np.ndarray | None = None, *,
                               quiet: bool = False) -> np.ndarray:
        """Backtest forecasts of the model being issued: :meth:`cv_forecasts` by default.

        ``searched``: this model's :meth:`cv_forecasts` at ``horizon`` when the
        caller has them already (they are not computed twice). ``quiet``: no
        warning about the intervals (the caller ranks models with them).

        Models whose refit at a short origin would choose another model than
        the one fitted to the whole history (ETS's form search, Theta's
        seasonality test) override this
        to refit the final choice instead, so that the intervals are
        calibrated on the errors of the model that forecasts.
        """
        return self.cv_forecasts(horizon) if searched is None else searched

    def _errors_of(self, forecasts: np.ndarray, horizon: int) -> np.ndarray:
        """``actual - forecast`` of backtest forecasts (n, W, h); NaN where unobserved."""
        if self.nonnegative_:
            forecasts = np.maximum(forecasts, 0.0)
        actual, observed = backtest_actuals(self.arrays_, horizon, forecasts.shape[1])
        return np.where(observed, actual - forecasts, np.nan)

    def cv_forecasts(self, horizon: int) -> np.ndarray:
        """Forecasts from the last ``n_windows`` origins, shape (n_series, n_windows, horizon).

        Origin ``k`` holds out each series' last ``horizon + k`` periods. NaN
        where a series is too short for the model at that origin. Models
        that can evaluate every origin in one pass override this; the
        default refits once per origin.
        """
        arrays = self.arrays_
        chunks = self._chunks(arrays.n_series)
        tasks = [(arrays.take(rows), self.season_length_, horizon) for rows in chunks]
        results = self._parallel(self._worker()._backtest_chunk, tasks)
        out = np.full((arrays.n_series, int(self._fit_param("n_windows")), horizon), np.nan)
        for rows, result in zip(chunks, results, strict=True):
            out[rows] = result
        return out

    def _backtest_chunk(self, part: SeriesArrays, m: int, horizon: int) -> np.ndarray:
        """Refit a chunk at every rolling origin and forecast ``horizon`` steps from each."""
        windows = int(self._fit_param("n_windows"))
        out = np.full((part.n_series, windows, horizon), np.nan)
        for k in range(windows):
            cut = horizon + k
            if cut >= part.values.shape[1]:
                break
            train = part.truncate(cut)
            state, _ = self._fit_chunk(train, m)
            future = None if part.exog is None else part.exog[:, -cut:][:, :horizon]
            mean = self._forecast_all(train, [np.arange(train.n_series)], [state], horizon,
                                      future)
            bad = ~np.isfinite(mean).all(axis=1)
            if bad.any():
                mean[bad] = _Fallback.forecast(train.values[bad], train.n_obs[bad], horizon)
            ok = train.n_obs >= max(self._min_obs(m), 1)
            out[ok, k] = mean[ok]
        return out


def backtest_actuals(arrays: SeriesArrays, horizon: int,
                     windows: int) -> tuple[np.ndarray, np.ndarray]:
    """Actual values (n, W, h) after each rolling origin, and whether they were observed.

    Origin ``k`` holds out each series' last ``horizon + k`` periods.
    """
    n, width = arrays.values.shape
    actual = np.full((n, windows, horizon), np.nan)
    observed = np.zeros((n, windows, horizon), dtype=bool)
    for k in range(windows):  # a handful of origins
        cut = horizon + k
        if cut >= width:
            break
        actual[:, k] = arrays.values[:, -cut:][:, :horizon]
        observed[:, k] = arrays.observed[:, -cut:][:, :horizon]
    return actual, observed


def _nest(bounds: dict[float, tuple[np.ndarray, np.ndarray]]):
    """Make wider levels contain narrower ones: lo_95 <= lo_80 and hi_80 <= hi_95."""
    levels = sorted(bounds)
    out = {}
    lo_prev, hi_prev = None, None
    for level in levels:
        lo, hi = bounds[level]
        if lo_prev is not None:
            lo, hi = np.minimum(lo, lo_prev), np.maximum(hi, hi_prev)
        out[level] = (lo, hi)
        lo_prev, hi_prev = lo, hi
    return out
