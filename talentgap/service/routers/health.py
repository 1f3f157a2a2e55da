"""``GET /health`` (liveness) and ``GET /ready`` (readiness): open, no token. ``HEAD`` answers
on both, as on every ``GET`` route (:class:`~talentgap.service.middleware.HeadAsGet`)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from talentgap._version import __version__
from talentgap.service.errors import NOT_READY_TEXT, ServiceError, error_responses
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
            responses=error_responses(unavailable=NOT_READY_TEXT))
def ready(request: Request) -> Ready:
    """Answer 200 once the model is loaded and requests can be served: with plan worker
    processes, once they have loaded the model too (until then 503, type ``not_ready``,
    with ``Retry-After``), so the first plan does not wait for a model load."""
    plans = getattr(request.app.state, "plans", None)
    if plans is not None and not plans.ready():
        raise ServiceError(503, "the plan worker processes are still loading the model; "
                           "ready once they have", kind="not_ready",
                           headers={"Retry-After": "1"})
    model = served(request)
    return Ready(estimator=type(model.model).__name__, edition=model.edition,
                 model_fingerprint=model.fingerprint)
