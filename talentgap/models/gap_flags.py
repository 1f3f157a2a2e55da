"""Warning flags of a gap forecast: why a planner should look twice at a row.

Each code is computed for every cell and forecast step at once from the
observed history and the mean forecasts; :func:`gap_flags` joins the codes
that apply with ``";"``. The thresholds are module constants so a report can
state them.

Examples
--------
>>> import numpy as np
>>> history = {"demand": np.array([[10.0, 10, 10, 10]]), "supply": np.array([[5.0, 5, 5, 5]])}
>>> gap_flags(history, np.array([[20.0]]), np.array([[5.0]]), np.array([[15.0]]),
...           season_length=1, has_demand=np.array([True]), has_supply=np.array([True]))
array([['rising_demand;persistent_gap']], dtype=object)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from talentgap._numeric import nanmean
from talentgap.models._conformal import OWN_FENCE_IQR, outlying_values, short_history_limit

__all__ = [
    "gap_flags",
    "FLAGS",
    "RISING_DEMAND",
    "FALLING_SUPPLY",
    "LEAST_CHANGE",
    "PERSISTENT_PERIODS",
    "THIN_RESPONDENTS",
    "THIN_MISSING_SHARE",
    "history_length",
    "OUTLIER_FENCE_IQR",
    "POOLED_SHORT",
    "short_history_reasons",
]

#: ``rising_demand``: demand over the year ending at the forecast period exceeds demand
#: over the last observed year by more than this share.
RISING_DEMAND = 0.10
#: ``falling_supply``: supply over the year ending at the forecast period is below supply
#: over the last observed year by more than this share.
FALLING_SUPPLY = 0.10
#: ``rising_demand`` and ``falling_supply``: and by at least this many persons per period
#: (a cell that never reported demand is not "rising" when its forecast is 0.3 persons).
LEAST_CHANGE = 1.0
#: ``persistent_gap``: the observed gap was > 0 in each of this many last periods.
PERSISTENT_PERIODS = 4
#: ``thin_data``: fewer survey respondents than this per period, on average, over the
#: last two years (a year is the season length; at least 4 periods).
THIN_RESPONDENTS = 3.0
#: ``thin_data``: or more than this share of those periods without a demand estimate.
THIN_MISSING_SHARE = 0.25

#: ``short_history``: demand observed over fewer periods than two seasons (at least 4,
#: :func:`~talentgap.models._conformal.short_history_limit`), or over so few that none of
#: the cell's backtests can be scored without the periods it forecast (e.g. 8 quarters
#: at a 4-quarter horizon; :func:`~talentgap.models._conformal.short_histories`): the
#: forecast rests on a handful of observations and its intervals come from windows of
#: as many periods of longer series. The number of periods is the cell's
#: ``demand_n_obs`` (``GapForecaster.explain``). A cell of as many periods as the others
#: is flagged when its backtests over the forecast's span (the plan's years, in a plan
#: run) cannot be scaled: the periods outside each backtest window show no change (a
#: series of zeros with a few small counts) or are too few. Its ``fallback_reason`` then
#: says so (:func:`short_history_reasons`), and whether a longer series calibrated its
#: history class or, none being longer, its intervals use the errors pooled over all
#: cells (:data:`POOLED_SHORT`).

#: ``outlier_in_history``: an observed demand or supply value of the cell changed from
#: the value before (a season before, for seasonal series) by more than
#: :data:`~talentgap.models._conformal.OWN_FENCE_IQR` interquartile ranges beyond the
#: cell's other changes (:func:`~talentgap.models._conformal.outlying_values`): likely a
#: data error. The intervals hold it in, but the point forecast may follow it; the
#: forecaster's ``DataQualityWarning`` at fit names the cell, the period and the value.
OUTLIER_FENCE_IQR = OWN_FENCE_IQR

#: ``outlier_masked``: with ``GapForecaster(outliers="mask")``, such a value of the cell's
#: demand or supply was set to missing before the fit and interpolated like any missing
#: value (:func:`talentgap.models.mask_outliers`); the model's ``masked_values_`` lists it.

#: ``last_period_missing``: the cell's demand or supply was last observed one or more periods
#: before the forecast origin (the last period with demand in any cell), e.g. because its
#: rows of the last period were left out as invalid. Its forecasts start from its own last
#: observed period, so the forecast for each target period is one step (or more) further
#: ahead than the other cells' and draws the errors of that step; the cell's
#: ``fallback_reason`` names its last observed period.

#: ``known_supply``: the row's supply is known, not forecast: the caller gave it
#: (``GapForecaster.fit(future_supply=...)``, e.g. certified workers of past training
#: who arrive after the lead time), so every sample path has that value and the gap's
#: uncertainty is the demand's alone.

#: Reason codes of the ``flag`` column, in the order they are listed.
FLAGS = ("rising_demand", "falling_supply", "persistent_gap", "thin_data", "short_history",
         "last_period_missing", "outlier_in_history", "outlier_masked", "no_demand_data",
         "no_supply_data", "known_supply")


#: The words of a ``fallback_reason`` whose history class no longer series calibrates.
POOLED_SHORT = "no series is longer, so they use the errors pooled over all cells"


def short_history_reasons(name: str, n_obs: np.ndarray, short: np.ndarray, *, horizon: int,
                          season_length: int, uncalibrated=()) -> np.ndarray:
    """Why a series of a full-length history is calibrated on its history class, per cell.

    The rule (:func:`~talentgap.models._conformal.short_histories`) takes a
    series to its history class when it has fewer than
    :func:`~talentgap.models._conformal.short_history_limit` observations,
    which the flag's name says, or when none of its ``horizon``-step
    backtests can be scaled without the periods they forecast, which it does
    not: this function words the second case for the ``fallback_reason``.

    Parameters
    ----------
    name : str
        ``"demand"`` or ``"supply"``, the side the series forecasts.
    n_obs : numpy.ndarray of int
        Observations of each cell's series (0: none).
    short : numpy.ndarray of bool
        Whether the rule takes each cell's series to its history class.
    horizon : int
        Steps of the backtests the rule judged (the simulation's span).
    season_length : int
    uncalibrated : sequence of int
        History lengths no longer series calibrates (their intervals keep
        the pooled errors).

    Returns
    -------
    numpy.ndarray of object
        A sentence per cell the rule takes for that reason, None elsewhere.

    Examples
    --------
    >>> short_history_reasons("demand", np.array([24, 24, 6]), np.array([True, False, True]),
    ...                       horizon=16, season_length=4, uncalibrated=[24])[0]
    'demand: none of its 16-step backtests can be scaled without the periods they forecast \
(the 8 of its 24 periods outside each window show no change), so its own past errors do not \
calibrate its intervals; no series is longer, so they use the errors pooled over all cells'
    """
    n_obs = np.asarray(n_obs)
    out = np.full(n_obs.size, None, dtype=object)
    rows = np.flatnonzero(np.asarray(short, dtype=bool) & (n_obs >= short_history_limit(
        season_length)))
    n = n_obs[rows].astype(np.int64)
    rest = n - int(horizon)
    counts = ("the " + np.maximum(rest, 0).astype(str).astype(object) + " of its "
              + n.astype(str).astype(object) + " periods outside each window")
    why = counts + np.where(rest > season_length, " show no change",
                            " are too few to measure change").astype(object)
    then = np.where(np.isin(n, list(uncalibrated)), POOLED_SHORT,
                    "they come from windows of " + n.astype(str).astype(object)
                    + " periods of longer series")
    out[rows] = (f"{name}: none of its {horizon}-step backtests can be scaled without the "
                 "periods they forecast (" + why
                 + "), so its own past errors do not calibrate its intervals; " + then)
    return out


def history_length(history: np.ndarray) -> np.ndarray:
    """Periods from each row's first observed value to the last column (0 if none).

    Examples
    --------
    >>> history_length(np.array([[np.nan, 1.0, np.nan, 2.0], [np.nan] * 4])).tolist()
    [3, 0]
    """
    seen = ~np.isnan(history)
    first = np.argmax(seen, axis=1)
    return np.where(seen.any(axis=1), history.shape[1] - first, 0)



def gap_flags(history: Mapping[str, np.ndarray], demand: np.ndarray, supply: np.ndarray,
              gap: np.ndarray, *, season_length: int, has_demand: np.ndarray,
              has_supply: np.ndarray, calibrated_short: np.ndarray | None = None,
              ends_early: np.ndarray | None = None,
              masked: np.ndarray | None = None,
              known_supply: np.ndarray | None = None) -> np.ndarray:
    """Reason codes per cell and forecast step, joined by ``";"`` (empty when none).

    Parameters
    ----------
    history : mapping of str to numpy.ndarray
        Observed values per cell (rows) and period (columns, oldest first,
        ending at the forecast origin; NaN = not observed): ``"demand"``,
        ``"supply"`` and optionally ``"n_respondents"``.
    demand, supply, gap : numpy.ndarray
        Mean forecasts, shape (cells, horizon).
    season_length : int
        Periods in a year (``m``): rising demand and falling supply compare
        whole years so seasonal swings raise no flag.
    has_demand, has_supply : numpy.ndarray of bool
        Per cell: whether the quantity was ever observed.
    calibrated_short : numpy.ndarray of bool, optional
        Per cell: whether the demand model calibrates its intervals on its
        history class (:func:`~talentgap.models._conformal.short_histories`);
        such cells are flagged ``short_history`` too.
    ends_early : numpy.ndarray of int, optional
        Per cell: periods between the last observed demand or supply and the
        forecast origin (0: observed up to it); cells with more are flagged
        ``last_period_missing``, and their ``persistent_gap`` looks at the
        periods before their own end.
    masked : numpy.ndarray of bool, optional
        Per cell: whether a demand or supply value was masked as a likely
        data error before the fit; such cells are flagged ``outlier_masked``.
    known_supply : numpy.ndarray of bool, optional
        Shape (cells, horizon): whether the supply of the cell-period is
        known (given, not forecast); such rows are flagged ``known_supply``.

    Returns
    -------
    numpy.ndarray of str (object), shape (cells, horizon)
        Codes from :data:`FLAGS`, in that order.

    Examples
    --------
    Two cells, one step ahead: the first's demand doubles on a gap that has
    lasted four periods; the second never reported certified supply.

    >>> history = {"demand": np.array([[10.0, 10, 10, 10], [4.0, 4, 4, 4]]),
    ...            "supply": np.array([[5.0, 5, 5, 5], [np.nan] * 4])}
    >>> gap_flags(history, np.array([[20.0], [4.0]]), np.array([[5.0], [0.0]]),
    ...           np.array([[15.0], [4.0]]), season_length=1,
    ...           has_demand=np.array([True, True]), has_supply=np.array([True, False]))
    array([['rising_demand;persistent_gap'],
           ['no_supply_data']], dtype=object)
    """
    n, horizon = demand.shape
    m = season_length
    hist_d, hist_s = history["demand"], history["supply"]
    hist_g = hist_d - hist_s

    def year_change(hist: np.ndarray, forecast: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean over the year ending at each step, and over the last observed year."""
        last = hist[:, -m:] if hist.shape[1] >= m else hist
        if last.shape[1] < m:
            last = np.concatenate([np.full((n, m - last.shape[1]), np.nan), last], axis=1)
        joined = np.concatenate([last, forecast], axis=1)
        windows = sliding_window_view(joined, m, axis=1)[:, 1:horizon + 1]
        return nanmean(windows, axis=2), nanmean(last, axis=1)[:, None]

    codes = {}
    ahead, before = year_change(hist_d, demand)
    codes["rising_demand"] = ((ahead > (1.0 + RISING_DEMAND) * before)
                              & (ahead - before >= LEAST_CHANGE))
    ahead, before = year_change(hist_s, supply)
    codes["falling_supply"] = ((ahead < (1.0 - FALLING_SUPPLY) * before)
                               & (before - ahead >= LEAST_CHANGE))
    # the last periods observed: those before the origin, or before a cell's own end
    lag = np.zeros(n, dtype=np.int64) if ends_early is None else np.asarray(ends_early,
                                                                            dtype=np.int64)
    at = hist_g.shape[1] - lag[:, None] - PERSISTENT_PERIODS + np.arange(PERSISTENT_PERIODS)
    recent = np.take_along_axis(hist_g, np.maximum(at, 0), axis=1) if hist_g.size else hist_g
    was_positive = (at >= 0).all(axis=1) & (recent > 0).all(axis=1)
    codes["persistent_gap"] = was_positive[:, None] & (gap > 0)
    span = max(2 * m, 4)
    missing_share = np.isnan(hist_d[:, -span:]).mean(axis=1)
    thin = missing_share > THIN_MISSING_SHARE
    if "n_respondents" in history:
        thin |= history["n_respondents"][:, -span:].mean(axis=1) < THIN_RESPONDENTS
    codes["thin_data"] = np.repeat(thin[:, None], horizon, axis=1)
    periods = history_length(hist_d)
    short = (periods > 0) & (periods < short_history_limit(m))
    if calibrated_short is not None:
        short |= (periods > 0) & np.asarray(calibrated_short, dtype=bool)
    codes["short_history"] = np.repeat(short[:, None], horizon, axis=1)
    codes["last_period_missing"] = np.repeat((lag > 0)[:, None], horizon, axis=1)
    outlying = (outlying_values(hist_d, m).any(axis=1)
                | outlying_values(hist_s, m).any(axis=1))
    codes["outlier_in_history"] = np.repeat(outlying[:, None], horizon, axis=1)
    masked = np.zeros(n, dtype=bool) if masked is None else np.asarray(masked, dtype=bool)
    codes["outlier_masked"] = np.repeat(masked[:, None], horizon, axis=1)
    no_demand = ~np.asarray(has_demand, dtype=bool)
    no_supply = ~np.asarray(has_supply, dtype=bool)
    codes["no_demand_data"] = np.repeat(no_demand[:, None], horizon, axis=1)
    codes["no_supply_data"] = np.repeat(no_supply[:, None], horizon, axis=1)
    codes["known_supply"] = (np.zeros((n, horizon), dtype=bool) if known_supply is None
                             else np.asarray(known_supply, dtype=bool))

    flag = np.full((n, horizon), "", dtype=object)
    for name in FLAGS:  # a handful of codes, each vectorised over every row
        hit = codes[name]
        flag = np.where(hit, np.where(flag == "", name, flag + ";" + name), flag)
    return flag

