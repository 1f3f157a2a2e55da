"""Plan and backtest figures in a planner's words: units on every number, a verdict on accuracy.

The planning functions word their binding constraints without a currency or
a unit of shortfall (they know neither); the report adds both here, and says
whether the backtest accuracy is good enough, with the thresholds it uses.
Every table of the report names its columns through one mapping,
:func:`column_header`, so no table shows a raw column name.
"""

from __future__ import annotations

import math
import re

import pandas as pd

__all__ = ["plain_constraint", "plain_note", "backtest_verdict", "column_header",
           "headers_in_words", "level_words", "levels_in_text", "levels_in_words",
           "per_period", "model_name", "method_words", "plain_number", "COLUMN_WORDS",
           "MODEL_WORDS"]

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
    "gap_then": "Expected gap in the target period ({flow})",
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
                           short=shortfall, level=level, period=per_period(freq))


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


def headers_in_words(frame: pd.DataFrame, **context) -> pd.DataFrame:
    """``frame`` with every column renamed by :func:`column_header` (the data unchanged).

    Examples
    --------
    >>> table = pd.DataFrame({"region": ["North"], "p_shortage": [0.9]})
    >>> list(headers_in_words(table).columns)
    ['Region', 'Probability of a shortage (0–1)']
    """
    return frame.rename(columns={c: column_header(str(c), **context) for c in frame.columns})


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
    """
    if isinstance(value, pd.Series):
        words = value.astype("string").str.replace("_", "-", regex=False).astype(object)
        return words.where(value.notna().to_numpy(), None)
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


def plain_number(value: float) -> str:
    """A number a person reads: whole above 10, one decimal above 1, else two significant.

    Never scientific notation.

    Examples
    --------
    >>> plain_number(1234.567), plain_number(3.14159), plain_number(-0.01891)
    ('1,235', '3.1', '-0.019')
    >>> plain_number(8.1e-05)
    '0.000081'
    """
    value = float(value)
    size = abs(value)
    if not math.isfinite(value) or size >= 10:
        return f"{value:,.0f}" if math.isfinite(value) else str(value)
    if size >= 1:
        return f"{value:.1f}"
    if size == 0:
        return "0"
    digits = 1 - math.floor(math.log10(size))
    return f"{value:.{digits}f}"


def _step_of(value: float, largest: float = 1e12) -> float:
    """The smallest power of ten at which ``value`` per unit reaches 0.1."""
    step = 1.0
    while 0 < value * step < 0.1 and step < largest:
        step *= 10
    return step


#: Phrases of the planner's binding-constraint sentences, and the units they are given.
_PER_MONEY = re.compile(r"each extra ([0-9][0-9,]*) of it removes about ([0-9.]+) of the")
_PER_UNIT_MONEY = re.compile(r"one more unit of money removes about ([0-9.e-]+) of the")
_PER_PLACE = re.compile(r"one more (place(?: of capacity)?) removes about ([0-9.e-]+) of the")
_ADDS = re.compile(r"adds about ([0-9.e-]+) to the")
_SPENT = re.compile(r"([0-9][0-9,]*) of ([0-9][0-9,]*) spent")
_LEFT = re.compile(r"the ([0-9][0-9,]*) left buys")
_BINDS = re.compile(r" binds( \(|:)")
_TIE = re.compile(r" \(within [0-9.eE+-]+ of the shortfall with no plan\)")
_MOVED = re.compile(r" \([0-9.,]+ places differ from the first such plan found\)")


def _per_place(match: re.Match, unit: str) -> str:
    value = float(match[2])
    step = _step_of(value, largest=1000)
    what = "place of capacity" if match[1].endswith("capacity") else "place"
    if step == 1:
        return f"one more {what} closes about {plain_number(value)} {unit} of the"
    return (f"each {step:,.0f} more {what.replace('place', 'places')} close about "
            f"{plain_number(value * step)} {unit} of the")


def plain_constraint(line: str, *, currency: str = "", unit: str = "persons") -> str:
    """A binding-constraint sentence of the plan with its units: money and persons.

    The sentence keeps its lower-case start (the report capitalises it);
    "binds" reads "is reached", a rate too small to read is given for ten,
    a hundred or a thousand places, and the solver's tolerance is left out.

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
    >>> print(plain_constraint("capacity of textiles in Ashmere binds (150 places); one more "
    ...                        "place of capacity removes about 0.0057 of the expected shortfall"))
    capacity of textiles in Ashmere is reached (150 places); each 100 more places of capacity
    close about 0.57 persons of the expected shortfall
    """
    money_unit = f" {currency}" if currency else ""
    line = _PER_MONEY.sub(lambda m: f"each extra {m[1]}{money_unit} of it closes about "
                          f"{m[2]} {unit} of the", line)

    def per_unit_money(m: re.Match) -> str:
        step = _step_of(float(m[1]))
        return (f"each extra {step:,.0f}{money_unit} of it closes about "
                f"{plain_number(float(m[1]) * step)} {unit} of the")

    line = _PER_UNIT_MONEY.sub(per_unit_money, line)
    line = _SPENT.sub(lambda m: f"{m[1]} of {m[2]}{money_unit} spent", line)
    line = _LEFT.sub(lambda m: f"the {m[1]}{money_unit} left buys", line)
    line = _PER_PLACE.sub(lambda m: _per_place(m, unit), line)
    line = _ADDS.sub(lambda m: f"adds about {plain_number(float(m[1]))} {unit} to the", line)
    line = _BINDS.sub(lambda m: " is reached (" if m[1] == " (" else " limits the plan:", line)
    return _MOVED.sub("", _TIE.sub("", line))


#: Warnings and notes of the library, reworded for a planner: (pattern, words). The words
#: are a format string of the pattern's groups plus ``per`` (the period: "quarter").
_NOTES = [
    (r"the mean exit share per period of (?P<n>\d+) cells? is outside \[0, 1\] and is clipped "
     r"\(stock changes the inflows do not explain\): (?P<cells>.*)",
     "{n_cells} {exits}: {cells}"),
    (r"exit rates of (?P<n>\d+) cells? rest on fewer than (?P<years>\d+) years of stock "
     r"changes and are uncertain: (?P<cells>.*)",
     "{n_cells} the share of skilled workers leaving the trade is estimated from less than "
     "{years} years of data, so it is uncertain: {cells}"),
    (r"the gap model's sample paths reach (?P<held>\d{4}); the market need of "
     r"(?P<first>\d{4})-(?P<last>\d{4}) is held at its \d{4} level \(per sample path\)",
     "The forecast reaches only to {held}: the plan takes the vacancies of {first}–{last} "
     "to stay at their {held} level"),
    (r"(?P<n>\d+) (?:series|cell)-window pair\(s\) skipped: the (?:series has no "
     r"observation|cell has no observed demand) up to that window's cutoff",
     "The backtest left out {n} cases where a cell had no data yet before one of the past "
     "points in time it was tested from"),
    (r"MASE/RMSSE undefined \(NaN\) for (?P<n>\d+) (?:series-window pair\(s\)|series)\b.*",
     "MASE could not be computed in {n} cases, where a cell's history before the test point "
     "has no two values a year apart or does not change; those cases are left out of the "
     "MASE column"),
    (r"(?P<n>\d+) series were backtested by only some of the models and are left out of the "
     r"comparison",
     "{n} cells are left out of the accuracy comparison because not every model could be "
     "tested on them"),
    (r"(?P<n>\d+) series have no observed value of '\w+' and are left out of the backtest",
     "{n} cells have no observed gap and are left out of the backtest"),
    (r"too few rolling-origin errors for (?P<level>[\d.]+)% intervals at horizons "
     r"\[(?P<steps>[\d, ]+)\].*",
     "Too few past forecast errors were available to set the {level}% intervals {ahead}; "
     "they use the largest error seen and may be too narrow (a longer history or more cells "
     "would help)"),
    (r"only (?P<n>\d+) \(cell, origin\) backtest error pairs for the sample paths; "
     r"(?P<level>[\d.]+)% gap intervals need about (?P<needed>\d+) .*",
     "Only {n} past forecast errors were available to simulate the gaps, and {level}% "
     "intervals need about {needed}: they may be too narrow (more cells, a longer history or "
     "more backtest windows would help)"),
    (r"(?P<n>\d+) series are too short for some candidate models and use a naive forecast in "
     r"their place, e\.g\. (?P<cells>.*?): see fitted_summary_.*",
     "{n} series have too short a history for some of the models and are forecast by "
     "repeating their last value, e.g. {cells}; their intervals are set from the errors of "
     "longer series"),
    (r"no series is long enough to calibrate (?:intervals for series of|the sample paths of "
     r"series with) \[?(?P<obs>[\d, ]+)\]? observations.*",
     "The cells with only {obs} {per}s of history are too short to check their own past "
     "forecast errors over this horizon: their intervals use the errors of all cells pooled "
     "together and are likely too narrow"),
    (r"(?P<n>\d+) input row failure\(s\) skipped \(\[data\] on_invalid = 'skip'\); see "
     r"rejected\.csv",
     "{n} input rows break a rule of their table and were left out (the configuration says to "
     "skip such rows); the output file rejected.csv lists each with the rule it breaks"),
]
_NOTE_PATTERNS = [(re.compile(pattern, re.S), words) for pattern, words in _NOTES]
_LONG_NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d{3,}|\d+(?:\.\d+)?[eE][+-]?\d+)(?![\w.])")
_CLIPPED_CELL = re.compile(r"([^;:]+): (-?[0-9.eE+-]+)")


def _clipped_cells(text: str, per: str) -> str:
    """``textiles in X: -0.01891; and 2 more`` -> ``textiles in X (-1.9% a quarter); ...``."""
    return _CLIPPED_CELL.sub(lambda m: f"{m[1].strip()} ({plain_number(100 * float(m[2]))}% "
                             f"a {per})", text)


def _clipped_exits(text: str, per: str) -> str:
    """What a clipped exit share means, by the sign of the shares shown."""
    shares = [float(m[2]) for m in _CLIPPED_CELL.finditer(text)]
    if shares and all(v < 0 for v in shares):
        return (f"the skilled workforce grew by more than the newly certified workers explain, "
                f"which would mean fewer than no workers leaving the trade each {per}; the "
                "plan takes no one to leave there")
    if shares and all(v > 1 for v in shares):
        return (f"the skilled workforce fell by more than all its workers leaving would "
                f"explain each {per}; the plan takes all of them to leave there")
    return (f"the skilled workforce changed in a way the newly certified workers do not "
            f"explain, so the estimated share leaving the trade each {per} came out below 0% "
            "or above 100%; the plan takes 0% or 100% there")


def plain_note(message: str, *, freq: str = "Q", levels=()) -> str:
    """A warning or note of a run, in plain sentences for the report.

    Known messages of the library are reworded (what happened and what it
    means for the plan, without method names); any other message gets a
    capital letter, a closing full stop, rounded numbers and level names in
    words. The library's own wording (logs, warnings) is unchanged.

    Parameters
    ----------
    message : str
        The message as the library words it.
    freq : str, default "Q"
        Frequency of the periods ("per quarter").
    levels : sequence of str, optional
        Skill-level codes to show in words (:func:`levels_in_text`).

    Returns
    -------
    str

    Examples
    --------
    >>> print(plain_note("the mean exit share per period of 1 cell is outside [0, 1] and is "
    ...                  "clipped (stock changes the inflows do not explain): "
    ...                  "general_equipment in Copperwick: -0.01891"))
    For 1 cell the skilled workforce grew by more than the newly certified workers explain,
    which would mean fewer than no workers leaving the trade each quarter; the plan takes no one
    to leave there: general_equipment in Copperwick (-1.9% a quarter).
    >>> plain_note("residual scale 0.000012345 for 2 nodes")
    'Residual scale 0.000012 for 2 nodes.'
    """
    per = per_period(freq)
    text = " ".join(str(message).split())
    for pattern, words in _NOTE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        found = match.groupdict()
        n = int(found.get("n") or 0)
        if "steps" in found:
            steps = [int(s) for s in found["steps"].split(",")]
            span = f"{steps[0]}" if len(steps) == 1 else f"{steps[0]} to {steps[-1]}"
            found["ahead"] = f"{span} {per}{'' if span == '1' else 's'} ahead"
        if "obs" in found:
            counts = [c.strip() for c in found["obs"].split(",") if c.strip()]
            found["obs"] = " or ".join([", ".join(counts[:-1]), counts[-1]] if len(counts) > 2
                                       else counts)
        if "cells" in found and "exit share" in text:
            found["exits"] = _clipped_exits(found["cells"], per)
            found["cells"] = _clipped_cells(found["cells"], per)
        found["n_cells"] = f"For {n} cell{'' if n == 1 else 's'}"
        text = words.format(per=per, **found)
        break
    else:
        text = _LONG_NUMBER.sub(lambda m: plain_number(float(m[0])), text)
    text = levels_in_text(text, levels)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _baseline(name: str) -> bool:
    return name in ("naive", "seasonal_naive") or name in (MODEL_WORDS["naive"],
                                                            MODEL_WORDS["seasonal_naive"])


def backtest_verdict(leaderboard: pd.DataFrame, *, level: float = 80.0) -> str:
    """Whether the best model's backtest accuracy is good enough, in words, with thresholds.

    The first-ranked model is compared with the better of the simple rules
    (naive, seasonal naive) by its mean absolute error; MASE is read
    against 1 (0.95 to 1.05 counts as "about 1"); intervals are judged well
    calibrated when their coverage is within 5 percentage points of their
    level. sMAPE is explained, not judged: it is large whenever gaps are
    near 0.

    Parameters
    ----------
    leaderboard : pandas.DataFrame
        Ranked models (``model``, ``mae``, ``mase``, ``smape``,
        ``coverage_<level>``); names as the backtest gives them or in words.
    level : float, default 80
        Interval level in percent.

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
        if mase < 0.95:
            judged = "is below 1: its errors are smaller than"
        elif mase <= 1.05:
            judged = "is about 1: its errors are about as large as"
        else:
            judged = "is above 1: its errors are larger than"
        words.append(f"Its MASE of {mase:.2f} {judged} the typical change of a cell's gap "
                     "from one year to the next in its history, the yardstick MASE divides "
                     "by (0.95 to 1.05 counts as about the same).")
    coverage = best.get(f"coverage_{level:g}")
    if coverage is not None and pd.notna(coverage):
        points = 100 * coverage - level
        if abs(points) <= 5:
            judged = (f"within 5 percentage points of {level:g}%: they can be read as "
                      "stated")
        elif points < 0:
            judged = (f"{-points:.0f} percentage points short of {level:g}% (more than 5): "
                      "the intervals are too narrow, so treat them as optimistic")
        else:
            judged = (f"{points:.0f} percentage points above {level:g}% (more than 5): the "
                      "intervals are wider than they need to be")
        words.append(f"Its {level:g}% intervals contained {coverage:.0%} of the actual gaps, "
                     f"{judged}.")
    smape = best.get("smape")
    if smape is not None and pd.notna(smape):
        words.append(f"The sMAPE column ({smape:.0f} on a scale of 0 to 200) looks large "
                     "because many gaps are close to 0, where any miss is a large share of "
                     "the gap; read the mean absolute error and MASE instead.")
    return " ".join(words)
