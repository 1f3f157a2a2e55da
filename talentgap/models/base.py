"""The contract every talentgap forecaster follows.

A forecaster takes a long table and explicit keys::

    fc.fit(df, target="value", time="period", keys=["series_id"])
    out = fc.predict(horizon=8, level=[80, 95])
    # -> <keys...>, period, mean, lo_80, hi_80, lo_95, hi_95

:class:`BaseForecaster` does everything that is the same for every model:
laying the table out as series arrays, splitting series into chunks run
through joblib, falling back to a simpler model for series a model cannot
handle (and saying why), keeping forecasts non-negative for count data,
conformal prediction intervals from rolling-origin errors, and the long
output table. A model implements three methods working on 2-D arrays for
all series at once:

``_min_obs(season_length)``
    Observations a series needs for this model.
``_fit_arrays(values, n_obs, season_length, exog)``
    Fit to ``values`` (n_series x n_periods, right-aligned, NaN padding on
    the left) and return a state object.
``_forecast_arrays(state, horizon, exog_future)``
    Point forecasts, shape (n_series, horizon).

and may override ``_describe(state)`` to report per-series parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from time import perf_counter

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from joblib._parallel_backends import LokyBackend
from joblib.parallel import get_active_backend
from sklearn.base import BaseEstimator, clone
from threadpoolctl import threadpool_limits

from talentgap._arguments import check_horizon, check_levels, resolve_season_length
from talentgap._numeric import nanmean
from talentgap.errors import (
    DataQualityWarning,
    NotFittedError,
    ParameterError,
    SchemaError,
    warn,
)
from talentgap.models._conformal import (
    calibration_scales,
    conformal_quantiles,
    difficulty_factors,
    interval_bounds,
    series_scale,
    short_histories,
    short_windows,
)
from talentgap.models._saving import SaveMixin
from talentgap.models._series import (
    SeriesArrays,
    forecast_frame,
    to_arrays,
)

__all__ = ["BaseForecaster", "backtest_actuals"]

logger = logging.getLogger(__name__)

#: Series per joblib task.
CHUNK_SIZE = 500
#: A chunk faster than this is not worth sending to a parallel worker (see ``_parallel``).
CHEAP_TASK_SECONDS = 0.02


def _single_threaded(function, *arguments):
    """Run a task with one BLAS/OpenMP thread: parallel tasks already fill the cores."""
    with threadpool_limits(limits=1):
        return function(*arguments)


class _Fallback:
    """Naive forecasts (last value; the mean for very short series) for series a model skips."""

    @staticmethod
    def forecast(values: np.ndarray, n_obs: np.ndarray, horizon: int) -> np.ndarray:
        last = values[:, -1]
        mean = nanmean(values, axis=1)
        point = np.where(n_obs >= 3, last, mean)
        return np.repeat(point[:, None], horizon, axis=1)


class BaseForecaster(SaveMixin, BaseEstimator):
    """Base class of the forecasters; not used directly.

    Subclasses define ``__init__`` with their parameters (stored unchanged,
    as in scikit-learn) and must include ``season_length``, ``nonnegative``,
    ``n_windows`` and ``n_jobs``.
    """

    #: Whether the model uses exogenous regressors (``fit(..., exog=[...])``).
    _supports_exog = False
    #: Attributes that only cache values derived from the fitted state: never saved, so
    #: an artifact's bytes do not depend on the calls made between ``fit`` and ``save``.
    _transient_attributes = ("_memo_cache",)
    #: Attributes set before the fit that parallel tasks need (see ``_worker``).
    _worker_attributes: tuple[str, ...] = ("backtest_horizon_",)

    # ---- what subclasses implement -------------------------------------------------
    def _min_obs(self, season_length: int) -> int:
        return 1

    def _check_params(self) -> None:
        """Validate model-specific parameters (called by ``fit``)."""

    def _fit_arrays(self, values: np.ndarray, n_obs: np.ndarray, season_length: int,
                    exog: np.ndarray | None):
        raise NotImplementedError

    def _forecast_arrays(self, state, horizon: int, exog_future: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def _describe(self, state) -> pd.DataFrame | None:
        """Per-series parameters of the fitted model (one row per fitted series), if any."""
        return None

    @property
    def _model_name(self) -> str:
        return type(self).__name__

    # ---- the shared machinery -------------------------------------------------------
    def fit(self, df: pd.DataFrame, *, target: str = "value", time: str = "period",
            keys: Sequence[str], exog: Sequence[str] | None = None):
        """Fit one model per series of a long table.

        Parameters
        ----------
        df : pandas.DataFrame
            Long table: one row per series and period.
        target : str, default "value"
            Column to forecast.
        time : str, default "period"
            Period column: pandas Periods, period labels (``"2024Q1"``) or
            timestamps of a regular annual, quarterly or monthly frequency.
        keys : sequence of str
            Columns identifying a series (``[]`` for a single series).
        exog : sequence of str, optional
            Exogenous regressor columns; ``predict`` then needs ``future``.

        Returns
        -------
        self
        """
        arrays = to_arrays(df, target=target, time=time, keys=keys, exog=exog)
        return self.fit_arrays(arrays, target=target, time=time, keys=keys)

    def fit_arrays(self, arrays: SeriesArrays, *, target: str = "value",
                   time: str = "period", keys: Sequence[str] = (),
                   backtest_horizon: int | None = None):
        """Fit to series already laid out by :func:`talentgap.models._series.to_arrays`.

        The shared work of :meth:`fit`; lets a combination of models lay out
        a table once. ``target``, ``time`` and ``keys`` only label the output.
        ``backtest_horizon`` announces the horizon of the backtests that will
        follow (:meth:`cv_forecasts`), so models that can evaluate every
        rolling origin during the fit itself do so in the same pass.
        """
        self._start_fit(arrays, target=target, time=time, keys=keys,
                        backtest_horizon=backtest_horizon)
        return self._end_fit(arrays, self._fit_chunks(arrays))

    def _start_fit(self, arrays: SeriesArrays, *, target: str, time: str,
                   keys: Sequence[str], backtest_horizon: int | None) -> None:
        """Check the parameters and set the layout attributes (the first half of a fit)."""
        self._check_common_params()
        self._check_params()
        if arrays.exog_names and not self._supports_exog:
            raise ParameterError(
                f"{type(self).__name__} does not use exogenous regressors; fit without "
                f"exog={list(arrays.exog_names)} or use SARIMAX, GlobalBoosting or "
                "AutoForecaster")
        self.backtest_horizon_ = backtest_horizon
        self._set_layout(arrays, target=target, time=time, keys=keys)
        self.fallback_ = arrays.n_obs < self._min_obs(self.season_length_)
        self.chunks_ = self._chunks(arrays.n_series)

    def _fit_chunks(self, arrays: SeriesArrays) -> list:
        """``(state, reasons)`` of every chunk of ``chunks_``, fitted in parallel."""
        worker = self._worker()
        return self._parallel(worker._fit_chunk,
                              [(arrays.take(rows), self.season_length_)
                               for rows in self.chunks_])

    def _end_fit(self, arrays: SeriesArrays, fits: list):
        """Keep the chunks' states, name the fallbacks and summarise (the second half)."""
        m = self.season_length_
        backtest_horizon = self.backtest_horizon_
        self.states_ = [state for state, _ in fits]
        reasons = np.full(arrays.n_series, None, dtype=object)
        for rows, (_, chunk_reasons) in zip(self.chunks_, fits, strict=True):
            reasons[rows] = chunk_reasons
        # series whose fitted model forecasts non-finite values are named now, at fit:
        # predict repairs them the same way but never changes the fitted state
        probe = self._forecast_all(arrays, self.chunks_, self.states_,
                                   max(2 * m, backtest_horizon or 1), self._probe_exog())
        bad = ~np.isfinite(probe).all(axis=1) & (reasons == None)  # noqa: E711 - object array
        reasons[bad] = f"{self._model_name} gave non-finite forecasts; naive"
        self.fallback_reason_ = reasons
        self.fitted_summary_ = self._summary()
        return self

    def _set_layout(self, arrays: SeriesArrays, *, target: str, time: str,
                    keys: Sequence[str]) -> None:
        """Learned attributes every forecaster has: the data layout and its conventions."""
        m = resolve_season_length(self.season_length, arrays.freq)
        nonnegative = self.nonnegative
        if nonnegative is None:  # count data: whole numbers >= 0
            observed = arrays.values[arrays.observed]
            nonnegative = bool((observed >= 0).all() and (observed == np.round(observed)).all())
        self.keys_ = list(keys)
        self.target_ = target
        self.time_ = time
        self.exog_ = list(arrays.exog_names)
        self.season_length_ = m
        self.nonnegative_ = nonnegative
        self.arrays_ = arrays

    def _probe_exog(self) -> np.ndarray | None:
        """Exogenous values for the fit-time probe forecast: the last observed, held."""
        exog = self.arrays_.exog
        if exog is None:
            return None
        width = max(2 * self.season_length_, self.backtest_horizon_ or 1)
        return np.repeat(exog[:, -1:, :], width, axis=1)

    def _memo(self, key, compute):
        """``compute()``, cached under ``key`` in a cache that is never saved.

        For values derived from the fitted state after ``fit`` (backtests for a
        new horizon, say). Filling it changes no learned attribute, so
        ``predict`` stays a pure function of the fitted state; concurrent
        callers may both compute a value, and both get the same result.
        """
        cache = self.__dict__.get("_memo_cache")
        if cache is None:
            cache = self.__dict__.setdefault("_memo_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def _check_fitted(self, call: str) -> None:
        if not hasattr(self, "states_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call "
                                 f"fit(df, target=..., time=..., keys=...) before {call}()")

    def _artifact_schema(self) -> dict:
        """What a saved artifact records about the input: columns, cells and frequency."""
        return {"target": self.target_, "time": self.time_, "keys": list(self.keys_),
                "exog": list(self.exog_), "ids": self.arrays_.ids, "freq": self.arrays_.freq}

    def _fingerprint_parts(self) -> list[tuple[str, object]]:
        """The fitted data, in the canonical parts a data fingerprint hashes."""
        arrays = self.arrays_
        parts = [("freq", arrays.freq), ("ids", arrays.ids)]
        parts += [(name, getattr(arrays, name))
                  for name in ("values", "observed", "n_obs", "last_period")]
        if arrays.exog is not None:
            parts += [("exog", arrays.exog), ("exog_names", list(arrays.exog_names))]
        return parts

    def _check_common_params(self) -> None:
        if self.n_jobs is not None and (not float(self.n_jobs).is_integer() or self.n_jobs == 0):
            raise ParameterError(f"n_jobs == {self.n_jobs!r}, must be a non-zero integer or None")
        if not float(self.n_windows).is_integer() or self.n_windows < 0:
            raise ParameterError(f"n_windows == {self.n_windows!r}, must be an integer >= 0")
        if self.nonnegative not in (None, True, False):
            raise ParameterError(f"nonnegative == {self.nonnegative!r}, must be None, True "
                                 "or False")

    @staticmethod
    def _chunks(n_series: int) -> list[np.ndarray]:
        return [np.arange(start, min(start + CHUNK_SIZE, n_series))
                for start in range(0, n_series, CHUNK_SIZE)]

    def _worker(self) -> BaseForecaster:
        """A copy with the parameters only, cheap to send to parallel tasks."""
        worker = clone(self)
        for name in self._worker_attributes:
            setattr(worker, name, getattr(self, name, None))
        return worker

    def _parallel(self, function, argument_list):
        """``function(*arguments)`` for every chunk: here, or in ``n_jobs`` processes.

        With joblib's default (local process) backend the first chunk runs
        here, single-threaded as in a worker; when it took less than
        ``CHEAP_TASK_SECONDS`` (the naive benchmarks, say) the others run here
        too: sending them to workers and their results back would cost more
        than the work. Every chunk runs the same single-threaded code, so the
        results do not depend on where it ran. A backend the caller chose
        (``joblib.parallel_config(backend="dask")``) gets every chunk.
        """
        if self.n_jobs in (None, 1) or len(argument_list) == 1:
            return [function(*arguments) for arguments in argument_list]
        if not isinstance(get_active_backend()[0], LokyBackend):
            return Parallel(n_jobs=self.n_jobs)(
                delayed(_single_threaded)(function, *a) for a in argument_list)
        with threadpool_limits(limits=1):
            start = perf_counter()
            first = function(*argument_list[0])
            if perf_counter() - start < CHEAP_TASK_SECONDS:
                return [first] + [function(*a) for a in argument_list[1:]]
        return [first] + Parallel(n_jobs=self.n_jobs)(
            delayed(_single_threaded)(function, *a) for a in argument_list[1:])

    def _fit_chunk(self, arrays: SeriesArrays, m: int):
        """Fit one chunk; series the model cannot take are marked for the fallback."""
        reasons = np.full(arrays.n_series, None, dtype=object)
        short = arrays.n_obs < self._min_obs(m)
        reasons[short] = (f"{self._model_name} needs {self._min_obs(m)} observations; "
                          "naive forecast")
        usable = np.flatnonzero(~short)
        state = None
        if usable.size:
            part = arrays.take(usable)
            try:
                state = self._fit_arrays(part.values, part.n_obs, m, part.exog)
            except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
                logger.warning("%s failed on a chunk of %d series (%s); naive forecasts used",
                               self._model_name, usable.size, exc)
                reasons[usable] = f"{self._model_name} failed ({type(exc).__name__}); naive"
                usable = np.zeros(0, dtype=np.int64)
        return {"state": state, "usable": usable}, reasons

    def _forecast_all(self, arrays: SeriesArrays, chunks: list[np.ndarray], states: list,
                      horizon: int, exog_future: np.ndarray | None) -> np.ndarray:
        """Point forecasts (n_series, horizon), with fallbacks and non-finite repairs."""
        mean = _Fallback.forecast(arrays.values, arrays.n_obs, horizon)
        for rows, chunk in zip(chunks, states, strict=True):
            if chunk["state"] is None or chunk["usable"].size == 0:
                continue
            target = rows[chunk["usable"]]
            future = None if exog_future is None else exog_future[target]
            mean[target] = self._forecast_arrays(chunk["state"], horizon, future)
        return mean

    def predict(self, horizon: int, *, level: Sequence[float] | None = None,
                future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast every series ``horizon`` periods past its last observation.

        Parameters
        ----------
        horizon : int
            Number of periods ahead (>= 1).
        level : sequence of float, optional
            Prediction-interval coverage levels in percent, e.g. ``[80, 95]``.
        future : pandas.DataFrame, optional
            Future values of the exogenous regressors (keys, time and the
            ``exog`` columns) for every series and forecast period; required
            when the model was fitted with ``exog``.

        Returns
        -------
        pandas.DataFrame
            ``<keys...>, <time>, mean`` and, per level, ``lo_<level>``,
            ``hi_<level>``: one row per series and step.

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.
        """
        self._check_fitted("predict")
        horizon = check_horizon(horizon)
        levels = check_levels(level)
        exog_future = self._future_exog(future, horizon)
        arrays = self.arrays_
        mean = self._point_forecasts(horizon, exog_future)
        bounds = None
        if levels:
            quantiles = self._conformal(horizon, levels)
            scale = series_scale(arrays.values, self.season_length_) * self._difficulty(horizon)
            bounds = interval_bounds(mean, scale, quantiles, self.nonnegative_)
            self._short_history_bounds(bounds, mean, scale, quantiles, horizon)
        if self.nonnegative_:
            mean = np.maximum(mean, 0.0)
        if bounds:
            bounds = {lv: (np.minimum(lo, mean), np.maximum(hi, mean))
                      for lv, (lo, hi) in bounds.items()}
            bounds = _nest(bounds)
        return forecast_frame(arrays.ids, arrays.last_period, arrays.freq, mean, bounds,
                              time=self.time_)

    def point_forecasts(self, horizon: int, *,
                        future: pd.DataFrame | np.ndarray | None = None) -> np.ndarray:
        """Mean forecasts as an array, before intervals and the non-negativity clip.

        The building block of :meth:`predict` for models that combine
        forecasters (:class:`~talentgap.models.AutoForecaster`). Rows follow
        the series of ``arrays_.ids``; series the model cannot forecast get
        the naive fallback, as in :meth:`predict`.

        Parameters
        ----------
        horizon : int
            Periods ahead (>= 1).
        future : pandas.DataFrame or numpy.ndarray, optional
            Future exogenous values: a table as for :meth:`predict`, or an
            array (n_series, horizon, n_exog) already in series order.

        Returns
        -------
        numpy.ndarray
            Shape (n_series, horizon).
        """
        self._check_fitted("point_forecasts")
        horizon = check_horizon(horizon)
        if isinstance(future, np.ndarray) or (future is None and not self.exog_):
            exog_future = future
        else:
            exog_future = self._future_exog(future, horizon)
        return self._point_forecasts(horizon, exog_future)

    def _point_forecasts(self, horizon: int, exog_future: np.ndarray | None) -> np.ndarray:
        mean = self._forecast_all(self.arrays_, self.chunks_, self.states_, horizon,
                                  exog_future)
        return self._repair(mean, horizon)

    def _repair(self, mean: np.ndarray, horizon: int) -> np.ndarray:
        """Replace non-finite forecasts by the naive fallback; warn for series fit did not name.

        Series whose forecasts were non-finite over the fit-time probe horizon
        already carry a ``fallback_reason_``; others (a longer horizon
        overflowing, say) are named in a :class:`DataQualityWarning`. The
        fitted state is never changed.
        """
        bad = ~np.isfinite(mean).all(axis=1)
        if not bad.any():
            return mean
        arrays = self.arrays_
        fallback = _Fallback.forecast(arrays.values, arrays.n_obs, horizon)
        unnamed = np.flatnonzero(bad & (self.fallback_reason_ == None))  # noqa: E711
        if unnamed.size:
            examples = arrays.ids.iloc[unnamed[:3]].astype(str).to_dict("records")
            warn(f"{self._model_name} gave non-finite forecasts over {horizon} periods for "
                 f"{unnamed.size} series, e.g. {examples}; naive forecasts used for them",
                 stacklevel=4)
        return np.where(bad[:, None], fallback, mean)

    # ---- intervals -------------------------------------------------------------------
    def _conformal(self, horizon: int,
                   levels: list[float]) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        """Per-horizon conformal quantiles (see :mod:`talentgap.models._conformal`), cached."""
        errors, scale, _ = self._calibration(horizon)
        if self.n_windows == 0 or not np.isfinite(errors).any():
            raise ParameterError(
                f"prediction intervals need rolling-origin errors: n_windows == "
                f"{self.n_windows} and the series are too short for any {horizon}-step "
                "backtest; use n_windows >= 1 and longer series, or predict without level")
        return conformal_quantiles(errors, scale, levels)

    def _calibration(self, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Backtest errors, their scales and each series' difficulty factor, cached."""
        def calibration():
            errors = self.cv_errors(horizon)
            # each origin's errors scaled without the periods it forecast (no look-ahead),
            # times the series' difficulty estimated on the other origins (step 7)
            scale = calibration_scales(errors, self.arrays_.values, self.season_length_)
            per_origin, overall = difficulty_factors(errors, scale)
            return errors, scale * per_origin, overall

        return self._memo(("calibration", horizon), calibration)

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
            warn(f"no series is long enough to calibrate intervals for series of "
                 f"{uncalibrated} observations; they use the errors pooled over all series, "
                 "which are likely too narrow for them", DataQualityWarning, stacklevel=5)
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
        (:func:`~talentgap.models._conformal.series_scale`), as for a series
        that has only ``k``.

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
                                          horizon, int(self.n_windows))
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
            scale = series_scale(window.values, self.season_length_)
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
        forecasts = self.cv_forecasts(horizon)
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
        out = np.full((arrays.n_series, int(self.n_windows), horizon), np.nan)
        for rows, result in zip(chunks, results, strict=True):
            out[rows] = result
        return out

    def _backtest_chunk(self, part: SeriesArrays, m: int, horizon: int) -> np.ndarray:
        """Refit a chunk at every rolling origin and forecast ``horizon`` steps from each."""
        out = np.full((part.n_series, int(self.n_windows), horizon), np.nan)
        for k in range(int(self.n_windows)):
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

    # ---- exogenous regressors ----------------------------------------------------------
    def _future_exog(self, future: pd.DataFrame | None, horizon: int) -> np.ndarray | None:
        if not self.exog_:
            return None
        if future is None:
            raise ParameterError(f"this model was fitted with exog={self.exog_}; pass "
                                 "future= with their values for every forecast period")
        arrays = self.arrays_
        needed = forecast_frame(arrays.ids, arrays.last_period, arrays.freq,
                                np.zeros((arrays.n_series, horizon)), time=self.time_)
        missing_cols = [c for c in [*self.keys_, self.time_, *self.exog_] if c not in future]
        if missing_cols:
            raise SchemaError(f"future is missing columns {missing_cols}",
                              column=missing_cols[0], reason="missing_column")
        future = future.copy()
        future[self.time_] = pd.PeriodIndex(future[self.time_], freq=arrays.freq)
        merged = needed.merge(future[[*self.keys_, self.time_, *self.exog_]],
                              on=[*self.keys_, self.time_], how="left")
        gaps = merged[self.exog_].isna().any(axis=1)
        if gaps.any():
            rows = merged.loc[gaps, [*self.keys_, self.time_]].head(5).astype(str)
            raise SchemaError(
                f"future lacks values of {self.exog_} for {int(gaps.sum())} series-periods, "
                f"e.g. {rows.to_dict('records')}", column=self.exog_[0], reason="missing_value")
        return merged[self.exog_].to_numpy(dtype=np.float64).reshape(
            arrays.n_series, horizon, len(self.exog_))

    # ---- summary -------------------------------------------------------------------------
    def _summary(self) -> pd.DataFrame:
        arrays = self.arrays_
        summary = arrays.ids.copy()
        summary["model"] = np.where(self.fallback_reason_ == None,  # noqa: E711
                                    self._model_name, "Naive")
        summary["n_obs"] = arrays.n_obs
        summary["n_interpolated"] = arrays.n_interpolated
        details = []
        for rows, chunk in zip(self.chunks_, self.states_, strict=True):
            described = (self._describe(chunk["state"])
                         if chunk["state"] is not None and chunk["usable"].size else None)
            if described is not None:
                described.index = rows[chunk["usable"]]
                details.append(described)
        if details:
            detail = pd.concat(details).reindex(range(arrays.n_series))
            for column in detail.columns:
                summary[column] = detail[column].to_numpy()
        summary["fallback_reason"] = pd.Series(self.fallback_reason_, dtype=object)
        return summary


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
