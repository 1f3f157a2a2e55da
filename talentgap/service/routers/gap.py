"""``POST /v1/gap``: skill-gap forecasts of a gap model's cells."""

from __future__ import annotations

from fastapi import APIRouter, Request

from talentgap.service._operations import origin_of, require_gap_model, run_gap
from talentgap.service.errors import error_responses
from talentgap.service.routers._common import (
    asked_horizon,
    check_bounds,
    page_info,
    page_of,
    served,
)
from talentgap.service.schemas import GapRequest, GapResponse

__all__ = ["router"]

router = APIRouter(tags=["gap"])


@router.post("/gap", response_model=GapResponse, summary="Forecast the skill gap",
             responses=error_responses(400, 401, 409, 413, 415, 422, 429))
def gap(body: GapRequest, request: Request) -> dict:
    """Demand, supply, the gap with its intervals, the probability of a shortage and
    flags per cell and period, and per cell the models behind them (``explanations``).

    Without ``cells`` it reads the whole model a page at a time: at most
    ``limit`` cells (default ``max_cells``) from ``offset``, in the model's
    order; ``page`` gives the total and the next page's offset. Needs a gap
    model (409 otherwise).
    """
    model = served(request)
    require_gap_model(model, "POST /v1/gap")
    page, horizon = page_of(request, body, "cells"), asked_horizon(request, body)
    total = check_bounds(request, horizon, body.cells, "cells", pageable=True,
                         paged=page is not None, page=page, levels=len(body.level))
    return dict(origin=origin_of(model), freq=model.metadata["freq"],  # FastAPI checks it
                **run_gap(model, horizon, body.level, body.cells, page=page),
                page=page_info(request, page, total))
