"""``GET /health`` (liveness) and ``GET /ready`` (readiness), and their ``HEAD``: open, no
token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from talentgap._version import __version__
from talentgap.service.errors import error_responses
from talentgap.service.routers._common import served
from talentgap.service.schemas import Health, Ready

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Liveness and the loaded model",
            responses=error_responses())
def health(request: Request) -> Health:
    """Answer when the service is up, with the library version and the model's class."""
    return Health(talentgap_version=__version__, model_loaded=True,
                  estimator=type(served(request).model).__name__)


@router.head("/health", include_in_schema=False)
def health_head(request: Request) -> Response:
    """``HEAD /health``: the status of ``GET /health``, without a body (load balancers)."""
    health(request)
    return Response(media_type="application/json")


@router.get("/ready", response_model=Ready, summary="Ready to serve requests",
            responses=error_responses())
def ready(request: Request) -> Ready:
    """Answer 200 once the model is loaded and requests can be served."""
    model = served(request)
    return Ready(estimator=type(model.model).__name__, edition=model.edition)


@router.head("/ready", include_in_schema=False)
def ready_head(request: Request) -> Response:
    """``HEAD /ready``: the status of ``GET /ready``, without a body."""
    ready(request)
    return Response(media_type="application/json")
