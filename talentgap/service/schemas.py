"""Request and response bodies of the prediction service (pydantic models).

They define the OpenAPI page: every field has a description and an example,
so a client team can call the service from that page alone.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

__all__ = [
    "Health",
    "Ready",
    "ModelInfoV1",
    "ForecastRequest",
    "ForecastResponse",
    "GapRequest",
    "GapResponse",
    "PlanRequestV1",
    "ModelInfo",
    "CellParameter",
    "CellShare",
    "CrosswalkRow",
    "PredictRequest",
    "PredictResponse",
    "PeriodBudget",
    "PolicyNeed",
    "NeedWeights",
    "CapacityGroupMember",
    "BudgetEnvelope",
    "PlanRequest",
    "PlanResponse",
    "ConstraintOut",
]

Cell = dict[str, str]

#: The industries of the demo model, which the per-cell table examples name.
_DEMO_INDUSTRIES = ("clothing_and_shoes", "construction_engineering", "ecommerce",
                    "electromechanical_technology", "general_equipment", "industrial_robotics",
                    "live_streaming", "textiles")
#: What the examples of per-model values (periods, key values) assume.
_DEMO = "the example assumes the quarterly demo model of ``examples/plan.toml`` (origin 2024Q4)"

#: Most periods a forecast (and a plan's need periods) may reach past the model's origin.
MAX_FORECAST_HORIZON = 120
#: Most funding periods in one plan.
MAX_PERIODS = 20
#: Most rows of a table sent with a plan (policy needs, capacity groups, envelopes).
MAX_TABLE_ROWS = 10_000
#: Most cells in a per-cell parameter list.
MAX_CELLS = 10_000

#: A period label: a year ``2026``, a quarter ``2026Q1`` or a month ``2026-03``; it must be
#: of the model's frequency (GET /model, ``freq``).
PeriodLabel = Annotated[str, StringConstraints(
    strip_whitespace=True, max_length=8,
    pattern=r"^[0-9]{4}(?:-?[Qq][1-4]|-(?:0[1-9]|1[0-2]))?$")]
#: A key value of a cell (e.g. a region's or an industry's name).
KeyValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_Finite = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Health(BaseModel):
    """Liveness and what is loaded."""

    status: Literal["ok"] = Field("ok", description="Always 'ok' when the service answers.")
    talentgap_version: str = Field(description="Library version of the service.",
                                   examples=["0.1.0"])
    model_loaded: bool = Field(description="True once the artifact is loaded.")
    estimator: str = Field(description="Class of the loaded model.", examples=["GapForecaster"])


class ModelInfo(BaseModel):
    """What the loaded model was fitted on, from its artifact's metadata."""

    estimator: str = Field(description="Class of the loaded model.",
                           examples=["GapForecaster"])
    created: str = Field(description="When the artifact was saved (UTC, ISO 8601).")
    talentgap_version: str = Field(description="Library version that saved it.")
    keys: list[str] = Field(description="Columns that identify a cell or series.",
                            examples=[["region", "industry"]])
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    origin: str | None = Field(None, description="Last period of the training data; "
                               "forecasts start the period after.", examples=["2024Q4"])
    cells: list[Cell] = Field(description="Every cell or series the model can forecast.")
    data_fingerprint: str = Field(description="sha256 of the training data.")
    config: dict | None = Field(None, description="The run configuration saved with it.")
    supports_plan: bool = Field(description="True for a gap model (POST /plan works).")


class _Request(BaseModel):
    # strict: no true/false for numbers, no numbers for text; NaN and Infinity refused
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


#: Most interval levels in one request.
MAX_LEVELS = 10
#: An interval level in percent.
Level = Annotated[float, Field(gt=0, lt=100)]


def _distinct(levels: list[float]) -> list[float]:
    """The levels, refused when two give the same column label (``lo_80``: ``{level:g}``)."""
    labels = [f"{level:g}" for level in levels]
    if len(set(labels)) != len(labels):
        raise ValueError("level: the interval levels must be distinct, also as the column "
                         "labels they give (lo_<level>, with 6 significant digits)")
    return levels


class PredictRequest(_Request):
    """Forecast the next ``horizon`` periods, for all cells or the ones listed."""

    horizon: int = Field(4, ge=1, le=120, description="Periods ahead.")
    level: list[float] = Field([80.0], max_length=MAX_LEVELS,
                               description="Interval levels in percent (0-100), at most 10.",
                               examples=[[80, 95]])
    cells: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Cells to return, as {key column: value}; all when omitted.",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])


class PredictResponse(BaseModel):
    """Forecast rows: one per cell and period."""

    origin: str | None = Field(None, description="Last period of the training data; "
                               "the rows start the period after.", examples=["2024Q4"])
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    columns: list[str] = Field(description="Column names of every row, in order.")
    rows: list[dict] = Field(description="For a gap model: the key columns, period, demand, "
                             "supply, gap, gap_lo_<level>, gap_hi_<level>, p_shortage (0-1), "
                             "flag, ... (for the population values, as in POST /v1/gap); for "
                             "a forecaster: keys, period, mean, lo_<level>, hi_<level>. "
                             "Missing values are null.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while "
                                "forecasting (e.g. too few backtest errors for a level).")
    explanations: list[dict] | None = Field(
        None, description="For a gap model, one per returned cell: the key columns, "
        "demand_model and supply_model (what produced each forecast, with the combination "
        "weights), demand_n_obs and supply_n_obs (periods of history used), fallback_reason "
        "(null when none) and flags (codes raised in any returned period, ';'-separated). "
        "Null for other forecasters.",
        examples=[[{"region": "Amberfield", "industry": "textiles",
                    "demand_model": "ets 0.5 + theta 0.5", "supply_model": "naive",
                    "demand_n_obs": 24, "supply_n_obs": 23, "fallback_reason": None,
                    "flags": "rising_demand"}]])


class CellParameter(_Request):
    """A plan parameter for one cell (or, with a crosswalk, one programme) plus ``value``.

    One entry of a per-cell table: the entries of a parameter together must
    give a value for every cell of the model (or every programme), e.g. one
    entry per industry with ``{"industry": ...}``, or one per cell.
    """

    cell: Cell = Field(description="The cell, as {key column: value}; or some of the key "
                       "columns, for every cell with those values (e.g. {\"skill_level\": "
                       "\"high_skilled\"}). With a ``crosswalk``, cost_per_trainee, "
                       "pass_rate, capacity, min_quota and lead_time are per programme: "
                       "name it by ``program`` and optionally the key columns other than "
                       "industry (e.g. {\"program\": \"welding\", \"region\": "
                       "\"Amberfield\"}); absorption may also give ``industry``. Every "
                       "entry of one parameter gives the same key columns.",
                       examples=[{"region": "Amberfield", "industry": "textiles"},
                                 {"program": "welding"}])
    value: float = Field(ge=0, le=1e12, description="The parameter's value for this cell, "
                         ">= 0.", examples=[6000])


class CellShare(CellParameter):
    """A share (``pass_rate``, ``absorption``) for one cell or programme, in (0, 1]."""

    value: float = Field(gt=0, le=1, description="The share for this cell, in (0, 1].",
                         examples=[0.67])


#: Tags of the two forms of a per-cell parameter; they are not part of an error's ``loc``.
UNION_TAGS = ("number", "table")


def _number_or_table(value) -> str:
    return "table" if isinstance(value, list) else "number"


def _per_cell(number, entry: type[CellParameter] = CellParameter):
    """One number (``number``, with its bounds) or a non-empty list of per-cell entries.

    The form is chosen by the JSON type (a list is a table), so an invalid
    value gets one error, of that form.
    """
    table = Annotated[list[entry], Field(min_length=1, max_length=MAX_CELLS)]
    return Annotated[Annotated[number, Tag("number")] | Annotated[table, Tag("table")],
                     Discriminator(_number_or_table)]


_Cost = _per_cell(Annotated[float, Field(ge=0.01, le=1e12)])
_Share = _per_cell(Annotated[float, Field(gt=0, le=1)], CellShare)
_Places = _per_cell(Annotated[float, Field(ge=0, le=1e12)])
_Rate = _per_cell(Annotated[float, Field(ge=0, le=1)])
_Lead = _per_cell(Annotated[int, Field(ge=0, le=20)])


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


class PeriodBudget(_Request):
    """The money for one funding period of a multi-year plan."""

    period: PeriodLabel = Field(description="A funding period, one of ``periods``.",
                                examples=["2025Q1"])
    budget: _Finite = Field(description="Money for places funded in this period, >= 0, in "
                            "the unit of cost_per_trainee.", examples=[2_000_000])


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
    policy_need: _Finite = Field(description="Workers short of the policy target (persons, "
                                 ">= 0), e.g. from a skilled-share target.", examples=[120])


class NeedWeights(_Request):
    """The weight of one worker of shortfall of each need in a multi-year plan."""

    market: _Finite = Field(1.0, description="Weight of the market need (the forecast gap "
                            "from the surveys), >= 0.", examples=[1.0])
    policy: _Finite = Field(1.0, description="Weight of the policy need (``policy_need``), "
                            ">= 0.", examples=[0.5])


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
    capacity: _Finite = Field(description="Places per funding period for the whole group, "
                              "the same on each of its rows.", examples=[1200])


class BudgetEnvelope(_KeyedRow):
    """Money the cells of a row (e.g. one city's) may spend.

    Key columns (some of the model's, e.g. ``region``) name the cells.
    """

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"region": "Amberfield", "budget": 800_000}]})

    budget: _Finite = Field(description="Most money these cells may spend over the plan, or "
                            "in ``period`` when given.", examples=[800_000])
    period: PeriodLabel | None = Field(None, description="A funding period: the envelope "
                                       "then limits that period only. Give it on every row "
                                       "or on none.", examples=["2025Q1"])


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


_MULTI_YEAR = ("budget_per_period", "exit_rate", "lead_time", "policy_need", "need_weights",
               "capacity_groups", "budget_envelopes", "equity")


class PlanRequest(_Request):
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
                         "plus ``lead_time``.")
    budget: float | None = Field(None, ge=0, le=1e15, allow_inf_nan=False, description="Money for "
                                 "training places, in the unit of cost_per_trainee; with "
                                 "``periods``, for the whole plan. Give this or "
                                 "``budget_per_period``.", examples=[5_000_000])
    cost_per_trainee: _Cost = Field(
        examples=[6000], description="Cost of one place: one number, or one per cell.")
    pass_rate: _Share = Field(
        1.0, examples=[0.67], description="Share of trainees certified, in (0, 1].")
    absorption: _Share = Field(
        1.0, description="Share of certified workers who stay, in (0, 1].")
    capacity: _Places | None = Field(
        None, description="Most places per cell (none: unlimited); with ``periods``, per "
        "funding period.")
    min_quota: _Places = Field(0.0, description="Fewest places per cell; "
                               "with ``periods``, per funding period.")
    risk: Literal["expected", "quantile"] = Field(
        "expected", description="'expected': minimise the expected unmet gap over the "
        "sample paths; 'quantile': cover each cell's ``quantile`` gap instead.")
    quantile: float | None = Field(None, gt=0, lt=1, description="With risk='quantile'.")
    surplus_penalty: float = Field(
        0.0, ge=0, le=1e6, allow_inf_nan=False,
        description="Weight of the expected certified workers beyond the gap, relative to "
        "one worker of shortfall (training people for jobs that are not there); 0: only the "
        "shortfall counts. With ``periods``, per cell-period against the market need, times "
        "the cell's market weight. Shortfalls in the response exclude it; "
        "summary.objective includes it.")
    period: str | None = Field(None, description="Period to plan for, e.g. '2025Q4': one "
                               "of the forecast periods (after the model's origin, at most "
                               "``horizon`` periods on), in the model's frequency "
                               "(single-period plans; not with ``periods``).")
    periods: list[PeriodLabel] | None = Field(
        None, min_length=1, max_length=MAX_PERIODS,
        description="Funding periods of a multi-year plan, in the model's frequency "
        "('2026', '2026Q1' or '2026-03'), each after the model's origin. Places funded in a "
        "period certify ``lead_time`` periods later. The fields below need it. The labels "
        f"must be of the model's frequency (GET /v1/model, freq); {_DEMO}.",
        examples=[["2025Q1", "2025Q2", "2025Q3"]])
    budget_per_period: list[PeriodBudget] | None = Field(
        None, min_length=1, max_length=MAX_PERIODS,
        description="One budget per funding period, instead of one ``budget`` for the whole "
        "plan: exactly one row for each of ``periods``.")
    exit_rate: _Rate | None = Field(
        None, description="Share of a cell's certified workers who leave it per year "
        "(retirement, leaving the trade), in [0, 1]: one number or one per cell. Default "
        "0.03.", examples=[0.1])
    lead_time: _Lead | None = Field(
        None, description="Whole periods from funding to certification (0-20): one number or "
        "one per cell. Default 0.", examples=[1])
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

    @model_validator(mode="after")
    def _one_budget_and_multi_year_fields_with_periods(self):
        if self.budget is None and self.budget_per_period is None:
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


class ConstraintOut(BaseModel):
    """One constraint of a plan, in numbers and words (one line of ``binding``)."""

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


class PlanResponse(BaseModel):
    """The plan: places per cell (and funding period), its cost and the shortfall it leaves."""

    summary: dict = Field(description="The plan in totals. Money is in the unit of "
                          "cost_per_trainee, workers in persons. rule ('optimised': the "
                          "places solve the plan's optimisation), risk, quantile "
                          "(null with risk 'expected'), integer (how places were made whole), "
                          "period (the target period), cells (cell rows the plan is scored "
                          "on), source ('samples': the model's sample paths), scenarios "
                          "(sample paths per cell), budget, total_cost (never above budget), "
                          "budget_left, budget_used (share of the budget spent, 0-1), places, "
                          "expected_certified (places x pass_rate x absorption), "
                          "shortfall_before and shortfall_after (expected unmet gap without "
                          "and with the plan, the mean over the paths of max(gap, 0), summed "
                          "over cells), shortage_reduction (their difference), surplus_after "
                          "(expected certified workers beyond the gap), objective (what the "
                          "plan minimised, including surplus_penalty), lp_objective (the "
                          "optimum before places were made whole; null without one) and "
                          "optimum_unique. With ``periods`` the shortfalls are summed over "
                          "the need cell-periods, with need_periods, policy_shortfall_before "
                          "and policy_shortfall_after (the policy need's), surplus_penalty "
                          "and tie_tolerance; with a ``crosswalk`` "
                          "also programmes and unsupplied_cells.")
    quotas: list[dict] = Field(description="One row per cell (with ``periods``: per cell and "
                               "funding period): the key columns, period (when the places are "
                               "funded), arrival_period (period + lead_time, when their "
                               "graduates count), quota (places), cost, expected_certified, the "
                               "parameters used (cost_per_trainee, pass_rate, absorption, "
                               "min_quota, capacity; with ``periods`` also exit_rate and "
                               "lead_time), cost_per_certified (cost of one certified worker "
                               "who stays) and capacity_value (shortfall removed per extra place "
                               "of capacity; 0 where capacity does not bind). A single-period "
                               "plan adds planned_gap (the gap planned against: the expected "
                               "gap or its quantile), gap_before/gap_after (expected gap without "
                               "and with the plan) and shortfall_before/shortfall_after/"
                               "shortage_reduction per cell; a multi-year plan adds "
                               "worker_periods (the places' certified workers present, summed "
                               "over the need periods) and need_at_arrival (the weighted "
                               "expected shortfall without a plan in the arrival period, by "
                               "which ties are shared out). With a ``crosswalk`` one row "
                               "per programme and region instead: ``program``, region, ..., "
                               "``feeds`` (the industries fed and their shares).")
    binding: list[str] = Field(description="Binding constraints, in words (the sentences "
                               "of constraints).")
    constraints: list[ConstraintOut] = Field(
        [], description="The same constraints in numbers, one per line of binding, in order.")
    marginal_value: dict[str, float] = Field(
        description="Expected shortfall removed per extra unit of budget ('budget', or "
                    "'budget[2026]' per funding period) and of each binding constraint.")
    years: list[dict] | None = Field(
        None, description="With ``periods``: one row per funding or need period: period, "
        "places, cost, budget (null for a period that funds nothing), workers, "
        "shortfall_before, shortfall_after (and policy_shortfall_before/after with a policy "
        "need). Null for a single-period plan.")
    notes: list[str] = Field([], description="What a planner should know about the plan, "
                             "e.g. that the optimum was not unique and how it was chosen.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while planning.")


# ---- /v1 ------------------------------------------------------------------------------------
class Ready(BaseModel):
    """Readiness: whether the model is loaded and requests can be served."""

    status: Literal["ready"] = Field("ready", description="'ready' when requests can be served.")
    estimator: str = Field(description="Class of the loaded model.", examples=["GapForecaster"])
    edition: str | None = Field(None, description="Edition served, when loaded from an "
                                "edition store.", examples=["2026-q1"])


class ModelInfoV1(BaseModel):
    """What the served model can answer (no server paths)."""

    estimator: str = Field(description="Class of the loaded model.",
                           examples=["GapForecaster"])
    models: dict[str, str] = Field(description="What produces the forecasts: for a gap model "
                                   "'demand' and 'supply' model labels, else 'forecast'.",
                                   examples=[{"demand": "AutoForecaster", "supply": "Naive"}])
    endpoints: list[str] = Field(description="The /v1 endpoints this model answers (the "
                                 "others return 409).", examples=[["/v1/gap", "/v1/plan"]])
    keys: list[str] = Field(description="Columns that identify a cell or series.",
                            examples=[["region", "industry"]])
    key_values: dict[str, list[str]] = Field(description="The values of each key column.")
    n_cells: int = Field(description="Number of cells (or series) the model knows.")
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    origin: str | None = Field(None, description="Last period of the training data; "
                               "forecasts start the period after.", examples=["2024Q4"])
    max_horizon: int = Field(description="Most periods past the origin a request may "
                             "forecast, the one limit of ``horizon`` (/v1/gap, /v1/forecast, "
                             "/v1/plan) and of a plan's ``periods`` plus ``lead_time``: the "
                             "smaller of the service's configured maximum and the longest "
                             "horizon the model's rolling-origin backtests can calibrate "
                             "(each needs a held-out span of that many periods, plus the "
                             "series' lag, with enough history before it). More: 422.",
                             examples=[22])
    max_cells: int = Field(description="Most cells or series one request may name.")
    max_plan_size: int | None = Field(None, description="Largest plan POST /v1/plan solves, "
                                      "as cells x forecast periods x sample paths (a "
                                      "programme plan adds its programme-to-cell links to "
                                      "the cells); larger: 422 (type plan_too_large).")
    max_levels: int = Field(description="Most interval levels one request may ask for.")
    edition: str | None = Field(None, description="Edition name, when served from an "
                                "edition store.")
    created: str = Field(description="When the artifact was saved (UTC, ISO 8601).")
    talentgap_version: str = Field(description="Library version that saved it.")
    data_fingerprint: str = Field(description="sha256 of the training data.")
    plan_defaults: dict[str, float | int | str] = Field(
        description="Values POST /v1/plan uses for omitted fields, from the run "
        "configuration saved with the model (the CLI's [plan] and [forecast] sections); "
        "settings held in files are not shown.")


class _PredictionRequest(_Request):
    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON,
                         description="Periods ahead, at most the model's max_horizon "
                         "(GET /v1/model).")
    level: list[Level] = Field([80.0], min_length=1, max_length=MAX_LEVELS,
                               description="Interval levels in percent (0-100), distinct, "
                               "at most 10.", examples=[[80, 95]])

    @model_validator(mode="after")
    def _distinct_levels(self):
        _distinct(self.level)
        return self


class ForecastRequest(_PredictionRequest):
    """Forecast series of a fitted forecaster, all or the ones listed."""

    series: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Series to return, as {key column: value}; all when omitted. An entry "
        "with some of the key columns selects every series with those values. At most "
        "max_cells entries (GET /v1/model).",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])


class ForecastResponse(BaseModel):
    """Forecast rows: one per series and period."""

    origin: str | None = Field(None, description="Last period of the training data.",
                               examples=["2024Q4"])
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    columns: list[str] = Field(description="Column names of every row: the keys, period, "
                               "mean, lo_<level>, hi_<level>.")
    rows: list[dict] = Field(description="One per series and period; missing values are null.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while "
                                "forecasting.")


#: How a gap model's numbers depend on the horizon asked for (/v1/gap and /v1/plan).
_SAME_HORIZON = (
    "The intervals, p_shortage and the expected demand, supply and gap of a period are "
    "calibrated on rolling-origin backtests of the span asked for, so the same period can "
    "differ somewhat between requests with different horizons; to compare or combine "
    "results, ask with the same horizon.")


class GapRequest(_PredictionRequest):
    """Forecast the skill gap of a gap model's cells, all or the ones listed."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"horizon": 4, "level": [80, 95],
         "cells": [{"region": "Amberfield", "industry": "textiles"}]}]})

    horizon: int = Field(4, ge=1, le=MAX_FORECAST_HORIZON,
                         description="Periods ahead, at most the model's max_horizon "
                         f"(GET /v1/model). {_SAME_HORIZON}")

    cells: list[Cell] | None = Field(
        None, min_length=1, max_length=MAX_CELLS,
        description="Cells to return, as {key column: value}; all when omitted. An entry "
        "with some of the key columns selects every cell with those values. At most "
        "max_cells entries (GET /v1/model).",
        examples=[[{"region": "Amberfield", "industry": "textiles"}]])


class GapResponse(BaseModel):
    """Gap forecast rows and what produced them."""

    origin: str | None = Field(None, description="Last period of the training data.",
                               examples=["2024Q4"])
    freq: str = Field(description="Period frequency (pandas alias).", examples=["Q-DEC"])
    columns: list[str] = Field(description="Column names of every row, in order: the key "
                               "columns, period, demand, supply, gap, gap_lo_<level> and "
                               "gap_hi_<level> per level, p_shortage, flag, gap_median, then "
                               "demand_lo_<level>, demand_hi_<level>, supply_lo_<level> and "
                               "supply_hi_<level> per level.",
                               examples=[["region", "industry", "period", "demand", "supply",
                                          "gap", "gap_lo_80", "gap_hi_80", "p_shortage", "flag",
                                          "gap_median", "demand_lo_80", "demand_hi_80",
                                          "supply_lo_80", "supply_hi_80"]])
    rows: list[dict] = Field(description="One per cell and period; missing values are null. "
                             "Units are persons in the period: demand is the skill-shortage "
                             "vacancies (hard-to-fill posts), supply the certified workers who "
                             "become available to the cell, gap = demand - supply (positive: "
                             "a shortage). demand, supply and gap are the means of the model's "
                             "sample paths, gap_median their median, <x>_lo_<level>/"
                             "<x>_hi_<level> the bounds of the central interval of that level "
                             "(gap_hi_80 is the 0.9 quantile), p_shortage (0-1) the share of "
                             "paths with a gap above 0. flag: reason codes to look twice, "
                             "';'-separated, empty when none: rising_demand (demand over the "
                             "year to the period >10% above the last observed year), "
                             "falling_supply (supply >10% below it), persistent_gap (a "
                             "shortage in each of the last 4 observed periods), thin_data "
                             "(few survey respondents or many periods without an estimate), "
                             "short_history (demand observed over few periods), "
                             "no_demand_data, no_supply_data. A model fitted with survey "
                             "standard errors (the panel's demand_se, as build_panel "
                             "writes) forecasts the population values: the sampling error "
                             "of the survey's estimates is not in its intervals, so a later "
                             "estimate falls outside them more often than the level says.")
    explanations: list[dict] = Field(description="One per returned cell: demand_model, "
                                     "supply_model, demand_n_obs, supply_n_obs, "
                                     "fallback_reason, flags.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while "
                                "forecasting.")


class PlanRequestV1(PlanRequest):
    """A training plan, as ``talentgap plan`` makes it; omitted fields take the defaults
    saved with the model (GET /v1/model, ``plan_defaults``), then the library's."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"budget": 5_000_000, "cost_per_trainee": 6000, "pass_rate": 0.67, "horizon": 4},
        {"budget": 5_000_000, "periods": ["2025Q1", "2025Q2"], "lead_time": 1,
         "exit_rate": 0.03}]})

    horizon: int | None = Field(None, ge=1, le=MAX_FORECAST_HORIZON,
                                description="Forecast periods, at most max_horizon (GET "
                                "/v1/model); default: the saved run's [forecast] horizon, "
                                "else 4. The plan targets the last one unless ``period`` is "
                                f"given. {_SAME_HORIZON}")
    exit_rate: _Rate | None = Field(
        None, description="Share of a cell's certified workers who leave it per year "
        "(retirement, leaving the trade), in [0, 1]: one number or one per cell. Default: "
        "the saved run's [plan] exit_rate (GET /v1/model, plan_defaults), else 0.03.",
        examples=[0.1])
    lead_time: _Lead | None = Field(
        None, description="Whole periods from funding to certification (0-20): one number or "
        "one per cell. Default: the saved run's [plan] lead_time (GET /v1/model, "
        "plan_defaults; ``talentgap forecast`` saves 1 unless the configuration says "
        "otherwise), else 0.", examples=[1])
    cost_per_trainee: _Cost | None = (
        Field(None, examples=[6000, [{"cell": {"industry": industry}, "value": 6000}
                                     for industry in _DEMO_INDUSTRIES]],
              description="Cost of one place: one number, or a table whose entries together "
              "cover every cell (the table example, one entry per industry, assumes the "
              "quarterly demo model of ``examples/plan.toml``); default: the saved run's "
              "[plan] cost_per_trainee."))
    pass_rate: _Share | None = Field(
        None, examples=[0.67], description="Share of trainees certified, in (0, 1]; default "
        "from the saved run, else 1.")
    absorption: _Share | None = Field(
        None, description="Share of certified workers who stay, in (0, 1]; default from the "
        "saved run, else 1.")
    min_quota: _Places | None = Field(
        None, description="Fewest places per cell; default from the saved run, else 0.")
    risk: Literal["expected", "quantile"] | None = Field(
        None, description="'expected' or 'quantile'; default from the saved run, else "
        "'expected'.")
