"""Rows of a plan's tables: ``quotas`` (places per cell or programme) and ``years``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from talentgap.service.schemas._rows import ROW_TYPES

__all__ = ["QuotaRow", "YearRow"]

_SINGLE = "Single-period plans without a ``crosswalk`` only."
_MULTI_YEAR = "Multi-year plans (with ``periods``) only."
_PROGRAMMES = "Plans with a ``crosswalk`` only."


class QuotaRow(BaseModel):
    """Places funded for one cell (with ``periods``: one cell and funding period).

    The row starts with the key columns of the model (e.g. ``region``,
    ``industry``; GET /v1/model, ``keys``) as further properties, which vary
    with the model. With a ``crosswalk`` a row is one programme instead
    (``program`` and the key columns other than industry, e.g. ``region``),
    with ``feeds``. Money is in the unit of cost_per_trainee, workers in
    persons. Fields that only one kind of plan gives are absent from the
    others' rows.
    """

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, ROW_TYPES] = Field(init=False)

    program: str | None = Field(None, description="The training programme. "
                                f"{_PROGRAMMES}", examples=["welding"])
    period: str = Field(description="When the places are funded.", examples=["2025Q1"])
    arrival_period: str = Field(description="period + lead_time: when their graduates count.",
                                examples=["2025Q2"])
    quota: int = Field(description="Training places funded.", examples=[120])
    cost: float = Field(description="quota x cost_per_trainee.", examples=[720_000])
    expected_certified: float = Field(description="Expected certified workers who stay: "
                                      "quota x pass_rate x absorption (with a crosswalk also "
                                      "x share_in_forecast).", examples=[80.4])
    planned_gap: float | None = Field(None, description="The gap planned against: the "
                                      f"expected gap or its quantile. {_SINGLE}",
                                      examples=[95.0])
    gap_before: float | None = Field(None, description="Expected gap without the plan "
                                     f"(negative: a surplus). {_SINGLE}", examples=[95.0])
    gap_after: float | None = Field(None, description="Expected gap with the plan. "
                                    f"{_SINGLE}", examples=[14.6])
    shortfall_before: float | None = Field(None, description="Expected unmet gap without the "
                                           "plan, the mean over the paths of max(gap, 0). "
                                           f"{_SINGLE}", examples=[97.2])
    shortfall_after: float | None = Field(None, description="Expected unmet gap with the "
                                          f"plan. {_SINGLE}", examples=[30.5])
    shortage_reduction: float | None = Field(None, description="shortfall_before - "
                                             f"shortfall_after. {_SINGLE}", examples=[66.7])
    worker_periods: float | None = Field(None, description="The places' certified workers "
                                         "present, summed over the need periods. "
                                         f"{_MULTI_YEAR}", examples=[241.2])
    need_at_arrival: float | None = Field(None, description="The weighted expected shortfall "
                                          "without a plan in the arrival period, by which "
                                          f"ties are shared out. {_MULTI_YEAR}",
                                          examples=[97.2])
    feeds: str | None = Field(None, description="The industries the programme feeds and "
                              f"their shares. {_PROGRAMMES}",
                              examples=["construction_engineering 60%, general_equipment 40%"])
    cost_per_trainee: float = Field(description="Cost of one place used.", examples=[6000])
    pass_rate: float = Field(description="Share of trainees certified used (with a crosswalk "
                             "share-weighted over the industries fed).", examples=[0.67])
    absorption: float = Field(description="Share of certified workers who stay used (with a "
                              "crosswalk share-weighted over the industries fed).",
                              examples=[1.0])
    share_in_forecast: float | None = Field(None, description="Share of the programme's "
                                            "graduates going to cells of the forecast. "
                                            "Single-period plans with a ``crosswalk`` only.",
                                            examples=[1.0])
    exit_rate: float | None = Field(None, description="Share of the cell's certified workers "
                                    "who leave it per year. Multi-year plans without a "
                                    "``crosswalk`` only.", examples=[0.03])
    lead_time: int | None = Field(None, description="Whole periods from funding to "
                                  f"certification. {_MULTI_YEAR}", examples=[1])
    cost_per_certified: float | None = Field(description="Cost of one certified worker who "
                                             "stays; null when none would.", examples=[8955.2])
    min_quota: float = Field(description="Fewest places (with ``periods``: per funding "
                             "period).", examples=[0])
    capacity: float | None = Field(description="Most places (with ``periods``: per funding "
                                   "period); null: unlimited.", examples=[None])
    capacity_value: float = Field(description="Shortfall removed per extra place of "
                                  "capacity; 0 where capacity does not bind.", examples=[0.0])


class YearRow(BaseModel):
    """One funding or need period of a multi-year plan: places, money, workers, shortfalls."""

    period: str = Field(description="A funding or need period.", examples=["2025Q1"])
    places: float = Field(description="Places funded in the period.", examples=[400])
    cost: float = Field(description="Their cost.", examples=[2_400_000])
    budget: float | None = Field(description="The period's budget (``budget_per_period``); "
                                 "null for one budget for the whole plan or a period that "
                                 "funds nothing.", examples=[2_500_000])
    workers: float = Field(description="Certified workers from the plan present in the "
                           "period.", examples=[268.0])
    shortfall_before: float = Field(description="Expected unmet gap in the period without "
                                    "the plan, summed over the cells.", examples=[1489.6])
    shortfall_after: float = Field(description="The same with the plan.", examples=[1221.6])
    need_basis: str | None = Field(
        None, description="Where the period's market need comes from: 'forecast', or 'held "
        "at <year>' for a need year past the model's horizon that holds its last forecast "
        "year's need (funding years on a quarterly or monthly model; ``notes`` give their "
        f"share of the need). {_MULTI_YEAR}", examples=["forecast"])
    committed_workers: float | None = Field(
        None, description="Certified workers of the places already funded (``committed``) "
        "present in the period, summed over the cells; the shortfalls 'before' are net of "
        "them. Plans with ``committed`` only.", examples=[1139.0])
    policy_shortfall_before: float | None = Field(
        None, description="Workers short of the policy need without the plan. Plans with a "
        "``policy_need`` only.", examples=[50.0])
    policy_shortfall_after: float | None = Field(
        None, description="The same with the plan. Plans with a ``policy_need`` only.",
        examples=[0.0])
