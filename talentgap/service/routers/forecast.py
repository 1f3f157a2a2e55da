"""``POST /v1/forecast``: forecasts of a fitted forecaster's series."""

from __future__ import annotations

from fastapi import APIRouter, Request

from talentgap.service._operations import origin_of, run_predict
from talentgap.service.errors import ServiceError, error_responses
from talentgap.service.routers._common import (
    asked_horizon,
    check_bounds,
    page_info,
    page_of,
    served,
)
from talentgap.service.schemas import ForecastRequest, ForecastResponse

__all__ = ["router"]

router = APIRouter(tags=["forecast"])


@router.post("/forecast", response_model=ForecastResponse, summary="Forecast series",
             responses=error_responses(400, 401, 409, 413, 415, 422, 429))
def forecast(body: ForecastRequest, request: Request) -> ForecastResponse:
    """Forecast ``horizon`` periods after the origin for the listed series (all when
    omitted, a page of at most ``limit`` series from ``offset`` at a time, in the
    model's order): ``mean``, ``lo_<level>`` and ``hi_<level>`` per series and
    period; ``page`` gives the total and the next page's offset.

    A gap model answers POST /v1/gap instead (409 here).
    """
    model = served(request)
    if model.is_gap_model:
        raise ServiceError(409, "POST /v1/forecast needs a forecaster (e.g. AutoForecaster "
                           "saved with model.save()); this service holds a GapForecaster: "
                           "use POST /v1/gap", kind="model_mismatch")
    page, horizon = page_of(request, body, "series"), asked_horizon(request, body)
    total = check_bounds(request, horizon, body.series, "series", pageable=True,
                         paged=page is not None, page=page, levels=len(body.level))
    answer = run_predict(model, horizon, body.level, body.series, field="series",
                         page=page)
    return ForecastResponse(origin=origin_of(model), freq=model.metadata["freq"], **answer,
                            page=page_info(request, page, total))
