"""The unversioned routes of the first release, kept one more release.

``GET /model``, ``POST /predict`` and ``POST /plan`` answer as before (with
the bounds and the error shape of ``/v1``) and add a ``Deprecation: true``
header and a ``Link`` to their ``/v1`` successor. They will be removed in the
next release.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from talentgap.service._operations import (
    cells_of,
    keys_of,
    origin_of,
    records,
    run_gap,
    run_predict,
)
from talentgap.service.errors import error_responses
from talentgap.service.routers._common import (
    asked_horizon,
    check_bounds,
    served,
    settings,
    solve_plan,
)
from talentgap.service.schemas import (
    ModelInfo,
    PlanRequest,
    PlanResponse,
    PredictRequest,
    PredictResponse,
)

__all__ = ["router", "TOTAL_HEADER"]

#: The header of ``GET /model`` giving the model's number of cells (it lists ``max_cells``).
TOTAL_HEADER = "X-Total-Count"

router = APIRouter(tags=["deprecated"], deprecated=True)


def _deprecated(response: Response, successor: str) -> None:
    response.headers["Deprecation"] = "true"
    response.headers["Link"] = f'<{successor}>; rel="successor-version"'


@router.get("/model", response_model=ModelInfo, summary="Deprecated: use GET /v1/model",
            responses={**error_responses(401, 429), 200: {"headers": {TOTAL_HEADER: {
                "description": "The model's number of cells; cells lists at most "
                               "max_cells of them (GET /v1/model).",
                "schema": {"type": "integer", "minimum": 0}}}}})
def model_info(request: Request, response: Response) -> ModelInfo:
    """Deprecated (removed in the next release): use GET /v1/model. The saved run
    configuration is no longer shown (it held server paths). ``cells`` lists the
    first ``max_cells`` cells of the model, in its order; the ``X-Total-Count``
    header gives how many it has (GET /v1/model: ``n_cells`` and ``key_values``;
    POST /v1/gap reads every cell a page at a time)."""
    _deprecated(response, "/v1/model")
    model = served(request)
    meta = model.metadata
    cells = cells_of(model)
    response.headers[TOTAL_HEADER] = str(len(cells))
    return ModelInfo(estimator=type(model.model).__name__, created=meta["created"],
                     talentgap_version=meta["talentgap_version"], keys=keys_of(model),
                     freq=meta["freq"], origin=origin_of(model),
                     cells=records(cells.head(settings(request).max_cells)),
                     data_fingerprint=meta["data_fingerprint"],
                     config=None, supports_plan=model.is_gap_model)


@router.post("/predict", response_model=PredictResponse,
             summary="Deprecated: use POST /v1/gap or /v1/forecast",
             responses=error_responses(400, 401, 413, 415, 422, 429))
def predict(body: PredictRequest, request: Request, response: Response) -> dict:
    """Deprecated (removed in the next release): use POST /v1/gap (gap model) or
    POST /v1/forecast (forecaster)."""
    model = served(request)
    _deprecated(response, "/v1/gap" if model.is_gap_model else "/v1/forecast")
    horizon = asked_horizon(request, body)
    check_bounds(request, horizon, body.cells, "cells", levels=len(body.level))
    if model.is_gap_model:
        answer = run_gap(model, horizon, body.level, body.cells)
    else:
        answer = dict(run_predict(model, horizon, body.level, body.cells),
                      explanations=None)
    return dict(origin=origin_of(model), freq=model.metadata["freq"], **answer)


@router.post("/plan", response_model=PlanResponse, summary="Deprecated: use POST /v1/plan",
             responses=error_responses(400, 401, 409, 413, 415, 422, 429, 503))
def plan(body: PlanRequest, request: Request, response: Response) -> dict:
    """Deprecated (removed in the next release): use POST /v1/plan, whose omitted
    fields take the saved run's defaults."""
    _deprecated(response, "/v1/plan")
    return solve_plan(request, body)  # checked against PlanResponse once, by FastAPI
