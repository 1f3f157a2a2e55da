"""Request and response bodies of the prediction service (pydantic models).

They define the OpenAPI page: every field has a description and an example,
so a client team can call the service from that page alone.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Health",
    "ModelInfo",
    "CellParameter",
    "PredictRequest",
    "PredictResponse",
    "PlanRequest",
    "PlanResponse",
]

Cell = dict[str, str]


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
    model_config = ConfigDict(extra="forbid")


class PredictRequest(_Request):
    """Forecast the next ``horizon`` periods, for all cells or the ones listed."""

    horizon: int = Field(4, ge=1, le=120, description="Periods ahead.")
    level: list[float] = Field([80.0], description="Interval levels in percent (0-100).",
                               examples=[[80, 95]])
    cells: list[Cell] | None = Field(
        None, min_length=1,
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
                             "flag, ...; for a forecaster: keys, period, mean, lo_<level>, "
                             "hi_<level>. Missing values are null.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while "
                                "forecasting (e.g. too few backtest errors for a level).")


class CellParameter(_Request):
    """A plan parameter for one cell: the key columns plus ``value``."""

    cell: Cell = Field(description="The cell, as {key column: value}.",
                       examples=[{"region": "Amberfield", "industry": "textiles"}])
    value: float = Field(description="The parameter's value for this cell.", examples=[6000])


class PlanRequest(_Request):
    """Allocate training places to cells under a budget (see ``allocate_quotas``)."""

    horizon: int = Field(4, ge=1, le=120, description="Forecast periods; the plan targets "
                         "the last one unless ``period`` is given.")
    budget: float = Field(ge=0, description="Money for training places, in the unit of "
                          "cost_per_trainee.", examples=[5_000_000])
    cost_per_trainee: float | list[CellParameter] = Field(
        examples=[6000], description="Cost of one place: one number, or one per cell.")
    pass_rate: float | list[CellParameter] = Field(
        1.0, examples=[0.67], description="Share of trainees certified, in (0, 1].")
    absorption: float | list[CellParameter] = Field(
        1.0, description="Share of certified workers who stay, in (0, 1].")
    capacity: float | list[CellParameter] | None = Field(
        None, description="Most places per cell (none: unlimited).")
    min_quota: float | list[CellParameter] = Field(0.0, description="Fewest places per cell.")
    risk: Literal["expected", "quantile"] = Field(
        "expected", description="'expected': minimise the expected unmet gap over the "
        "sample paths; 'quantile': cover each cell's ``quantile`` gap instead.")
    quantile: float | None = Field(None, gt=0, lt=1, description="With risk='quantile'.")
    period: str | None = Field(None, description="Period to plan for, e.g. '2025Q4'.")


class PlanResponse(BaseModel):
    """The plan: places per cell, its cost and the shortfall it leaves."""

    summary: dict = Field(description="budget, total_cost, places, expected_certified, "
                          "shortfall_before, shortfall_after, ...")
    quotas: list[dict] = Field(description="One row per cell: keys, quota, cost, "
                               "expected_certified, gap_before, gap_after, ...")
    binding: list[str] = Field(description="Binding constraints, in words.")
    marginal_value: dict[str, float] = Field(
        description="Expected shortfall removed per extra unit of budget ('budget') and of "
                    "each binding capacity.")
    warnings: list[str] = Field([], description="Data-quality warnings raised while planning.")
