"""``GET /v1/model``: what the served model can answer."""

from __future__ import annotations

from fastapi import APIRouter, Request

from talentgap.planning._saved_run import place_entrants_record
from talentgap.service._operations import cells_of, keys_of, origin_of
from talentgap.service.errors import error_responses
from talentgap.service.routers._common import horizon_limit, served, settings
from talentgap.service.schemas import MAX_LEVELS, ModelInfoV1

__all__ = ["router", "model_info"]

router = APIRouter(tags=["model"])


def model_info(request: Request) -> ModelInfoV1:
    """The served model's description (shared with the deprecated ``GET /model``)."""
    model, limits = served(request), settings(request)
    meta = model.metadata
    endpoints = (["/v1/gap", "/v1/plan"] if model.is_gap_model else ["/v1/forecast"])
    return ModelInfoV1(
        estimator=type(model.model).__name__, models=model.model_labels, endpoints=endpoints,
        keys=keys_of(model), key_values=model.key_values, n_cells=len(cells_of(model)),
        freq=meta["freq"], origin=origin_of(model),
        max_horizon=horizon_limit(request)[0], max_cells=limits.max_cells, max_levels=MAX_LEVELS,
        max_answer_size=limits.max_answer_size,
        model_horizon=getattr(model.model, "horizon", None) if model.is_gap_model else None,
        horizon_fixed_at_load=model.horizon_fixed_at_load,
        intervals=model.intervals, caveats=list(model.caveats),
        max_plan_size=limits.max_plan_size if model.is_gap_model else None,
        edition=model.edition, created=meta["created"],
        talentgap_version=meta["talentgap_version"], data_fingerprint=meta["data_fingerprint"],
        model_fingerprint=model.fingerprint, targets=model.saved_targets,
        plan_defaults={name: value for name, value in model.plan_defaults.items()
                       if name != "policy_need"},  # one row per cell and year: see targets
        place_entrants=place_entrants_record(model.place_entrants))  # the saved form


@router.get("/model", response_model=ModelInfoV1, summary="What the model can answer",
            responses=error_responses(401, 429))
def get_model(request: Request) -> ModelInfoV1:
    """The model's keys and their values, frequency, origin, request bounds, edition,
    model labels, the endpoints it answers, the plan defaults saved with it, the
    saved run's policy targets, which POST /v1/plan applies by default, and the
    shares of a place's workers new to its cell that scale its plans' places."""
    return model_info(request)
