"""The answer of ``POST /v1/plan`` (and ``POST /plan``): the plan's tables and constraints."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from talentgap.service.schemas._plan_rows import QuotaRow, YearRow
from talentgap.service.schemas._plan_summary import PlanSummary
from talentgap.service.schemas._rows import as_produced

__all__ = ["ConstraintOut", "PlanResponse"]


class ConstraintOut(BaseModel):
    """One constraint of a plan, in numbers and words (one line of ``binding``).

    Which cell (or programme) and funding period a row is about is data too,
    for a program to read without parsing ``name``: the model's key columns
    (e.g. ``region``, ``industry``, ``skill_level``; with a ``crosswalk``
    ``program`` and the location keys) follow ``sentence`` as further
    properties, then, in a multi-year plan, ``period`` (the funding period of a
    budget per period or of a cell's capacity or minimum); each is null where
    the row is about no one cell or period (a budget for the whole plan, a
    group of cells).
    """

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str | None] = Field(init=False)

    kind: str = Field(description="'budget', 'capacity', 'min_quota'; multi-year plans also "
                      "'budget_envelope', 'capacity_group', 'equity'; programme plans "
                      "'unsupplied_cells' (cells no programme feeds: no constraint).",
                      examples=["capacity"])
    name: str = Field(description="The constraint as marginal_value names it.",
                      examples=["capacity[textiles in Amberfield]"])
    words: str = Field(description="The constraint in words.",
                       examples=["capacity of textiles in Amberfield"])
    binds: bool = Field(description="Whether the constraint holds the plan back.")
    limit: float | None = Field(description="The budget, capacity or minimum (places), or the "
                                "shortfall an equity rule must remove; null for no constraint.",
                                examples=[150])
    used: float | None = Field(description="Money spent or places funded against the limit; "
                               "null where not known.", examples=[150])
    unit: str = Field(description="Unit of limit and used: 'money', 'places' or 'shortfall'.",
                      examples=["places"])
    value: float | None = Field(description="Objective removed per unit increase of the limit "
                                "(the marginal_value entry of name): negative for a minimum "
                                "quota or equity rule, whose every required unit adds -value; "
                                "null for the proportional rule or no constraint.",
                                examples=[0.083])
    objective: str = Field(description="What value is measured in.",
                           examples=["expected shortfall"])
    sentence: str = Field(description="The constraint in a sentence: the line of binding.")


#: The plan's tables, checked against their row models and answered as produced.
Summary = as_produced(PlanSummary)
Quotas = as_produced(list[QuotaRow])
Years = as_produced(list[YearRow])


class PlanResponse(BaseModel):
    """The plan: places per cell (and funding period), its cost and the shortfall it leaves."""

    summary: Summary = Field(description="The plan in totals (money in the unit of "
                             "cost_per_trainee, workers in persons); see PlanSummary for "
                             "which fields each kind of plan gives.")
    quotas: Quotas = Field(description="One row per cell (with ``periods``: per cell and "
                           "funding period), starting with the key columns; with a "
                           "``crosswalk`` one row per programme and region (and funding "
                           "period) instead, with ``program`` and ``feeds``. A single-period "
                           "plan's rows add the gaps and shortfalls per cell, a multi-year "
                           "plan's worker_periods and need_at_arrival; see QuotaRow.")
    binding: list[str] = Field(description="Binding constraints, in words (the sentences "
                               "of constraints).")
    constraints: list[ConstraintOut] = Field(
        [], description="The same constraints in numbers, one per line of binding, in order.")
    marginal_value: dict[str, float] = Field(
        description="Expected shortfall removed per extra unit of budget ('budget', or "
                    "'budget[2026]' per funding period) and of each binding constraint.")
    years: Years | None = Field(
        None, description="With ``periods``: one row per funding or need period, in order "
        "(see YearRow). Null for a single-period plan.")
    notes: list[str] = Field([], description="What a planner should know about the plan, "
                             "e.g. that the optimum was not unique and how it was chosen.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while planning.")
