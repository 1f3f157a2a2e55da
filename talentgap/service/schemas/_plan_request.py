"""Plan request bodies: ``POST /plan``, and ``POST /v1/plan`` with the saved run's defaults."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from talentgap.service.schemas._bounds import (
    MAX_BUDGET,
    MAX_FORECAST_HORIZON,
    MAX_PERIODS,
    MAX_TABLE_ROWS,
    MAX_WEIGHT,
    SAME_HORIZON,
    PeriodLabel,
    StrictRequest,
)
from talentgap.service.schemas._per_cell import parameter_words, per_cell
from talentgap.service.schemas._plan_tables import (
    BudgetEnvelope,
    CapacityGroupMember,
    CommittedPlaces,
    CrosswalkRow,
    NeedWeights,
    PeriodBudget,
    PolicyNeed,
)

__all__ = ["PlanRequest", "PlanRequestV1"]

#: The industries of the demo model, which the per-cell table examples name.
_DEMO_INDUSTRIES = ("clothing_and_shoes", "construction_engineering", "ecommerce",
                    "electromechanical_technology", "general_equipment", "industrial_robotics",
                    "live_streaming", "textiles")
#: What the examples of per-model values (periods, key values) assume.
_DEMO = "the example assumes the quarterly demo model of ``examples/plan.toml`` (origin 2024Q4)"

#: The per-cell parameters, each with the bounds of the planners' range table.
Cost = per_cell("cost_per_trainee")
PassRate = per_cell("pass_rate")
Absorption = per_cell("absorption")
Capacity = per_cell("capacity")
MinQuota = per_cell("min_quota")
MinClassSize = per_cell("min_class_size")
ExitRate = per_cell("exit_rate")
Lead = per_cell("lead_time")

#: Fields of multi-year plans only (``lead_time`` serves single-period plans too).
_MULTI_YEAR = ("budget_per_period", "exit_rate", "policy_need", "need_weights",
               "capacity_groups", "budget_envelopes", "equity", "committed")


class PlanRequest(StrictRequest):
    """Allocate training places to cells under a budget (see ``allocate_quotas``).

    Without ``periods`` the plan funds one cohort. With ``periods`` it funds
    places per cell in each funding period against the needs of every
    forecast period, counting each place in every later period its workers
    stay (see ``talentgap.planning.allocate_quotas``, multi-year plans).
    """

    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON,
                         description="Forecast periods; the plan targets the last one "
                         "unless ``period`` is given. With ``periods`` these are the need "
                         "periods, extended when needed to reach the last funding period "
                         "plus ``lead_time``, within max_horizon (GET /v1/model).")
    budget: float | None = Field(None, ge=0, le=MAX_BUDGET, allow_inf_nan=False,
                                 description="Money for training places, in the unit of "
                                 "cost_per_trainee, at most 10^15; with ``periods``, for the "
                                 "whole plan. Give this or ``budget_per_period``.",
                                 examples=[5_000_000])
    cost_per_trainee: Cost = Field(
        examples=[6000], description="Cost of one place, "
        f"{parameter_words('cost_per_trainee')}: one number, or one per cell.")
    pass_rate: PassRate = Field(
        1.0, examples=[0.67], description="Share of trainees certified, "
        f"{parameter_words('pass_rate')}.")
    absorption: Absorption = Field(
        1.0, description="Share of certified workers who stay, "
        f"{parameter_words('absorption')}.")
    capacity: Capacity | None = Field(
        None, description="Most places per cell (none: unlimited); with ``periods``, per "
        "funding period.")
    min_quota: MinQuota = Field(0.0, description="Fewest places per cell; "
                               "with ``periods``, per funding period.")
    min_class_size: MinClassSize | None = Field(
        None, examples=[20, [{"cell": {"industry": "textiles"}, "value": 15}]],
        description="The smallest class that can run: each cell gets no places or at least "
        f"this many (and at most its capacity), {parameter_words('min_class_size')}: one "
        "number, or a table of entries (cells without an entry have no minimum class); with "
        "``periods``, each cell and funding period; with ``crosswalk``, per programme and "
        "needs ``periods``. A cell with min_quota above 0 always runs, so it gets at least a "
        "class. A class size above a cell's capacity is refused (422, naming the cell). The "
        "plan decides from its linear program which classes run (notes say how many were "
        "closed or raised to a class), as ``talentgap plan`` with [plan] min_class_size "
        "does. Omitted: no minimum class.")
    risk: Literal["expected", "quantile"] = Field(
        "expected", description="'expected': minimise the expected unmet gap over the "
        "sample paths; 'quantile': cover each cell's ``quantile`` gap instead.")
    quantile: float | None = Field(None, gt=0, lt=1, description="With risk='quantile'.")
    surplus_penalty: float = Field(
        0.0, ge=0, le=MAX_WEIGHT, allow_inf_nan=False,
        description="Weight of the expected certified workers beyond the gap, relative to "
        "one worker of shortfall (training people for jobs that are not there); 0: only the "
        "shortfall counts. With ``periods``, per cell-period against the market need, times "
        "the cell's market weight. Shortfalls in the response exclude it; "
        "summary.objective includes it.")
    period: PeriodLabel | None = Field(
        None, description="Single-period plans (not with ``periods``): the period the places "
        "are funded in, e.g. '2025Q3', in the model's frequency ('2026', '2026Q1', '2026-03' "
        "or an ISO date, which stands for its period). Its places count against the gap "
        "``lead_time`` periods later (``arrival_period`` of the quotas), which must be a "
        "forecast period: after the model's origin, at most ``horizon`` periods on. Default: "
        "the last forecast period minus ``lead_time``.", examples=["2025Q3"])
    periods: list[PeriodLabel] | None = Field(
        None, min_length=1, max_length=MAX_PERIODS,
        description="Funding periods of a multi-year plan, in the model's frequency "
        "('2026', '2026Q1', '2026-03' or an ISO date, which stands for its period), each "
        "after the model's origin. Places funded in a period certify ``lead_time`` periods "
        "later. The multi-year fields (budget_per_period, exit_rate, policy_need, "
        "need_weights, capacity_groups, budget_envelopes, equity) need it. The last "
        "funding period plus ``lead_time`` must be at most max_horizon periods after the "
        "origin (GET /v1/model; a gap model's horizon): a plan needing more is refused "
        "(422), not forecast further. The labels "
        f"must be of the model's frequency (GET /v1/model, freq); {_DEMO}.",
        examples=[["2025Q1", "2025Q2", "2025Q3"]])
    budget_per_period: list[PeriodBudget] | None = Field(
        None, min_length=1, max_length=MAX_PERIODS,
        description="One budget per funding period, instead of one ``budget`` for the whole "
        "plan: exactly one row for each of ``periods``.")
    exit_rate: ExitRate | None = Field(
        None, description="Share of a cell's certified workers who leave it per year "
        f"(retirement, leaving the trade), {parameter_words('exit_rate')}: one number or one "
        "per cell. Default 0.03.", examples=[0.1])
    lead_time: Lead | None = Field(
        None, description="Periods from funding to certification, "
        f"{parameter_words('lead_time')}: one number or one per cell. A single-period plan "
        "funds its places in ``period`` and counts them against the gap of period + "
        "lead_time. Default 0.",
        examples=[1])
    policy_need: list[PolicyNeed] | None = Field(
        None, max_length=MAX_TABLE_ROWS,
        description="A second need beside the forecast gap: workers short of a policy target "
        "per cell and need period (every key column, ``period``, ``policy_need``). "
        "Cell-periods without a row have none.")
    need_weights: NeedWeights | None = Field(
        None, description="Weights of the market and policy needs; 1 and 1 when omitted.")
    capacity_groups: list[CapacityGroupMember] | None = Field(
        None, max_length=MAX_TABLE_ROWS,
        description="Shared capacity: one row per member of a group, ``group``, ``capacity`` "
        "(places per funding period for the whole group) and key columns naming the members.")
    budget_envelopes: list[BudgetEnvelope] | None = Field(
        None, max_length=MAX_TABLE_ROWS,
        description="Money envelopes, e.g. per city: key columns, ``budget`` and optionally "
        "``period``. Cells without a row are limited by the budget only.")
    committed: list[CommittedPlaces] | None = Field(
        None, max_length=MAX_TABLE_ROWS,
        description="Places already funded, e.g. by last year's plan, whose workers are "
        "still to come: one row per cell (with a ``crosswalk``, per programme and region) "
        "and funding period, every key column, ``period`` (at or before the first of "
        "``periods``) and ``places``. Their workers count against every need before the "
        "plan's places (the plan funds what they leave), and cost nothing in its budget. "
        "The summary gives committed_places and committed_arriving (their certified workers "
        "arriving in the need periods), the years committed_workers; the shortfalls and "
        "gaps 'before' then count them (summary.before_plan). A cell or programme the plan "
        "does not have, or a period after the first funding period, is refused (422).",
        examples=[[{"region": "Amberfield", "industry": "textiles", "period": "2024",
                    "places": 120}]])
    equity: float | None = Field(
        None, ge=0, le=1, allow_inf_nan=False,
        description="Share in [0, 1]: each region's plan must remove at least this share of "
        "its weighted expected shortfall.", examples=[0.2])
    crosswalk: list[CrosswalkRow] | None = Field(
        None, min_length=1, max_length=MAX_TABLE_ROWS,
        description="Plan places per training programme instead of per cell: one row per "
        "programme and industry it feeds, ``program``, ``industry``, ``share`` (and "
        "optionally ``region``). The quotas are then one row per programme and region (and "
        "funding period), with ``program`` and ``feeds``; per-programme parameters name "
        "``program`` in their ``cell``; capacity_groups and budget_envelopes rows name "
        "programmes by ``program`` (and ``region``).",
        examples=[[{"program": "welding", "industry": "construction_engineering", "share": 0.6},
                   {"program": "welding", "industry": "general_equipment", "share": 0.4},
                   {"program": "sewing", "industry": "textiles", "share": 1.0}]])

    #: Whether the request itself must give the money (POST /v1/plan takes the saved run's).
    budget_required: ClassVar[bool] = True

    @model_validator(mode="after")
    def _one_budget_and_multi_year_fields_with_periods(self):
        if self.budget is None and self.budget_per_period is None and self.budget_required:
            raise ValueError("budget: give the money for the plan as budget (one number) or, "
                             "with periods, as budget_per_period")
        if self.budget is not None and self.budget_per_period is not None:
            raise ValueError("budget and budget_per_period: give one of them, not both")
        if self.periods is None:
            given = [name for name in _MULTI_YEAR if getattr(self, name) is not None]
            if given:
                raise ValueError(f"{', '.join(given)}: multi-year options need periods (the "
                                 "funding periods in the model's frequency, e.g. "
                                 "['2025Q1', '2025Q2'] for a quarterly model)")
        elif self.period is not None:
            raise ValueError("period: a multi-year plan takes its funding periods from "
                             "periods; leave period out")
        if self.risk == "expected" and "risk" in self.model_fields_set and (
                self.quantile is not None):
            raise ValueError("quantile: risk='expected' minimises the expected shortfall and "
                             "uses no quantile; give risk='quantile' with quantile, or leave "
                             "quantile out")
        return self


class PlanRequestV1(PlanRequest):
    """A training plan, as ``talentgap plan`` makes it; omitted fields take the defaults
    saved with the model (GET /v1/model, ``plan_defaults``), then the library's.

    ``periods`` given as years (``'2026'``) on a quarterly or monthly model plan
    funding years against yearly needs, as ``talentgap plan`` with ``[plan] years``
    does: each year's market need is the mean of its periods' gaps on each sample
    path, and ``lead_time`` counts years. The policy need the saved run planned
    against (its ``[targets]``, GET /v1/model ``targets``) is applied to such a
    plan unless the request gives ``policy_need`` or ``use_saved_targets: false``."""

    budget_required: ClassVar[bool] = False

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"budget": 5_000_000, "cost_per_trainee": 6000, "pass_rate": 0.67, "horizon": 4},
        {"budget": 5_000_000, "periods": ["2025Q1", "2025Q2"], "lead_time": 1,
         "exit_rate": 0.03}]})

    horizon: int | None = Field(None, ge=1, le=MAX_FORECAST_HORIZON,
                                description="Forecast periods, at most max_horizon (GET "
                                "/v1/model); default: the saved run's [forecast] horizon, "
                                "else 4 (or max_horizon when it is less). The plan targets "
                                "the last one unless ``period`` is given. Not used by a "
                                "plan whose ``periods`` are years on a quarterly or monthly "
                                "model: its needs end with the last "
                                f"funding year plus ``lead_time``. {SAME_HORIZON}")
    budget: float | None = Field(None, ge=0, le=MAX_BUDGET, allow_inf_nan=False,
                                 description="Money for training places, in the unit of "
                                 "cost_per_trainee, at most 10^15; with ``periods``, for the "
                                 "whole plan. Give this or ``budget_per_period``; with "
                                 "neither, the saved run's [plan] budget (GET /v1/model, "
                                 "plan_defaults: ``budget``, or ``budget_per_period`` for a "
                                 "budget per year, which needs ``periods`` naming those "
                                 "years).", examples=[5_000_000])
    periods: list[PeriodLabel] | None = Field(
        None, min_length=1, max_length=MAX_PERIODS,
        description="Funding periods of a multi-year plan, each after the model's origin, "
        "in the model's frequency ('2026Q1', '2026-03' or an ISO date, which stands for its "
        "period), or as years ('2026') on any model: on a quarterly or monthly model, years "
        "plan funding years against yearly needs (each year's gap the mean of its periods' "
        "gaps on each sample path), as ``talentgap plan`` with [plan] years does; "
        "``lead_time`` then counts years and the needs run from the first funding year to "
        "the last plus ``lead_time``, which must end within max_horizon (GET /v1/model). "
        "Places funded in a period certify ``lead_time`` periods later. The multi-year "
        "fields (budget_per_period, exit_rate, policy_need, need_weights, capacity_groups, "
        "budget_envelopes, equity) need it, with periods (or years) of the same kind. A "
        "plan needing forecasts past max_horizon is refused (422), not forecast further; "
        f"{_DEMO}.", examples=[["2025Q1", "2025Q2", "2025Q3"], ["2025", "2026", "2027"]])
    exit_rate: ExitRate | None = Field(
        None, description="Share of a cell's certified workers who leave it per year "
        f"(retirement, leaving the trade), {parameter_words('exit_rate')}: one number or one "
        "per cell. Default: "
        "the saved run's [plan] exit_rate (GET /v1/model, plan_defaults; for exit_rate = "
        "\"estimate\", the per-cell rates its plan used), else 0.03.",
        examples=[0.1])
    lead_time: Lead | None = Field(
        None, description="Periods from funding to certification, "
        f"{parameter_words('lead_time')}: one number or one per cell; in a single-period "
        "plan too, whose places are funded in ``period`` and count against the gap of "
        "period + lead_time. Default: the saved "
        "run's [plan] lead_time (GET /v1/model, plan_defaults; ``talentgap forecast`` saves "
        "1 unless the configuration says otherwise), else 0.", examples=[1])
    cost_per_trainee: Cost | None = (
        Field(None, examples=[6000, [{"cell": {"industry": industry}, "value": 6000}
                                     for industry in _DEMO_INDUSTRIES]],
              description="Cost of one place, "
              f"{parameter_words('cost_per_trainee')}: one number, or a table whose entries "
              "together "
              "cover every cell (the table example, one entry per industry, assumes the "
              "quarterly demo model of ``examples/plan.toml``); default: the saved run's "
              "[plan] cost_per_trainee."))
    pass_rate: PassRate | None = Field(
        None, examples=[0.67], description="Share of trainees certified, "
        f"{parameter_words('pass_rate')}; default "
        "from the saved run, else 1.")
    absorption: Absorption | None = Field(
        None, description="Share of certified workers who stay, "
        f"{parameter_words('absorption')}; default from the "
        "saved run, else 1.")
    min_quota: MinQuota | None = Field(
        None, description="Fewest places per cell; default from the saved run, else 0.")
    min_class_size: MinClassSize | None = Field(
        None, examples=[20, [{"cell": {"industry": "textiles"}, "value": 15}]],
        description="The smallest class that can run: each cell (with ``periods``, each "
        "cell and funding period) gets no places or at least this many, "
        f"{parameter_words('min_class_size')}: one number, or a table of entries (cells "
        "without an entry have no minimum class; with ``crosswalk``, per programme, and "
        "``periods`` are needed). A cell with min_quota above 0 always runs, with at least a "
        "class. A class size above a cell's capacity is refused (422, naming the cell). The "
        "plan decides from its linear program which classes run, closing those worth less "
        "per place than the money they take and raising the others to a full class; notes "
        "say how many. Default: the saved run's [plan] min_class_size when it is a number, "
        "else no minimum class.")
    risk: Literal["expected", "quantile"] | None = Field(
        None, description="'expected' or 'quantile'; default from the saved run, else "
        "'expected'.")
    use_saved_targets: bool = Field(
        True, description="Plans of funding years (``periods`` as years, e.g. '2026') "
        "take the policy need the saved run planned against (its [targets]: GET /v1/model, "
        "targets), for the plan's need years, with its need_weights, unless the request "
        "gives ``policy_need`` (which replaces it). false: plan without it, against the "
        "forecast gap alone (and any policy_need given). No effect on a model saved "
        "without targets.", examples=[False])
