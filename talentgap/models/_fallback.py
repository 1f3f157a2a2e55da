"""The naive forecasts that stand in for a model on series it cannot handle.

:class:`_Fallback` gives the last value (the mean for series of fewer than three
observations), for every series at once; the forecasters use it for series too
short for the model, for non-finite forecasts, and at backtest origins.
"""

from __future__ import annotations

import numpy as np

from talentgap._numeric import nanmean

__all__: list[str] = []


class _Fallback:
    """Naive forecasts (last value; the mean for very short series) for series a model skips."""

    @staticmethod
    def forecast(values: np.ndarray, n_obs: np.ndarray, horizon: int) -> np.ndarray:
        last = values[:, -1]
        mean = nanmean(values, axis=1)
        point = np.where(n_obs >= 3, last, mean)
        return np.repeat(point[:, None], horizon, axis=1)
