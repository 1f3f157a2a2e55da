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
    Observations a series needs for this model (public, once fitted, as
    ``min_observations()``).
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

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from talentgap._arguments import (
    check_count,
    check_horizon,
    check_levels,
    is_integer,
    resolve_season_length,
)
from talentgap.errors import (
    NotFittedError,
    ParameterError,
    SchemaError,
    warn,
)
from talentgap.models._conformal import interval_bounds
from talentgap.models._fallback import _Fallback
from talentgap.models._fit_params import FitParamsMixin
from talentgap.models._in_sample import _InSampleMixin
from talentgap.models._intervals import _IntervalsMixin, _nest, backtest_actuals
from talentgap.models._outliers import warn_outlying_values
from talentgap.models._parallel import CHEAP_TASK_SECONDS as CHEAP_TASK_SECONDS
from talentgap.models._parallel import run_chunks
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
# CHEAP_TASK_SECONDS (imported above, so still importable from here) is read, and so
# patched, in talentgap.models._parallel.


class BaseForecaster(FitParamsMixin, _IntervalsMixin, _InSampleMixin, SaveMixin, BaseEstimator):
    """Base class of the forecasters; not used directly.

    Subclasses define ``__init__`` with their parameters (stored unchanged,
    as in scikit-learn) and must include ``season_length``, ``nonnegative``,
    ``n_windows`` and ``n_jobs``.

    A parameter changed after ``fit`` (``set_params`` or assignment) takes effect at the
    next ``fit``: until then every method, intervals included, uses the parameters the fit
    recorded in ``params_`` (``n_jobs`` aside, which changes no number).

    ``n_jobs`` runs chunks of 500 series in worker processes; it pays only on
    large tables (tens of thousands of series) on idle cores: starting the
    workers takes seconds, and work estimated at under ``CHEAP_TASK_SECONDS``
    stays in this process whatever ``n_jobs`` says (the methods page, *When
    n_jobs pays*, has the measurements).

    Examples
    --------
    A forecaster of the mean of each series' last two values: it fits and
    forecasts all series at once as 2-D arrays (series x periods); the long
    table, chunking and intervals come from this class.

    >>> import pandas as pd
    >>> class LastTwo(BaseForecaster):
    ...     def __init__(self, *, season_length=None, nonnegative=None, n_windows=2,
    ...                  n_jobs=1):
    ...         self.season_length, self.nonnegative = season_length, nonnegative
    ...         self.n_windows, self.n_jobs = n_windows, n_jobs
    ...     def _min_obs(self, season_length):
    ...         return 2
    ...     def _fit_arrays(self, values, n_obs, season_length, exog):
    ...         return {"level": values[:, -2:].mean(axis=1)}
    ...     def _forecast_arrays(self, state, horizon, exog_future):
    ...         return np.repeat(state["level"][:, None], horizon, axis=1)
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=6, freq="Y"),
    ...                    "value": [3.0, 5.0, 4.0, 6.0, 5.0, 7.0]})
    >>> LastTwo().fit(df, keys=["id"]).predict(2)[["id", "period", "mean"]]
      id period  mean
    0  a   2026   6.0
    1  a   2027   6.0
    """

    #: Whether the model uses exogenous regressors (``fit(..., exog=[...])``).
    _supports_exog = False
    #: Attributes that only cache values derived from the fitted state: never saved, so
    #: an artifact's bytes do not depend on the calls made between ``fit`` and ``save``.
    _transient_attributes = ("_memo_cache",)
    #: Attributes set before the fit that parallel tasks need (see ``_worker``).
    _worker_attributes: tuple[str, ...] = ("backtest_horizon_",)
    #: Whether the first ``h`` steps of a forecast do not depend on the horizon asked (a
    #: recursion per series, say): a shorter backtest from an origin is then the start of
    #: a longer one from the same origin, which AutoForecaster reuses. A subclass that
    #: breaks this for its parent sets it back to False.
    _horizon_free_prefix = False

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
        self.fit_arrays(arrays, target=target, time=time, keys=keys)
        warn_outlying_values(arrays, self.season_length_, target)  # likely data errors
        return self

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
        self._record_params()
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
        """Learned attributes every forecaster has: the data layout and its conventions.

        Set at the start of every fit, which also forgets what was derived from a
        previous fit (:meth:`_memo`).
        """
        self.__dict__.pop("_memo_cache", None)
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
        if self.n_jobs is not None and (not is_integer(self.n_jobs) or self.n_jobs == 0):
            raise ParameterError(f"n_jobs == {self.n_jobs!r}, must be a non-zero integer or None")
        check_count(self.n_windows, "n_windows", minimum=0)
        if self.nonnegative not in (None, True, False):
            raise ParameterError(f"nonnegative == {self.nonnegative!r}, must be None, True "
                                 "or False")

    @staticmethod
    def _chunks(n_series: int) -> list[np.ndarray]:
        return [np.arange(start, min(start + CHUNK_SIZE, n_series))
                for start in range(0, n_series, CHUNK_SIZE)]

    def _worker(self) -> BaseForecaster:
        """A copy with the parameters of the fit only, cheap to send to parallel tasks."""
        worker = self._fit_clone()
        for name in self._worker_attributes:
            setattr(worker, name, getattr(self, name, None))
        return worker

    def _parallel(self, function, argument_list):
        """``function(*arguments)`` for every chunk: here, or in ``n_jobs`` processes.

        Work estimated at under ``CHEAP_TASK_SECONDS`` runs here; see
        :func:`talentgap.models._parallel.run_chunks`.
        """
        return run_chunks(function, argument_list, self.n_jobs)

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

    def min_observations(self) -> int:
        """The fewest observations of a series this fitted model fits (at least 1).

        A shorter series gets the fallback forecast, and a rolling origin of
        the interval backtests counts for a series only when the history
        before it is this long. The number may depend on the fitted season
        length, hence the fit first.

        Returns
        -------
        int

        Raises
        ------
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import talentgap as tg
        >>> data = tg.datasets.make_synthetic(n_regions=1, industries=2, n_periods=12, seed=0)
        >>> panel = tg.features.build_panel(data.surveys, data.training)
        >>> fit = dict(target="demand", keys=["region", "industry"])
        >>> tg.models.Naive().fit(panel, **fit).min_observations()
        1
        >>> tg.models.SeasonalNaive().fit(panel, **fit).min_observations()  # a year of quarters
        4
        """
        self._check_fitted("min_observations")
        return max(int(self._min_obs(self.season_length_)), 1)

    def predict(self, horizon: int, *, level: Sequence[float] | None = None,
                future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast every series ``horizon`` periods past its last observation.

        Parameters
        ----------
        horizon : int
            Number of periods ahead (>= 1).
        level : sequence of float, optional
            Prediction-interval coverage levels in percent, e.g. ``[80, 95]``.
            The intervals are calibrated on backtests of ``horizon`` steps, so
            a period's interval (not its ``mean``) can differ between
            forecasts of different horizons.
        future : pandas.DataFrame, optional
            Future values of the exogenous regressors (keys, time and the
            ``exog`` columns) for every series and forecast period; required
            when the model was fitted with ``exog``.

        Returns
        -------
        pandas.DataFrame
            ``<keys...>, <time>, mean`` and, per level, ``lo_<level>``,
            ``hi_<level>``: one row per series and step. ``mean`` is the
            model's point forecast; for ETS forms fitted on the log scale
            (``log-ANN``, ``log-ANA``) it is ``exp(mean of log)``, a median.

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
            scale = self._series_scales(horizon) * self._difficulty(horizon)
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

    # ---- intervals (see ``_IntervalsMixin``) ------------------------------------------
    # The public interval and backtest methods, listed here so that they are documented
    # with the class.
    short_history_factors = _IntervalsMixin.short_history_factors
    short_history_errors = _IntervalsMixin.short_history_errors
    cv_errors = _IntervalsMixin.cv_errors
    cv_forecasts = _IntervalsMixin.cv_forecasts
    # ---- residual tables (see ``_InSampleMixin``) -----------------------------------------
    backtest_residuals = _InSampleMixin.backtest_residuals
    fitted_values = _InSampleMixin.fitted_values

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
