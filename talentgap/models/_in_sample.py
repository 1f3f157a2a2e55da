"""Residual tables of a fitted forecaster: in-sample fitted values and backtest errors.

:class:`_InSampleMixin` holds the part of :class:`~talentgap.models.base.BaseForecaster`
that lays a fitted model's errors out as long tables:

- :meth:`~_InSampleMixin.fitted_values`: the one-step-ahead in-sample
  forecasts (statsforecast's ``forecast_fitted_values()``), for the models whose
  recursion yields them as it runs (the benchmarks, ETS, Theta and their
  combination in :class:`~talentgap.models.AutoForecaster`);
- :meth:`~_InSampleMixin.backtest_residuals`: the rolling-origin errors of
  :meth:`~talentgap.models.base.BaseForecaster.cv_errors` as rows of keys,
  period, step and residual, the layout :func:`~talentgap.models.reconcile`
  takes as ``residuals``.

It relies on the fitted state of ``BaseForecaster`` (``arrays_``, ``chunks_``,
``states_``, ``keys_``, ``time_``, ``target_``, ``nonnegative_``,
``_check_fitted``, ``cv_errors``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._arguments import check_horizon

__all__ = ["STEP_COLUMN", "naive_fitted"]

#: Column of :meth:`~_InSampleMixin.backtest_residuals` holding the step ahead (1 = one
#: period after the origin), the name :func:`talentgap.evaluation.backtest` and
#: :func:`talentgap.models.reconcile` use.
STEP_COLUMN = "horizon_step"


def naive_fitted(values: np.ndarray, lag: int = 1) -> np.ndarray:
    """One-step fitted values of the (seasonal) naive method: ``y_{t-lag}``, NaN before.

    Examples
    --------
    >>> naive_fitted(np.array([[np.nan, 1.0, 3.0, 6.0]])).tolist()
    [[nan, nan, 1.0, 3.0]]
    """
    out = np.full(values.shape, np.nan)
    if values.shape[1] > lag:
        out[:, lag:] = values[:, :-lag]
    return out


class _InSampleMixin:
    """In-sample fitted values and backtest residual tables of a :class:`BaseForecaster`."""

    #: Whether :meth:`_fitted_arrays` is implemented (the one-step fitted values come
    #: cheaply out of the model's recursion).
    _has_fitted_values = False

    def _fitted_arrays(self, state, values: np.ndarray, n_obs: np.ndarray) -> np.ndarray:
        """One-step fitted values of the series ``state`` was fitted to, like ``values``.

        ``values`` (n, n_periods) are those series, right-aligned as at the
        fit; the result has the same shape, NaN where the model gives none.
        """
        raise NotImplementedError

    def _fitted_array(self) -> np.ndarray:
        """One-step fitted values (n_series, n_periods), aligned with ``arrays_.values``.

        Series the model could not fit (the naive fallback forecasts them)
        get the naive method's fitted values, as :meth:`predict` gives them
        its forecasts.
        """
        arrays = self.arrays_
        fitted = np.full(arrays.values.shape, np.nan)
        for rows, chunk in zip(self.chunks_, self.states_, strict=True):
            if chunk["state"] is None or chunk["usable"].size == 0:
                continue
            target = rows[chunk["usable"]]
            fitted[target] = self._fitted_arrays(chunk["state"], arrays.values[target],
                                                 arrays.n_obs[target])
        fallback = ~np.isfinite(fitted).any(axis=1)
        if fallback.any():
            fitted[fallback] = naive_fitted(arrays.values[fallback])
        return fitted

    def fitted_values(self) -> pd.DataFrame:
        """In-sample one-step-ahead forecasts of every observed period, and their residuals.

        The fitted value of period ``t`` is the model's forecast of ``y_t``
        from the observations before ``t`` with the parameters fitted to the
        whole series (statsforecast's ``forecast_fitted_values()``, the
        ``fitted()`` of R's forecast package): ``y_{t-1}`` for
        :class:`~talentgap.models.Naive`, ``y_{t-m}`` for
        :class:`~talentgap.models.SeasonalNaive`, ``y_{t-1}`` plus the slope
        for :class:`~talentgap.models.Drift`, the series mean for
        :class:`~talentgap.models.Mean`, the state-space recursion's one-step
        prediction for :class:`~talentgap.models.ETS` (its median
        ``exp(mean of log)`` for the log forms) and the Theta line's
        one-step forecast, seasonally re-adjusted, for
        :class:`~talentgap.models.Theta`;
        :class:`~talentgap.models.AutoForecaster` combines its candidates'
        with its per-series weights. Series too short for the model get the
        naive method's, as they get its forecasts. With ``nonnegative_`` the
        fitted values are floored at 0, as forecasts are.

        These residuals are in-sample: the parameters saw the whole series,
        so they are smaller than out-of-sample errors. For intervals, model
        choice or reconciliation weights prefer the rolling-origin errors of
        :meth:`backtest_residuals`.

        Returns
        -------
        pandas.DataFrame
            ``<keys...>, <time>, <target>, fitted, residual``: one row per
            observed period of every series (periods interpolated at ``fit``
            are left out); ``fitted`` and ``residual`` (``target - fitted``)
            are NaN where the model has no forecast yet (a series' first
            period, a season for the seasonal naive method).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        NotImplementedError
            For models whose in-sample one-step forecasts would need a refit
            per period (:class:`~talentgap.models.GlobalBoosting`,
            :class:`~talentgap.models.SARIMAX`); use
            :meth:`backtest_residuals` for them.

        Examples
        --------
        >>> import pandas as pd
        >>> import talentgap as tg
        >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=4, freq="Y"),
        ...                    "value": [3.0, 5.0, 4.0, 6.0]})
        >>> tg.models.Naive().fit(df, keys=["id"]).fitted_values()
          id period  value  fitted  residual
        0  a   2020    3.0     NaN       NaN
        1  a   2021    5.0     3.0       2.0
        2  a   2022    4.0     5.0      -1.0
        3  a   2023    6.0     4.0       2.0
        """
        self._check_fitted("fitted_values")
        if not self._has_fitted_values:
            raise NotImplementedError(
                f"{type(self).__name__} has no cheap in-sample one-step forecasts (each "
                "would need a refit); use backtest_residuals(horizon) for its errors, or "
                "fitted_values() of Naive, SeasonalNaive, Drift, Mean, ETS, Theta or "
                "AutoForecaster")
        arrays = self.arrays_
        fitted = self._fitted_array()
        if self.nonnegative_:
            fitted = np.maximum(fitted, 0.0)
        series, column = np.nonzero(arrays.observed)
        width = arrays.values.shape[1]
        out = arrays.ids.iloc[series].reset_index(drop=True)
        out[self.time_] = pd.PeriodIndex.from_ordinals(
            arrays.last_period[series] - (width - 1 - column), freq=arrays.freq)
        out[self.target_] = arrays.values[series, column]
        out["fitted"] = fitted[series, column]
        out["residual"] = out[self.target_] - out["fitted"]
        return out

    def backtest_residuals(self, horizon: int) -> pd.DataFrame:
        """Rolling-origin errors as a long table: the ``residuals`` of :func:`reconcile`.

        The errors of :meth:`cv_errors` (``actual - forecast`` from each of
        the last ``n_windows`` origins, the model refitted at each), one row
        per series, forecast period and step. Pass it to
        :func:`~talentgap.models.reconcile` for ``wls_var`` or
        ``mint_shrink`` when the model was fitted on every node of a
        hierarchy; rows with the same period and step pair the nodes' errors.

        Parameters
        ----------
        horizon : int
            Steps forecast from each origin (>= 1); the horizon of the
            forecasts being reconciled.

        Returns
        -------
        pandas.DataFrame
            ``<keys...>, <time>, horizon_step, residual``: ``<time>`` is the
            period forecast, ``horizon_step`` (1 .. ``horizon``) how far
            after its origin. Origins a series is too short for (and
            periods not observed) have no row. Ordered by series, origin
            (latest first) and step.

        Raises
        ------
        NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import pandas as pd
        >>> import talentgap as tg
        >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=5, freq="Y"),
        ...                    "value": [3.0, 5.0, 4.0, 6.0, 7.0]})
        >>> fc = tg.models.Naive(n_windows=2).fit(df, keys=["id"])
        >>> fc.backtest_residuals(2)   # origins 2022 (forecast 4.0) and 2021 (forecast 5.0)
          id period  horizon_step  residual
        0  a   2023             1       2.0
        1  a   2024             2       3.0
        2  a   2022             1      -1.0
        3  a   2023             2       1.0
        """
        self._check_fitted("backtest_residuals")
        horizon = check_horizon(horizon)
        errors = self.cv_errors(horizon)
        n_series, windows, _ = errors.shape
        arrays = self.arrays_
        step = np.arange(1, horizon + 1)
        # origin k holds out the last horizon + k periods: its step j forecasts the period
        # horizon + k - j before the last one
        before_last = horizon + np.arange(windows)[:, None] - step[None, :]
        series, origin, step0 = np.nonzero(np.isfinite(errors))
        out = arrays.ids.iloc[series].reset_index(drop=True)
        out[self.time_] = pd.PeriodIndex.from_ordinals(
            arrays.last_period[series] - before_last[origin, step0], freq=arrays.freq)
        out[STEP_COLUMN] = step[step0]
        out["residual"] = errors[series, origin, step0]
        return out
