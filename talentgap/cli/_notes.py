"""Library notes in a planner's words: the warnings of a run, its skipped rows, small classes.

The library's warnings name methods and columns: :func:`plain_note` rewords
the known ones (what happened and what it means for the plan) and rounds the
numbers of any other. The skipped input rows, the classes too small to run
and the series too short to calibrate intervals get a sentence each. The
library's own wording (logs, warnings, ``plan.binding``) is unchanged; only
the report reads the plain sentences. The plan's binding constraints are
worded by :func:`~talentgap.cli._constraint_words.plain_constraints`
(importable from here too).
"""

from __future__ import annotations

import re

import pandas as pd

from talentgap._quality import UNIT_GROUPS
from talentgap._words import rounded_number
from talentgap.cli._constraint_words import plain_constraints
from talentgap.cli._wording import level_words, levels_in_text, per_period

__all__ = ["plain_constraints", "plain_note", "plain_plan_note", "GROUP_NAMES", "skipped_rows",
           "skip_warning", "skip_sentence", "small_classes_note", "SMALL_CLASS",
           "qualifies_intervals", "short_history_lengths", "short_history_note"]

#: Fewer places than this in a funded cell (and year) make a class too small to run well.
SMALL_CLASS = 10

#: What the group a skipped row takes with it is called, per input table
#: (``[data] on_invalid = "skip"``); the tables not named here: ``"cell-period"``
#: (:func:`talentgap._quality.run_groups`).
GROUP_NAMES = {table: group for table, (_, group) in UNIT_GROUPS.items()}


#: Plan notes: the solver's tolerance and the count of places a tie moved, left out.
_TIE = re.compile(r" \(within [0-9.eE+-]+ of the shortfall with no plan\)")
_MOVED = re.compile(r" \([0-9.,]+ places differ from the first such plan found\)")


def plain_plan_note(note: str) -> str:
    """A note of the plan (:attr:`~talentgap.planning.QuotaPlan.notes`) without solver details.

    Examples
    --------
    >>> plain_plan_note("several plans are equally good: they leave the same expected "
    ...                 "shortfall (within 1e-09 of the shortfall with no plan); among them ...")
    'several plans are equally good: they leave the same expected shortfall; among them ...'
    """
    return _MOVED.sub("", _TIE.sub("", str(note)))


#: The column a forecaster's warning says it forecasts (`` (forecasting 'demand')``), and
#: the words for its series in a note: the gap model's two sides, the workforce projections.
_FORECASTING = r"(?: \(forecasting '(?P<target>\w+)'\))?"
_SERIES_OF = {"demand": "vacancy (demand) ", "supply": "certified-worker (supply) ",
              "employment": "employment ", "stock": "skilled-workforce "}

#: Warnings and notes of the library, reworded for a planner: (pattern, words). The words
#: are a format string of the pattern's groups plus ``per`` (the period: "quarter").
_NOTES = [
    (r"shortfall_before and shortfall_after are the expected shortfall \(mean over "
     r"(?P<count>[\d,]+) scenarios?\): .*",
     "The shortfalls in this report are expected shortfalls: the persons short in each cell, "
     "averaged over {count} simulated futures of the gap"),
    (r"shortfall_before and shortfall_after are the shortfall of the expected gap: .*",
     "The shortfalls in this report are those of the expected gap, one expected gap per cell; "
     "the persons short averaged over simulated futures of the gap would be larger"),
    (r"the mean exit share per period of the (?P<stock>\w+) stock is outside \[0, 1\] in "
     r"(?P<n>\d+) cells? and is clipped \(stock changes the inflows do not explain\): "
     r"(?P<cells>.*?)(?: \(the furthest first; shares within [\d.eE+-]+ of \[0, 1\] per "
     r"period, (?P<tolerance>[\d.]+) a year, are clipped without a warning\))?",
     "{n_cells} {exits}: {cells}{tolerance}"),
    (r"exit rates of the (?P<stock>\w+) stock in (?P<n>\d+) cells? rest on fewer than "
     r"(?P<years>\d+) years of stock changes and are uncertain: (?P<cells>.*)",
     "{n_cells} the share of {workers} workers leaving the trade is estimated from less than "
     "{years} years of data, so it is uncertain: {cells}"),
    (r"the gap model's sample paths reach (?P<held>\d{4}); the market need of "
     r"(?P<first>\d{4})(?:-(?P<last>\d{4}))? is held at its \d{4} level \(per sample "
     r"path\)(?:; the held years carry (?P<carried>.*?))?(?: \(need_basis in \w+\.csv\))?",
     "The forecast reaches only to {held}: the plan takes the vacancies of {span} to stay at "
     "their {held} level{carried}"),
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
    (r"(?P<n>\d+) series (?:is|are) too short for some candidate models and uses? a naive "
     r"forecast in their place, e\.g\. (?P<cells>.*?)" + _FORECASTING + r": see fitted_.*",
     "{n} {what}series have too short a history for some of the models and are forecast by "
     "repeating their last value, e.g. {cells}; their intervals are set from the errors of "
     "longer series"),
    (r"(?P<n>\d+) series (?:is|are) forecast from their declared analogue scaled to their "
     r"level, e\.g\. (?P<cells>.*?)" + _FORECASTING + r": see fitted_summary_.*",
     "{n} {what}series with a short history are forecast from the series declared as their "
     "analogue, scaled to their own level, e.g. {cells}"),
    (r"(?P<n>\d+) series cannot use their declared analogue and (?:is|are) forecast from "
     r"their own history: (?P<cells>.*?)" + _FORECASTING + r": see fitted_summary_.*",
     "{n} {what}series cannot use the series declared as their analogue and are forecast "
     "from their own history: {cells}"),
    (r"(?P<n>\d+) of (?P<total>\d+) intervals are compared with estimates without a "
     r"standard error \(NaN, .*\); their widened bounds are NaN and interval scores leave "
     r"them out",
     "{n} of the {total} forecast intervals checked in the backtest could not be compared "
     "with the survey estimate, as that estimate has no measure of its own sampling error "
     "(e.g. a cell-period with a single responding enterprise); the accuracy of the "
     "intervals is judged without them"),
    (r"no series is long enough to calibrate (?:intervals for series of|the sample paths of "
     r"series with) \[?(?P<obs>\d+(?:(?:,| or) \d+)*)\]? observations.*",
     "The cells with only {obs} {per}s of history are too short to check their own past "
     "forecast errors over this horizon: their intervals use the errors of all cells pooled "
     "together and are likely too narrow"),
]
_NOTE_PATTERNS = [(re.compile(pattern, re.S), words) for pattern, words in _NOTES]
_LONG_NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d{3,}|\d+(?:\.\d+)?[eE][+-]?\d+)(?![\w.])")
_CLIPPED_CELL = re.compile(r"([^;:]+): (-?[0-9.eE+-]+)")


def _clipped_cells(text: str, per: str) -> str:
    """``textiles in X: -0.01891; and 2 more`` -> ``textiles in X (-1.9% a quarter); ...``."""
    # the space after each "; " stays: cells must not run together ("...quarter);textiles")
    return _CLIPPED_CELL.sub(lambda m: f"{m[1].rstrip()} ({rounded_number(100 * float(m[2]))}% "
                             f"a {per})", text)


def _clipped_exits(text: str, per: str, workers: str) -> str:
    """What a clipped exit share of the ``workers`` ("high-skilled") stock means, by sign."""
    shares = [float(m[2]) for m in _CLIPPED_CELL.finditer(text)]
    if shares and all(v < 0 for v in shares):
        return (f"the {workers} workforce grew by more than the newly certified workers "
                f"explain, which would mean fewer than no workers leaving the trade each "
                f"{per}; the plan takes no one to leave there")
    if shares and all(v > 1 for v in shares):
        return (f"the {workers} workforce fell by more than all its workers leaving would "
                f"explain each {per}; the plan takes all of them to leave there")
    return (f"the {workers} workforce changed in a way the newly certified workers do not "
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
    >>> print(plain_note("the mean exit share per period of the high_skilled stock is outside "
    ...                  "[0, 1] in 1 cell and is clipped (stock changes the inflows do not "
    ...                  "explain): general_equipment in Copperwick: -0.01891"))
    For 1 cell the high-skilled workforce grew by more than the newly certified workers
    explain, which would mean fewer than no workers leaving the trade each quarter; the plan
    takes no one to leave there: general_equipment in Copperwick (-1.9% a quarter).
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
            counts = re.findall(r"\d+", found["obs"])  # "[23, 24]" or "23 or 24"
            found["obs"] = " or ".join([", ".join(counts[:-1]), counts[-1]] if len(counts) > 2
                                       else counts)
        if "stock" in found:  # the stock the exit rates are of: "high-skilled"
            found["workers"] = level_words(found["stock"])
        if "cells" in found and "exit share" in text:
            found["exits"] = _clipped_exits(found["cells"], per, found["workers"])
            found["cells"] = _clipped_cells(found["cells"], per)
            if "tolerance" in found:  # the warning names the furthest cells, and its noise
                found["tolerance"] = (
                    "" if found["tolerance"] is None else
                    f" (the furthest first; a share less than "
                    f"{rounded_number(100 * float(found['tolerance']))} percentage points a "
                    "year below 0% or above 100% is taken as 0% or 100% without a note)")
        if "first" in found:  # held need years: "2029–2030", or "2029"
            found["span"] = "–".join(y for y in (found["first"], found["last"]) if y)
            found["carried"] = (f"; those years carry {found['carried']}"
                                if found["carried"] else "")
        found["n_cells"] = f"For {n} cell{'' if n == 1 else 's'}"
        found["what"] = _SERIES_OF.get(found.get("target") or "", "")
        text = words.format(per=per, **found)
        break
    else:
        text = _LONG_NUMBER.sub(lambda m: rounded_number(float(m[0])), text)
    text = levels_in_text(text, levels)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def skipped_rows(reports: dict) -> tuple[int, int, list[str]]:
    """The input rows a run left out (``[data] on_invalid = "skip"``), counted from its reports.

    Parameters
    ----------
    reports : dict of str -> DataQualityReport
        The run's input reports, by table.

    Returns
    -------
    (breaking, with_group, groups) : tuple
        Rows that break a rule themselves; rows that broke none but were left
        out with their group (rule ``group_incomplete``); the names of those
        groups (``"enterprise-period"``, ``"cell-period"``), in table order.
    """
    breaking = sum(r.rows_rejected - r.rows_with_group for r in reports.values())
    with_group = sum(r.rows_with_group for r in reports.values())
    groups = list(dict.fromkeys(GROUP_NAMES.get(name, "cell-period")
                                for name, r in reports.items() if r.rows_with_group))
    return breaking, with_group, groups


def skip_warning(reports: dict) -> str | None:
    """The run's warning on the input rows it skipped (``None`` when it skipped none).

    Examples
    --------
    >>> from types import SimpleNamespace as Report
    >>> skip_warning({"training": Report(rows_rejected=8, rows_with_group=4)})
    "8 input rows skipped ([data] on_invalid = 'skip'): 4 break a rule, 4 more are left out \
with their cell-period; see rejected.csv"
    """
    breaking, with_group, groups = skipped_rows(reports)
    if breaking + with_group == 0:
        return None
    more = (f", {with_group} more are left out with their {' or '.join(groups)}"
            if with_group else "")
    return (f"{breaking + with_group} input row{'s' if breaking + with_group != 1 else ''} "
            f"skipped ([data] on_invalid = 'skip'): {breaking} "
            f"break{'s' if breaking == 1 else ''} a rule{more}; "
            "see rejected.csv")


def skip_sentence(reports: dict) -> str | None:
    """The report's sentence on the input rows a run skipped (``None`` when it skipped none).

    Built from the same counts as :func:`skip_warning`, so the two agree.

    Examples
    --------
    >>> from types import SimpleNamespace as Report
    >>> print(skip_sentence({"training": Report(rows_rejected=8, rows_with_group=4)}))
    4 input rows break a rule of their table and were left out (the configuration says to skip
    such rows); 4 more were left out with them because their cell-period would otherwise be
    undercounted. The output file rejected.csv lists each with the rule it breaks.
    """
    breaking, with_group, groups = skipped_rows(reports)
    if breaking + with_group == 0:
        return None
    one = breaking == 1
    text = (f"{breaking} input row{'' if one else 's'} break{'s' if one else ''} a rule of "
            f"{'its' if one else 'their'} table and {'was' if one else 'were'} left out (the "
            "configuration says to skip such rows)")
    if with_group:
        text += (f"; {with_group} more {'was' if with_group == 1 else 'were'} left out with "
                 f"{'it' if one else 'them'} because their {' or '.join(groups)} would "
                 "otherwise be undercounted")
    return text + ". The output file rejected.csv lists each with the rule it breaks."


def small_classes_note(quotas: pd.DataFrame, keys, *, limit: int = 4,
                       smallest: int = SMALL_CLASS) -> str | None:
    """The report's note on funded cells with fewer than ``smallest`` places, or None.

    Parameters
    ----------
    quotas : pandas.DataFrame
        The plan's quotas (``[program,] <keys...>, [period,] quota``).
    keys : sequence of str
        The cell keys.
    limit : int, default 4
        Examples named.
    smallest : int, default :data:`SMALL_CLASS`

    Examples
    --------
    >>> import pandas as pd
    >>> quotas = pd.DataFrame({"region": ["A", "A", "B"], "industry": ["textiles", "robots",
    ...                        "textiles"], "period": ["2026", "2027", "2026"],
    ...                        "quota": [1.0, 40.0, 3.0]})
    >>> print(small_classes_note(quotas, ["region", "industry"]))
    2 of 3 funded cell-years have fewer than 10 places, e.g. 1 place for A / textiles in 2026
    and 3 places for B / textiles in 2026. Classes that small may not run. A smallest class
    size of 10 would give each cell and year either no places or at least that many; the plan
    then decides which classes run. A minimum number of places per cell and year would fund
    every cell at least that many. To leave such cells out instead, set their capacity to 0 in
    a capacity CSV, or merge their places into a neighbouring region's class.
    """
    funded = quotas[quotas["quota"] > 0]
    small = funded[funded["quota"] < smallest].sort_values("quota", kind="stable")
    if small.empty:
        return None
    ids = [c for c in ("program", *keys) if c in small.columns]
    yearly = "period" in small.columns and quotas["period"].nunique() > 1
    unit = "funded cell-years" if yearly else "funded cells"
    shown = []
    for row in small.head(limit).to_dict("records"):
        name = " / ".join(level_words(str(row[k])) if k == "skill_level" else str(row[k])
                          for k in ids)
        count = f"{row['quota']:,.0f}"
        when = f" in {row['period']}" if yearly else ""
        shown.append(f"{count} place{'' if count == '1' else 's'} for {name}{when}")
    if len(small) > limit or len(shown) == 1:
        listed = ", ".join(shown)
    else:
        listed = ", ".join(shown[:-1]) + " and " + shown[-1]
    more = f" and {len(small) - limit:,} more (quotas.csv lists all)" if len(small) > limit else ""
    return (f"{len(small):,} of {len(funded):,} {unit} have fewer than {smallest} places, e.g. "
            f"{listed}{more}. Classes that small may not run. A smallest class size of "
            f"{smallest} would give each cell{' and year' if yearly else ''} either no places "
            "or at least that many; the plan then decides which classes run. A minimum number "
            f"of places per cell{' and year' if yearly else ''} would fund every cell at least "
            "that many. To leave such cells out instead, set their capacity to 0 in a capacity "
            "CSV, or merge their places into a neighbouring region's class.")


#: Library messages that qualify the forecast intervals (the report shows them by its tables).
_SHORT_HISTORY = re.compile(r"no series is long enough to calibrate (?:intervals for series of|"
                            r"the sample paths of series with) "
                            r"\[?(?P<obs>\d+(?:(?:,| or) \d+)*)\]? observations", re.S)
_INTERVAL_NOTES = (_SHORT_HISTORY, re.compile(r"too few rolling-origin errors for "),
                   re.compile(r"only \d+ \(cell, origin\) backtest error pairs"))


def qualifies_intervals(message: str) -> bool:
    """Whether a library message says the forecast intervals may be too narrow.

    Examples
    --------
    >>> qualifies_intervals("no series is long enough to calibrate the sample paths of series "
    ...                     "with [24] observations; their paths use ...")
    True
    >>> qualifies_intervals("3 cells have no supply data")
    False
    """
    text = " ".join(str(message).split())
    return any(pattern.match(text) for pattern in _INTERVAL_NOTES)


def short_history_lengths(messages) -> list[int]:
    """The history lengths the "no series is long enough" messages name, merged and sorted.

    Examples
    --------
    >>> short_history_lengths(["no series is long enough to calibrate the sample paths of "
    ...                        "series with 23 or 24 observations (6 demand series with 24, "
    ...                        "2 supply series with 23); ...",
    ...                        "no series is long enough to calibrate intervals for series "
    ...                        "of [8] observations; ..."])
    [8, 23, 24]
    """
    found = set()
    for message in messages:
        match = _SHORT_HISTORY.match(" ".join(str(message).split()))
        if match:
            found.update(int(v) for v in re.findall(r"\d+", match["obs"]))
    return sorted(found)


def short_history_note(lengths, *, freq: str = "Q", concerned: int | None = None,
                       cells: int | None = None, unscaled: bool = False) -> str:
    """One note for every cell whose history is too short to check its own intervals.

    Parameters
    ----------
    lengths : sequence of int
        History lengths (:func:`short_history_lengths`).
    freq : str, default "Q"
    concerned, cells : int, optional
        How many cells have such a history, of how many.
    unscaled : bool, default False
        Whether some of them have as long a history as the other cells but
        no change outside their backtest windows to scale their past errors
        by (their ``fallback_reason`` says so).

    Examples
    --------
    >>> print(short_history_note([23, 24], concerned=64, cells=64))
    The intervals and shortage probabilities of all 64 cells are likely too narrow: their
    history (23 or 24 quarters) is too short to check their own past forecast errors over this
    horizon, so their intervals use the errors of all cells pooled together. Read them as a
    lower bound on the uncertainty.
    >>> print(short_history_note([24], concerned=5, cells=64)[:60])
    The intervals and shortage probabilities of 5 of the 64 cell
    >>> print(short_history_note([23, 24], concerned=6, cells=1240, unscaled=True))
    The intervals and shortage probabilities of 6 of the 1,240 cells are likely too narrow: their
    own past forecast errors over this horizon cannot be checked, as their history (23 or 24
    quarters) is too short or shows no change outside the periods each past forecast covered
    (the output file forecast.csv says which, in fallback_reason), so their intervals use the
    errors of all cells pooled together. Read them as a lower bound on the uncertainty.
    """
    per = per_period(freq)
    counts = [str(v) for v in lengths]
    spans = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " or " + counts[-1]
    if concerned is not None and cells:
        who = (f"all {cells:,} cells" if concerned >= cells else
               f"{concerned:,} of the {cells:,} cells"
               + (f" ({concerned / cells:.0%})" if concerned / cells >= 0.01 else ""))
    else:
        who = f"the cells with {spans} {per}s of history"
    why = (f"their history ({spans} {per}s) is too short to check their own past forecast "
           "errors over this horizon" if not unscaled else
           "their own past forecast errors over this horizon cannot be checked, as their "
           f"history ({spans} {per}s) is too short or shows no change outside the periods each "
           "past forecast covered (the output file forecast.csv says which, in "
           "fallback_reason)")
    return (f"The intervals and shortage probabilities of {who} are likely too narrow: {why}, "
            "so their intervals use the errors of all cells pooled together. Read them as a "
            "lower bound on the uncertainty.")
