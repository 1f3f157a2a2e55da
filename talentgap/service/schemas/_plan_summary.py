"""The totals of a plan (``summary`` of ``POST /v1/plan``), one typed field per figure."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["PlanSummary"]

_MULTI_YEAR = "Multi-year plans (with ``periods``) only."
_PROGRAMMES = "Plans with a ``crosswalk`` only."


class PlanSummary(BaseModel):
    """The plan in totals: money in the unit of cost_per_trainee, workers in persons.

    Every plan gives the fields without a default. A single-period plan's
    shortfalls are summed over the cells at its ``arrival_period`` (when the
    places funded in ``period`` count), a multi-year
    plan's over the need cell-periods. Fields that only one kind of plan
    gives (multi-year, or with a ``crosswalk``) are absent from the others.
    """

    rule: str = Field(description="How the places were chosen: 'optimised' (they solve the "
                      "plan's optimisation).", examples=["optimised"])
    risk: Literal["expected", "quantile"] = Field(
        description="What the plan minimised: 'expected' (the expected unmet gap over the "
        "sample paths) or 'quantile' (each cell's ``quantile`` gap covered).",
        examples=["expected"])
    quantile: float | None = Field(description="The gap quantile covered with risk "
                                   "'quantile', in (0, 1); null with risk 'expected'.",
                                   examples=[None])
    integer: str = Field(description="How places were made whole: 'round' (the optimum's "
                         "places floored, then one place at a time where it removes the most "
                         "per unit of money, within every limit).", examples=["round"])
    period: str = Field(description="The period a single-period plan funds its places in "
                        "(they count lead_time periods later, in arrival_period); "
                        "the funding periods of a multi-year plan, ', '-separated.",
                        examples=["2025Q4", "2025Q1, 2025Q2"])
    arrival_period: str | None = Field(
        None, description="The period whose gap a single-period plan closes: ``period + "
        "lead_time``, when its places count (the quotas' arrival_period); its shortfalls and "
        "gaps are this period's. With lead times that differ by cell, the arrival periods in "
        "order, ', '-separated. Single-period plans only.", examples=["2026Q1"])
    periods: list[str] = Field(description="The funding periods as a list, in order (one "
                               "for a single-period plan): the labels of ``period``.",
                               examples=[["2025Q1", "2025Q2"]])
    need_periods: str | None = Field(None, description="The need periods whose shortfalls the "
                                     f"plan counts, 'first to last'. {_MULTI_YEAR}",
                                     examples=["2025Q1 to 2025Q4"])
    need_periods_list: list[str] | None = Field(None, description="The need periods as a "
                                                "list, in order: every period of "
                                                f"need_periods. {_MULTI_YEAR}",
                                                examples=[["2025Q1", "2025Q2", "2025Q3"]])
    cells: int = Field(description="Cell rows the plan is scored on (cells of the gap "
                       "forecast; with a crosswalk, the cells the programmes may feed).",
                       examples=[16])
    programmes: int | None = Field(None, description="Rows of ``quotas`` per funding period: "
                                   f"programmes x places they are planned in. {_PROGRAMMES}",
                                   examples=[4])
    unsupplied_cells: int | None = Field(None, description="Cells no programme feeds (they "
                                         "get no supply). Single-period plans with a "
                                         "``crosswalk`` only.", examples=[0])
    source: str = Field(description="What the plan read: 'samples', the model's sample "
                        "paths.", examples=["samples"])
    scenarios: int = Field(description="Sample paths per cell.", examples=[1000])
    budget: float = Field(description="The money for the plan (with ``budget_per_period``, "
                          "their sum).", examples=[5_000_000])
    total_cost: float = Field(description="Money the places cost; never above budget.",
                              examples=[4_998_000])
    budget_left: float = Field(description="budget - total_cost.", examples=[2000])
    budget_used: float | None = Field(description="Share of the budget spent, 0-1; null for "
                                      "a budget of 0.", examples=[0.9996])
    places: float = Field(description="Training places funded (persons).", examples=[833])
    expected_certified: float = Field(description="Expected certified workers who stay "
                                      "(places x pass_rate x absorption).", examples=[502.4])
    shortfall_before: float = Field(description="Expected unmet gap without the plan: the "
                                    "mean over the sample paths of max(gap, 0), summed over "
                                    "the cells (and need periods).", examples=[1945.3])
    shortfall_after: float = Field(description="Expected unmet gap with the plan.",
                                   examples=[1480.1])
    shortage_reduction: float = Field(description="shortfall_before - shortfall_after.",
                                      examples=[465.2])
    shortfall_basis: str = Field(description="Which shortfall shortfall_before and "
                                 "shortfall_after are: 'expected shortfall (mean over N "
                                 "scenarios)', the mean over the sample paths.",
                                 examples=["expected shortfall (mean over 1,000 scenarios)"])
    policy_shortfall_before: float | None = Field(
        None, description="Workers short of the policy need (``policy_need``) without the "
        f"plan, summed over the need cell-periods; 0 without a policy need. {_MULTI_YEAR}",
        examples=[0.0])
    policy_shortfall_after: float | None = Field(
        None, description=f"The same with the plan. {_MULTI_YEAR}", examples=[0.0])
    surplus_before: float = Field(
        description="Expected workers beyond the market need without any plan (where "
        "the forecast gap may be negative): the part of surplus_after the plan did not "
        "cause.", examples=[410.3])
    surplus_after: float = Field(description="Expected workers beyond the market need with "
                                 "the plan, including those beyond it without any plan "
                                 "(surplus_before): the plan's own addition is "
                                 "surplus_after - surplus_before.",
                                 examples=[577.7])
    surplus_penalty: float | None = Field(None, description="The surplus_penalty the plan "
                                          f"used. {_MULTI_YEAR}", examples=[0.0])
    objective: float = Field(description="What the plan minimised, at its places: the "
                             "figure objective_basis names, summed over the cells (and need "
                             "periods). With risk 'expected' the expected shortfall; with "
                             "risk 'quantile' the shortfall against each cell's quantile gap "
                             "(not the expected shortfall of shortfall_after); plus "
                             "surplus_penalty x the surplus beyond that gap; in a multi-year "
                             "plan each need times its need weight.", examples=[1480.1])
    objective_basis: str = Field(description="What objective measures, in words: 'expected "
                                 "shortfall', 'shortfall against the 90th-percentile gap' "
                                 "(risk 'quantile'), 'shortfall of the expected gap' (a "
                                 "forecast table), followed by ' plus <surplus_penalty> x the "
                                 "expected surplus' (or 'the surplus beyond <that gap>') with "
                                 "a surplus penalty; a multi-year plan adds ' x market "
                                 "weight' and, with a policy need, ' plus policy shortfall x "
                                 "policy weight'.", examples=["expected shortfall"])
    lp_objective: float | None = Field(description="The optimum before places were made "
                                       "whole; null without one.", examples=[1479.6])
    optimum_unique: bool | None = Field(None, description="False when several plans were "
                                        "equally good (``notes`` say how this one was "
                                        "chosen). Every plan but a single-period plan with "
                                        "a ``crosswalk``.", examples=[True])
    committed_places: float | None = Field(
        None, description="Places already funded (``committed``), summed. Plans with "
        "``committed`` only.", examples=[1700.0])
    committed_arriving: float | None = Field(
        None, description="Their certified workers who arrive in the need periods (places x "
        "pass_rate x absorption, those arriving in a need period). Plans with ``committed`` "
        "only.", examples=[1139.0])
    committed_workers: float | None = Field(
        None, description="Their workers present, summed over the need cell-periods (the "
        "years' committed_workers summed). Plans with ``committed`` only.",
        examples=[2200.5])
    before_plan: str | None = Field(
        None, description="What the 'before' figures (shortfall_before, "
        "policy_shortfall_before, the years' shortfall_before) count: after the places "
        "already funded, before the plan's. Plans with ``committed`` only.",
        examples=["after the places already funded (the committed table), before the plan's "
                  "places"])
    tie_tolerance: float | None = Field(None, description="How much of the weighted "
                                        "shortfall without a plan the choice among equally "
                                        f"good plans may give up. {_MULTI_YEAR}",
                                        examples=[1e-9])
