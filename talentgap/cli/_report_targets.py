"""The report's section on the target shares per region (``[targets]``).

The shares that are targets, their paths and projections per region, the
target year's table, and why a plan can lower the high-skilled share.
"""

from __future__ import annotations

import pandas as pd

from talentgap.cli._targets import high_skilled_share_falls
from talentgap.cli._wording import level_words
from talentgap.cli.pipeline import RunResult
from talentgap.report import Report

__all__ = ["falling_share_words", "targets_section"]


#: The target shares in words: what is counted, and of what.
_SHARE_WORDS = {"skilled": "skilled, % of employment",
                "high_skilled": "high-skilled, % of skilled workers"}


def _targets_intro(result: RunResult, high: bool) -> str:
    """What the target section shows: which shares are targets, of what, and how projected."""
    shares = ("The skilled share is a target: skilled workers as a percentage of employment "
              "(all employed persons, every skill level)")
    if high:
        shares = ("Two shares are targets: the skilled share, skilled workers as a percentage "
                  "of employment (all employed persons, every skill level), and the "
                  "high-skilled share, high-skilled workers as a percentage of skilled workers "
                  "(the skilled workers include the high-skilled)")
    level = result.config.targets.plan_level
    other = "skilled" if level == "high_skilled" else "high_skilled"
    served = (f" The plan's places serve the vacancies and the {level_words(level)} target "
              f"([targets] plan_level); the {level_words(other)} share is shown as it "
              "follows, but the plan does not aim at it." if high else "")
    return (f"{shares}. Per region, each is shown observed (annual averages of the data), on "
            "its target path (straight from the share in the last observed period of the "
            "base year to the target at the end of the target year, and flat after it; a "
            "target of some points above the base year adds them to that share, which can "
            "differ a little from the year's average shown as observed), and "
            "projected without the plan and with it. Without the plan, each year's stock is "
            "last year's less the exits, plus the certified workers of training going on at "
            "its forecast level: all of them join the skilled stock, and those trained at "
            "high-skilled levels (in the mix of each cell's last year of training by level) "
            "also join the high-skilled stock. With the plan, its certified workers still in "
            "their trade join the skilled workers too, and those trained at high-skilled "
            "levels the high-skilled workers; employment is the same in both projections."
            f"{served} Shares in percent.")


def targets_section(report: Report, result: RunResult, figures: dict) -> None:
    """The target shares per region: definitions, figures, the target year's table, and why."""
    path = result.target_path
    high = bool((path["skill_level"] == "high_skilled").any())
    report.add_section("Target path per region", intro=_targets_intro(result, high))
    for level in ("skilled", "high_skilled"):
        stem = "target_path" if level == "skilled" else "target_path_high_skilled"
        if stem in figures:
            words = _SHARE_WORDS[level].replace(", %", " workers as %")
            report.add_figure(figures[stem], caption=f"{words.capitalize()} per region, by "
                              "year: observed, target path, projected without and with the "
                              "plan",
                              alt=f"Observed, target and projected {level_words(level)} "
                                  "shares per region")
    at = path[path["target_share"].notna()]
    target_year = result.config.targets.target_year
    year = at["period"].max() if target_year is None else pd.Period(str(target_year), "Y")
    if year not in set(at["period"]):
        year = at["period"].max()
    seen = path[path["observed_share"].notna()]
    base = seen["period"].max()
    shown = at[at["period"] == year].merge(
        seen[seen["period"] == base][["region", "skill_level", "observed_share"]],
        on=["region", "skill_level"], how="left", suffixes=("_", ""))
    order = {"skilled": 0, "high_skilled": 1}
    shown = shown.sort_values("skill_level", key=lambda s: s.map(order), kind="stable")
    table = pd.DataFrame({
        "Region": shown["region"].to_numpy(),
        "Share": shown["skill_level"].map(_SHARE_WORDS).to_numpy(),
        f"Observed in {base} (%)": 100 * shown["observed_share"].to_numpy(),
        f"Target in {year} (%)": 100 * shown["target_share"].to_numpy(),
        f"Projected in {year} without the plan (%)": 100 * shown["share_without_plan"].to_numpy(),
        f"Projected in {year} with the plan (%)": 100 * shown["share_with_plan"].to_numpy()})
    report.add_table(table, max_rows=None, float_format="{:.1f}", index=False,
                     caption=f"Target shares per region: observed in {base} (annual average), "
                             f"the target for {year}, and the projections for {year}; skilled "
                             "as % of employment, high-skilled as % of skilled workers")
    if high:
        words = falling_share_words(high_skilled_share_falls(path, year))
        if words:
            report.add_text(words)


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
