"""Report columns, units and numbers in a planner's words, and a verdict on accuracy.

Every table of the report names its columns through one mapping,
:func:`column_header`, so no table shows a raw column name; skill levels,
model and method names and numbers are written for reading, and
:func:`backtest_verdict` says whether the backtest accuracy is good enough,
with the thresholds it uses. The library's notes and binding constraints
are reworded in :mod:`talentgap.cli._notes`.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Sequence

import pandas as pd

from talentgap._arguments import level_label, parse_interval_column, parse_level_label

__all__ = ["backtest_verdict", "column_header", "coverage_band", "coverage_sentence",
           "coverage_verdict",
           "mase_verdict", "MASE_ABOUT_1", "level_words",
           "levels_in_text", "levels_in_words", "per_period", "model_name", "method_words",
           "COLUMN_WORDS", "MODEL_WORDS"]

#: Header in words of each column a report table can show. ``{flow}`` is the unit of a
#: per-period quantity ("persons per quarter"), ``{money}`` the currency in brackets (or
#: nothing), ``{short}`` the unit of a plan's shortfall ("persons" or "person-years"),
#: ``{level}`` an interval level.
COLUMN_WORDS = {
    "region": "Region", "industry": "Industry", "skill_level": "Skill level",
    "occupation": "Occupation", "program": "Training programme", "period": "Period",
    "funding_year": "Funding year", "year": "Year", "cells": "Cells",
    "demand": "Expected demand: hard-to-fill vacancies ({flow})",
    "supply": "Expected supply: certified workers ({flow})",
    "gap": "Expected gap ({flow})",
    "net_gap": "Expected gap, shortages minus surpluses ({flow})",
    "positive_gap": "Sum of positive expected gaps ({flow})",
    "gap_lo": "Gap, low end of the {level}% interval ({flow})",
    "gap_hi": "Gap, high end of the {level}% interval ({flow})",
    "p_shortage": "Probability of a shortage (0–1)",
    "flag": "Warning flags", "flags": "Warning flags raised",
    "rows": "Cell-{period}s of the forecast with the flag",
    "meaning": "What the flag means",
    "demand_model": "Models of demand (weights)", "demand_n_obs": "Periods of demand history",
    "supply_model": "Models of supply (weights)", "supply_n_obs": "Periods of supply history",
    "fallback_reason": "Fallback used",
    "history": "History in {period}s: demand / supply",
    "last_observed": "Last observed period",
    "gap_now": "Gap in the last observed period ({flow})",
    "gap_then": "Expected gap in the last forecast period ({flow})",
    "due_to_demand": "Change due to demand (persons)",
    "due_to_supply": "Change due to supply (persons)",
    "model": "Model", "rank": "Rank", "n_series": "Cells compared",
    "mae": "Mean absolute error (persons)", "rmse": "Root mean squared error (persons)",
    "smape": "sMAPE: error as a share of the gap (0–200)",
    "mase": "MASE: error against the year-on-year change (below 1 is better)",
    "bias": "Mean error, forecast minus actual (persons)",
    "coverage": "Share of actual gaps inside the {level}% interval (0–1)",
    "plan": "Plan", "total_cost": "Cost{money}", "cost": "Cost{money}",
    "budget": "Budget{money}", "places": "Training places", "quota": "Training places",
    "expected_certified": "Expected workers added: certified and taking jobs in the trade "
                          "(persons)",
    "certified_all_years": "Expected workers added by all the plan's places: certified and "
                           "taking jobs in the trade, before any leave it (persons)",
    "cost_to_date": "Cost to date{money}",
    "shortfall_before": "Expected shortfall before the plan ({short})",
    "shortfall_after": "Expected shortfall after the plan ({short})",
    "shortage_reduction": "Expected shortfall removed by the plan ({short})",
    "surplus_before": "Expected workers beyond the market need without any plan ({short})",
    "surplus_after": "Expected workers beyond the market need with the plan, including "
                     "those beyond it without any plan ({short})",
    "need_basis": "Need: forecast, or held at the last forecast year's",
    "policy_shortfall_before": "Shortfall against the targets before the plan ({short})",
    "policy_shortfall_after": "Shortfall against the targets after the plan ({short})",
    "gap_before": "Expected gap before the plan ({flow})",
    "gap_after": "Expected gap after the plan ({flow})",
    "feeds": "Trains for",
    "workers": "Plan's certified workers still in their trade (persons)",
    "target_share": "Target share (%)",
    "base_share": "Share the target path starts from (%)",
    "base_period": "Period the target path starts from",
    "share_without_plan": "Projected share without the plan (%)",
    "share_with_plan": "Projected share with the plan (%)",
    "table": "Input table", "rows_in": "Rows read", "kept": "Rows kept",
    "rejected": "Rows rejected",
}
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
    column, level = _levelled(column)
    template = COLUMN_WORDS.get(column)
    if template is None:
        return column.replace("_", " ").strip().capitalize()
    money = f" ({currency})" if currency else ""
    return template.format(flow=f"persons per {per_period(freq)}", money=money,
                           short=shortfall, level=level, period=per_period(freq))


def _levelled(column: str) -> tuple[str, str]:
    """``("gap_lo", "80")`` for ``gap_lo_80``, ``("coverage", "80")`` for ``coverage_80``.

    The level's label is read back as the interval columns write it
    (:func:`talentgap._arguments.parse_interval_column`); any other column
    is returned as it is, with no level.
    """
    interval = parse_interval_column(column, prefix="gap")
    if interval is not None:
        return f"gap_{interval[0]}", level_label(interval[1])
    head, _, label = column.rpartition("_")
    level = parse_level_label(label) if head == "coverage" else None
    return (column, "") if level is None else (head, level_label(level))


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


#: The short names of the single-series methods, as the explanation table shows them.
_METHOD_WORDS = {"ets": "exponential smoothing", "theta": "theta method",
                 "damped": "damped trend", "seasonal_naive": "same period a year before",
                 "naive": "last value", "zero": "none (taken as 0)"}
_METHOD = re.compile(r"(?<![\w-])(" + "|".join(sorted(_METHOD_WORDS, key=len, reverse=True))
                     + r")(?![\w-])", re.I)


def method_words(text: str) -> str:
    """The methods of a combination in words: ``"ets 0.50 + theta 0.50"``.

    Examples
    --------
    >>> method_words("ets 0.33 + theta 0.33 + seasonal_naive 0.33")
    'exponential smoothing 0.33 + theta method 0.33 + same period a year before 0.33'
    >>> method_words("ETS")
    'exponential smoothing'
    """
    return _METHOD.sub(lambda m: _METHOD_WORDS[m[1].lower()], str(text))


def per_period(freq: str) -> str:
    """The word for one period of a frequency: ``"Q-DEC"`` -> ``"quarter"``.

    Examples
    --------
    >>> per_period("Q-DEC"), per_period("M"), per_period("Y-DEC")
    ('quarter', 'month', 'year')
    """
    return _PERIODS.get(str(freq)[:1].upper(), "period")


def level_words(value):
    """A skill level (or any key code) as a person reads it: ``high_skilled`` -> ``high-skilled``.

    Every place of the report that shows a level (headings, tables, chart
    labels, sentences) goes through this one function.

    Parameters
    ----------
    value : str or pandas.Series
        One code, or a column of codes (missing values stay missing).

    Returns
    -------
    str or pandas.Series

    Examples
    --------
    >>> level_words("high_skilled")
    'high-skilled'
    >>> level_words(pd.Series(["skilled", "high_skilled", None])).tolist()
    ['skilled', 'high-skilled', None]
    >>> level_words(("skilled", "high_skilled"))
    'skilled and high-skilled'
    """
    if isinstance(value, pd.Series):
        words = value.astype("string").str.replace("_", "-", regex=False).astype(object)
        return words.where(value.notna().to_numpy(), None)
    if isinstance(value, (tuple, list)):   # [targets] plan_level with both levels
        return " and ".join(level_words(v) for v in value)
    return value if value is None else str(value).replace("_", "-")


def levels_in_words(frame: pd.DataFrame | None, key: str = "skill_level"):
    """``frame`` with its ``key`` column in words (:func:`level_words`), for reading.

    A frame without the column (or ``None``) is returned as it is.

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["North"], "skill_level": ["high_skilled"]})
    >>> levels_in_words(table)["skill_level"].tolist()
    ['high-skilled']
    """
    if frame is None or key not in frame.columns:
        return frame
    return frame.assign(**{key: level_words(frame[key])})


def levels_in_text(text: str, levels) -> str:
    """``text`` with each of ``levels`` (codes such as ``high_skilled``) in words.

    Only whole codes are replaced: ``skilled`` inside ``high_skilled`` is
    left alone.

    Examples
    --------
    >>> levels_in_text("capacity of textiles / high_skilled in Ashmere",
    ...                ["skilled", "high_skilled"])
    'capacity of textiles / high-skilled in Ashmere'
    """
    codes = sorted({str(level) for level in levels if "_" in str(level)}, key=len, reverse=True)
    if not codes:
        return text
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, codes)) + r")(?![\w-])")
    return pattern.sub(lambda m: level_words(m[1]), text)


def _baseline(name: str) -> bool:
    return name in ("naive", "seasonal_naive") or name in (MODEL_WORDS["naive"],
                                                            MODEL_WORDS["seasonal_naive"])


#: A MASE between these two counts as "about 1": as large as the yardstick it divides by.
MASE_ABOUT_1 = (0.95, 1.05)


def coverage_band(level: float) -> float:
    """How far (percentage points) coverage may miss ``level`` and still count as calibrated.

    5 points, or half the share the interval is allowed to miss (``(100 -
    level) / 2``) when that is smaller, so a 95% interval gets 2.5 points:
    one that holds 90% of the actual values misses twice as often as it says.

    Examples
    --------
    >>> coverage_band(80), coverage_band(95), coverage_band(99)
    (5.0, 2.5, 0.5)
    """
    return min(5.0, (100.0 - float(level)) / 2)


def mase_verdict(mase: float) -> str:
    """``is below 1``, ``is about 1`` or ``is above 1`` (:data:`MASE_ABOUT_1`), with its meaning.

    Examples
    --------
    >>> mase_verdict(0.9)
    'is below 1: its errors are smaller than'
    """
    low, high = MASE_ABOUT_1
    if mase < low:
        return "is below 1: its errors are smaller than"
    if mase <= high:
        return "is about 1: its errors are about as large as"
    return "is above 1: its errors are larger than"


def coverage_verdict(coverage: float, level: float) -> str:
    """Whether a ``level``% interval's coverage is near its level, in words (:func:`coverage_band`).

    Examples
    --------
    >>> coverage_verdict(0.76, 80)
    'within 5 percentage points of 80%: they can be read as stated'
    >>> coverage_verdict(0.9, 95)
    '5.0 percentage points short of 95% (more than 2.5): the intervals are too narrow, so treat them as optimistic'
    """  # noqa: E501
    band = coverage_band(level)
    points = 100 * float(coverage) - float(level)
    digits = 0 if band >= 1 and band == int(band) else 1
    if abs(points) <= band:
        return f"within {band:g} percentage points of {level:g}%: they can be read as stated"
    if points < 0:
        return (f"{-points:.{digits}f} percentage points short of {level:g}% (more than "
                f"{band:g}): the intervals are too narrow, so treat them as optimistic")
    return (f"{points:.{digits}f} percentage points above {level:g}% (more than {band:g}): "
            "the intervals are wider than they need to be")


def coverage_sentence(coverage: float, level: float, *, what: str = "the actual gaps") -> str:
    """``95% intervals contained 89.3% of the actual gaps, 5.7 percentage points short ...``.

    Coverage shows one decimal when the band (:func:`coverage_band`) is
    narrower than 5 points, so the judgement can be checked from the number.

    Examples
    --------
    >>> coverage_sentence(0.893, 95, what="the actual values")[:61]
    '95% intervals contained 89.3% of the actual values, 5.7 perce'
    """
    shown = f"{coverage:.0%}" if coverage_band(level) >= 5 else f"{coverage:.1%}"
    return (f"{float(level):g}% intervals contained {shown} of {what}, "
            f"{coverage_verdict(coverage, level)}")


def backtest_verdict(leaderboard: pd.DataFrame, *,
                     level: float | Sequence[float] = 80.0) -> str:
    """Whether the best model's backtest accuracy is good enough, in words, with thresholds.

    The first-ranked model is compared with the better of the simple rules
    (naive, seasonal naive) by its mean absolute error; MASE is read
    against 1 (0.95 to 1.05 counts as "about 1"); intervals are judged well
    calibrated when their coverage is within :func:`coverage_band` of their
    level (5 percentage points at 80%, 2.5 at 95%). sMAPE is explained, not
    judged: it is large whenever gaps are near 0.

    Parameters
    ----------
    leaderboard : pandas.DataFrame
        Ranked models (``model``, ``mae``, ``mase``, ``smape``,
        ``coverage_<level>``); names as the backtest gives them or in words.
    level : float or sequence of float, default 80
        Interval level(s) in percent; each level with a ``coverage_<level>``
        column gets its own sentence.

    Returns
    -------
    str
        One paragraph; empty when the leaderboard is empty.

    Examples
    --------
    >>> board = pd.DataFrame({"model": ["GapForecaster", "naive"], "mae": [81.0, 95.0],
    ...                       "mase": [0.9, 1.2], "smape": [124.0, 128.0],
    ...                       "coverage_80": [0.76, 0.8]})
    >>> print(backtest_verdict(board))
    How good is this? The gap model (demand and supply forecast apart) ranks first in the
    backtest. Its forecasts missed the actual gap by 81 persons on average, 15% less than the
    better simple rule (the naive rule, which missed by 95). Its MASE of 0.90 is below 1: its
    errors are smaller than the typical change of a cell's gap from one year to the next in its
    history, the yardstick MASE divides by (0.95 to 1.05 counts as about the same). Its 80%
    intervals contained 76% of the actual gaps, within 5 percentage points of 80%: they can be
    read as stated. The sMAPE column (124 on a scale of 0 to 200) looks large because many gaps
    are close to 0, where any miss is a large share of the gap; read the mean absolute error
    and MASE instead.
    """
    if leaderboard is None or leaderboard.empty:
        return ""
    best = leaderboard.iloc[0]
    name = str(best["model"])
    if _baseline(name):
        words = [f"How good is this? A simple rule ranks first in the backtest, the "
                 f"{model_name(name)}: no model beat it, so read the forecasts with care."]
    else:
        words = [f"How good is this? The {model_name(name) if name in MODEL_WORDS else name} "
                 "ranks first in the backtest."]
        rules = leaderboard[leaderboard["model"].astype(str).map(_baseline)]
        if "mae" in leaderboard.columns and len(rules) and pd.notna(best["mae"]):
            rule = rules.sort_values("mae").iloc[0]
            rule_mae, mae = float(rule["mae"]), float(best["mae"])
            if rule_mae > 0 and mae < rule_mae:
                compared, judged = f"{1 - mae / rule_mae:.0%} less than", "."
            elif rule_mae > 0 and mae > rule_mae:
                compared = f"{mae / rule_mae - 1:.0%} more than"
                judged = (": on this measure it does not beat the simple rules, so read its "
                          "forecasts with care.")
            else:
                compared, judged = "as much as", "."
            words.append(f"Its forecasts missed the actual gap by {mae:,.0f} persons on "
                         f"average, {compared} the better simple rule (the "
                         f"{model_name(str(rule['model'])).split(' (')[0]}, which missed by "
                         f"{rule_mae:,.0f}){judged}")
    mase = best.get("mase")
    if mase is not None and pd.notna(mase):
        low, high = MASE_ABOUT_1
        words.append(f"Its MASE of {mase:.2f} {mase_verdict(mase)} the typical change of a "
                     "cell's gap from one year to the next in its history, the yardstick MASE "
                     f"divides by ({low:g} to {high:g} counts as about the same).")
    for each in [level] if isinstance(level, numbers.Real) else level:
        coverage = best.get(f"coverage_{level_label(each)}")
        if coverage is not None and pd.notna(coverage):
            words.append(f"Its {coverage_sentence(coverage, each)}.")
    smape = best.get("smape")
    if smape is not None and pd.notna(smape):
        words.append(f"The sMAPE column ({smape:.0f} on a scale of 0 to 200) looks large "
                     "because many gaps are close to 0, where any miss is a large share of "
                     "the gap; read the mean absolute error and MASE instead.")
    return " ".join(words)
