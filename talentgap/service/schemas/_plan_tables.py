"""Table rows sent with a plan: budgets per period, policy needs, groups, envelopes, crosswalk."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from talentgap.service.schemas._bounds import (
    Finite,
    KeyValue,
    Money,
    PeriodLabel,
    StrictRequest,
    Weight,
)

__all__ = ["PeriodBudget", "PolicyNeed", "NeedWeights", "CapacityGroupMember",
           "BudgetEnvelope", "CrosswalkRow", "CommittedPlaces"]


class _KeyedRow(BaseModel):
    """A table row naming cells by key columns, e.g. ``"region": "Amberfield"``.

    The key columns are the model's (GET /model, ``keys``) and are given as
    further properties with string values next to the documented ones.
    """

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)
    __pydantic_extra__: dict[str, KeyValue] = Field(init=False)

    @model_validator(mode="after")
    def _few_key_columns(self):
        if len(self.__pydantic_extra__ or {}) > 10:
            raise ValueError(f"a row names cells by at most 10 key columns; got "
                             f"{sorted(self.__pydantic_extra__)}")
        return self

    def keys_given(self) -> dict[str, str]:
        """The key columns of this row and their values."""
        return dict(self.__pydantic_extra__ or {})


class PeriodBudget(StrictRequest):
    """The money for one funding period of a multi-year plan."""

    period: PeriodLabel = Field(description="A funding period, one of ``periods``.",
                                examples=["2025Q1"])
    budget: Money = Field(description="Money for places funded in this period, >= 0 (at "
                          "most 10^15), in the unit of cost_per_trainee.", examples=[2_000_000])


class PolicyNeed(_KeyedRow):
    """Workers short of a policy target in one cell and need period.

    Give every key column of the model (e.g. ``region`` and ``industry``)
    next to ``period`` and ``policy_need``.
    """

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"region": "Amberfield", "industry": "textiles",
                                         "period": "2025Q3", "policy_need": 120}]})

    period: PeriodLabel = Field(description="A need period: one of the forecast periods the "
                                "plan counts shortfalls in (from the period after the model's "
                                "origin to the end of the horizon), in the model's frequency.",
                                examples=["2025Q3"])
    policy_need: Finite = Field(description="Workers short of the policy target (persons, "
                                ">= 0, at most 10^12), e.g. from a skilled-share target.",
                                examples=[120])
    per_worker: Finite | None = Field(
        None, description="Workers of the target's stock each worker a place adds to the cell "
        "brings (>= 0; upgrade training adds to a high-skilled stock without adding a worker "
        "to the cell). Omitted: the saved run's ratio for the cell when the model was saved "
        "with policy shares (GET /v1/model, place_entrants: policy_share / entrants), the "
        "ratio its own plan counted its need by, else 1. Give 1 for a need of another target.",
        examples=[1.0])


class NeedWeights(StrictRequest):
    """The weight of one worker of shortfall of each need in a multi-year plan."""

    market: Weight = Field(1.0, description="Weight of the market need (the forecast gap "
                           "from the surveys), in [0, 10^6]. Only the ratio of the two weights "
                           "(and to surplus_penalty) changes the plan.", examples=[1.0])
    policy: Weight = Field(1.0, description="Weight of the policy need (``policy_need``), "
                           "in [0, 10^6].", examples=[0.5])


class CapacityGroupMember(_KeyedRow):
    """One member of a shared capacity group (e.g. a college training several industries).

    Key columns (some or all of the model's) name the member cells:
    ``"industry": "textiles"`` alone makes every region's textiles cell a member.
    """

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"group": "North college", "capacity": 1200,
                                         "industry": "textiles"}]})

    group: KeyValue = Field(description="Name of the group.", examples=["North college"])
    capacity: Finite = Field(description="Places per funding period for the whole group, "
                             ">= 0 (at most 10^12), the same on each of its rows.",
                             examples=[1200])
    min_places: Finite | None = Field(
        None, description="Places per funding period the whole group must have at least, "
        ">= 0 and at most ``capacity``, the same on each of its rows (absent: no minimum). "
        "A minimum per group of cells, unlike ``min_quota``, which applies to each cell.",
        examples=[40])


class BudgetEnvelope(_KeyedRow):
    """Money the cells of a row (e.g. one city's) may spend.

    Key columns (some of the model's, e.g. ``region``) name the cells.
    """

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"region": "Amberfield", "budget": 800_000}]})

    budget: Money = Field(description="Most money these cells may spend over the plan, or "
                          "in ``period`` when given; >= 0, at most 10^15.", examples=[800_000])
    period: PeriodLabel | None = Field(None, description="A funding period: the envelope "
                                       "then limits that period only. Give it on every row "
                                       "or on none.", examples=["2025Q1"])


class CommittedPlaces(_KeyedRow):
    """Places already funded (e.g. by last year's plan) in one cell and funding period.

    Give every key column of the model (e.g. ``region`` and ``industry``;
    with a ``crosswalk``, ``program`` and the key columns other than
    industry) next to ``period`` and ``places``. Their workers count against
    every need before the plan's places, by the plan's pass rate,
    absorption, lead time and exit rate, and cost nothing in its budget.
    """

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"region": "Amberfield", "industry": "textiles",
                                         "period": "2024", "places": 120}]})

    period: PeriodLabel = Field(description="The funding period of these places, at or "
                                "before the plan's first funding period (it may lie before "
                                "the model's origin), in the plan's frequency ('2024' when "
                                "``periods`` are years).", examples=["2024"])
    places: Finite = Field(description="Places funded (>= 0, at most 10^12).",
                           examples=[120])


class CrosswalkRow(_KeyedRow):
    """The share of a training programme's certified graduates that goes to one industry.

    The shares of a programme sum to 1. Give ``region`` (or another key
    column of the model other than industry) on every row for shares that
    differ by place; without it each programme is planned in every region
    with the same shares. For a model keyed by occupation, give
    ``occupation`` instead of ``industry``.
    """

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"program": "welding",
                                         "industry": "construction_engineering",
                                         "share": 0.6}]})

    program: KeyValue = Field(description="Name of the training programme, e.g. 'welding'.",
                              examples=["welding"])
    industry: KeyValue | None = Field(None, description="An industry the programme feeds, one "
                                      "of the model's (GET /v1/model, key_values).",
                                      examples=["construction_engineering"])
    share: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="Share of the programme's certified graduates going to this industry, "
        "in [0, 1]; a programme's shares sum to 1.", examples=[0.6])
