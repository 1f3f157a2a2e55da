"""``GET /health`` (liveness) and ``GET /ready`` (readiness): open, no token. ``HEAD`` answers
on both, as on every ``GET`` route (:class:`~talentgap.service.middleware.HeadAsGet`)."""

from __future__ import annotations

from fastapi import APIRouter, Request

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


@router.get("/ready", response_model=Ready, summary="Ready to serve requests",
            responses=error_responses())
def ready(request: Request) -> Ready:
    """Answer 200 once the model is loaded and requests can be served."""
    model = served(request)
    return Ready(estimator=type(model.model).__name__, edition=model.edition,
                 model_fingerprint=model.fingerprint)
