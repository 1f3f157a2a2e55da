"""Plan and backtest figures in a planner's words: units on every number, a verdict on accuracy.

The planning functions word their binding constraints without a currency or
a unit of shortfall (they know neither); the report adds both here, and says
whether the backtest accuracy is good enough, with the thresholds it uses.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["plain_constraint", "backtest_verdict"]

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
