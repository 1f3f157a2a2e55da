"""Why a gap forecast is what it is: models, fallbacks, flags and the drivers of the change.

Plain functions of a fitted :class:`~talentgap.models.GapForecaster`
(``gap``) behind its ``fitted_summary_``, :meth:`~talentgap.models.
GapForecaster.explain` and :meth:`~talentgap.models.GapForecaster.gap_drivers`,
and the per-row flags of its forecasts (the thresholds and rules are in
:mod:`talentgap.models.gap_flags`). Path statistics are read through the
model's ``_path_statistics`` and ``_simulation`` so that every number agrees
with :meth:`~talentgap.models.GapForecaster.predict`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._keys import codes_in
from talentgap.errors import ParameterError
from talentgap.models.gap_flags import FLAGS, gap_flags, short_history_reasons

__all__ = ["fitted_summary", "fallback_text", "explain", "gap_drivers", "cell_flags",
           "season_length"]


def fitted_summary(gap) -> pd.DataFrame:
    """Per cell: the inner models, their history lengths and fallbacks (``fitted_summary_``)."""
    summary = gap.cells_.copy()
    n = len(summary)
    reasons = np.full(n, None, dtype=object)
    for name, side in (("demand", gap.demand_), ("supply", gap.supply_)):
        model_name = np.full(n, None, dtype=object)
        n_obs = np.zeros(n, dtype=np.int64)
        fallback = np.full(n, None, dtype=object)
        if side.model is not None:
            inner = side.model.fitted_summary_
            bottom = side.rows >= 0
            rows = side.rows[bottom]
            model_name[rows] = inner["model"].to_numpy(dtype=object)[bottom]
            n_obs[rows] = inner["n_obs"].to_numpy()[bottom]
            fallback[rows] = inner["fallback_reason"].to_numpy(dtype=object)[bottom]
        summary[f"{name}_model"] = model_name
        summary[f"{name}_n_obs"] = n_obs
        summary[f"{name}_fallback"] = fallback
        none = n_obs == 0
        model_name[none] = "none" if name == "demand" else "zero"
        summary[f"{name}_model"] = model_name
        text = ("no demand observed: no forecast (NaN demand and gap)" if name == "demand"
                else "no supply observed: supply taken as 0 (known future supply still "
                     "used)")
        reasons[none] = np.where(reasons[none] == None, text,  # noqa: E711 - object array
                                 reasons[none].astype(str) + "; " + text)
        early = _ends_early_text(gap, side, name)
        if early is not None:
            at, text = early
            reasons[at] = np.where(reasons[at] == None, text,  # noqa: E711 - object array
                                   reasons[at].astype(str) + "; " + text)
    summary["fallback_reason"] = pd.Series(reasons, dtype=object)
    masked = getattr(gap, "masked_values_", None)
    for name in ("demand", "supply"):
        count = np.zeros(n, dtype=np.int64)
        if masked is not None and len(masked):
            keys = list(gap._fit_param("keys"))
            rows = codes_in(masked[masked["column"] == name], keys, gap.cells_)
            np.add.at(count, rows[rows >= 0], 1)
        summary[f"{name}_masked"] = count
    return summary


def _ends_early_text(gap, side, name: str):
    """Cells (rows of ``cells_``) whose ``name`` series ends before the origin, and why.

    None when there is none; otherwise the rows and one sentence each, e.g.
    ``"supply last observed 2024Q3, 1 period before the origin 2024Q4: forecast
    from there, each period 1 step further ahead than the other cells'"``.
    """
    if side.model is None:
        return None
    late = (side.rows >= 0) & (side.lag > 0)
    if not late.any():
        return None
    lag = side.lag[late]
    last = pd.PeriodIndex.from_ordinals(gap._origin - lag, freq=gap.freq_).astype(str)
    periods = np.where(lag == 1, " period", " periods")
    steps = np.where(lag == 1, " step", " steps")
    count = lag.astype(str)
    text = (f"{name} last observed " + np.asarray(last, dtype=object) + ", " + count + periods
            + f" before the origin {gap.origin_}: forecast from there, each period "
            + count + steps + " further ahead than the other cells'")
    return side.rows[late], text


def fallback_text(summary: pd.DataFrame) -> np.ndarray:
    """The cell's own fallback reason and the inner forecasters', joined by "; ".

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"fallback_reason": [None, "no supply observed"],
    ...                         "demand_fallback": ["too short", None]})
    >>> fallback_text(summary).tolist()
    ['demand: too short', 'no supply observed']
    """
    joined = pd.Series(summary["fallback_reason"].to_numpy(dtype=object), dtype=object)
    for name in ("demand", "supply"):
        column = f"{name}_fallback"
        if column not in summary.columns:
            continue
        inner = pd.Series(summary[column].to_numpy(dtype=object), dtype=object)
        inner = (f"{name}: " + inner.astype(str)).where(inner.notna() & inner.ne(""))
        both = joined.astype(str) + "; " + inner.astype(str)
        joined = joined.where(inner.isna(), both.where(joined.notna(), inner))
    out = joined.to_numpy(dtype=object, copy=True)
    out[pd.isna(out)] = None
    return out


def explain(gap, horizon: int) -> pd.DataFrame:
    """The table of :meth:`~talentgap.models.GapForecaster.explain` (``horizon`` checked)."""
    summary = gap.fitted_summary_
    out = summary[list(gap._fit_param("keys"))].reset_index(drop=True)
    for column in ("demand_model", "supply_model", "demand_n_obs", "supply_n_obs"):
        out[column] = summary[column].to_numpy()
    sim = gap._simulation(horizon)
    out["fallback_reason"] = _joined(fallback_text(summary), _short_reasons(gap, summary, sim))
    means = gap._path_statistics(sim, [], means_only=True)[0]
    flags = cell_flags(gap, means["demand"], means["supply"], means["gap"])
    text = pd.Series(flags.ravel(), dtype=object)
    raised = np.full(len(out), "", dtype=object)
    for code in FLAGS:  # a handful of codes, each vectorised over every row
        hit = text.str.contains(rf"(?:^|;){code}(?:;|$)").to_numpy(dtype=bool)
        hit = hit.reshape(flags.shape).any(axis=1)
        raised = np.where(hit, np.where(raised == "", code, raised + ";" + code), raised)
    out["flags"] = raised
    return out


def _short_reasons(gap, summary: pd.DataFrame, sim: dict) -> np.ndarray:
    """Per cell: why a full-length demand or supply series is calibrated on its history class.

    :func:`~talentgap.models.gap_flags.short_history_reasons` for each side,
    joined by "; " (None where neither side is taken there for want of a scale).
    """
    reasons = np.full(len(summary), None, dtype=object)
    for name, prefix in (("demand", "d"), ("supply", "s")):
        short = sim.get("calibrated_short" if name == "demand" else "s_calibrated_short")
        if short is None:
            continue
        side = short_history_reasons(
            name, summary[f"{name}_n_obs"].to_numpy(), short,
            horizon=int(sim.get("calibrated_horizon", 0)), season_length=season_length(gap),
            uncalibrated=sim.get(f"{prefix}_uncalibrated", ()))
        reasons = _joined(reasons, side)
    return reasons


def _joined(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Two object arrays of sentences joined by "; " where both have one (None: none)."""
    a, b = pd.Series(first, dtype=object), pd.Series(second, dtype=object)
    both = a.astype(str) + "; " + b.astype(str)
    out = a.where(b.isna(), both.where(a.notna(), b)).to_numpy(dtype=object, copy=True)
    out[pd.isna(out)] = None
    return out


def gap_drivers(gap, horizon: int, period=None) -> pd.DataFrame:
    """The table of :meth:`~talentgap.models.GapForecaster.gap_drivers` (``horizon`` checked)."""
    step = horizon
    if period is not None:
        step = pd.Period(period, freq=gap.freq_).ordinal - gap._origin
        if not 1 <= step <= horizon:
            raise ParameterError(f"period {period} is not one of the {horizon} forecast "
                                 f"periods after the origin {gap.origin_}")
    means = gap._path_statistics(gap._simulation(horizon), [], means_only=True)[0]
    hist_d, hist_s = gap.history_["demand"], gap.history_["supply"]
    observed = ~np.isnan(hist_d)
    width = hist_d.shape[1]
    last = np.where(observed.any(axis=1),
                    width - 1 - np.argmax(observed[:, ::-1], axis=1), -1)
    rows = np.arange(len(last))
    at = np.maximum(last, 0)
    demand_now = np.where(last >= 0, hist_d[rows, at], np.nan)
    # supply then: its last observed value up to that period (a supply series may end
    # before it, its last period missing; never observed: 0, as in the forecast)
    seen = np.where(~np.isnan(hist_s), np.arange(width)[None, :], -1)
    latest = np.maximum.accumulate(seen, axis=1)[rows, at]
    supply_now = np.where(latest >= 0, hist_s[rows, np.maximum(latest, 0)], 0.0)
    demand_then = means["demand"][:, step - 1]
    supply_then = means["supply"][:, step - 1]
    out = gap.cells_.reset_index(drop=True).copy()
    first = gap._origin - width + 1
    out["last_observed"] = pd.PeriodIndex.from_ordinals(first + at, freq=gap.freq_)
    out.loc[last < 0, "last_observed"] = pd.NaT
    out["gap_now"] = demand_now - supply_now
    out[gap._fit_param("time")] = pd.PeriodIndex.from_ordinals(
        np.full(len(out), gap._origin + step), freq=gap.freq_)
    out["gap_then"] = demand_then - supply_then
    out["due_to_demand"] = demand_then - demand_now
    out["due_to_supply"] = supply_now - supply_then
    return out


def season_length(gap) -> int:
    """The season length of the inner models (1 without any)."""
    model = gap.demand_.model or gap.supply_.model
    return int(model.season_length_) if model is not None else 1


def cell_flags(gap, demand: np.ndarray, supply: np.ndarray, gap_values: np.ndarray,
               rows: np.ndarray | None = None) -> np.ndarray:
    """Reason codes per cell (all, or ``rows``) and step, joined by ";" (methods page)."""
    n = len(gap.cells_)
    has_demand = np.zeros(n, dtype=bool)
    has_demand[gap.demand_.rows[gap.demand_.rows >= 0]] = True
    has_supply = np.zeros(n, dtype=bool)
    has_supply[gap.supply_.rows[gap.supply_.rows >= 0]] = True
    # the paths' rules, computed once with the simulation these means come from
    sim = gap._simulation(demand.shape[1])
    short = sim["calibrated_short"]
    early = sim.get("ends_early")
    known = sim["known"]  # supply given at fit (future_supply), not forecast
    history = gap.history_
    summary = gap.fitted_summary_  # a model saved before masking existed has no counts
    masked = np.zeros(n, dtype=bool)
    for column in ("demand_masked", "supply_masked"):
        if column in summary.columns:
            masked |= summary[column].to_numpy() > 0
    if rows is not None:
        history = {name: values[rows] for name, values in history.items()}
        has_demand, has_supply = has_demand[rows], has_supply[rows]
        short = None if short is None else short[rows]
        early = None if early is None else early[rows]
        masked = masked[rows]
        known = known[rows]
    return gap_flags(history, demand, supply, gap_values,
                     season_length=season_length(gap), has_demand=has_demand,
                     has_supply=has_supply, calibrated_short=short, ends_early=early,
                     masked=masked, known_supply=known)
