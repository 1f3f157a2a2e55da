"""The plan in sentences: what its budgets buy, what limits it, what it minimises.

The report's words about a plan, for the headline and the plan sections
(:mod:`talentgap.cli._report_plan`): what the budget buys and how much of
the expected shortfall it cuts (:func:`cut_text`, and over the years
:func:`years_closing_text`), the years no place can reach
(:func:`arrival_shortfall`) or whose need is held at the last forecast
year's (:func:`held_need`), why one shared budget is spent early
(:func:`front_loaded_words`), the plan's objective
(:func:`objective_words`, :func:`quantile_note`) and its pass rate
(:func:`pass_rate_note`).
"""

from __future__ import annotations

import pandas as pd

from talentgap._words import money_words, percentile_words
from talentgap.cli._report_plan_tables import certified_words, plan_years_table
from talentgap.cli._report_tables import is_multiyear, shortfall_span, shortfall_unit
from talentgap.cli._report_targets import target_reach
from talentgap.cli._result import RunResult
from talentgap.cli._target_table import target_year_words
from talentgap.cli._wording import level_words

__all__ = ["arrival_shortfall", "cut_text", "front_loaded_words", "funding_years_words",
           "held_need", "held_words", "objective_total_words", "objective_words",
           "pass_rate_note", "plan_quantile", "quantile_note", "years_closing_text",
           "years_words"]


def years_words(periods) -> str:
    """``2025–2029`` for consecutive years, else ``2025, 2027 and 2029``.

    Examples
    --------
    >>> years_words([2025, 2026, 2027]), years_words(["2025", "2027"]), years_words([2026])
    ('2025–2027', '2025 and 2027', '2026')
    """
    years = [int(str(p)[:4]) for p in periods]
    if len(years) > 2 and years == list(range(years[0], years[0] + len(years))):
        return f"{years[0]}–{years[-1]}"
    names = [str(y) for y in years]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def funding_years_words(result: RunResult) -> str:
    """The funding years of a multi-year plan in words."""
    years = result.config.plan.years
    return years_words(years) if years else str(result.plan.summary["period"])


def held_need(result: RunResult) -> tuple[int, list[int]] | None:
    """The last forecast year of a multi-year plan and the later need years held at its level.

    None when the forecast reaches every need year (or the plan is not
    multi-year).

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> r = RunResult(Config.from_dict({}), forecast_reach=pd.Period("2028Q4"))
    >>> r.plan = type("Plan", (), {"years": pd.DataFrame({"period": [2027, 2028, 2029, 2030]})})
    >>> held_need(r)
    (2028, [2029, 2030])
    """
    reach, plan = result.forecast_reach, result.plan
    if reach is None or plan is None or getattr(plan, "years", None) is None:
        return None
    held = [int(str(p)[:4]) for p in plan.years["period"]
            if int(str(p)[:4]) > reach.year]
    return (reach.year, held) if held else None


def held_words(held: tuple[int, list[int]]) -> str:
    """``needs after 2028 held at 2028's level`` for :func:`held_need`'s answer."""
    return f"needs after {held[0]} held at {held[0]}'s level"


def _closing_year(result: RunResult) -> tuple[int, str]:
    """The row of the per-year table the headline speaks of, and how to name its year.

    The target year when the plan has targets and the year is in the table
    (from whichever source the targets came: ``[targets] target_year`` or
    the rows of a targets file; with several, the latest, named as such:
    :func:`talentgap.cli._report_targets.target_reach`); otherwise the last
    need year, with a word on a target year outside the table.
    """
    years = [int(str(p)[:4]) for p in result.plan.years["period"]]
    reach = target_reach(result) if result.target_path is not None else None
    targets = reach["years"] if reach is not None else []
    if not targets:
        return len(years) - 1, ""
    target = targets[-1]
    if target in years:
        return years.index(target), f", {target_year_words(targets)},"
    # outside the years the plan counts
    return len(years) - 1, (f" (the last year the plan counts; {target_year_words(targets)} "
                            f"is {target})")


def arrival_shortfall(result: RunResult) -> dict | None:
    """A multi-year plan's expected shortfall over the years its places can reach.

    Places funded in the first funding year certify ``lead_time`` years
    later: the years before cannot gain from the plan, and a cut counted
    over them is diluted. Returns ``first`` and ``last`` (the years from the
    first arrival on), ``before``, ``after`` (their shortfalls summed, from
    the per-year table) and ``early`` (the years before, in words), or None
    when every counted year can be reached (``lead_time = 0``).
    """
    years = result.plan.years
    labels = years["period"].astype(str).str[:4].astype(int).to_numpy()
    first = int(str(result.config.plan.years[0])[:4]) + int(result.config.plan.lead_time)
    reach = labels >= first
    if reach.all() or not reach.any():
        return None
    return {"first": first, "last": int(labels[-1]),
            "before": float(years.loc[reach, "shortfall_before"].sum()),
            "after": float(years.loc[reach, "shortfall_after"].sum()),
            "early": years_words(labels[~reach].tolist())}


def cut_text(result: RunResult, before: float, after: float, cut: float) -> str:
    """What the budget buys and how much of the expected shortfall it cuts, over which years.

    One figure, the key figure's (every counted year); a multi-year plan
    whose places arrive a lead time after funding also names the years no
    place can reach.
    """
    s, currency = result.plan.summary, result.config.output.currency
    unit, span = shortfall_unit(result), shortfall_span(result)
    bought = (f"A budget of {money_words(float(s['budget']), currency)} funds "
              f"{float(s['places']):,.0f} training places and cuts the expected shortfall")
    reach = arrival_shortfall(result) if is_multiyear(result) else None
    if reach is None or reach["before"] <= 0:
        return f"{bought} from {before:,.0f} to {after:,.0f} {unit} {span} ({cut:.0%} less)."
    lead = int(result.config.plan.lead_time)
    return (f"{bought} {span} from {before:,.0f} to {after:,.0f} {unit} ({cut:.0%} less). "
            f"No place can cut it in {reach['early']}: a place certifies {lead} "
            f"year{'' if lead == 1 else 's'} after it is funded, so the first arrive in "
            f"{reach['first']}.")


def years_closing_text(result: RunResult) -> str:
    """What a multi-year plan's budgets buy by the target (or last need) year; what limits it.

    Only the plan's own per-year figures: no budget curve is drawn for a
    multi-year plan (one plan per budget would be too slow), so the sentence
    says what the plan leaves short and which constraints bind.
    """
    plan = result.plan
    years = plan.years
    funded = years[years["places"] > 0]
    at, which = _closing_year(result)
    last, year = years.iloc[at], years["period"].iloc[at]
    places = funded["places"].round().to_numpy()
    if len(funded) > 1 and (places == places[0]).all():
        spent = (f"{places[0]:,.0f} places in each of {funded['period'].iloc[0]}–"
                 f"{funded['period'].iloc[-1]}")
    else:
        spent = ", ".join(f"{row.places:,.0f} places in {row.period}"
                          for row in funded.itertuples(index=False)) or "no places"
    table = plan_years_table(result)
    shared = bool(table["budget_for"].str.endswith("(shared)").any())
    idle = [int(str(p)[:4]) for p in table.loc[(table["budget_for"] != "")
                                                & (table["places"] <= 0), "period"]]
    if shared and idle and len(funded):
        spent += f" and none in {years_words(idle)}"
    buy = "the budget buys" if shared else "the budgets buy"
    before, after = float(last["shortfall_before"]), float(last["shortfall_after"])
    # short sentences, one figure or two each: a director reads this paragraph first
    words = (f"Over the funding years {buy} {spent}. By {year}{which} the plan's "
             f"certified workers still in their trade are expected to number "
             f"{float(last['workers']):,.0f}.{certified_words(result, year)}"
             f" The expected shortfall in {year}")
    held = held_need(result)
    in_held = held is not None and int(str(year)[:4]) in held[1]
    words += f" ({held_words(held)})" if in_held else ""
    words += f" falls from {before:,.0f} to {after:,.0f} persons"
    words += f" ({1 - after / before:.0%} closed, {after / before:.0%} left)" if before > 0 else ""
    words += "."
    if "policy_shortfall_before" in years.columns and pd.notna(last["policy_shortfall_before"]):
        served = level_words(result.config.targets.plan_level)
        words += (f" The shortfall against the {served} target in {year} falls from "
                  f"{float(last['policy_shortfall_before']):,.0f} to "
                  f"{float(last['policy_shortfall_after']):,.0f} persons.")
    limits_table = plan.constraints
    binds, kind = limits_table["binds"].to_numpy(dtype=bool), limits_table["kind"]
    budgets = int((binds & (kind == "budget").to_numpy()).sum())
    capacities = int((binds & (kind == "capacity").to_numpy()).sum())
    others = int((binds & ~kind.isin(["budget", "capacity"]).to_numpy()).sum())
    n_years = int(years["budget"].notna().sum()) if "budget" in years.columns else 0
    limits = []
    if budgets:
        limits.append("the budget is fully used" if budgets == 1 else
                      f"the budgets of all {budgets} funding years are fully used"
                      if budgets == n_years else f"{budgets} budget limits are fully used")
    if capacities:
        limits.append("one cell reaches its training capacity in one funding year"
                      if capacities == 1 else f"cells reach their training capacity "
                      f"{capacities} times over the funding years")
    if others:
        limits.append(f"{others} other limit{'s bind' if others > 1 else ' binds'}")
    if limits:
        listed = limits[0] if len(limits) == 1 else ", ".join(limits[:-1]) + " and " + limits[-1]
        words += (f" What limits the plan: {listed}. The plan section lists each binding "
                  "constraint. More money "
                  + ("would close more of it." if budgets else "alone would not close more."))
    else:
        words += " No budget or capacity limits the plan."
    return words


def plan_quantile(result: RunResult) -> float | None:
    """The quantile a plan is made against (``risk = "quantile"``), or None."""
    s = result.plan.summary
    if str(s.get("risk", "expected")) != "quantile":
        return None
    q = pd.to_numeric(pd.Series([s.get("quantile")]), errors="coerce").iloc[0]
    return float(q) if pd.notna(q) else result.config.plan.quantile


def objective_words(result: RunResult) -> str:
    """What the plan minimises: ``expected shortfall`` or the shortfall against a quantile gap.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> from talentgap.cli.pipeline import run
    >>> result = run(Config.from_dict({"forecast": {"model": "naive", "n_samples": 100},
    ...                               "plan": {"budget": 1e6, "cost_per_trainee": 6000,
    ...                                        "risk": "quantile", "quantile": 0.8}}),
    ...              steps=("forecast", "plan"), demo=True)
    >>> objective_words(result)
    "shortfall against each cell's 80th-percentile gap"
    """
    q = plan_quantile(result)
    if q is None:
        return "expected shortfall"
    return f"shortfall against each cell's {percentile_words(q)} gap"


def quantile_note(result: RunResult) -> str:
    """For a plan made against a quantile gap: what that means and why surplus cells get places.

    Empty for a plan that minimises the expected shortfall.
    """
    q = plan_quantile(result)
    if q is None:
        return ""
    return (f" The plan guards against the worse outcomes (risk = \"quantile\", quantile "
            f"{q:g}): each cell is planned for the gap it exceeds with a probability of only "
            f"{1 - q:.0%}, not for its expected gap, so a cell whose expected gap is a surplus "
            f"is funded when its {percentile_words(q)} gap is still a shortage. The shortfalls "
            "in the tables are expected shortfalls, shown for comparison: the plan is not "
            "chosen to make them smallest, and the proportional rule can leave a smaller one.")


def pass_rate_note(result: RunResult) -> str:
    """The plan's pass rate and its source when ``[plan] pass_rate`` is not set (else "").

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> config = SimpleNamespace(plan=SimpleNamespace(pass_rate=0.69))
    >>> pass_rate_note(SimpleNamespace(config=config, pass_rate_basis="observed: ..."))[:50]
    ' Pass rate of every place: 0.69, observed: ... (th'
    """
    basis = getattr(result, "pass_rate_basis", None)
    if basis is None:
        return ""
    return (f" Pass rate of every place: {float(result.config.plan.pass_rate):.2f}, {basis} "
            "(the pass_rate setting in the [plan] part of the configuration is not set; set "
            "it to plan with another rate, or give a CSV of rates per cell).")


def objective_total_words(result: RunResult) -> str:
    """The shortfall the constraints' effects are changes of, with its parts, in words."""
    s = result.plan.summary
    total = pd.to_numeric(pd.Series([s.get("objective")]), errors="coerce").iloc[0]
    if result.policy is None or pd.isna(total) or "policy_shortfall_after" not in s:
        return ""
    weight = float(result.config.plan.policy_weight)
    times = "" if weight == 1 else f"{weight:g} × "
    words = (f"; the effects are changes of the weighted expected shortfall, which the plan "
             f"leaves at {float(total):,.0f} {shortfall_unit(result)}, "
             f"{float(s['shortfall_after']):,.0f} of vacancies plus {times}"
             f"{float(s['policy_shortfall_after']):,.0f} against the "
             f"{level_words(result.config.targets.plan_level)} target")
    penalty = float(s.get("surplus_penalty", 0) or 0)
    if penalty > 0 and pd.notna(s.get("surplus_after")):
        words += f" plus {penalty:g} × {float(s['surplus_after']):,.0f} of surplus"
    return words


def front_loaded_words(result: RunResult, year: str, cost: float, total: float) -> str:
    """Why one budget shared by the funding years is mostly spent in the first, and the remedy.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> r = RunResult(Config.from_dict({"plan": {"years": [2025, 2026, 2027],
    ...                                          "lead_time": 1},
    ...                                 "output": {"currency": "yuan"}}))
    >>> print(front_loaded_words(r, "2025", 9.8e6, 1e7))  # doctest: +NORMALIZE_WHITESPACE
    The budget is one sum shared by the funding years, and 98% of the plan's cost (9,800,000
    of 10,000,000 yuan) falls in 2025: a place funded early adds workers for more of the years
    the plan counts (a place funded in 2025 adds workers from 2026 to 2028, one funded in
    2027 only in 2028), so the cheapest way to cut the shortfall summed over the years is to
    fund places as early as it can. To spread the places over the years, give a budget for
    each funding year (2025, 2026, 2027) in the configuration.
    """
    settings = result.config.plan
    funding = [int(str(y)[:4]) for y in settings.years]
    lead = int(settings.lead_time)
    last_need = funding[-1] + lead
    money = f" {result.config.output.currency}".rstrip()
    per_year = ", ".join(str(y) for y in funding[:3]) + (", ..." if len(funding) > 3 else "")
    return (f"The budget is one sum shared by the funding years, and {cost / total:.0%} of "
            f"the plan's cost ({cost:,.0f} of {total:,.0f}{money}) falls in {year}: a place "
            "funded early adds workers for more of the years the plan counts (a place funded "
            f"in {funding[0]} adds workers from {funding[0] + lead} to {last_need}, one funded "
            f"in {funding[-1]} only in {last_need}), so the cheapest way to cut the shortfall "
            "summed over the years is to fund places as early as it can. To spread the places "
            f"over the years, give a budget for each funding year ({per_year}) in the "
            "configuration.")
