"""Plan and backtest figures in a planner's words: units on every number, a verdict on accuracy.

The planning functions word their binding constraints without a currency or
a unit of shortfall (they know neither); the report adds both here, and says
whether the backtest accuracy is good enough, with the thresholds it uses.
Every table of the report names its columns through one mapping,
:func:`column_header`, so no table shows a raw column name.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["plain_constraint", "backtest_verdict", "column_header", "headers_in_words",
           "per_period", "model_name", "COLUMN_WORDS", "MODEL_WORDS"]

#: Header in words of each column a report table can show. ``{flow}`` is the unit of a
#: per-period quantity ("persons per quarter"), ``{money}`` the currency in brackets (or
#: nothing), ``{short}`` the unit of a plan's shortfall ("persons" or "person-years"),
#: ``{level}`` an interval level.
COLUMN_WORDS = {
    "region": "Region", "industry": "Industry", "skill_level": "Skill level",
    "occupation": "Occupation", "program": "Training programme", "period": "Period",
    "funding_year": "Funding year", "cells": "Cells",
    "demand": "Expected demand: hard-to-fill vacancies ({flow})",
    "supply": "Expected supply: certified workers ({flow})",
    "gap": "Expected gap ({flow})",
    "net_gap": "Expected gap, shortages minus surpluses ({flow})",
    "positive_gap": "Sum of positive expected gaps ({flow})",
    "gap_lo": "Gap, low end of the {level}% interval ({flow})",
    "gap_hi": "Gap, high end of the {level}% interval ({flow})",
    "p_shortage": "Probability of a shortage (0–1)",
    "flag": "Warning flags", "flags": "Warning flags raised", "rows": "Forecast rows",
    "meaning": "What the flag means",
    "demand_model": "Models of demand (weights)", "demand_n_obs": "Periods of demand history",
    "supply_model": "Models of supply (weights)", "supply_n_obs": "Periods of supply history",
    "fallback_reason": "Fallback used",
    "last_observed": "Last observed period",
    "gap_now": "Gap in the last observed period ({flow})",
    "gap_then": "Expected gap in the target period ({flow})",
    "due_to_demand": "Change due to demand (persons)",
    "due_to_supply": "Change due to supply (persons)",
    "model": "Model", "rank": "Rank", "n_series": "Cells compared",
    "mae": "Mean absolute error (persons)", "rmse": "Root mean squared error (persons)",
    "smape": "sMAPE (0–200)", "mase": "MASE (below 1 beats seasonal naive)",
    "bias": "Mean error, forecast minus actual (persons)",
    "coverage": "Share of actual gaps inside the {level}% interval (0–1)",
    "plan": "Plan", "total_cost": "Cost{money}", "cost": "Cost{money}",
    "budget": "Budget{money}", "places": "Training places", "quota": "Training places",
    "expected_certified": "Expected certified workers (persons)",
    "shortfall_before": "Expected shortfall before the plan ({short})",
    "shortfall_after": "Expected shortfall after the plan ({short})",
    "shortage_reduction": "Expected shortfall removed by the plan ({short})",
    "policy_shortfall_before": "Shortfall against the targets before the plan ({short})",
    "policy_shortfall_after": "Shortfall against the targets after the plan ({short})",
    "gap_before": "Expected gap before the plan ({flow})",
    "gap_after": "Expected gap after the plan ({flow})",
    "feeds": "Trains for",
    "workers": "Plan's certified workers still in their trade (persons)",
    "target_share": "Target share (%)",
    "share_without_plan": "Projected share without the plan (%)",
    "share_with_plan": "Projected share with the plan (%)",
    "table": "Input table", "rows_in": "Rows read", "kept": "Rows kept",
    "rejected": "Rows rejected",
}
_LEVELLED = re.compile(r"(gap_lo|gap_hi|coverage)_([0-9.]+)$")
_PERIODS = {"Q": "quarter", "M": "month", "Y": "year", "A": "year"}


def column_header(column: str, *, freq: str = "Q", currency: str = "",
                  shortfall: str = "persons") -> str:
    """The header in words, with its unit, of a column a report table shows.

    Parameters
    ----------
    column : str
        The column name, e.g. ``"gap_before"`` or ``"gap_lo_80"``.
    freq : str, default "Q"
        Frequency of the forecast periods: per-period quantities are
        "persons per quarter" (``"Q"``), "per month" or "per year".
    currency : str, default ""
        Unit of money, shown after sums of money when given.
    shortfall : str, default "persons"
        Unit of a plan's expected shortfall ("person-years" for a
        multi-year plan).

    Returns
    -------
    str
        From :data:`COLUMN_WORDS`; a column not in it gets its name with
        spaces for underscores, capitalised.

    Examples
    --------
    >>> column_header("gap_before")
    'Expected gap before the plan (persons per quarter)'
    >>> column_header("gap_hi_80", freq="Y")
    'Gap, high end of the 80% interval (persons per year)'
    >>> column_header("total_cost", currency="yuan"), column_header("shortfall_after")
    ('Cost (yuan)', 'Expected shortfall after the plan (persons)')
    """
    level = ""
    match = _LEVELLED.match(column)
    if match:
        column, level = match[1], f"{float(match[2]):g}"
    template = COLUMN_WORDS.get(column)
    if template is None:
        return column.replace("_", " ").strip().capitalize()
    money = f" ({currency})" if currency else ""
    return template.format(flow=f"persons per {per_period(freq)}", money=money,
                           short=shortfall, level=level)


#: The backtest's models in words; other names are shown as they are.
MODEL_WORDS = {"GapForecaster": "gap model (demand and supply forecast apart)",
               "naive": "naive rule (the last observed gap)",
               "seasonal_naive": "seasonal naive rule (the gap a year before)"}


def model_name(name: str) -> str:
    """A backtested model's name in words (:data:`MODEL_WORDS`), else the name itself.

    Examples
    --------
    >>> model_name("seasonal_naive"), model_name("ets")
    ('seasonal naive rule (the gap a year before)', 'ets')
    """
    return MODEL_WORDS.get(name, name)


def per_period(freq: str) -> str:
    """The word for one period of a frequency: ``"Q-DEC"`` -> ``"quarter"``.

    Examples
    --------
    >>> per_period("Q-DEC"), per_period("M"), per_period("Y-DEC")
    ('quarter', 'month', 'year')
    """
    return _PERIODS.get(str(freq)[:1].upper(), "period")


def headers_in_words(frame: pd.DataFrame, **context) -> pd.DataFrame:
    """``frame`` with every column renamed by :func:`column_header` (the data unchanged).

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["North"], "p_shortage": [0.9]})
    >>> list(headers_in_words(table).columns)
    ['Region', 'Probability of a shortage (0–1)']
    """
    return frame.rename(columns={c: column_header(str(c), **context) for c in frame.columns})

#: Phrases of the planner's binding-constraint sentences, and the units they are given.
_PER_MONEY = re.compile(r"each extra ([0-9][0-9,]*) of it removes about ([0-9.]+) of the")
_PER_PLACE = re.compile(r"one more (place(?: of capacity)?) removes about ([0-9.]+) of the")
_SPENT = re.compile(r"([0-9][0-9,]*) of ([0-9][0-9,]*) spent")
_TIE = re.compile(r" \(within [0-9.eE+-]+ of the shortfall with no plan\)")


def plain_constraint(line: str, *, currency: str = "", unit: str = "persons") -> str:
    """A binding-constraint sentence of the plan with its units: money and persons.

    Parameters
    ----------
    line : str
        A sentence of ``plan.binding`` (or ``plan.notes``).
    currency : str, default ""
        Unit of money, e.g. ``"yuan"``.
    unit : str, default "persons"
        Unit of the shortfall: ``"persons"`` (one period) or ``"person-years"``.

    Returns
    -------
    str
        The sentence with the currency after each sum of money, the unit
        after each amount of shortfall, and no solver tolerance.

    Examples
    --------
    >>> print(plain_constraint("budget is fully used: 4,998,000 of 5,000,000 spent; each extra "
    ...                        "10,000 of it removes about 0.75 of the expected shortfall",
    ...                        currency="yuan"))
    budget is fully used: 4,998,000 of 5,000,000 yuan spent; each extra 10,000 yuan of it closes
    about 0.75 persons of the expected shortfall
    """
    money_unit = f" {currency}" if currency else ""
    line = _PER_MONEY.sub(lambda m: f"each extra {m[1]}{money_unit} of it closes about "
                          f"{m[2]} {unit} of the", line)
    line = _SPENT.sub(lambda m: f"{m[1]} of {m[2]}{money_unit} spent", line)
    line = _PER_PLACE.sub(lambda m: f"one more {m[1]} closes about {m[2]} {unit} of the", line)
    return _TIE.sub("", line)


def backtest_verdict(leaderboard: pd.DataFrame, *, level: float = 80.0) -> str:
    """Whether the best model's backtest accuracy is good enough, in words, with thresholds.

    MASE below 1 beats the seasonal naive forecast; intervals are judged
    well calibrated when their coverage is within 5 percentage points of
    their level. sMAPE is explained, not judged: it is large whenever gaps
    are near 0.

    Parameters
    ----------
    leaderboard : pandas.DataFrame
        Ranked models (``model``, ``mase``, ``smape``, ``coverage_<level>``).
    level : float, default 80
        Interval level in percent.

    Returns
    -------
    str
        One paragraph; empty when the leaderboard is empty.

    Examples
    --------
    >>> board = pd.DataFrame({"model": ["gap"], "mase": [0.9], "smape": [124.0],
    ...                       "coverage_80": [0.76]})
    >>> print(backtest_verdict(board))
    How good is this? gap is the most accurate model: its MASE of 0.90 is below 1, so its
    errors are smaller than those of the seasonal naive forecast (below 1 beats it). Its 80%
    intervals held 76% of the actual gaps, within 5 points of 80%: well calibrated. sMAPE
    (124 on 0–200) is large whenever gaps are near 0, where any miss is a large share of the
    gap; MASE is the measure to read.
    """
    if leaderboard is None or leaderboard.empty:
        return ""
    best = leaderboard.iloc[0]
    words = [f"How good is this? {best['model']} is the most accurate model"]
    mase = best.get("mase")
    if mase is not None and pd.notna(mase):
        if mase < 0.95:
            judged = "is below 1, so its errors are smaller than"
        elif mase <= 1.05:
            judged = "is about 1, so its errors are about as large as"
        else:
            judged = "is above 1, so its errors are larger than"
        words[0] += (f": its MASE of {mase:.2f} {judged} those of the seasonal naive "
                     "forecast (below 1 beats it).")
    else:
        words[0] += "."
    coverage = best.get(f"coverage_{level:g}")
    if coverage is not None and pd.notna(coverage):
        points = 100 * coverage - level
        if abs(points) <= 5:
            judged = f"within 5 points of {level:g}%: well calibrated"
        elif points < 0:
            judged = (f"{-points:.0f} points short of {level:g}%: the intervals are too "
                      "narrow, so treat them as optimistic")
        else:
            judged = (f"{points:.0f} points above {level:g}%: the intervals are wider than "
                      "they need to be")
        words.append(f"Its {level:g}% intervals held {coverage:.0%} of the actual gaps, "
                     f"{judged}.")
    smape = best.get("smape")
    if smape is not None and pd.notna(smape):
        words.append(f"sMAPE ({smape:.0f} on 0–200) is large whenever gaps are near 0, where "
                     "any miss is a large share of the gap; MASE is the measure to read.")
    return " ".join(words)
