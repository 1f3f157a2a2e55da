"""What the edition knew, and the naive forecasts made from it.

From the history an edition's model was fitted on (``history_``, cells x
periods up to the origin): per cell the last value observed at the origin
(the base of the direction score), the in-sample seasonal-naive error (the
MASE scale), the season length of both, and the baselines compared with the
edition, :class:`~talentgap.models.Naive` and
:class:`~talentgap.models.SeasonalNaive` fitted on that history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._arguments import check_count, resolve_season_length
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.evaluation._terms import naive_scales as _naive_scales
from talentgap.models import Naive, SeasonalNaive

__all__ = ["METHODS", "BASELINES", "histories", "last_observed", "mase_scales",
           "check_season_length", "baseline"]

#: The forecasts compared: the stored edition and the two baselines.
METHODS = ("edition", "naive", "seasonal_naive")
BASELINES = {"naive": Naive, "seasonal_naive": SeasonalNaive}


def histories(model) -> tuple[dict[str, np.ndarray], int]:
    """Cells x periods histories of each quantity, and the ordinal of the first column."""
    history = {"demand": model.history_["demand"], "supply": model.history_["supply"]}
    history["gap"] = history["demand"] - history["supply"]
    first = model.origin_.ordinal - history["demand"].shape[1] + 1
    return history, first


def last_observed(values: np.ndarray) -> np.ndarray:
    """Per row, the last non-NaN value (NaN for an all-NaN row)."""
    observed = ~np.isnan(values)
    last = values.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    out = values[np.arange(values.shape[0]), last]
    out[~observed.any(axis=1)] = np.nan
    return out


def mase_scales(values: np.ndarray, m: int) -> np.ndarray:
    """Per row, the in-sample seasonal-naive MAE ``mean(|y_t - y_{t-m}|)``; NaN if none or 0."""
    n, width = values.shape
    if width <= m:
        return np.full(n, np.nan)
    diff = (values[:, m:] - values[:, :-m]).ravel()
    scale, _ = _naive_scales(diff, np.repeat(np.arange(n), width - m), n)
    pairs = ~np.isnan(diff).reshape(n, width - m)
    constant = np.isnan(scale) & pairs.any(axis=1)
    if constant.any():
        warn(f"{int(constant.sum())} series have a constant history over every {m}-period "
             "step (MASE scale 0): their MASE is NaN", DataQualityWarning, stacklevel=4)
    return scale


def check_season_length(season_length, model, name: str) -> int:
    """``m`` of the MASE scale and the seasonal naive rule: given, or the edition model's."""
    history = model.history_["demand"].shape[1]
    if season_length is None:
        inner = model.demand_model_ or model.supply_model_
        m = (int(inner.season_length_) if inner is not None
             else resolve_season_length(None, model.freq_))
    else:
        m = check_count(season_length, "season_length",
                        detail=" (the lag of the MASE scale and the season of the seasonal "
                               "naive rule, e.g. 4 for quarters)")
    if m >= history:
        raise ParameterError(f"season_length == {m}, must be below {history}, the number of "
                             f"periods in the history of edition {name!r}: no pair of values "
                             f"{m} periods apart there gives a MASE scale")
    return m


def baseline(kind: str, values: np.ndarray, first: int, freq, m: int,
              until: int) -> pd.DataFrame:
    """``cell, ordinal, forecast`` of a baseline fitted to each row's observed history."""
    cell, column = np.nonzero(~np.isnan(values))
    if cell.size == 0:
        return pd.DataFrame({"cell": [], "ordinal": [], "forecast": []})
    long = pd.DataFrame({"cell": cell, "period": pd.PeriodIndex.from_ordinals(
        first + column, freq=freq), "value": values[cell, column]})
    model = BASELINES[kind](season_length=m, nonnegative=False, n_windows=0)
    model.fit(long, target="value", time="period", keys=["cell"])
    ends = first + pd.Series(column).groupby(cell).max().to_numpy()
    out = model.predict(int(until - ends.min()), level=None)
    return pd.DataFrame({"cell": out["cell"].to_numpy(),
                         "ordinal": out["period"].array.asi8,
                         "forecast": out["mean"].to_numpy(dtype=np.float64)})
