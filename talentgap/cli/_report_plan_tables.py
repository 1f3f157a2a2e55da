"""The plan's tables as both the report and the output files give them.

One builder per table, so that ``plan_binding.csv`` and ``plan_years.csv``
say what the report says: the binding constraints as sentences with the
currency and the unit of shortfall (:func:`binding_sentences`), and the
per-year table with its budget on every row, also when one total is shared
by the funding years (:func:`plan_years_table`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from talentgap import planning
from talentgap.cli._report_tables import is_multiyear, sentence
from talentgap.cli._wording import levels_in_text
from talentgap.cli.pipeline import RunResult
from talentgap.planning._constraint_sentences import cheapest_places, plan_sentences

__all__ = ["all_years_words", "binding_sentences", "binding_table", "certified_words",
           "held_note_words",
           "cheapest_place", "funded_rows", "plan_years_table",
           "run_levels", "shared_budget_front_loaded"]


def run_levels(result: RunResult) -> list[str]:
    """The skill-level codes of the run, to write them in words in free text."""
    levels = [str(level) for level in result.config.data.skill_levels or ()]
    fc = result.forecast
    if fc is not None and "skill_level" in fc.columns:
        levels += fc["skill_level"].dropna().astype(str).unique().tolist()
    return levels


def cheapest_place(plan: planning.QuotaPlan) -> float | None:
    """The cost of the cheapest place the plan could fund (a cell with room), or None.

    The smallest of the plan's budgets' cheapest places
    (:func:`~talentgap.planning._constraint_sentences.cheapest_places`).
    """
    cheapest = cheapest_places(plan)
    cheapest = cheapest[np.isfinite(cheapest)]
    return float(cheapest.min()) if cheapest.size else None


def binding_sentences(result: RunResult) -> list[str]:
    """Each row of the plan's constraints table as the sentence the report prints.

    The library's sentences (:attr:`QuotaPlan.binding`, from the same facts)
    with the currency (``[output] currency``), skill levels in words:
    the report and the ``sentence`` column of ``plan_binding.csv`` come from
    here, so they read the same.
    """
    lines = plan_sentences(result.plan, currency=result.config.output.currency)
    levels = run_levels(result)
    return [sentence(levels_in_text(line, levels)) for line in lines]


def binding_table(result: RunResult) -> pd.DataFrame:
    """``plan_binding.csv``: the plan's constraints with :func:`binding_sentences` last
    (after the columns naming each row's cell and period)."""
    table = result.plan.constraints
    if not len(table):
        return table
    table = table.assign(sentence=binding_sentences(result))
    return table[[*table.columns.drop("sentence"), "sentence"]]


def funded_rows(quotas: pd.DataFrame, keys) -> tuple[pd.DataFrame, str]:
    """The funded rows of a plan's quotas in the report's order, and that order in words.

    Most places first. Many rows often reach the same number (a capacity
    of 400 places binds in dozens of cell-years), so rows with as many
    places follow the need they serve, largest first: ``need_at_arrival``
    (a multi-year plan's weighted expected shortfall without the plan in
    the year its places certify) or ``gap_before`` (a single-period plan's
    expected gap); then the programme, the key values and the funding
    period, so the order never depends on the rows' order in ``quotas``.

    Examples
    --------
    >>> quotas = pd.DataFrame({"region": ["A", "B", "C", "D"],
    ...                        "period": ["2026", "2026", "2026", "2027"],
    ...                        "quota": [400.0, 400.0, 0.0, 90.0],
    ...                        "need_at_arrival": [50.0, 80.0, 99.0, 120.0]})
    >>> rows, order = funded_rows(quotas, ["region"])
    >>> rows["region"].tolist()
    ['B', 'A', 'D']
    >>> order
    'most places first; equal places by the expected shortfall without the plan in the year \
the places certify, largest first, then by cell and year'
    """
    funded = quotas[quotas["quota"] > 0]
    need = next((c for c in ("need_at_arrival", "gap_before") if c in funded.columns), None)
    then = [c for c in ("program", *keys, "period") if c in funded.columns]
    by = ["quota", *([need] if need else []), *then]
    ascending = [False] * (len(by) - len(then)) + [True] * len(then)
    funded = funded.sort_values(by, ascending=ascending, kind="stable", na_position="last")
    unit = "programme" if "program" in then else "cell"
    years = "period" in then and funded["period"].nunique() > 1
    tail = f"then by {unit}" + (" and year" if years else "")
    if need == "need_at_arrival":
        return funded, ("most places first; equal places by the expected shortfall without "
                        f"the plan in the year the places certify, largest first, {tail}")
    if need == "gap_before":
        return funded, ("most places first; equal places by the expected gap before the "
                        f"plan, largest first, {tail}")
    return funded, f"most places first; equal places {tail.replace('then ', '', 1)}"


def plan_years_table(result: RunResult) -> pd.DataFrame:
    """``plan_years.csv``: a multi-year plan's per-year table, its budget said per row.

    :attr:`QuotaPlan.years <talentgap.planning.QuotaPlan>` with the budget
    filled in where one total is shared by the funding years (the total on
    each funding year's row), and two columns after ``budget``:
    ``budget_for`` (the year itself, ``"2025–2028 (shared)"`` for one total,
    empty for a year without funding) and ``cost_to_date`` (the cost of the
    places funded up to and including the year).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> years = pd.DataFrame({"period": pd.period_range("2025", periods=3, freq="Y"),
    ...                       "places": [90.0, 10.0, 0.0], "cost": [900.0, 100.0, 0.0],
    ...                       "budget": np.nan})
    >>> result = SimpleNamespace(plan=SimpleNamespace(years=years,
    ...                                               summary=pd.Series({"budget": 1000.0})),
    ...                          config=SimpleNamespace(plan=SimpleNamespace(years=[2025, 2026])))
    >>> plan_years_table(result)[["budget", "budget_for", "cost_to_date"]]
       budget          budget_for  cost_to_date
    0  1000.0  2025–2026 (shared)         900.0
    1  1000.0  2025–2026 (shared)        1000.0
    2     NaN                            1000.0
    """
    years = result.plan.years
    funding = [int(str(y)[:4]) for y in result.config.plan.years]
    labels = years["period"].astype(str).str[:4]
    funded = labels.astype(int).isin(funding).to_numpy()
    budget = years["budget"].to_numpy(dtype=float)
    if not np.isfinite(budget[funded]).any():  # one total for the whole plan
        budget = np.where(funded, float(result.plan.summary["budget"]), np.nan)
        span = (f"{funding[0]}–{funding[-1]}" if len(funding) > 1 else str(funding[0]))
        budget_for = np.where(funded, f"{span} (shared)", "")
    else:
        budget_for = np.where(funded & np.isfinite(budget), labels.to_numpy(), "")
    out = years.assign(budget=budget, budget_for=budget_for,
                       cost_to_date=years["cost"].cumsum().to_numpy())
    columns = list(years.columns)
    at = columns.index("budget") + 1
    return out[[*columns[:at], "budget_for", "cost_to_date", *columns[at:]]]


def shared_budget_front_loaded(result: RunResult, *, share: float = 0.5) -> tuple | None:
    """When one budget shared by the funding years is mostly spent in the first of them.

    Returns ``(first funding year, cost in it, total cost)`` when more than
    ``share`` of the plan's cost falls in its first funding year under one
    total budget, else None.
    """
    table = plan_years_table(result)
    shared = table["budget_for"].str.endswith("(shared)")
    if not shared.any() or len(result.config.plan.years) < 2:
        return None
    total = float(table["cost"].sum())
    first = table[shared].iloc[0]
    if total <= 0 or float(first["cost"]) <= share * total:
        return None
    return str(first["period"]), float(first["cost"]), total


def certified_words(result: RunResult, year) -> str:
    """How the workers still in their trade in ``year`` relate to all the plan's certified ones.

    `` By then 4,556 will have certified and taken a job in their trade, counted before any
    leave it. All the plan's places add 5,695 once the last have certified in 2030.``
    (short sentences, each led by a space): the per-year table counts the workers present
    in a year, the plan summary every place's workers added (``expected_certified``:
    places x pass rate x absorption, those who certify and take a job in the trade) before
    any leave it. "" when the plan's quotas carry no arrival period.
    """
    quotas = result.plan.quotas
    if "arrival_period" not in quotas.columns or "expected_certified" not in quotas.columns:
        return ""
    arrival = quotas["arrival_period"].astype(str).str[:4].astype(int)
    certified = quotas["expected_certified"].astype(float)
    by_then = float(certified[arrival <= int(str(year)[:4])].sum())
    total = float(certified.sum())
    words = (f" By then {by_then:,.0f} will have certified and taken a job in their trade, "
             "counted before any leave it.")
    if total > by_then + 0.5:
        last = int(arrival[certified > 0].max())
        words += (f" All the plan's places add {total:,.0f} once the last have certified in "
                  f"{last}.")
    return words


def all_years_words(result: RunResult) -> str:
    """For a multi-year plan's summary table: what its workers added count, over which years."""
    quotas = result.plan.quotas
    if not is_multiyear(result) or "arrival_period" not in quotas.columns:
        return ""
    funded = quotas[quotas["quota"] > 0]
    if funded.empty:
        return ""
    last = funded.loc[funded["period"].astype(str) == funded["period"].astype(str).max()]
    return ("; the workers added count every place's trainees who certify and take a job "
            "in their trade, before any leave it, so places funded in "
            f"{last['period'].iloc[0]} count though they certify in "
            f"{last['arrival_period'].iloc[0]}; the per-year table shows how many are "
            "still in their trade each year")


_HELD_NOTE = re.compile(
    r"(?P<what>\d+ need years? of \d+ \([\d-]+\)) (?P<verb>lies?) past the forecast and "
    r"holds? its (?P<last>\d{4}) market need, per sample path \(need_basis \"held at \d{4}\" "
    r"in the plan tables\)(?:; they carry (?P<carried>.*?))?; the plan's figures for those "
    r"years rest on that copy")


def held_note_words(note: str) -> str:
    """The plan's note on need years past the forecast, in short sentences and without the
    column name (the section for the analyst names it); other notes unchanged.

    Examples
    --------
    >>> print(held_note_words('2 need years of 6 (2029-2030) lie past the forecast and hold '
    ...     'its 2028 market need, per sample path (need_basis "held at 2028" in the plan '
    ...     "tables); they carry 39% of the expected market shortfall; the plan's figures for "
    ...     "those years rest on that copy"))
    2 need years of 6 (2029-2030) lie past the forecast. They keep the need for workers of 2028 in each simulated future, marked "held at 2028" in the plan's tables. They carry 39% of the expected market shortfall. The plan's figures for those years rest on that copy.
    """  # noqa: E501
    match = _HELD_NOTE.fullmatch(note.rstrip("."))
    if match is None:
        return note
    one = match["verb"] == "lies"
    keep = "It keeps" if one else "They keep"
    words = (f"{match['what']} {match['verb']} past the forecast. {keep} "
             f"the need for workers of {match['last']} in each simulated future, marked "
             f"\"held at {match['last']}\" in the plan's tables.")
    if match["carried"]:
        words += f" {'It carries' if one else 'They carry'} {match['carried']}."
    return words + " The plan's figures for those years rest on that copy."
