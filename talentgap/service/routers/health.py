"""``GET /health`` (liveness) and ``GET /ready`` (readiness): open, no token."""

from __future__ import annotations

from fastapi import APIRouter, Request

from talentgap._version import __version__
from talentgap.service.routers._common import served
from talentgap.service.schemas import Health, Ready

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Liveness and the loaded model")
def health(request: Request) -> Health:
    """Answer when the service is up, with the library version and the model's class."""
    return Health(talentgap_version=__version__, model_loaded=True,
                  estimator=type(served(request).model).__name__)


@router.get("/ready", response_model=Ready, summary="Ready to serve requests")
def ready(request: Request) -> Ready:
    """Answer 200 once the model is loaded and requests can be served."""
    model = served(request)
    return Ready(estimator=type(model.model).__name__, edition=model.edition)
