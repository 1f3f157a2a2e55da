"""Forecasters for intermittent counts: Croston (classic and SBA) and TSB.

A cell whose hard-to-fill vacancies are 0 in most periods and a few in
others (a small trade in one county, say) defeats level-and-trend models:
every zero pulls their level down, every count pushes it up, and the
forecast follows the last few periods. The methods here smooth two
quantities instead, so that the forecast is a steady expected count per
period:

- :class:`Croston` (Croston 1972): the size of the non-zero counts and the
  number of periods between them, each by simple exponential smoothing
  updated only in periods with a count; the forecast is size / interval.
  ``variant="sba"`` multiplies it by ``1 - alpha / 2``, the bias correction
  of Syntetos & Boylan (2005): the classic ratio over-forecasts.
- :class:`TSB` (Teunter, Syntetos & Babai 2011): the probability of a count
  in a period, updated every period, and the size of the counts, updated
  when one occurs; the forecast is probability x size. The probability
  decays through a run of zeros, so a cell whose demand has stopped is
  forecast towards 0 (Croston's forecast stays where the last count left
  it).

Both follow statsforecast's ``CrostonClassic``, ``CrostonSBA`` and ``TSB``:
each smoothed quantity starts at its first value (the first count, the
periods up to it, whether the first period had a count), and the forecast
is the same for every step ahead. Recursions run over time steps for all
series at once. Intervals come from the shared conformal machinery of
:class:`~talentgap.models.base.BaseForecaster`, as for the benchmarks.

These models are not among :class:`~talentgap.models.AutoForecaster`'s
default candidates (its published accuracy figures are those of the
defaults). To let it choose them per series, add them to the candidates::

    from talentgap.models.auto import default_candidates
    candidates = {**default_candidates(4), "croston": Croston(variant="sba"), "tsb": TSB()}
    fc = AutoForecaster(season_length=4, candidates=candidates)

References
----------
Croston, J. D. (1972). Forecasting and stock control for intermittent
demands. *Operational Research Quarterly*, 23(3), 289-303.

Syntetos, A. A., & Boylan, J. E. (2005). The accuracy of intermittent
demand estimates. *International Journal of Forecasting*, 21(2), 303-314.

Teunter, R. H., Syntetos, A. A., & Babai, M. Z. (2011). Intermittent demand:
linking forecasting to inventory obsolescence. *European Journal of
Operational Research*, 214(3), 606-615.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from talentgap._registry import register
from talentgap.errors import ParameterError
from talentgap.models.base import BaseForecaster

__all__ = ["Croston", "TSB", "VARIANTS"]

#: Croston variants: the classic ratio, and the Syntetos-Boylan approximation.
VARIANTS = ("classic", "sba")


def _check_smoothing(value, name: str) -> None:
    if not isinstance(value, Real) or isinstance(value, bool) or not (0 < value <= 1):
        raise ParameterError(f"{name} == {value!r}, must be a number in (0, 1], e.g. 0.1")


def _ses_update(level: np.ndarray, value: np.ndarray, alpha: float,
                update: np.ndarray) -> np.ndarray:
    """Where ``update``: SES step of ``level`` towards ``value``, starting at ``value``."""
    started = np.where(np.isnan(level), value, level + alpha * (value - level))
    return np.where(update, started, level)


def _croston_pass(values: np.ndarray, alpha: float):
    """Croston's smoothed size and interval after every period, all series at once.

    Returns the final ``(size, interval)`` (NaN for a series without a count)
    and the one-step ratio ``size / interval`` before each period (0 before
    the first count, as a series without one is forecast; NaN at the first
    period).
    """
    n_series, width = values.shape
    size = np.full(n_series, np.nan)
    interval = np.full(n_series, np.nan)
    since = np.zeros(n_series)  # periods since the series' start or its last count
    ratio = np.full(values.shape, np.nan)
    for t in range(width):  # a loop over time steps, all series at once
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio[:, t] = np.where(np.isnan(size), np.where(since > 0, 0.0, np.nan),
                                   size / interval)
        observed = ~np.isnan(values[:, t])
        since = since + observed
        count = observed & (values[:, t] != 0)
        size = _ses_update(size, values[:, t], alpha, count)
        interval = _ses_update(interval, since, alpha, count)
        since = np.where(count, 0.0, since)
    return size, interval, ratio


def _tsb_pass(values: np.ndarray, alpha_d: float, alpha_p: float):
    """TSB's smoothed size and probability after every period, all series at once.

    Returns the final ``(size, probability)`` and the one-step forecast
    ``probability x size`` before each period (NaN before the first period,
    0 while no count has occurred).
    """
    n_series, width = values.shape
    size = np.full(n_series, np.nan)
    probability = np.full(n_series, np.nan)
    fitted = np.full(values.shape, np.nan)
    for t in range(width):  # a loop over time steps, all series at once
        fitted[:, t] = probability * np.where(np.isnan(size), 0.0, size)
        observed = ~np.isnan(values[:, t])
        count = observed & (values[:, t] != 0)
        probability = _ses_update(probability, count.astype(np.float64), alpha_p, observed)
        size = _ses_update(size, values[:, t], alpha_d, count)
    return size, probability, fitted


class _Intermittent(BaseForecaster):
    _horizon_free_prefix = True  # one flat forecast, a function of the fit only
    _has_fitted_values = True  # the recursion's one-step forecasts: see fitted_values()

    def _forecast_arrays(self, state, horizon, exog_future):
        return np.repeat(state["forecast"][:, None], horizon, axis=1)

    def _describe(self, state):
        return pd.DataFrame({k: v for k, v in state.items() if k != "forecast"})


@register("Croston", config_name="croston")
class Croston(_Intermittent):
    """Croston's method for intermittent counts, classic or with the SBA correction.

    The non-zero counts ``z`` and the periods ``q`` between them (the first
    ``q``: the periods up to the first count, counted from the series'
    first one) are each smoothed by simple exponential smoothing with
    ``alpha``, updated only in periods with a count and started at their
    first value; every step is forecast as ``z / q``, times ``1 - alpha / 2``
    for ``variant="sba"``. A series without any count is forecast 0. See
    :mod:`talentgap.models.intermittent`, which also shows how to add it to
    :class:`~talentgap.models.AutoForecaster`'s candidates.

    Parameters
    ----------
    variant : {"classic", "sba"}, default "classic"
        ``"sba"``: the Syntetos-Boylan approximation (less biased).
    alpha : float, default 0.1
        Smoothing of the sizes and intervals, in (0, 1].
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

    Attributes
    ----------
    fitted_summary_ : pandas.DataFrame
        Per series, besides the keys: ``size`` and ``interval`` (the final
        smoothed values; NaN without a count) and ``fallback_reason``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2022Q1", periods=8, freq="Q"),
    ...                    "value": [0, 3, 0, 0, 2, 0, 0, 0]})
    >>> fc = Croston(alpha=0.5).fit(df, keys=["id"])
    >>> fc.fitted_summary_[["size", "interval"]]   # z: 3, then 2.5; q: 2, then 2.5
       size  interval
    0   2.5       2.5
    >>> fc.predict(2)["mean"].tolist()
    [1.0, 1.0]
    >>> Croston(alpha=0.5, variant="sba").fit(df, keys=["id"]).predict(1)["mean"].tolist()
    [0.75]
    """

    def __init__(self, *, variant: str = "classic", alpha: float = 0.1,
                 season_length: int | None = None, nonnegative: bool | None = None,
                 n_windows: int = 5, n_jobs: int | None = 1) -> None:
        self.variant = variant
        self.alpha = alpha
        self.season_length = season_length
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        if self.variant not in VARIANTS:
            raise ParameterError(f"variant == {self.variant!r}, must be one of {list(VARIANTS)}")
        _check_smoothing(self.alpha, "alpha")

    def _factor(self) -> float:
        alpha = float(self._fit_param("alpha"))
        return 1.0 - alpha / 2.0 if self._fit_param("variant") == "sba" else 1.0

    def _fit_arrays(self, values, n_obs, season_length, exog):
        size, interval, _ = _croston_pass(values, float(self._fit_param("alpha")))
        with np.errstate(invalid="ignore", divide="ignore"):
            forecast = np.where(np.isnan(size), 0.0, self._factor() * size / interval)
        return {"forecast": forecast, "size": size, "interval": interval}

    def _fitted_arrays(self, state, values, n_obs):
        return self._factor() * _croston_pass(values, float(self._fit_param("alpha")))[2]


@register("TSB", config_name="tsb")
class TSB(_Intermittent):
    """Teunter-Syntetos-Babai method: probability of a count times its size.

    The probability ``p`` of a count is smoothed every period with
    ``alpha_p`` (from 1 or 0, the first period's), the size ``z`` of the
    non-zero counts only in periods with one, with ``alpha_d`` (from the
    first count); every step is forecast as ``p * z`` (0 before the first
    count). A run of zeros lowers ``p``, so a cell whose counts have stopped
    is forecast towards 0. See :mod:`talentgap.models.intermittent`, which
    also shows how to add it to :class:`~talentgap.models.AutoForecaster`'s
    candidates.

    Parameters
    ----------
    alpha_d : float, default 0.1
        Smoothing of the sizes of the counts, in (0, 1].
    alpha_p : float, default 0.1
        Smoothing of the probability of a count, in (0, 1].
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

    Attributes
    ----------
    fitted_summary_ : pandas.DataFrame
        Per series, besides the keys: ``size`` and ``probability`` (the
        final smoothed values; ``size`` NaN without a count) and
        ``fallback_reason``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2022Q1", periods=4, freq="Q"),
    ...                    "value": [0, 4, 0, 0]})
    >>> fc = TSB(alpha_d=0.5, alpha_p=0.5).fit(df, keys=["id"])
    >>> fc.fitted_summary_[["size", "probability"]]   # p: 0, 0.5, 0.25, 0.125
       size  probability
    0   4.0        0.125
    >>> fc.predict(1)["mean"].tolist()
    [0.5]
    """

    def __init__(self, *, alpha_d: float = 0.1, alpha_p: float = 0.1,
                 season_length: int | None = None, nonnegative: bool | None = None,
                 n_windows: int = 5, n_jobs: int | None = 1) -> None:
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p
        self.season_length = season_length
        self.nonnegative = nonnegative
        self.n_windows = n_windows
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        _check_smoothing(self.alpha_d, "alpha_d")
        _check_smoothing(self.alpha_p, "alpha_p")

    def _smoothing(self) -> tuple[float, float]:
        return float(self._fit_param("alpha_d")), float(self._fit_param("alpha_p"))

    def _fit_arrays(self, values, n_obs, season_length, exog):
        size, probability, _ = _tsb_pass(values, *self._smoothing())
        forecast = probability * np.where(np.isnan(size), 0.0, size)
        return {"forecast": forecast, "size": size, "probability": probability}

    def _fitted_arrays(self, state, values, n_obs):
        return _tsb_pass(values, *self._smoothing())[2]
