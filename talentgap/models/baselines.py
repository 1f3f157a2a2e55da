"""Benchmark forecasters: naive, seasonal naive, drift and mean.

Simple methods every forecast should be compared with (Hyndman &
Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.2). All
work on every series at once; intervals come from the shared conformal
machinery of :class:`~talentgap.models.base.BaseForecaster`. Each gives its
in-sample one-step forecasts with ``fitted_values()``.

For intermittent counts (mostly zeros) see :mod:`talentgap.models.intermittent`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._registry import register
from talentgap.models._in_sample import naive_fitted
from talentgap.models.base import BaseForecaster

__all__ = ["Naive", "SeasonalNaive", "Drift", "Mean"]


def _first_values(values: np.ndarray, n_obs: np.ndarray) -> np.ndarray:
    return values[np.arange(values.shape[0]), values.shape[1] - n_obs]


class _Baseline(BaseForecaster):
    _horizon_free_prefix = True  # each forecast step is a function of the fit only
    _has_fitted_values = True  # see fitted_values()

    def __init__(self, *, season_length: int | None = None, nonnegative: bool | None = None,
                 n_windows: int = 5, n_jobs: int | None = 1) -> None:
        self.season_length = season_length
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs


@register("Naive", config_name="naive")
class Naive(_Baseline):
    """Every forecast equals the last observation.

    Parameters
    ----------
    season_length : int, optional
        Used only for interval scaling; default from the period frequency.
    nonnegative : bool, optional
        Keep forecasts and bounds >= 0; default: True for count data.
    n_windows : int, default 5
        Rolling origins for the conformal prediction intervals.
    n_jobs : int, default 1
        Worker processes over chunks of 500 series; worth it only for tens of
        thousands of series on idle cores (small work stays in this process,
        see :class:`~talentgap.models.base.BaseForecaster`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=4, freq="Y"),
    ...                    "value": [3.0, 5.0, 4.0, 6.0]})
    >>> Naive().fit(df, keys=["id"]).predict(2)[["period", "mean"]]
      period  mean
    0   2024   6.0
    1   2025   6.0
    """

    def _fit_arrays(self, values, n_obs, season_length, exog):
        return {"last": values[:, -1].copy()}

    def _forecast_arrays(self, state, horizon, exog_future):
        return np.repeat(state["last"][:, None], horizon, axis=1)

    def _fitted_arrays(self, state, values, n_obs):
        return naive_fitted(values)


@register("SeasonalNaive", config_name="seasonal_naive")
class SeasonalNaive(_Baseline):
    """Each forecast equals the observation one season earlier.

    Series shorter than one season get the naive forecast (recorded in
    ``fitted_summary_``). Parameters as in :class:`Naive`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2023Q1", periods=8, freq="Q"),
    ...                    "value": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    >>> SeasonalNaive().fit(df, keys=["id"]).predict(5)["mean"].tolist()
    [5.0, 6.0, 7.0, 8.0, 5.0]
    """

    def _min_obs(self, season_length):
        return season_length

    def _fit_arrays(self, values, n_obs, season_length, exog):
        return {"season": values[:, -season_length:].copy()}

    def _forecast_arrays(self, state, horizon, exog_future):
        m = state["season"].shape[1]
        return state["season"][:, np.arange(horizon) % m]

    def _fitted_arrays(self, state, values, n_obs):
        return naive_fitted(values, state["season"].shape[1])


@register("Drift", config_name="drift")
class Drift(_Baseline):
    """The last observation plus the average change so far, per step.

    ``y_T + h * (y_T - y_1) / (T - 1)``. Parameters as in :class:`Naive`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=3, freq="Y"),
    ...                    "value": [1.0, 2.0, 5.0]})
    >>> Drift().fit(df, keys=["id"]).predict(2)["mean"].tolist()
    [7.0, 9.0]
    """

    def _min_obs(self, season_length):
        return 2

    def _fit_arrays(self, values, n_obs, season_length, exog):
        last = values[:, -1]
        slope = (last - _first_values(values, n_obs)) / (n_obs - 1)
        return {"last": last.copy(), "slope": slope}

    def _forecast_arrays(self, state, horizon, exog_future):
        steps = np.arange(1, horizon + 1)
        return state["last"][:, None] + state["slope"][:, None] * steps[None, :]

    def _fitted_arrays(self, state, values, n_obs):
        return naive_fitted(values) + state["slope"][:, None]

    def _describe(self, state):
        return pd.DataFrame({"slope": state["slope"]})


@register("Mean", config_name="mean")
class Mean(_Baseline):
    """Every forecast equals the mean of the series. Parameters as in :class:`Naive`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=3, freq="Y"),
    ...                    "value": [1.0, 2.0, 6.0]})
    >>> Mean().fit(df, keys=["id"]).predict(1)["mean"].tolist()
    [3.0]
    """

    def _fit_arrays(self, values, n_obs, season_length, exog):
        return {"mean": np.nanmean(values, axis=1)}

    def _forecast_arrays(self, state, horizon, exog_future):
        return np.repeat(state["mean"][:, None], horizon, axis=1)

    def _fitted_arrays(self, state, values, n_obs):
        return np.where(np.isnan(values), np.nan, state["mean"][:, None])
