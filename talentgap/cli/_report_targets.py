"""The report's section on the target shares per region (``[targets]``).

The shares that are targets, their paths and projections per region, the
target year's table, and why a plan can lower the high-skilled share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import money_words
from talentgap.cli._employment_freq import employment_sentence, employment_start
from talentgap.cli._reach_bound import capacity_bound_words
from talentgap.cli._target_table import base_year_words, target_year_words, target_years
from talentgap.cli._targets import high_skilled_share_falls
from talentgap.cli._totals import ALL_REGIONS, region_totals
from talentgap.cli._wording import level_words
from talentgap.cli.pipeline import RunResult
from talentgap.errors import ConfigError
from talentgap.report import Report

__all__ = ["falling_share_words", "first_screen_words", "money_by_region_words", "need_words",
           "region_table", "rough_reach_cost", "target_reach", "target_rows",
           "targets_section"]


#: The target shares in words: what is counted, and of what.
_SHARE_WORDS = {"skilled": "skilled, % of employment",
                "high_skilled": "high-skilled, % of skilled workers"}


def _targeted_levels(path: pd.DataFrame) -> list[str]:
    """The shares (``"skilled"``, ``"high_skilled"``) with a target in ``path``, in that order.

    Either can be the only one: a run may set a high-skilled target alone.

    Examples
    --------
    >>> path = pd.DataFrame({"skill_level": ["skilled", "high_skilled"],
    ...                      "target_share": [float("nan"), 0.3]})
    >>> _targeted_levels(path)
    ['high_skilled']
    """
    given = path.loc[path["target_share"].notna(), "skill_level"]
    return [level for level in ("skilled", "high_skilled") if (given == level).any()]


def _targets_intro(result: RunResult, targeted: list[str], shown: bool) -> str:
    """What the target section shows: which shares are targets, of what, and how projected.

    ``targeted`` are the shares with a target (:func:`_targeted_levels`),
    ``shown`` whether the high-skilled share is shown at all.
    """
    skilled = ("skilled workers as a percentage of employment (all employed persons, every "
               "skill level)")
    high = ("high-skilled workers as a percentage of skilled workers (the skilled workers "
            "include the high-skilled)")
    if targeted == ["skilled", "high_skilled"]:
        shares = (f"Two shares are targets: the skilled share, {skilled}, and the high-skilled "
                  f"share, {high}")
    elif targeted == ["high_skilled"]:
        shares = (f"The high-skilled share is a target: {high}; the skilled share, {skilled}, "
                  "has none and is shown as it follows")
    else:
        shares = f"The skilled share is a target: {skilled}"
    level = result.config.targets.plan_level
    other = "skilled" if level == "high_skilled" else "high_skilled"
    served = f" The plan's places serve the vacancies and the {level_words(level)} target"
    both = len(result.config.targets.plan_levels) == 2
    served = (" The plan's places serve the vacancies and both targets: "
              "high-skilled places count toward the high-skilled share, and toward the skilled "
              "share too unless they upgrade workers who were skilled already; other skilled "
              "places count toward the skilled share only." if both and len(targeted) == 2 else
              f"{served}; the {level_words(other)} share is shown as it follows, but the plan "
              "does not aim at it." if len(targeted) == 2 else
              f"{served}." if shown and targeted == ["high_skilled"] else "")
    where = " where it has one" if shown and len(targeted) == 1 else ""
    employment = result.reports.get("employment")  # a yearly census: what a year is
    census = employment_sentence(getattr(employment, "freq", None), result.config.data.freq,
                                 employment_start(employment, result.config.data.keys))
    census = f" {census}" if census else ""
    return (f"{shares}. Per region, each is shown observed (in each year's last observed "
            f"period), on its target path{where} (straight from the share in the last observed "
            "period of the base year to the target at the end of the target year, and flat "
            "after it; a target of some points above the base year adds them to that share, "
            "the base year's observed share), and "
            "projected without the plan and with it. Without the plan, each year's stock is "
            "last year's less the exits, plus the certified workers of training going on at "
            "its forecast level who are new to the stock (in the mix of each cell's last "
            "year of training by level): new workers certified at a skilled level join the "
            "skilled stock, and those at a high-skilled level the high-skilled stock too, "
            "while upgrades from a skilled to a high-skilled level join the high-skilled "
            "stock only, their workers being skilled already. With the plan, its certified "
            "workers still in their trade join the stocks by the same rule, by the training "
            "of the cell (or programme) their places are bought in; employment is the same "
            "in both projections."
            f"{served} Shares in percent.{census}")


def targets_section(report: Report, result: RunResult, figures: dict) -> None:
    """The target shares per region: definitions, figures, the target year's table, and why."""
    path = result.target_path
    high = bool((path["skill_level"] == "high_skilled").any())
    targeted = _targeted_levels(path)
    report.add_section("Target path per region", intro=_targets_intro(result, targeted, high))
    for level in ("skilled", "high_skilled"):
        stem = "target_path" if level == "skilled" else "target_path_high_skilled"
        if stem in figures:
            words = _SHARE_WORDS[level].replace(", %", " workers as %")
            report.add_figure(figures[stem], caption=f"{words.capitalize()} per region, by "
                              "year: observed, target path, projected without and with the "
                              "plan",
                              alt=f"Observed, target and projected {level_words(level)} "
                                  "shares per region")
    year = _target_year(result, path)
    seen = path[path["observed_share"].notna()]
    base = seen["period"].max()
    rows = target_rows(path, year)
    shown = rows[rows["target_share"].notna()].merge(
        seen[seen["period"] == base][["region", "skill_level", "observed_share"]],
        on=["region", "skill_level"], how="left", suffixes=("_", ""))
    national = _national_rows(path, year, base)
    national = national[national["skill_level"].isin(targeted)]
    order = {"skilled": 0, "high_skilled": 1}
    shown = shown.sort_values("skill_level", key=lambda s: s.map(order), kind="stable")
    national = national.sort_values("skill_level", key=lambda s: s.map(order), kind="stable")
    shown = pd.concat([shown, national], ignore_index=True)
    years = target_years(path)
    several = len(years) > 1  # a targets file may give each region its own target year
    when = "in its target year" if several else f"in {year}"
    columns = {
        "Region": shown["region"].to_numpy(),
        "Share": shown["skill_level"].map(_SHARE_WORDS).to_numpy(),
        f"Observed in {base} (%)": 100 * shown["observed_share"].to_numpy()}
    starts = _base_words(shown)
    if starts:  # the share the target path starts from: a target in points adds to it
        periods = shown["base_period"].dropna().unique()
        head = f", {periods[0]}" if len(periods) == 1 else ""
        columns[f"Path starts from{head} (%)"] = 100 * shown["base_share"].to_numpy(dtype=float)
    if several:
        columns["Target year"] = [f"{y:.0f}" if pd.notna(y) else f"{year} (no target)"
                                  for y in shown["target_year"]]
    table = pd.DataFrame({
        **columns,
        f"Target {when} (%)": 100 * shown["target_share"].to_numpy(dtype=float),
        f"Projected {when} without the plan (%)": 100 * shown["share_without_plan"].to_numpy(),
        f"Projected {when} with the plan (%)": 100 * shown["share_with_plan"].to_numpy()})
    target = (f"each region's target in its own target year ({_listed(years)}), and the "
              f"projections for that year" if several else
              f"the target for {year}, and the projections for {year}")
    total = (f"; the last rows, {ALL_REGIONS}, are the shares of the workers and employment "
             f"summed over the regions in {year}, with no target of their own"
             if len(national) else "")
    report.add_table(table, max_rows=None, float_format="{:.2f}" if starts else "{:.1f}",
                     index=False,
                     caption="Target shares per region: observed, target and projected "
                             "(%)",
                     notes=f"observed in {base} (its last observed period),"
                           f"{starts} {target}; skilled as % of employment, high-skilled "
                           f"as % of skilled workers{total}.")
    based = base_year_words(path)  # the base year, and whether a later edition moves it
    if based:
        report.add_text(based)
    report.add_text(need_words(result))
    if high:
        words = falling_share_words(high_skilled_share_falls(path, year))
        if words:
            report.add_text(words)


def _listed(years: list[int]) -> str:
    """``2027 and 2029``; ``2027, 2028 and 2029``."""
    names = [str(y) for y in years]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _national_rows(path: pd.DataFrame, year, base) -> pd.DataFrame:
    """The rows of all regions together for the target table: projected in ``year``.

    Their observed share is that of ``base`` (the last observed year); no
    target, as the targets are the regions'. Empty for a path without them.
    """
    rows = path[path["region"] == ALL_REGIONS]
    if rows.empty:
        return rows
    seen = rows.loc[rows["period"] == base, ["skill_level", "observed_share"]]
    at = rows[rows["period"] == year].drop(columns="observed_share")
    return at.merge(seen, on="skill_level", how="left")


def _base_words(shown: pd.DataFrame) -> str:
    """The caption's words on the share each target path starts from ("" when not known).

    Examples
    --------
    >>> shown = pd.DataFrame({"base_period": ["2024Q4"], "base_share": [0.2741]})
    >>> _base_words(shown)  # doctest: +NORMALIZE_WHITESPACE
    ' the share each target path starts from, observed in 2024Q4 (the last observed period
    of the base year: a target of some points above the base year adds them to this share),'
    """
    if "base_share" not in shown.columns or not shown["base_share"].notna().any():
        return ""
    periods = shown["base_period"].dropna().unique()
    period = (f"observed in {periods[0]}" if len(periods) == 1 else
              f"observed in each region's base period ({_listed(sorted(periods))})")
    return (f" the share each target path starts from, {period} (the last observed "
            "period of the base year: a target of some points above the base year adds them "
            "to this share),")


def need_words(result: RunResult) -> str:
    """What ``policy_need.csv`` counts, and how the shortfall against both targets is formed.

    Its ``policy_need_skilled`` (and ``policy_need_high_skilled``) is a
    region's need shared out over its cells; with both targets served, the
    plan's shortfall against the targets counts the workers short of both
    at once (:func:`talentgap.cli._targets.joint_need`), which is neither
    column's sum nor their sum.
    """
    by = ("projected employment" if result.config.targets.share_by == "employment"
          else "survey demand (skill-shortage vacancies)")
    keys = [k for k in result.config.data.keys if k != "skill_level"]
    # short sentences in words; the column names are in the section for the analyst
    words = ("The targets are the regions', and so is the need. A region's shortfall is its "
             "target number of skilled workers minus its projected number, summed over its "
             "cells and floored at 0. It is shared out among the region's cells in proportion "
             f"to their {by}. So a cell's need is not its own target minus its own projection: "
             "a cell above its own target offsets the shortfall of the others. The same holds "
             "for the high-skilled target. The output file policy_need.csv gives the target "
             "and projected skilled workers and the need per cell "
             f"({', '.join(keys)}) and year, with no skill-level column: a target is a share "
             "of all the workers of a cell, every skill level. The need the plan serves in "
             "each of its cells is in plan_cells.csv.")
    if len(result.config.targets.plan_levels) == 2:
        words += (
            " The plan serves both targets, and a high-skilled worker counts toward both, so "
            "its shortfall against the targets (before and after the plan, in "
            "plan_years.csv) counts per cell and year the workers short of both at once, not "
            "the sum of the two needs: with S the skilled need, N the high-skilled need and h the "
            "high-skilled target share, N high-skilled workers and S - N further skilled "
            "workers when N ≤ S; when N > S the high-skilled workers alone raise the skilled "
            "count, and with it the high-skilled target, so (N - h S) / (1 - h) high-skilled "
            "workers and no others. Per cell that is the larger of S and the high-skilled "
            "workers needed; policy_need.csv gives both parts per cell and year, whose sum "
            "over the cells is the shortfall before the plan.")
    return words


def falling_share_words(falls: pd.DataFrame) -> str:
    """Why the plan lowers the high-skilled share where it does, in words ("" where it does not).

    Parameters
    ----------
    falls : pandas.DataFrame
        :func:`talentgap.cli._targets.high_skilled_share_falls` output.

    Examples
    --------
    >>> falls = pd.DataFrame({"region": ["Amberfield"], "period": [pd.Period("2029", "Y")],
    ...                       "share_without_plan": [0.31], "share_with_plan": [0.304],
    ...                       "plan_workers": [1200.0], "plan_high_skilled": [150.0],
    ...                       "plan_high_skilled_share": [0.125]})
    >>> print(falling_share_words(falls))  # doctest: +NORMALIZE_WHITESPACE
    Why the high-skilled share can fall with the plan: in 2029 the plan's certified workers
    still in their trade in Amberfield number 1,200, 150 of them (12.5%) high-skilled, while
    31.0% of the skilled workers there are high-skilled without the plan. All 1,200 count as
    skilled workers, the denominator of the high-skilled share, but only 150 as high-skilled
    workers, its numerator, so that share falls from 31.0% without the plan to 30.4% with
    it, although the plan adds workers.
    """
    if falls.empty:
        return ""
    first = falls.iloc[0]
    added, high = first["plan_workers"], first["plan_high_skilled"]
    without = f"{100 * first['share_without_plan']:.1f}%"
    whom, numerator = ("none of them high-skilled", "none") if round(high) == 0 else (
        f"{high:,.0f} of them ({100 * first['plan_high_skilled_share']:.1f}%) high-skilled",
        f"only {high:,.0f}")
    text = (f"Why the high-skilled share can fall with the plan: in {first['period']} the "
            f"plan's certified workers still in their trade in {first['region']} number "
            f"{added:,.0f}, {whom}, while {without} of the skilled workers there are "
            f"high-skilled without the plan. All {added:,.0f} count as skilled workers, the "
            f"denominator of the high-skilled share, but {numerator} as high-skilled workers, "
            f"its numerator, so that share falls from {without} without the plan to "
            f"{100 * first['share_with_plan']:.1f}% with it, although the plan adds workers.")
    rest = falls.iloc[1:]
    if not rest.empty:
        listed = "; ".join(f"{row.region} from {100 * row.share_without_plan:.1f}% to "
                           f"{100 * row.share_with_plan:.1f}%"
                           for row in rest.itertuples(index=False))
        text += (f" For the same reason it falls in {len(rest)} other region"
                 f"{'s' if len(rest) > 1 else ''}: {listed}.")
    return text


def _target_year(result: RunResult, path: pd.DataFrame):
    """The year the report reads the targets in: the run's target year, or the latest of them.

    The target years come from the target path (each region's own, from
    the inline ``[targets] target_year`` or the rows of a targets file,
    :func:`talentgap.cli._target_table.target_years`); a path without them
    falls back on ``[targets] target_year``, then on the last year with a
    target. Never another year in its place: a target year the projections
    do not reach is a :class:`~talentgap.errors.ConfigError` (the
    configuration check refuses it before the run; this is the last guard).
    """
    at = path[path["target_share"].notna()]
    years = target_years(path)
    target_year = years[-1] if years else getattr(result.config.targets, "target_year", None)
    if target_year is None:
        return at["period"].max()
    year = pd.Period(str(target_year), "Y")
    if year not in set(at["period"]):
        first, last = at["period"].min(), at["period"].max()
        raise ConfigError(f"[targets] target_year = {target_year} is outside the years the "
                          f"projections reach ({first}-{last}, from [plan] years and "
                          "lead_time): no share of another year is shown as the target's")
    return year


def _year_numbers(periods: pd.Series) -> np.ndarray:
    """Years as integers, from annual periods or from years as numbers (a CSV read back)."""
    if isinstance(periods.dtype, pd.PeriodDtype):
        return periods.dt.year.to_numpy()
    return pd.to_numeric(periods.astype(str).str[:4]).to_numpy()


def target_rows(path: pd.DataFrame, year) -> pd.DataFrame:
    """Each region's rows in the year its target is read in, all regions together left out.

    A row with a target is read in its own ``target_year`` (a targets file
    may give each region its own); rows without one, and paths without a
    ``target_year`` column, in ``year`` (:func:`_target_year`).

    Examples
    --------
    >>> path = pd.DataFrame({"region": ["A", "A", "B", "B", "all regions"],
    ...                      "period": pd.PeriodIndex(["2028", "2029"] * 2 + ["2029"], freq="Y"),
    ...                      "target_share": [0.3, 0.3, 0.3, 0.3, float("nan")],
    ...                      "target_year": [2028.0, 2028.0, 2029.0, 2029.0, float("nan")]})
    >>> target_rows(path, pd.Period("2029", "Y"))[["region", "period"]].to_numpy().tolist()
    [['A', Period('2028', 'Y-DEC')], ['B', Period('2029', 'Y-DEC')]]
    """
    path = path[path["region"] != ALL_REGIONS]
    own = pd.Period(str(year), "Y").year
    if "target_year" in path.columns:
        own = path["target_year"].fillna(own).to_numpy(dtype=float)
    return path[_year_numbers(path["period"]) == own]


def _percent(share: float) -> str:
    """``30%`` or ``29.4%``: a share (0-1) in percent, one decimal at most."""
    return f"{round(100 * float(share), 1):g}%"


def _range(values) -> str:
    """``26.1–29.4%`` (or one value) for shares (0-1)."""
    low, high = float(min(values)), float(max(values))
    return (_percent(low) if f"{100 * low:.1f}" == f"{100 * high:.1f}"
            else f"{100 * low:.1f}–{100 * high:.1f}%")


def _reach_words(at: pd.DataFrame, level: str) -> str:
    """How many regions reach one target share in the target year, with and without the plan.

    Only regions with a target at ``level`` count; the regions without one are said apart.
    """
    untargeted = int(at.loc[at["target_share"].isna(), "region"].nunique())
    at = at[at["target_share"].notna()]
    n = len(at)
    if n == 0:  # no region has a target at this level
        return ""
    reach = int((at["share_with_plan"] >= at["target_share"] - 1e-12).sum())
    if untargeted:
        with_one = f"{n} region{'s' if n != 1 else ''} with a {level_words(level)} target"
        who = (f"none of the {with_one} reaches" if reach == 0 and n > 1 else
               f"the {with_one} does not reach" if reach == 0 else
               f"each of the {with_one} reaches" if reach == n and n > 1 else
               f"the {with_one} reaches" if reach == n else
               f"{reach} of the {with_one} reach")
    else:
        who = ("no region reaches" if reach == 0 else
               "every region reaches" if reach == n else
               f"{reach} of {n} regions reach")
    targets = at["target_share"]
    of = _SHARE_WORDS[level].split(", % ")[1]
    target = (f"the {_percent(targets.iloc[0])} {level_words(level)} target "
              f"({level_words(level)} workers as a share {of})"
              if targets.round(6).nunique() == 1 else
              f"its {level_words(level)} target ({_range(targets)} {of})")
    # two sentences: who reaches the target, then the shares with and without the plan
    words = (f"{who} {target}. With the plan the regions' shares are "
             f"{_range(at['share_with_plan'])}, without it {_range(at['share_without_plan'])}")
    if untargeted:
        words += (f" ({untargeted} other region{'s have' if untargeted != 1 else ' has'} no "
                  f"{level_words(level)} target)")
    return words


def target_reach(result: RunResult) -> dict | None:
    """The target year, per target level the regions reaching it, the plan's money by region.

    None for a run without targets (or without a plan). Keys: ``year`` (the
    target year, or the latest of several: :func:`_target_year`), ``years``
    (every target year), ``words`` (how the year is named), ``at`` (each
    region's rows in its own target year, :func:`target_rows`),
    ``reach`` (level -> regions with a target at that level reaching it with the
    plan), ``targeted`` (level -> regions with a target at that level: ``reach``
    counts among these, never among regions without one), ``regions`` (every
    region with shares in the target year) and ``at`` (their rows of the target path).
    """
    path = result.target_path
    if path is None or result.plan is None or not path["target_share"].notna().any():
        return None
    year = _target_year(result, path)
    at = target_rows(path, year)
    at = at[at["share_with_plan"].notna()]
    given = at[at["target_share"].notna()]
    levels = at["skill_level"].drop_duplicates().tolist()
    reach = {level: int((rows["share_with_plan"] >= rows["target_share"] - 1e-12).sum())
             for level, rows in given.groupby("skill_level", sort=False)}
    targeted = given.groupby("skill_level", sort=False)["region"].nunique()
    years = target_years(path) or [year.year]
    return {"year": year, "years": years, "words": target_year_words(years),
            "reach": {level: reach.get(level, 0) for level in levels},
            "targeted": {level: int(targeted.get(level, 0)) for level in levels},
            "regions": int(at["region"].nunique()), "at": at}


def money_by_region_words(result: RunResult, *, top: int = 3) -> str:
    """Where the plan's money goes: the regions with the largest shares of its cost.

    From the plan's ``quotas`` (cost and places summed over cells and funding
    years); "" without a ``region`` column or without spending.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> quotas = pd.DataFrame({"region": ["A", "A", "B", "C"], "quota": [30, 20, 30, 20],
    ...                        "cost": [3e5, 2e5, 3e5, 2e5]})
    >>> r = SimpleNamespace(plan=SimpleNamespace(quotas=quotas),
    ...                     config=SimpleNamespace(output=SimpleNamespace(currency="yuan")))
    >>> print(money_by_region_words(r, top=2))
    Where the money goes: A 50% of the cost (50 places, 500,000 yuan). Then B 30% (30 places, 300,000 yuan). The other region takes 20%.
    """  # noqa: E501
    quotas = result.plan.quotas
    if "region" not in quotas.columns or "cost" not in quotas.columns:
        return ""
    by = quotas.groupby("region", observed=True)[["quota", "cost"]].sum()
    total = float(by["cost"].sum())
    if total <= 0:
        return ""
    by = by[by["cost"] > 0].sort_values("cost", ascending=False, kind="stable")
    currency = result.config.output.currency
    parts = [f"{region} {row.cost / total:.0%}" + (" of the cost" if i == 0 else "")
             + f" ({row.quota:,.0f} places, {money_words(row.cost, currency)})"
             for i, (region, row) in enumerate(by.head(top).iterrows())]
    # the largest region in a sentence of its own, then the next ones, then the rest
    words = f"Where the money goes: {parts[0]}."
    if len(parts) > 1:
        words += " Then " + (parts[1] if len(parts) == 2 else
                             ", ".join(parts[1:-1]) + " and " + parts[-1]) + "."
    rest = by.iloc[top:]
    if len(rest):
        others = "region takes" if len(rest) == 1 else f"{len(rest)} regions take"
        words += f" The other {others} {float(rest['cost'].sum()) / total:.0%}."
    return words


#: Regions the report's table of places and cost per region shows (after all regions).
REGIONS_SHOWN = 15


def region_table(report: Report, result: RunResult) -> None:
    """The plan's places and cost per region: all regions first, then the regions by cost.

    The figures of ``plan_regions.csv`` (one row per region and funding
    period) spread over one column per funding period
    (:func:`talentgap.cli._totals.region_totals`); the first
    :data:`REGIONS_SHOWN` regions, the table's foot saying where the others are.
    """
    table = region_totals(result.plan.quotas, result.config.data.keys)
    if table is None:
        return
    key = table.columns[0]
    currency = result.config.output.currency
    years = [c[len("places_"):] for c in table.columns if c.startswith("places_")]
    shown = {key.replace("_", " ").capitalize(): table[key].to_numpy()}
    if len(years) > 1:
        shown.update({f"Places {y}": table[f"places_{y}"].to_numpy() for y in years})
    shown["Training places"] = table["places"].to_numpy()
    shown[f"Cost ({currency or 'money'})"] = table["cost"].to_numpy()
    shown["Share of the cost (%)"] = 100 * table["share_of_cost"].to_numpy(dtype=float)
    over = " over the funding years" if len(years) > 1 else ""
    report.add_table(pd.DataFrame(shown), max_rows=REGIONS_SHOWN + 1, index=False,
                     float_format={"Share of the cost (%)": "{:.1f}"} | {
                         c: "{:,.0f}" for c in shown if c != "Share of the cost (%)"},
                     caption=f"Places and cost per {key.replace('_', ' ')}{over}: "
                             f"{ALL_REGIONS} first, then the {key.replace('_', ' ')}s by "
                             "cost, largest first",
                     source="plan_regions.csv (sheet plan_regions of results.xlsx), one "
                            "row per region and funding period")


def rough_reach_cost(result: RunResult) -> dict | None:
    """Order of magnitude of what reaching the plan's target in the target year would take.

    ``places = left / (pass_rate * absorption * per_worker)`` and ``cost =
    places * cost_per_trainee``, where ``left`` is the shortfall against the
    target the plan serves that the plan leaves in the target year
    (``plan_years``' ``policy_shortfall_after``), pass rate, absorption and
    cost per place are averages over the plan's places (over its cells when
    it funds none), and ``per_worker`` the targeted stock's workers the plan
    counts per worker new to a cell (cells' ``policy_workers`` / ``workers``,
    1 without: :func:`talentgap.cli._plan_levels.policy_yields`). Rough: it
    leaves out exits, the lead time, capacities and the vacancies. None
    without targets or when nothing is left short.
    """
    reach = target_reach(result)
    years, quotas = result.plan.years, result.plan.quotas
    needed = {"pass_rate", "absorption", "cost_per_trainee"}
    if (reach is None or "policy_shortfall_after" not in years.columns
            or not needed <= set(quotas.columns)):
        return None
    labels = years["period"].astype(str).str[:4].astype(int)
    row = years[labels == reach["year"].year]
    row = years.iloc[[-1]] if row.empty else row
    left = float(row["policy_shortfall_after"].iloc[0])
    if not left > 0:
        return None
    weight = quotas["quota"].clip(lower=0).to_numpy(dtype=float)
    weight = weight if weight.sum() > 0 else np.ones(len(quotas))
    pass_rate = float(np.average(quotas["pass_rate"], weights=weight))
    absorption = float(np.average(quotas["absorption"], weights=weight))
    cost = float(np.average(quotas["cost_per_trainee"], weights=weight))
    cells = result.plan.cells
    workers = float(cells["workers"].sum()) if "policy_workers" in cells.columns else 0.0
    per_worker = float(cells["policy_workers"].sum()) / workers if workers > 0 else 1.0
    per_place = pass_rate * absorption * per_worker
    places = left / per_place
    return {"year": row["period"].iloc[0], "left": left, "pass_rate": pass_rate,
            "absorption": absorption, "per_worker": per_worker, "per_place": per_place,
            "cost_per_place": cost, "places": places,
            "cost": places * cost, "budget": float(result.plan.summary["budget"])}


def _about(value: float) -> str:
    """``117,000``: a count at three significant figures.

    Examples
    --------
    >>> _about(116_718.3), _about(5_695.0)
    ('117,000', '5,700')
    """
    return f"{float(f'{value:.3g}'):,.0f}"


def first_screen_words(result: RunResult) -> str:
    """The targets on the report's first screen: who reaches them, the money, a rough cost.

    "" for a run without targets. Every figure comes from the run's tables:
    ``target_path`` (shares in the target year), ``quotas`` (places and cost
    per region), ``plan_years`` (the shortfall left against the target).
    """
    reach = target_reach(result)
    if reach is None:
        return ""
    at, year = reach["at"], reach["year"]
    levels = [level for level in ("skilled", "high_skilled")
              if (at["skill_level"] == level).any()]
    parts = [words for words in (_reach_words(at[at["skill_level"] == level], level)
                                 for level in _targeted_levels(at)) if words]
    if len(reach["years"]) > 1:  # each region's target in its own year
        words = (f"Against the targets, each region's read in its own target year ("
                 f"{', '.join(map(str, reach['years'][:-1]))} or {reach['years'][-1]}): ")
    else:
        words = f"Against the targets in {year}, the target year: "
    words += " ".join(f"{part[:1].upper()}{part[1:]}." if i else f"{part}."
                      for i, part in enumerate(parts))
    if "high_skilled" in levels:
        falls = high_skilled_share_falls(result.target_path, year)
        if len(falls):
            n = len(falls)
            where = ("in every region" if n == reach["regions"] else
                     f"in {n} of {reach['regions']} regions")
            words += (f" The plan lowers the high-skilled share {where}. Fewer of its "
                      "workers are high-skilled than of the skilled workers already there, "
                      "and all of them count as skilled workers, the share's denominator. "
                      "The section \"Target path per region\" gives the figures.")
    money = money_by_region_words(result)
    if money:
        words += " " + money
    rough = rough_reach_cost(result)
    if rough is not None:
        currency = result.config.output.currency
        served = level_words(result.config.targets.plan_level)
        words += (
            f" Rough estimate of what reaching the {served} target in {rough['year']} would "
            f"take: the plan leaves {rough['left']:,.0f} persons short of it. At "
            f"{rough['per_place']:.2f} workers per place (pass rate "
            f"{rough['pass_rate']:.2f} × absorption {rough['absorption']:.2f}"
            + (f" × {rough['per_worker']:.2f} {served} workers per worker new to its cell"
               if abs(rough["per_worker"] - 1.0) >= 5e-3 else "") +
            f") that is about "
            f"{_about(rough['places'])} more places. At "
            f"{money_words(rough['cost_per_place'], currency)} a place they cost about "
            f"{money_words(rough['cost'], currency, figures=2)}, against a budget of "
            f"{money_words(rough['budget'], currency)} for the whole plan. This is an order of "
            "magnitude only (persons short ÷ workers per place × cost per place). It leaves "
            "out exits, the year a place takes to certify, capacities and the vacancies.")
        bound = capacity_bound_words(result.plan.quotas, int(str(rough["year"])[:4]),
                                     rough["places"])
        words += " " + bound if bound else ""
    return words
