"""Library notes in a planner's words: binding constraints and warnings of a run.

The planning functions word their binding constraints without a currency or
a unit of shortfall (they know neither): :func:`plain_constraint` adds both.
The library's warnings name methods and columns: :func:`plain_note` rewords
the known ones (what happened and what it means for the plan) and rounds
the numbers of any other. The library's own wording (logs, warnings,
``plan.binding``) is unchanged; only the report reads the plain sentences.
"""

from __future__ import annotations

import re

from talentgap.cli._wording import level_words, levels_in_text, per_period, plain_number

__all__ = ["plain_constraint", "plain_constraints", "plain_note"]


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


def _per_place(match: re.Match, unit: str, step: float | None = None) -> str:
    value = float(match[2])
    step = _step_of(value, largest=1000) if step is None else step
    what = "place of capacity" if match[1].endswith("capacity") else "place"
    if step == 1:
        return f"one more {what} closes about {plain_number(value)} {unit} of the"
    return (f"each {step:,.0f} more {what.replace('place', 'places')} close about "
            f"{plain_number(value * step)} {unit} of the")


def _money_rate(line: str) -> float | None:
    """Shortfall removed per unit of money in a budget sentence, or None."""
    if m := _PER_MONEY.search(line):
        return float(m[2]) / float(m[1].replace(",", ""))
    if m := _PER_UNIT_MONEY.search(line):
        return float(m[1])
    return None


def _place_rate(line: str) -> float | None:
    """Shortfall removed per place in a capacity (or place) sentence, or None."""
    m = _PER_PLACE.search(line)
    return float(m[2]) if m else None


def _common_step(rates: list, largest: float) -> float | None:
    """One step for a list: the one at which the smallest positive rate reaches 0.1."""
    positive = [r for r in rates if r is not None and r > 0]
    return _step_of(min(positive), largest=largest) if positive else None


def plain_constraints(lines, *, currency: str = "", unit: str = "persons") -> list[str]:
    """:func:`plain_constraint` of each line, with one step per kind of constraint.

    The budget lines share one sum of money and the capacity lines one
    number of places, chosen so that the smallest effect in the list still
    reads with two significant figures: lines of one list compare at a glance.

    Examples
    --------
    >>> lines = plain_constraints([
    ...     "capacity of textiles in A binds (400 places); one more place of capacity removes "
    ...     "about 0.0057 of the expected shortfall",
    ...     "capacity of textiles in B binds (400 places); one more place of capacity removes "
    ...     "about 0.043 of the expected shortfall"])
    >>> [line.split("; ")[1][:41] for line in lines]
    ['each 100 more places of capacity close ab', 'each 100 more places of capacity close ab']
    >>> [line.split("about ")[1][:4] for line in lines]
    ['0.57', '4.3 ']
    """
    lines = [str(line) for line in lines]
    money = _common_step([_money_rate(line) for line in lines], largest=1e12)
    places = _common_step([_place_rate(line) for line in lines], largest=1000)
    return [plain_constraint(line, currency=currency, unit=unit, money_step=money,
                             place_step=places) for line in lines]


def plain_constraint(line: str, *, currency: str = "", unit: str = "persons",
                     money_step: float | None = None, place_step: float | None = None) -> str:
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
    money_step, place_step : float, optional
        The sum of money and the number of places an effect is given for;
        by default the line's own (the smallest power of ten at which the
        effect reaches 0.1). :func:`plain_constraints` sets one per list.

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

    def per_money(m: re.Match) -> str:
        if money_step is None:
            return f"each extra {m[1]}{money_unit} of it closes about {m[2]} {unit} of the"
        rate = float(m[2]) / float(m[1].replace(",", ""))
        return (f"each extra {money_step:,.0f}{money_unit} of it closes about "
                f"{plain_number(rate * money_step)} {unit} of the")

    def per_unit_money(m: re.Match) -> str:
        step = _step_of(float(m[1])) if money_step is None else money_step
        return (f"each extra {step:,.0f}{money_unit} of it closes about "
                f"{plain_number(float(m[1]) * step)} {unit} of the")

    line = _PER_MONEY.sub(per_money, line)
    line = _PER_UNIT_MONEY.sub(per_unit_money, line)
    line = _SPENT.sub(lambda m: f"{m[1]} of {m[2]}{money_unit} spent", line)
    line = _LEFT.sub(lambda m: f"the {m[1]}{money_unit} left buys", line)
    line = _PER_PLACE.sub(lambda m: _per_place(m, unit, place_step), line)
    line = _ADDS.sub(lambda m: f"adds about {plain_number(float(m[1]))} {unit} to the", line)
    line = _BINDS.sub(lambda m: " is reached (" if m[1] == " (" else " limits the plan:", line)
    return _MOVED.sub("", _TIE.sub("", line))


#: Warnings and notes of the library, reworded for a planner: (pattern, words). The words
#: are a format string of the pattern's groups plus ``per`` (the period: "quarter").
_NOTES = [
    (r"the mean exit share per period of the (?P<stock>\w+) stock is outside \[0, 1\] in "
     r"(?P<n>\d+) cells? and is clipped \(stock changes the inflows do not explain\): "
     r"(?P<cells>.*)",
     "{n_cells} {exits}: {cells}"),
    (r"exit rates of the (?P<stock>\w+) stock in (?P<n>\d+) cells? rest on fewer than "
     r"(?P<years>\d+) years of stock changes and are uncertain: (?P<cells>.*)",
     "{n_cells} the share of {workers} workers leaving the trade is estimated from less than "
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
            counts = [c.strip() for c in found["obs"].split(",") if c.strip()]
            found["obs"] = " or ".join([", ".join(counts[:-1]), counts[-1]] if len(counts) > 2
                                       else counts)
        if "stock" in found:  # the stock the exit rates are of: "high-skilled"
            found["workers"] = level_words(found["stock"])
        if "cells" in found and "exit share" in text:
            found["exits"] = _clipped_exits(found["cells"], per, found["workers"])
            found["cells"] = _clipped_cells(found["cells"], per)
        found["n_cells"] = f"For {n} cell{'' if n == 1 else 's'}"
        text = words.format(per=per, **found)
        break
    else:
        text = _LONG_NUMBER.sub(lambda m: plain_number(float(m[0])), text)
    text = levels_in_text(text, levels)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
