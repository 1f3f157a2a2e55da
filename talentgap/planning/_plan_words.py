"""How a plan's figures are named in words: its shortfall, its objective, a budget too small.

The plan builders (:mod:`talentgap.planning._plan_tables`, :mod:`talentgap.planning.multiyear`)
word their summaries, notes and binding constraints with these, so that a plan over one
period and one over several say the same thing the same way.
"""

from __future__ import annotations

import numpy as np

from talentgap.planning._params import fmt, per_money
from talentgap.planning._problem import objective_words

__all__ = ["PAID_ELSEWHERE", "below_one_place", "objective_basis", "shortfall_basis",
           "shortfall_note", "shortfall_words"]

#: What a binding capacity's value is net of when the money for its places is used up.
PAID_ELSEWHERE = (", net of what the same money would close in other cells (the budget is "
                  "fully used, so the money comes from there)")


def shortfall_basis(source: str, scenarios: int) -> str:
    """What a plan's ``shortfall_before`` and ``shortfall_after`` are, in words.

    From a forecast table (one expected gap per cell) they are the
    *shortfall of the expected gap* ``max(E[g] - c, 0)``; from sample paths
    the *expected shortfall* ``E[max(g - c, 0)]``, the mean over the
    scenarios. By Jensen's inequality the second is never smaller, and
    larger wherever the gap may fall on either side of ``c``: the two are
    different figures, not two estimates of one.

    Parameters
    ----------
    source : {"forecast", "samples"}
        The input form the plan read (``summary["source"]``).
    scenarios : int
        Scenarios per cell (``summary["scenarios"]``).

    Returns
    -------
    str

    Examples
    --------
    >>> shortfall_basis("forecast", 1)
    'shortfall of the expected gap'
    >>> shortfall_basis("samples", 1000)
    'expected shortfall (mean over 1,000 scenarios)'
    """
    if source == "forecast":
        return "shortfall of the expected gap"
    return f"expected shortfall (mean over {scenarios:,} scenario{'s' * (scenarios != 1)})"


def objective_basis(risk: str, quantile: float | None, surplus_penalty: float, source: str,
                    *, weights: bool = False, policy: bool = False) -> str:
    """What a plan's ``summary["objective"]`` measures, in words (``objective_basis``).

    The objective is the risk measure the plan minimised, summed over the
    cells (and, over several periods, the need periods): the expected
    shortfall ``E[max(g - x, 0)]`` from sample paths, the shortfall of the
    expected gap ``max(E[g] - x, 0)`` from a forecast table, or with
    ``risk="quantile"`` the shortfall against each cell's quantile gap
    ``max(g_q - x, 0)``; plus ``surplus_penalty`` x the workers beyond that
    same gap. A multi-year plan (``weights``) weighs each cell's market
    shortfall (and surplus) by its market need weight and adds the policy
    shortfall times the policy weight (``policy``).

    Parameters
    ----------
    risk : {"expected", "quantile"}
    quantile : float or None
    surplus_penalty : float
    source : {"samples", "forecast"}
    weights : bool, default False
        A multi-year plan: the need weights apply.
    policy : bool, default False
        The plan has a policy need.

    Returns
    -------
    str

    Examples
    --------
    >>> objective_basis("expected", None, 0.0, "samples")
    'expected shortfall'
    >>> objective_basis("quantile", 0.9, 0.0, "samples")
    'shortfall against the 90th-percentile gap'
    >>> objective_basis("expected", None, 0.5, "samples")
    'expected shortfall plus 0.5 x the expected surplus'
    >>> objective_basis("expected", None, 0.0, "samples", weights=True, policy=True)
    'expected shortfall x market weight plus policy shortfall x policy weight'
    """
    what = objective_words(risk, quantile, 0.0, source)
    surplus = ""
    if surplus_penalty:
        beyond = (what.removeprefix("shortfall against ") if risk == "quantile"
                  else "the expected gap" if source == "forecast" else None)
        surplus = (f"{surplus_penalty:g} x the expected surplus" if beyond is None
                   else f"{surplus_penalty:g} x the surplus beyond {beyond}")
    if weights:
        what += " x market weight"
        surplus += " x market weight" if surplus else ""
    if policy:
        what += " plus policy shortfall x policy weight"
    return what + (f" plus {surplus}" if surplus else "")


def shortfall_words(bases) -> str:
    """The short name of the shortfall that plans (or a comparison table) report.

    ``bases`` are :func:`shortfall_basis` texts (a ``shortfall_basis``
    column); one name when they agree, ``"shortfall"`` when they differ or
    are not known (a table made before the column existed).

    Examples
    --------
    >>> shortfall_words(["expected shortfall (mean over 1,000 scenarios)"] * 2)
    'expected shortfall'
    >>> shortfall_words(["shortfall of the expected gap"])
    'shortfall of the expected gap'
    >>> shortfall_words(["shortfall of the expected gap", "expected shortfall (mean over 9)"])
    'shortfall'
    """
    short = {str(b).split(" (")[0] for b in bases if isinstance(b, str) and b}
    return short.pop() if len(short) == 1 else "shortfall"


def shortfall_note(source: str, scenarios: int, *, periods: str | None = None) -> str:
    """The plan note that says which shortfall the plan's figures are.

    A cell's shortfall is its gap less the workers the plan adds there:
    places x pass rate x absorption, the trainees who certify and take a job
    in the trade (``expected_certified``); over several periods the workers
    from the plan still in their trade in each need period, and the
    shortfalls are summed over the need periods too, in ``periods``: the
    unit of that sum (``"person-years"`` for yearly needs).

    Examples
    --------
    >>> shortfall_note("samples", 200)[:72]
    'shortfall_before and shortfall_after are the expected shortfall (mean ov'
    >>> shortfall_note("samples", 200, periods="person-years").endswith(
    ...     "need periods (person-years), with the workers from the plan still in their trade")
    True
    """
    basis = shortfall_basis(source, scenarios)
    added = ("the workers from the plan still in their trade" if periods
             else "the workers added (places x pass rate x absorption: trainees who certify "
                  "and take a job in the trade)")
    cells = (f"per cell and need period, summed over the cells and the need periods "
             f"({periods})" if periods else "per cell, summed over the cells")
    if source == "forecast":
        return (f"shortfall_before and shortfall_after are the {basis}: max(expected gap - "
                f"workers added, 0) {cells}, with {added}, from the forecast table's one "
                "expected gap per cell; the expected shortfall (the mean of max(gap - workers "
                "added, 0) over scenarios) is larger wherever the gap may fall on either side "
                "of the workers added: plan on the model's sample_paths() for it")
    return (f"shortfall_before and shortfall_after are the {basis}: the mean over the "
            f"scenarios of max(gap - workers added, 0) {cells}, with {added}")


def below_one_place(subject: str, budget: float, cheapest: float, value: float, what: str,
                    step: float | None = None, unit: str = "persons", *,
                    money: str = "") -> str:
    """The sentence of a budget too small for one whole place, with what more of it would do.

    One wording for every plan (one period or several): the budget, the
    cheapest place, and the budget's marginal value in words (``value``, the
    shortfall removed per unit of money, as :func:`~talentgap.planning._params.per_money`
    words it at a round sum ``step``, in ``unit`` of shortfall) when it is
    positive; sums of money in ``money`` (``" yuan"``).

    Examples
    --------
    >>> below_one_place("the budget for 2026", 0.0, 6000.0, 0.00074, "expected shortfall",
    ...                 step=1000, money=" yuan")
    'the budget for 2026 of 0 yuan is below the cost of one place (the cheapest place costs \
6,000 yuan): no place can be funded; each extra 1,000 yuan of it would close about 0.74 persons \
of the expected shortfall'
    """
    line = (f"{subject} of {fmt(budget)}{money} is below the cost of one place (the cheapest "
            f"place costs {fmt(cheapest)}{money}): no place can be funded")
    if np.isfinite(value) and value > 0:
        line += "; " + per_money(value, step, money=money).replace(" closes ", " would close ")
        line += f" {unit} of the {what}"
    return line
