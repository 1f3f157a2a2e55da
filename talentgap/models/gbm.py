"""A global gradient-boosted forecaster pooled across all series.

One :class:`~sklearn.ensemble.HistGradientBoostingRegressor` is trained on
windows cut from *every* series at once, so short series borrow dynamics and
seasonal shape from the rest of the panel (the "global model" approach of
Montero-Manso & Hyndman 2021, *Int. J. Forecasting* 37(4), and of the M5
winners). Each training row is one (series, origin, step):

* **features** -- the values at ``lags`` before the origin divided by a
  per-series-per-origin scale (mean absolute value of the last ``max(lags)``
  values), the step ``h``, the season position of the target period
  (calendar phase ``period ordinal mod m``, categorical; omitted when
  ``m = 1``) and, if the model is fitted with ``exog``, the regressors at the
  target period (raw values);
* **target** -- ``y[t + h] / scale``.

This is the *direct* strategy with the step as a feature: one model for steps
``1 .. max_horizon``. Longer horizons are forecast *iterated-direct*: the
first ``max_horizon`` forecasts are appended to the series and the model is
applied again from that new origin, block by block.

Trees cannot extrapolate: a regressor value beyond the range seen in
training is treated as the nearest value seen, so a regressor that steps
outside its history (a policy shock, a new record) moves the forecast only
as far as the largest value it was trained on. On simulated series with
``y = 5 x + noise`` and ``x`` shifted 3 standard deviations up in the
forecast periods, the forecasts missed by 2.9 on average (noise 1) and 80%
intervals covered 66%. :meth:`GlobalBoosting.predict` warns when a
regressor leaves its training range; use :class:`~talentgap.models.SARIMAX`
(linear in the regressors) for such shifts.

Because the model pools all series it is fitted once on the whole panel,
never per chunk: results do not depend on ``n_jobs`` or the chunk size (the
regressor uses its own OpenMP threads).
"""

from __future__ import annotations

import logging
import warnings
from numbers import Real

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from talentgap._arguments import check_count, check_counts, is_integer, random_generator
from talentgap._registry import register
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.models.base import BaseForecaster

__all__ = ["GlobalBoosting", "SINGLE_THREAD_ROWS"]

logger = logging.getLogger(__name__)

_LOSSES = ("absolute_error", "squared_error")
#: HistGradientBoostingRegressor takes categories 0 .. 254 (max_bins - 1).
_MAX_CATEGORIES = 255

#: Training sets smaller than this are fitted (and forecast) on one OpenMP thread:
#: there, thread synchronisation costs more than it saves, and on a busy machine
#: busy-waiting threads made a 0.1 s fit take 10 s. Larger sets use the regressor's
#: default threads. The thread count never changes the result.
SINGLE_THREAD_ROWS = 50_000


def _threads(n_rows: int):
    return threadpool_limits(limits=1 if n_rows < SINGLE_THREAD_ROWS else None,
                             user_api="openmp")


def _origin_scale(window_mean: np.ndarray, history_mean: np.ndarray) -> np.ndarray:
    """Scale of each origin: window mean |y|, else mean |y| so far, else 1 (always > 0)."""
    scale = np.where(window_mean > 0, window_mean, history_mean)
    return np.where((scale > 0) & np.isfinite(scale), scale, 1.0)


@register("GlobalBoosting", config_name="boosting")
class GlobalBoosting(BaseForecaster):
    """Gradient-boosted trees fitted on scale-normalised windows of all series.

    Parameters
    ----------
    season_length : int, optional
        Season length ``m``; default from the period frequency (4 quarterly,
        12 monthly, 1 annual).
    lags : sequence of int, optional
        Lags (>= 1) used as features; default ``1 .. max(2*m, 4)``. A series
        needs ``max(lags) + 1`` observations to enter the model; shorter
        series get the naive fallback (see ``fitted_summary_``).
    max_horizon : int, optional
        Largest step trained directly; default ``max(2*m, 8)``. Longer
        horizons are forecast block by block from the model's own forecasts.
    max_iter : int, default 200
        Boosting iterations (no early stopping, so the fit is fully
        determined by the data and ``random_state``).
    learning_rate : float, default 0.05
    max_leaf_nodes : int, default 31
    min_samples_leaf : int, default 20
        Passed to :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.
    loss : {"absolute_error", "squared_error"}, default "absolute_error"
        Loss on the scaled target: the median (robust to outliers in count
        data) or the mean.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default 0
        Seed of the regressor (used only when it subsamples rows for binning).
        An integer is passed on unchanged; a Generator or RandomState gives an
        integer seed drawn from a copy of it (it is not advanced, so refitting
        with the same object gives the same model).
    nonnegative : bool, optional
        Keep forecasts and bounds >= 0; default: True for count data.
    n_windows : int, default 5
        Rolling origins for the conformal prediction intervals (each one
        refits the global model).
    n_jobs : int, default 1
        Kept for the shared contract; the global model is fitted once, in
        the calling process, so this does not change the result. The
        regressor uses its default OpenMP threads for training sets of
        :data:`SINGLE_THREAD_ROWS` rows or more, one thread below.

    Attributes
    ----------
    fitted_summary_ : pandas.DataFrame
        Per series: ``model``, ``n_obs``, ``n_train_windows`` (origins the
        series contributed), ``n_train_rows`` (origin x step rows) and
        ``fallback_reason``.

    Notes
    -----
    Regressors (``exog``) enter the trees as raw values, and trees are flat
    beyond the values they were trained on: a future regressor outside its
    training range is forecast as if it sat at the range's edge (see the
    module notes). ``predict`` then warns with a
    :class:`~talentgap.errors.DataQualityWarning` naming the column and how
    far outside the range it goes.

    The training table is built with :func:`numpy.lib.stride_tricks.sliding_window_view`
    over the right-aligned series array, without a loop over series. It
    holds ``n_series x n_origins x max_horizon`` rows, so a panel of 30,000
    series x 40 quarters is about 7 million rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> season = np.tile([1.0, 1.4, 0.8, 1.1], 6)
    >>> df = pd.DataFrame({
    ...     "id": np.repeat(["a", "b", "c"], 24),
    ...     "period": np.tile(pd.period_range("2018Q1", periods=24, freq="Q"), 3),
    ...     "value": np.concatenate([level * season * rng.lognormal(0, 0.05, 24)
    ...                              for level in (10.0, 100.0, 1000.0)])})
    >>> fc = GlobalBoosting(max_iter=20, min_samples_leaf=5).fit(df, keys=["id"])
    >>> out = fc.predict(4)
    >>> out.shape, out.columns.tolist()
    ((12, 3), ['id', 'period', 'mean'])
    >>> fc.fitted_summary_["n_train_windows"].tolist()
    [16, 16, 16]
    """

    _supports_exog = True

    def __init__(self, *, season_length: int | None = None, lags=None,
                 max_horizon: int | None = None, max_iter: int = 200,
                 learning_rate: float = 0.05, max_leaf_nodes: int = 31,
                 min_samples_leaf: int = 20, loss: str = "absolute_error",
                 random_state: int | None = 0, nonnegative: bool | None = None,
                 n_windows: int = 5, n_jobs: int | None = 1) -> None:
        self.season_length = season_length
        self.lags = lags
        self.max_horizon = max_horizon
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.loss = loss
        self.random_state = random_state
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs

    # ---- parameters ------------------------------------------------------------------
    def _check_params(self) -> None:
        if self.lags is not None:
            check_counts(self.lags, "lags")
        if self.max_horizon is not None:
            check_count(self.max_horizon, "max_horizon")
        for name, minimum in (("max_iter", 1), ("max_leaf_nodes", 2), ("min_samples_leaf", 1)):
            check_count(getattr(self, name), name, minimum=minimum)
        rate = self.learning_rate
        if not isinstance(rate, Real) or isinstance(rate, bool) or not (0 < rate <= 1):
            raise ParameterError(f"learning_rate == {rate!r}, must be in (0, 1]")
        if self.loss not in _LOSSES:
            raise ParameterError(f"loss == {self.loss!r}, must be one of {list(_LOSSES)}")
        random_generator(self.random_state)  # raises ParameterError for anything else

    def _regressor_seed(self):
        """``random_state`` as scikit-learn takes it: an int or None passed on unchanged."""
        seed = self._fit_param("random_state")
        if seed is None or is_integer(seed):
            return seed
        return int(random_generator(seed).integers(2**31 - 1))

    def _lags(self, m: int) -> np.ndarray:
        lags = self._fit_param("lags")  # also read after fit, by min_observations()
        if lags is None:
            return np.arange(1, max(2 * m, 4) + 1)
        lags = [lags] if np.isscalar(lags) else list(lags)
        return np.array(sorted({int(lag) for lag in lags}))

    def _train_horizon(self, m: int) -> int:
        horizon = self._fit_param("max_horizon")
        return int(horizon) if horizon is not None else max(2 * m, 8)

    def _min_obs(self, season_length: int) -> int:
        return int(self._lags(season_length).max()) + 1

    # ---- pooling: one chunk, and the calendar for the season feature -------------------
    @staticmethod
    def _chunks(n_series: int) -> list[np.ndarray]:
        # A global model must see every series at once: never split the panel.
        return [np.arange(n_series)]

    def _fit_chunk(self, arrays, m):
        # The base class hands _fit_arrays values only; the season feature needs each
        # series' last period, so pass it alongside for the series the base will fit.
        self._last_period = arrays.last_period[arrays.n_obs >= self._min_obs(m)]
        try:
            return super()._fit_chunk(arrays, m)
        finally:
            del self._last_period

    # ---- model -------------------------------------------------------------------------
    def _fit_arrays(self, values, n_obs, season_length, exog):
        m = season_length
        lags = self._lags(m)
        width, horizon = int(lags.max()), self._train_horizon(m)
        n_series, n_periods = values.shape
        last_period = getattr(self, "_last_period", None)
        if last_period is None or len(last_period) != n_series:
            logger.debug("no period information; season positions counted from the end")
            last_period = np.zeros(n_series, dtype=np.int64)

        # windows[s, o] = width history values then `horizon` targets; origin o ends at
        # column o + width - 1. Right padding gives origins near the end their early steps.
        padded = np.concatenate([values, np.full((n_series, horizon), np.nan)], axis=1)
        windows = sliding_window_view(padded, width + horizon, axis=1)
        origin_col = np.arange(windows.shape[1]) + width - 1
        complete = (origin_col[None, :] - width + 1) >= (n_periods - n_obs)[:, None]
        target_ok = complete[:, :, None] & np.isfinite(windows[:, :, width:])
        series, origin, step0 = np.nonzero(target_ok)

        # Scale of each row's origin: mean |y| over its history window, else over all of the
        # series up to the origin (running sums; the padding counts as nothing).
        o_col = origin_col[origin]
        window_mean = np.abs(windows[series, origin, :width]).mean(axis=1)
        finite = np.isfinite(values)
        running = np.cumsum(np.where(finite, np.abs(values), 0.0), axis=1)
        so_far = running / np.maximum(np.cumsum(finite, axis=1), 1)
        scale = _origin_scale(window_mean, so_far[series, o_col])

        lag_pos = width - lags
        lagged = windows[series[:, None], origin[:, None], lag_pos[None, :]] / scale[:, None]
        step = step0 + 1
        target_col = o_col + step
        target = windows[series, origin, width + step0] / scale
        phase = (last_period[series] - (n_periods - 1 - target_col)) % m
        x_exog = None if exog is None else exog[series, target_col, :]
        features, categorical = self._design(lagged, step, phase, x_exog, m)

        model = HistGradientBoostingRegressor(
            loss=self.loss, learning_rate=self.learning_rate, max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=self.min_samples_leaf,
            early_stopping=False, categorical_features=categorical,
            random_state=self._regressor_seed())
        with _threads(target.size):
            model.fit(features, target)
        logger.debug("GlobalBoosting trained on %d rows from %d series", target.size, n_series)
        return {
            "model": model, "lags": lags, "width": width, "horizon": horizon, "m": m,
            "tail": values[:, -width:].copy(), "so_far": so_far[:, -1].copy(),
            "last_period": np.asarray(last_period).copy(),
            "n_train_windows": target_ok[:, :, 0].sum(axis=1),
            "n_train_rows": np.bincount(series, minlength=n_series),
        }

    @staticmethod
    def _design(lagged, step, phase, x_exog, m):
        """Feature matrix ``[lags..., step, phase (if m > 1), exog...]`` and categorical mask."""
        columns = [lagged, step[:, None].astype(np.float64)]
        categorical = None
        if m > 1:
            columns.append(phase[:, None].astype(np.float64))
            if m <= _MAX_CATEGORIES:
                categorical = np.zeros(lagged.shape[1] + 2, dtype=bool)
                categorical[-1] = True
        if x_exog is not None:
            columns.append(x_exog)
            if categorical is not None:
                categorical = np.concatenate([categorical, np.zeros(x_exog.shape[1], bool)])
        return np.concatenate(columns, axis=1), categorical

    def _forecast_arrays(self, state, horizon, exog_future):
        model, m, width = state["model"], state["m"], state["width"]
        lag_pos = width - state["lags"]
        tail = state["tail"]
        n_series = tail.shape[0]
        out = np.empty((n_series, horizon))
        done = 0
        while done < horizon:  # one block per max_horizon steps, vectorised over series
            block = min(state["horizon"], horizon - done)
            scale = _origin_scale(np.abs(tail).mean(axis=1), state["so_far"])
            series = np.repeat(np.arange(n_series), block)
            step = np.tile(np.arange(1, block + 1), n_series)
            lagged = tail[series[:, None], lag_pos[None, :]] / scale[series, None]
            phase = (state["last_period"][series] + done + step) % m
            x_exog = (None if exog_future is None
                      else exog_future[series, done + step - 1, :])
            features, _ = self._design(lagged, step, phase, x_exog, m)
            with _threads(len(features)):
                forecast = model.predict(features)
            forecast = forecast.reshape(n_series, block) * scale[:, None]
            out[:, done:done + block] = forecast
            tail = np.concatenate([tail, forecast], axis=1)[:, -width:]
            done += block
        return out

    # ---- regressors outside their training range ------------------------------------------
    def _future_exog(self, future, horizon):
        exog_future = super()._future_exog(future, horizon)
        if exog_future is not None:
            self._warn_outside_range(exog_future)
        return exog_future

    def _warn_outside_range(self, exog_future: np.ndarray) -> None:
        """Warn, per regressor, when future values leave the range seen in training."""
        history = self.arrays_.exog
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column
            low = np.nanmin(history, axis=(0, 1))
            high = np.nanmax(history, axis=(0, 1))
        for j, name in enumerate(self.exog_):  # a handful of regressors
            values = exog_future[:, :, j]
            below, above = values < low[j], values > high[j]
            count = int(below.sum() + above.sum())
            if count == 0:
                continue
            beyond = max(float(np.max(values - high[j], initial=0.0)),
                         float(np.max(low[j] - values, initial=0.0)))
            warn(f"GlobalBoosting: future values of exog column {name!r} lie outside its "
                 f"training range [{low[j]:.6g}, {high[j]:.6g}] for {count} of "
                 f"{values.size} series-periods, up to {beyond:.6g} beyond it; trees "
                 "cannot extrapolate and forecast them as at the range's edge (use SARIMAX "
                 "for regressors that leave their history)", DataQualityWarning,
                 stacklevel=4)

    def _describe(self, state):
        return pd.DataFrame({"n_train_windows": state["n_train_windows"],
                             "n_train_rows": state["n_train_rows"]})
