"""What the service and its model are: health, readiness and the model's description."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from talentgap.service.schemas._bounds import Cell

__all__ = ["Health", "Ready", "ModelInfo", "ModelInfoV1", "SavedTargets", "PlaceEntrants"]


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


class Ready(BaseModel):
    """Readiness: whether the model is loaded and requests can be served."""

    status: Literal["ready"] = Field("ready", description="'ready' when requests can be served.")
    estimator: str = Field(description="Class of the loaded model.", examples=["GapForecaster"])
    edition: str | None = Field(None, description="Edition served, when loaded from an "
                                "edition store.", examples=["2026-q1"])
    model_fingerprint: str = Field(description="The served artifact's fingerprint "
                                   "(metadata_sha256), as X-Model-Fingerprint of the /v1 "
                                   "answers and model_fingerprint of GET /v1/model.",
                                   pattern="^[0-9a-f]{64}$")


class SavedTargets(BaseModel):
    """The policy targets of the run saved with the model, and the need POST /v1/plan applies.

    A ``talentgap plan`` run with ``[plan] years`` and ``[targets]`` plans
    against the forecast gap and the workers short of the targets; it saves
    that policy need per cell and need year with the model.
    """

    applied_by_default: bool = Field(
        description="True: POST /v1/plan applies the saved policy need to a plan of funding "
        "years (periods as years, e.g. '2026') unless the request gives policy_need or "
        "use_saved_targets: false, so the service's plan for the run's years and budgets "
        "is the run's.", examples=[True])
    targets: dict[str, float | int | str | list[str]] = Field(
        description="The run's [targets] settings: skilled_share, high_skilled_share "
        "(shares on 0-1), *_delta_points (percentage points over the base year), "
        "*_share_regions, target_year, base_year, share_by, plan_level (the level the "
        "plan's places serve).",
        examples=[{"skilled_share": 0.3, "high_skilled_share": 0.35, "target_year": 2029,
                   "share_by": "employment", "plan_level": "skilled"}])
    from_file: bool = Field(description="True when the targets came from a targets file "
                            "(not shown: it is the server's); the need it gave is applied "
                            "all the same.", examples=[False])
    need_periods: list[str] = Field(description="The need years the saved policy need "
                                    "covers; a plan's need years outside them have none.",
                                    examples=[["2025", "2026", "2027"]])
    cells: int = Field(ge=1, description="Cells the saved policy need has rows for, >= 1 "
                       "(a run whose need has none saves none).", examples=[64])
    policy_need_total: float = Field(ge=0, description="The saved policy need summed over cells "
                                     "and need years (persons x years short of the "
                                     "targets, after training at its forecast trend).",
                                     examples=[289824.2])
    need_weights: dict[str, float] = Field(description="Weights of the market and the "
                                           "policy need (market 1, policy the run's [plan] "
                                           "policy_weight), applied with the saved need "
                                           "unless the request gives need_weights.",
                                           examples=[{"market": 1.0, "policy": 1.0}])


class PlaceEntrants(BaseModel):
    """The shares of a place's certified workers per plan unit, as saved with the model.

    A run whose training upgrades workers between skilled levels (a
    ``from_level``) saves, per cell (and with ``[plan] crosswalk`` also per
    programme and location), the share of its recent certified workers who
    are new to the cell and, with ``[targets]`` served at one level, the
    share joining the stock that target counts; plans against the model
    scale each place's absorption by the first and count the policy need by
    their ratio, as the run's plan did. The form is the saved one
    (``[plan] place_entrants``): one list per column, one value per unit.
    """

    keys: list[str] = Field(description="The columns of the plan units: the model's keys "
                            "(plans without a crosswalk), or 'program' and the location "
                            "columns (plans with one).", examples=[["region", "industry"]])
    values: dict[str, list[str]] = Field(
        description="Per column of keys, its value for each unit listed (a unit not listed "
        "keeps its absorption).",
        examples=[{"region": ["North", "North"], "industry": ["construction", "textiles"]}])
    entrants: list[float] = Field(
        description="Per unit, the share (0-1) of its certified workers who are new to its "
        "cell (not upgraded from a lower skilled level of a worker it already employs); "
        "POST /v1/plan multiplies the unit's absorption by it.", examples=[[0.75, 1.0]])
    policy_share: list[float] | None = Field(
        None, description="Per unit, the share (0-1) of its certified workers joining the "
        "stock the saved run's policy target counts (upgrades included); POST /v1/plan counts "
        "the policy need by policy_share / entrants per worker a place adds to its cell. "
        "Absent without a target served at one level.", examples=[[1.0, 0.25]])


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
                             "series' lag, with enough history before it). A gap model "
                             "answers only up to its horizon (model_horizon). More: 422.",
                             examples=[22])
    model_horizon: int | None = Field(
        None, description="Periods the served gap model simulates, once, for every answer: "
        "/v1/gap rows and /v1/plan scenarios of any horizon up to it are cuts of that one "
        "simulation, so a period's expected values, intervals and p_shortage are the same "
        "whatever horizon a request asks for. Saved with the model ('talentgap forecast "
        "--save-model' saves [forecast] max_horizon, by default the span the run needs; "
        "refit with a larger one to serve longer horizons), or, for a model saved without "
        "one, fixed at load (horizon_fixed_at_load) by the service's horizon_at_load "
        "setting: by default two years of its periods (8 quarters), at most the longest its "
        "backtests can calibrate and the service's maximum. Null for a forecaster.",
        examples=[4])
    horizon_fixed_at_load: bool = Field(
        False, description="True when the gap model was saved without a horizon and the "
        "service fixed model_horizon when it loaded it (also logged).")
    intervals: Literal["population", "estimates"] | None = Field(
        None, description="What a gap model's intervals (and p_shortage) are for: "
        "'population', the true demand and gap in the population: the model was fitted "
        "with the survey's standard errors ([forecast] intervals = \"population\", the "
        "default) and took their sampling error out, so the intervals exclude the sampling "
        "error of the survey's estimates and a later survey estimate falls outside them "
        "more often than the level says; 'estimates', the values as the survey estimates "
        "them. Null for a forecaster (intervals for its series as fitted). POST /v1/gap "
        "answers it too.", examples=["population"])
    caveats: list[str] = Field(
        [], description="Data-quality warnings of the gap model's one simulation, built "
        "when the service loaded it (e.g. the paths of series of some history length use "
        "errors pooled over all series and are likely too narrow); every POST /v1/gap and "
        "/v1/plan answer repeats them in its warnings. Empty for a forecaster, whose "
        "answers warn per forecast.", examples=[[]])
    max_cells: int = Field(description="Most cells or series one answer holds: the "
                           "entries of a request's cells (series) and the rows they select, "
                           "an entry giving some key columns selecting every cell with those "
                           "values (more: 422); a request naming no cells reads every cell "
                           "of the model in pages of at most max_cells (limit, offset and "
                           "the answer's page.next). Plans are bounded by max_plan_size "
                           "instead.")
    max_plan_size: int | None = Field(None, description="Largest plan POST /v1/plan solves, "
                                      "as cells x forecast periods x sample paths (a "
                                      "programme plan adds its programme-to-cell links to "
                                      "the cells, and each capacity_groups and "
                                      "budget_envelopes row counts as a cell); larger: 422 "
                                      "(type plan_too_large).")
    max_levels: int = Field(description="Most interval levels one request may ask for.")
    max_answer_size: int | None = Field(None, description="Largest answer of POST /v1/gap "
                                        "or /v1/forecast, as cells (series) answered x "
                                        "periods x (1 + interval levels); larger: 422 (type "
                                        "answer_too_large).")
    edition: str | None = Field(None, description="Edition name, when served from an "
                                "edition store.")
    created: str = Field(description="When the artifact was saved (UTC, ISO 8601).")
    talentgap_version: str = Field(description="Library version that saved it.")
    data_fingerprint: str = Field(description="sha256 of the training data.")
    model_fingerprint: str = Field(description="The artifact's fingerprint (its "
                                   "metadata_sha256): every /v1 answer carries the one of the "
                                   "model that made it in its X-Model-Fingerprint header.",
                                   examples=["3f2a9c" + "0" * 58])
    plan_defaults: dict[str, bool | int | float | str | dict[str, float]
                        | list[dict[str, float | str | Cell]]] = (
        Field(
        description="Values POST /v1/plan uses for omitted fields, from the run "
        "configuration saved with the model (the CLI's [plan] and [forecast] sections), "
        "in the form of the request's fields: numbers, ``budget_per_period`` rows for a "
        "budget per year, and ``exit_rate`` entries (``cell``, ``value``) for the per-cell "
        "rates an exit_rate = \"estimate\" run used; hold_need (true) when the run lets "
        "a yearly plan hold more need years past the forecast than it forecasts; "
        "need_weights with a saved policy need (see targets; its rows, one per cell and need "
        "year, are not listed here). Settings held in files are not shown, nor those a "
        "request cannot take (integer).",
        examples=[{"cost_per_trainee": 6000, "lead_time": 1}]))
    targets: SavedTargets | None = Field(
        None, description="The policy targets of the saved run ([targets] of a multi-year "
        "'talentgap plan' run) and the policy need its plan was made against, which POST "
        "/v1/plan applies by default to plans of funding years; null for a model saved "
        "without them (older models, runs without targets or years).",
        examples=[{"applied_by_default": True,
                   "targets": {"skilled_share": 0.3, "target_year": 2029,
                               "share_by": "employment", "plan_level": "skilled"},
                   "from_file": False, "need_periods": ["2025", "2026", "2027"], "cells": 64,
                   "policy_need_total": 289824.2, "need_weights": {"market": 1.0,
                                                                   "policy": 1.0}}])
    place_entrants: list[PlaceEntrants] = Field(
        [], description="The share of a place's certified workers new to its cell, per plan "
        "unit, from the saved run's training (upgrade training between skilled levels trains "
        "workers the cell already employs): POST /v1/plan multiplies each unit's absorption "
        "by it, as the run's plan did, using the table whose keys are its plan units (the "
        "model's keys, or 'program' and the location columns with a crosswalk). Empty for a "
        "model saved without them (no upgrade training, or an older model): every place's "
        "workers count as new.",
        examples=[[{"keys": ["region", "industry"],
                    "values": {"region": ["North"], "industry": ["construction"]},
                    "entrants": [0.75], "policy_share": [1.0]}]])
