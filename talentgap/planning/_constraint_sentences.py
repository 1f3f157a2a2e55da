"""The constraints of a plan in words: the one wording of :attr:`QuotaPlan.binding`.

Every plan (one period or several, cells or programmes) describes its
constraints as the rows of :attr:`QuotaPlan.constraints` (which binds, its
limit, what is used, its value per unit); :func:`constraint_sentences` words
each row from those numbers, and the plan's facts from its summary and quotas
(:func:`plan_sentences`). A plan fills ``sentence`` and :attr:`QuotaPlan.binding`
with it on their first read (sums of money without a unit); the command
line calls the same function with the currency, so the report, its
``plan_binding.csv``, ``QuotaPlan.binding`` and ``POST /v1/plan`` say the same
thing about the same plan.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from talentgap._words import about, exact_number
from talentgap.planning._params import left_over, money_step, per_money
from talentgap.planning._plan_words import PAID_ELSEWHERE, below_one_place
from talentgap.planning._tables import freq_code

__all__ = ["PERSON_PERIODS", "cheapest_places", "constraint_sentences", "plan_sentences",
           "shortfall_unit"]

#: The unit of a shortfall summed over need periods, by the periods' frequency code.
PERSON_PERIODS = {"Y": "person-years", "Q": "person-quarters", "M": "person-months"}

#: Rows worded where they are made, from facts the table does not hold: kept as they are.
_KEPT = ("unsupplied_cells", "min_class_size")


def shortfall_unit(plan) -> str:
    """The unit of a plan's shortfall (and of its constraints' values).

    ``"persons"`` for a plan over one period; over several need periods the
    shortfall is summed over them: ``"person-years"`` for yearly needs
    (``"person-quarters"``, ``"person-months"``).
    """
    years = getattr(plan, "years", None)
    if years is None or years.empty or "period" not in years.columns:
        return "persons"
    return PERSON_PERIODS.get(freq_code(years["period"].dtype), "person-periods")


def cheapest_places(plan) -> np.ndarray:
    """Per row of ``plan.constraints``: the cost of the cheapest place its money could fund.

    For a budget row, the cheapest place with room (a capacity of at least
    one whole place when places are whole, above 0 otherwise) among the
    decisions it pays for: those of its ``period`` when it has one (a budget
    of one funding period), else every decision; ``inf`` when it can fund
    none. NaN on every other row.
    """
    table, quotas = plan.constraints, plan.quotas
    out = np.full(len(table), np.nan)
    if not len(table) or "cost_per_trainee" not in quotas.columns:
        return out
    cost = pd.to_numeric(quotas["cost_per_trainee"], errors="coerce").to_numpy(dtype=float)
    cap = (pd.to_numeric(quotas["capacity"], errors="coerce").fillna(np.inf).to_numpy(float)
           if "capacity" in quotas.columns else np.full(cost.size, np.inf))
    if plan.summary.get("integer", "none") != "none":
        cap = np.floor(cap + 1e-9)
    room = (cost > 0) & (cap > 0)
    period = (quotas["period"].astype(str).to_numpy(dtype=object) if "period" in quotas.columns
              else np.full(cost.size, None, dtype=object))
    at = (table["period"] if "period" in table.columns
          else pd.Series(None, index=table.index, dtype=object))
    for i in np.flatnonzero((table["kind"] == "budget").to_numpy()):
        mine = room if pd.isna(at.iloc[i]) else room & (period == str(at.iloc[i]))
        out[i] = float(cost[mine].min()) if mine.any() else np.inf
    return out


def plan_sentences(plan, *, currency: str = "") -> list[str]:
    """The rows of ``plan.constraints`` in words, sums of money in ``currency``.

    :func:`constraint_sentences` with the plan's facts: its summary, its unit
    of shortfall (:func:`shortfall_unit`) and the cheapest place each budget
    could fund (:func:`cheapest_places`).

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import allocate_quotas
    >>> needs = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2026",
    ...                       "gap": [300.0, 100.0]})
    >>> plan = allocate_quotas(needs, budget=20_000, cost_per_trainee=100.0, pass_rate=0.5)
    >>> plan_sentences(plan, currency="yuan")
    ['budget is fully used: 20,000 of 20,000 yuan spent; each extra 100 yuan of it closes \
about 0.5 persons of the shortfall of the expected gap']
    >>> plan_sentences(plan) == plan.binding
    True
    """
    return constraint_sentences(plan.constraints, currency=currency, unit=shortfall_unit(plan),
                                summary=plan.summary, cheapest=cheapest_places(plan))


def _step(rates: np.ndarray, largest: float) -> float | None:
    """One power of ten for a list: the one at which the smallest positive rate reaches 0.1."""
    positive = rates[rates > 0]
    return min(money_step(positive), largest) if positive.size else None


def constraint_sentences(constraints, *, currency: str = "", unit: str = "persons",
                         summary: pd.Series | None = None, cheapest=None) -> list[str]:
    """The rows of a plan's constraints table as sentences with their units.

    Each row is worded from its columns (``kind``, ``words``, ``binds``,
    ``limit``, ``used``, ``unit``, ``value``, ``objective``): sums of money
    carry the currency, effects the unit of shortfall, a limit that binds "is
    reached" (a rule "limits the plan"). The money rows share one sum of money
    and the place rows (capacities) one number of places, chosen so that the
    smallest effect in the list still reads with two significant figures:
    the lines of one list compare at a glance. Rows worded where they are
    made (``unsupplied_cells``, ``min_class_size``, and a budget whose money
    left is less than one class of a plan with a minimum class size) keep
    their ``sentence``. Sentences keep their lower-case start.

    Parameters
    ----------
    constraints : pandas.DataFrame or iterable of mappings
        :attr:`~talentgap.planning.QuotaPlan.constraints`, or some of its rows.
    currency : str, default ""
        Unit of money, e.g. ``"yuan"``; "" writes sums of money bare.
    unit : str, default "persons"
        Unit of the shortfall: ``"persons"`` (one period) or ``"person-years"``.
    summary : pandas.Series, optional
        The plan's :attr:`~talentgap.planning.QuotaPlan.summary`: whether
        every need is met (a budget that does not bind then says so), whether
        places are whole (money left under a binding budget "buys no further
        useful place") and whether the plan spans several periods.
    cheapest : float or array, optional
        The cost of the cheapest place a budget could fund (per row, or one
        for every row): a binding budget below it, with whole places, says so
        instead of reading as "fully used".

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
    >>> for line in constraint_sentences(rows, currency="yuan"):
    ...     print(line)
    budget is fully used: 4,998,000 of 5,000,000 yuan spent; each extra 10,000 yuan of it closes about 0.75 persons of the expected shortfall
    capacity of textiles in A is reached (400 places); each 100 more places of capacity close about 0.57 persons of the expected shortfall, net of what the same money would close in other cells (the budget is fully used, so the money comes from there)
    capacity of textiles in B is reached (400 places); each 100 more places of capacity close about 4.3 persons of the expected shortfall, net of what the same money would close in other cells (the budget is fully used, so the money comes from there)
    >>> tiny = rows.head(1).assign(limit=1_000, used=0)
    >>> print(constraint_sentences(tiny, currency="yuan", summary=pd.Series({"integer": "round"}),
    ...                            cheapest=6_000)[0])
    budget of 1,000 yuan is below the cost of one place (the cheapest place costs 6,000 yuan): no place can be funded; each extra 10,000 yuan of it would close about 0.75 persons of the expected shortfall
    """  # noqa: E501
    table = (constraints if isinstance(constraints, pd.DataFrame)
             else pd.DataFrame(list(constraints)))
    if table.empty:
        return []
    value = pd.to_numeric(table["value"], errors="coerce").to_numpy(dtype=float)
    binds = table["binds"].to_numpy(dtype=bool)
    rated = binds & (value > 0)
    kind = table["kind"].to_numpy(dtype=object)
    money = _step(value[rated & (table["unit"] == "money").to_numpy()], largest=1e12)
    places = _step(value[rated & (table["unit"] == "places").to_numpy()
                         & (kind != "min_quota")], largest=1000)
    cheap = np.broadcast_to(np.asarray(np.nan if cheapest is None else cheapest, dtype=float),
                            len(table))
    context = _Context(currency=currency, unit=unit, money_step=money, place_step=places,
                       summary=summary, classes=bool((kind == "min_class_size").any()))
    context.budget_binds = _binding_budgets(table, binds)
    return [context.words(row, float(c))
            for row, c in zip(table.to_dict("records"), cheap, strict=True)]


def _binding_budgets(table: pd.DataFrame, binds) -> set:
    """The periods whose budget binds (as text), ``None`` standing for a budget of every
    period (one budget, or a total shared by the periods): a place of capacity is paid from
    other cells only where the budget of its own period is fully used."""
    rows = binds & (table["unit"] == "money").to_numpy() & (table["kind"] == "budget").to_numpy()
    if "period" not in table.columns:
        return {None} if rows.any() else set()
    return {None if pd.isna(p) else str(p) for p in table.loc[rows, "period"]}


def _per_place(value: float, what: str, unit: str, step: float | None) -> str:
    if step is None:   # this row alone
        step = _step(np.array([value]), largest=1000) or 1.0
    if step == 1:
        return f"one more {what} closes about {about(value)} {unit} of the"
    return (f"each {step:,.0f} more {what.replace('place', 'places')} close about "
            f"{about(value * step)} {unit} of the")


def _per_money(value: float, money: str, unit: str, step: float | None) -> str:
    return f"{per_money(value, step, money=money)} {unit} of the"


class _Context:
    """What every row of one list is worded with: units, common steps, plan-wide facts."""

    def __init__(self, *, currency: str, unit: str, money_step, place_step, summary,
                 classes: bool) -> None:
        self.money = f" {currency}" if currency else ""
        self.unit = unit
        self.money_step, self.place_step = money_step, place_step
        summary = pd.Series(dtype=object) if summary is None else summary
        after = float(summary.get("shortfall_after", math.nan))
        after += float(summary.get("policy_shortfall_after", 0.0) or 0.0)
        self.closed = after <= 1e-9
        self.whole = summary.get("integer", "none") != "none"
        self.several = "need_periods" in summary.index
        self.classes = classes
        self.budget_binds: set = set()

    def words(self, row: dict, cheapest: float) -> str:
        kind, value, objective = row["kind"], float(row["value"]), row.get("objective", "")
        if kind in _KEPT:
            return str(row.get("sentence", row["words"]))
        if kind == "budget":
            return self._budget(row, value, objective, cheapest)
        if not row["binds"]:
            return str(row.get("sentence", row["words"]))
        subject, limit = row["words"], exact_number(row["limit"])
        if kind == "min_quota":
            return (f"{subject} is reached ({limit} places); each required place adds about "
                    f"{about(-value)} {self.unit} to the {objective}, as the money would "
                    "do more elsewhere")
        if kind == "capacity_group_min":   # a group's minimum: raising it costs
            return (f"{subject} is reached ({limit} places); each further place it requires "
                    f"adds about {about(-value)} {self.unit} to the {objective}")
        if row["unit"] == "shortfall":  # an equity rule
            return (f"{subject} limits the plan: each further worker of shortfall it requires "
                    f"removed adds about {about(-value)} {self.unit} to the {objective}")
        if row["unit"] == "money":
            head = f"{subject} is reached ({limit}{self.money})"
            effect = _per_money(value, self.money, self.unit, self.money_step)
        else:
            head = f"{subject} is reached ({limit} places)"
            what = "place of capacity" if kind == "capacity" else "place"
            effect = _per_place(value, what, self.unit, self.place_step)
            if self._paid_elsewhere(row) and value > 0:  # the places are paid from other cells
                objective += PAID_ELSEWHERE
        return head if math.isnan(value) else f"{head}; {effect} {objective}"

    def _paid_elsewhere(self, row: dict) -> bool:
        """Whether the budget the row's places are paid from is fully used: one budget of
        every period, or the budget of the row's own period."""
        if None in self.budget_binds:
            return True
        period = row.get("period")
        return period is not None and not pd.isna(period) and str(period) in self.budget_binds

    def _budget(self, row: dict, value: float, objective: str, cheapest: float) -> str:
        subject, money = row["words"], self.money
        used, limit = float(row["used"]), float(row["limit"])
        if abs(limit - used) <= 1e-9 * max(abs(limit), 1.0):   # the sum's rounding, not money
            used = limit
        left = left_over(limit, used)
        spent = f"{exact_number(used)} of {exact_number(limit)}{money} spent"
        if self.classes and row["binds"] and left and value > 0 and row.get("sentence"):
            return str(row["sentence"])   # money left short of a class: worded with the class
        if row["binds"] and self.whole and used <= 0 and limit < cheapest:
            return below_one_place(subject, limit, cheapest, value, objective,
                                   self.money_step, self.unit, money=money)
        if row["binds"]:
            line = f"{subject} is fully used: {spent}"
            if not math.isnan(value):
                line += f"; {_per_money(value, money, self.unit, self.money_step)} {objective}"
            if self.whole and left:
                line += f"; the {exact_number(left)}{money} left buys no further useful place"
            return line
        if self.several:
            return (f"{subject} is not the limit: every need is met; {spent}" if self.closed
                    else f"{subject} is not the limit: {spent}; more of it would not reduce "
                         f"the {objective}")
        if self.closed:
            return (f"every expected gap is closed: {spent}, {exact_number(limit - used)}{money} "
                    "not needed")
        return (f"{subject} is not the limit: {spent}; more money would not reduce the "
                f"{objective}")
