"""A plan's binding constraints in a planner's words, with their currency and units.

The planning functions describe their constraints as a table
(:attr:`~talentgap.planning.QuotaPlan.constraints`) without a currency or a
unit of shortfall (they know neither): :func:`plain_constraints` words each
row from its numbers with both. The library's own wording (``plan.binding``)
is unchanged; only the report reads the plain sentences.
"""

from __future__ import annotations

import math

import pandas as pd

from talentgap._words import about, exact_number

__all__ = ["plain_constraints"]


def _step_of(value: float, largest: float = 1e12) -> float:
    """The smallest power of ten at which ``value`` per unit reaches 0.1."""
    step = 1.0
    while 0 < value * step < 0.1 and step < largest:
        step *= 10
    return step


def _common_step(rates, largest: float) -> float | None:
    """One step for a list: the one at which the smallest positive rate reaches 0.1."""
    positive = [float(r) for r in rates if float(r) > 0]
    return _step_of(min(positive), largest=largest) if positive else None


def _per_place(value: float, what: str, unit: str, step: float | None) -> str:
    step = _step_of(value, largest=1000) if step is None else step
    if step == 1:
        return f"one more {what} closes about {about(value)} {unit} of the"
    return (f"each {step:,.0f} more {what.replace('place', 'places')} close about "
            f"{about(value * step)} {unit} of the")


def _per_money(value: float, money: str, unit: str, step: float | None) -> str:
    step = _step_of(value) if step is None else step
    return (f"each extra {step:,.0f}{money} of it closes about {about(value * step)} "
            f"{unit} of the")


def plain_constraints(constraints, *, currency: str = "", unit: str = "persons",
                      summary: pd.Series | None = None,
                      cheapest: float | None = None) -> list[str]:
    """The rows of a plan's constraints table as sentences with their units.

    Each row is worded from its columns (``kind``, ``words``, ``binds``,
    ``limit``, ``used``, ``unit``, ``value``, ``objective``): sums of money
    carry the currency, effects the unit of shortfall, "binds" reads "is
    reached" (a rule "limits the plan"); the minimum class size
    (``min_class_size``) keeps its sentence, the classes that run and the cells
    that get none. The money rows share one sum of money
    and the place rows (capacities) one number of places, chosen so that the
    smallest effect in the list still reads with two significant figures:
    the lines of one list compare at a glance. A row that is no constraint
    (``unsupplied_cells``) keeps its ``sentence``. Sentences keep their
    lower-case start (the report capitalises them).

    Parameters
    ----------
    constraints : pandas.DataFrame or iterable of mappings
        :attr:`~talentgap.planning.QuotaPlan.constraints`, or some of its rows.
    currency : str, default ""
        Unit of money, e.g. ``"yuan"``.
    unit : str, default "persons"
        Unit of the shortfall: ``"persons"`` (one period) or ``"person-years"``.
    summary : pandas.Series, optional
        The plan's :attr:`~talentgap.planning.QuotaPlan.summary`, which says
        whether every need is met (a budget that does not bind then says so),
        whether places are whole (money left under a binding budget "buys no
        further useful place") and whether the plan spans several periods
        (its budgets are then each "the budget for <period>").
    cheapest : float, optional
        The cost of the cheapest place the plan could fund. A budget below it,
        with whole places, says so instead of reading as "fully used".

    Returns
    -------
    list of str
        One sentence per row, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "kind": ["budget", "capacity", "capacity"],
    ...     "words": ["budget", "capacity of textiles in A", "capacity of textiles in B"],
    ...     "binds": [True, True, True], "limit": [5_000_000, 400, 400],
    ...     "used": [4_998_000, 400, 400], "unit": ["money", "places", "places"],
    ...     "value": [7.5e-05, 0.0057, 0.043], "objective": "expected shortfall"})
    >>> for line in plain_constraints(rows, currency="yuan"):
    ...     print(line)
    budget is fully used: 4,998,000 of 5,000,000 yuan spent; each extra 10,000 yuan of it closes about 0.75 persons of the expected shortfall
    capacity of textiles in A is reached (400 places); each 100 more places of capacity close about 0.57 persons of the expected shortfall, net of what the same money would close in other cells (the budget is fully used, so the money comes from there)
    capacity of textiles in B is reached (400 places); each 100 more places of capacity close about 4.3 persons of the expected shortfall, net of what the same money would close in other cells (the budget is fully used, so the money comes from there)
    >>> tiny = rows.head(1).assign(limit=1_000, used=0)
    >>> print(plain_constraints(tiny, currency="yuan", summary=pd.Series({"integer": "round"}),
    ...                         cheapest=6_000)[0])
    budget of 1,000 yuan is below the cost of one place (the cheapest place costs 6,000 yuan): no place can be funded; each extra 10,000 yuan of it would close about 0.75 persons of the expected shortfall
    """  # noqa: E501
    table = (constraints if isinstance(constraints, pd.DataFrame)
             else pd.DataFrame(list(constraints)))
    if table.empty:
        return []
    value = pd.to_numeric(table["value"], errors="coerce").to_numpy(dtype=float)
    binds = table["binds"].to_numpy(dtype=bool)
    rated = binds & (value > 0)
    money = _common_step(value[rated & (table["unit"] == "money").to_numpy()], largest=1e12)
    places = _common_step(value[rated & (table["unit"] == "places").to_numpy()
                                & (table["kind"] != "min_quota").to_numpy()], largest=1000)
    context = _Context(currency=currency, unit=unit, money_step=money, place_step=places,
                       summary=summary, cheapest=cheapest)
    context.budget_binds = _binding_budgets(table, binds)
    return [context.words(row) for row in table.to_dict("records")]


def _binding_budgets(table: pd.DataFrame, binds) -> set:
    """The periods whose budget binds (as text), ``None`` standing for a budget of every
    period (one budget, or a total shared by the periods): a place of capacity is paid from
    other cells only where the budget of its own period is fully used."""
    rows = binds & (table["unit"] == "money").to_numpy() & (table["kind"] == "budget").to_numpy()
    if "period" not in table.columns:
        return {None} if rows.any() else set()
    return {None if pd.isna(p) else str(p) for p in table.loc[rows, "period"]}


class _Context:
    """What every row of one list is worded with: units, common steps, plan-wide facts."""

    def __init__(self, *, currency: str, unit: str, money_step, place_step, summary,
                 cheapest: float | None = None) -> None:
        self.money = f" {currency}" if currency else ""
        self.cheapest = math.nan if cheapest is None else float(cheapest)
        self.unit = unit
        self.money_step, self.place_step = money_step, place_step
        summary = pd.Series(dtype=object) if summary is None else summary
        after = float(summary.get("shortfall_after", math.nan))
        after += float(summary.get("policy_shortfall_after", 0.0) or 0.0)
        self.closed = after <= 1e-9
        self.whole = summary.get("integer", "none") != "none"
        self.several = "need_periods" in summary.index
        self.budget_binds: set = set()

    def words(self, row: dict) -> str:
        kind, value, objective = row["kind"], float(row["value"]), row.get("objective", "")
        if kind == "budget":
            return self._budget(row, value, objective)
        if kind in ("unsupplied_cells", "min_class_size") or not row["binds"]:
            # the minimum class size is a rule with no value per unit: its sentence counts
            # the classes that run and the cells left without places
            return str(row.get("sentence", row["words"]))
        subject, limit = row["words"], exact_number(row["limit"])
        if kind == "min_quota":
            return (f"{subject} is reached ({limit} places); each required place adds about "
                    f"{about(-value)} {self.unit} to the {objective}, as the money would "
                    "do more elsewhere")
        if row["unit"] == "shortfall":  # an equity rule
            return (f"{subject} limits the plan: each further worker of shortfall it requires "
                    f"removed adds about {about(-value)} {self.unit} to the {objective}")
        if row["unit"] == "money":
            head = f"{subject} is reached ({limit})"
            effect = _per_money(value, self.money, self.unit, self.money_step)
        else:
            head = f"{subject} is reached ({limit} places)"
            what = "place of capacity" if kind == "capacity" else "place"
            effect = _per_place(value, what, self.unit, self.place_step)
            if self._paid_elsewhere(row) and value > 0:  # the places are paid from other cells
                objective = (f"{objective}, net of what the same money would close in other "
                             "cells (the budget is fully used, so the money comes from there)")
        return head if math.isnan(value) else f"{head}; {effect} {objective}"

    def _paid_elsewhere(self, row: dict) -> bool:
        """Whether the budget the row's places are paid from is fully used: one budget of
        every period, or the budget of the row's own period."""
        if None in self.budget_binds:
            return True
        period = row.get("period")
        return period is not None and not pd.isna(period) and str(period) in self.budget_binds

    def _budget(self, row: dict, value: float, objective: str) -> str:
        subject, money = row["words"], self.money
        used, limit = float(row["used"]), float(row["limit"])
        if abs(limit - used) <= 1e-9 * max(abs(limit), 1.0):   # the sum's rounding, not money
            used = limit
        spent = f"{exact_number(used)} of {exact_number(limit)}{money} spent"
        left = limit - used
        if row["binds"] and self.whole and used <= 0 and limit < self.cheapest:
            line = (f"{subject} of {exact_number(limit)}{money} is below the cost of one place "
                    f"(the cheapest place costs {exact_number(self.cheapest)}{money}): no place "
                    "can be funded")
            if not math.isnan(value) and value > 0:   # what more of it would do
                effect = _per_money(value, money, self.unit, self.money_step)
                line += "; " + effect.replace(" closes ", " would close ", 1) + f" {objective}"
            return line
        if row["binds"]:
            line = f"{subject} is fully used: {spent}"
            if not math.isnan(value):
                line += f"; {_per_money(value, money, self.unit, self.money_step)} {objective}"
            if self.whole and left > 1e-9 * max(abs(limit), 1.0):   # not rounding noise
                line += f"; the {exact_number(left)}{money} left buys no further useful place"
            return line
        if self.several:
            return (f"{subject} is not the limit: every need is met; {spent}" if self.closed
                    else f"{subject} is not the limit: {spent}; more of it would not reduce "
                         f"the {objective}")
        if self.closed:
            return f"every expected gap is closed: {spent}, {exact_number(left)}{money} not needed"
        return (f"{subject} is not the limit: {spent}; more money would not reduce the "
                f"{objective}")

