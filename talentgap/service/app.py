"""The prediction service: a FastAPI app serving one saved model artifact.

Create the app with :func:`create_app` (nothing is loaded at import time) and
run it with any ASGI server, mount it in another app, or call it through a
plain ``TestClient(app)``; ``talentgap serve --model DIR`` (or ``--store
FILE``) runs it with uvicorn. The model is loaded once, by :func:`create_app`,
through :func:`talentgap.load` (or an edition store), which verifies every
file's checksum and never executes code from the artifact.

Requests are served concurrently: each call to the model runs in a worker
thread without a lock, because a fitted model's ``predict``,
``sample_paths`` and the planning functions only read its fitted state, and
each request collects its own warnings (see
:mod:`talentgap.service._operations`). A gap request does work in proportion
to the cells it names (:mod:`talentgap.service._gap_rows`). Plans are solved
in worker processes started in the app's lifespan
(:mod:`talentgap.service.plan_workers`, ``plan_workers`` of the settings), so
a plan never holds this process's interpreter lock; an app whose lifespan
does not run (mounted in another app, ``TestClient(app)`` outside ``with``)
solves them in its own process.

Operations: every answer carries the request's ``X-Request-ID`` (the client's,
or one the service makes; :class:`~talentgap.service.middleware.RequestId`); one
access-log line per request, with that id, on the ``talentgap.service.access``
logger (:class:`~talentgap.service.middleware.AccessLog`); :func:`reload_model`
loads the model again without dropping requests (``talentgap serve`` calls it
on ``SIGHUP``) and logs which model it now serves (source, edition, fingerprint) on
:data:`EVENTS_LOGGER`; every ``/v1`` answer, refusals included (not a 401), names the
model that made it in its ``X-Model-Fingerprint`` header (and ``X-Model-Edition`` from
an edition store); a plan over the configured ``max_plan_size`` is refused with 422.
Answers of 1000 bytes or more are gzip-compressed for a client that sends
``Accept-Encoding: gzip``. ``HEAD`` answers on every ``GET`` route. With
``cors_origins``, browsers on those origins may call it and read the headers above
and ``Retry-After``.

Endpoints (the OpenAPI page at ``/docs`` describes every field and status):

``GET /health``, ``GET /ready``
    Liveness and readiness; open (no token).
``GET /v1/model``
    Keys and their values, frequency, origin, bounds, edition, model labels,
    plan defaults (no server paths).
``POST /v1/forecast``
    Forecasts of a fitted forecaster's series.
``POST /v1/gap``
    Gap forecasts of a gap model's cells, with intervals, p_shortage, flags
    and explanations. Both read the whole model in pages of at most
    ``max_cells`` (``limit``, ``offset``; the answer's ``page.next``).
``POST /v1/plan``
    Training quotas under a budget (one cohort or, with ``periods``, several
    years), omitted fields taken from the saved run configuration, including
    the policy need of its ``[targets]``.

``GET /model``, ``POST /predict`` and ``POST /plan`` are deprecated (header
``Deprecation: true``) and will be removed in the next release.

With a token (:class:`~talentgap.service.settings.ServiceSettings`), every
call except ``/health``, ``/ready`` and the docs needs ``Authorization:
Bearer <token>`` (else 401). Errors: every 4xx and 5xx has one shape,
``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``: 400 a body that
is not UTF-8 (or a refused CORS preflight), 401 no token, 409 the model cannot
answer the endpoint, 413 body too large, 415 a compressed body, 422 an invalid
field, a missing JSON body or a request the model cannot serve, 429 rate
limited, 503 plans busy, 500 (``internal_error``) an unexpected failure, logged
once with its traceback and request id and never described in the body, which
quotes the id.

Examples
--------
>>> import tempfile, talentgap as tg
>>> from fastapi.testclient import TestClient
>>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
>>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
>>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=100).fit(panel)
>>> folder = tempfile.mkdtemp()
>>> _ = gap.save(f"{folder}/model")
>>> client = TestClient(create_app(f"{folder}/model"))
>>> reply = client.post("/v1/gap", json={"horizon": 2, "level": [80]})
>>> reply.status_code, len(reply.json()["rows"])
(200, 8)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import APIRouter, Depends, FastAPI, Security
from fastapi.middleware.gzip import GZipMiddleware

from talentgap._version import __version__
from talentgap.service._openapi_bounds import install_bounds
from talentgap.service._openapi_headers import install_headers
from talentgap.service.docs import install_docs
from talentgap.service.errors import REQUEST_ID_HEADER, install_error_handlers
from talentgap.service.middleware import (
    EXPOSED_HEADERS,
    AccessLog,
    BodyLimit,
    CorsWithErrorBody,
    Failures,
    HeadAsGet,
    ModelIdentity,
    RequestId,
)
from talentgap.service.plan_workers import PlanWorkers
from talentgap.service.routers import forecast, gap, health, legacy, model, plan
from talentgap.service.routers._common import IDENTITY_HEADERS, identify
from talentgap.service.security import RateLimiter, bearer_scheme, limit_rate, require_token
from talentgap.service.settings import ServiceSettings
from talentgap.service.state import LoadedModel

__all__ = ["create_app", "reload_model", "LoadedModel", "EVENTS_LOGGER"]

#: The logger of the service's operational events at INFO (a reload, the plan workers
#: started), which ``talentgap serve`` shows at its default level, as it shows access lines.
EVENTS_LOGGER = "talentgap.service.events"
events = logging.getLogger(EVENTS_LOGGER)

#: Answers at least this large are gzip-compressed for a client that accepts it.
_GZIP_MIN_BYTES = 1000


def create_app(model_dir: str | Path | None = None, *, store: str | Path | None = None,
               edition: str | None = None,
               settings: ServiceSettings | None = None) -> FastAPI:
    """Build the FastAPI app serving a saved model.

    Parameters
    ----------
    model_dir : str or pathlib.Path, optional
        A directory written by ``model.save(...)`` (e.g. ``talentgap forecast
        --save-model DIR``).
    store : str or pathlib.Path, optional
        Instead of ``model_dir``: an edition store file; the app serves its
        latest edition, or ``edition``.
    edition : str, optional
        The edition to serve from ``store``.
    settings : ServiceSettings, optional
        Token, rate limit, body and request bounds, CORS origins; default
        :meth:`ServiceSettings.from_env` (token from ``TALENTGAP_API_TOKEN``).

    Returns
    -------
    fastapi.FastAPI
        Ready to serve: the model is loaded here, so the app also works when
        mounted in another app or called without its lifespan (plans are then
        solved in the serving process; with the lifespan, in
        ``settings.plan_workers`` worker processes).

    Raises
    ------
    ArtifactError
        ``model_dir`` is not a valid artifact (missing, tampered, incompatible).
    EditionError
        ``store`` has no such edition, or it fails its checks.

    Examples
    --------
    Serve a forecaster saved to a folder, and ask it through FastAPI's test
    client (``talentgap serve`` runs the same app under uvicorn):

    >>> import tempfile
    >>> import pandas as pd
    >>> import talentgap as tg
    >>> from fastapi.testclient import TestClient
    >>> history = pd.DataFrame({"series_id": "a", "value": [float(v) for v in range(12)],
    ...                         "period": pd.period_range("2020Q1", periods=12, freq="Q")})
    >>> folder = Path(tempfile.mkdtemp()) / "model"
    >>> _ = tg.models.Naive().fit(history, target="value", keys=["series_id"]).save(folder)
    >>> client = TestClient(create_app(folder, settings=ServiceSettings(token=None)))
    >>> client.get("/health").json()["estimator"]
    'Naive'
    >>> answer = client.post("/v1/forecast", json={"horizon": 2, "level": [80]}).json()
    >>> [(row["period"], row["mean"]) for row in answer["rows"]]
    [('2023Q1', 11.0), ('2023Q2', 11.0)]
    """
    settings = ServiceSettings.from_env() if settings is None else settings
    served = LoadedModel(model_dir, store=store, edition=edition,
                         horizon_cap=settings.max_horizon,
                         horizon_rule=settings.horizon_at_load)
    app = FastAPI(
        title="talentgap prediction service",
        version=__version__,
        description="Skill-gap forecasts and training quota plans from a saved talentgap "
                    "model. Start with GET /v1/model to see the cells and periods it knows. "
                    "Every 4xx and 5xx answer has the shape of ErrorBody; every /v1 answer "
                    "names the model that made it in its X-Model-Fingerprint header.",
        docs_url=None, redoc_url=None, lifespan=_lifespan,
    )
    app.state.served = served
    app.state.plans = None  # worker processes, while the lifespan runs
    app.state.reload_lock = threading.Lock()
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.rate_window)
    guarded = [Depends(require_token), Depends(limit_rate)]
    if settings.token is not None:  # declared in the OpenAPI document for /docs' "Authorize"
        guarded.insert(0, Security(bearer_scheme))
    guarded.append(Depends(identify))  # after the token: a 401 names no model
    identified = {200: {"headers": IDENTITY_HEADERS}}
    app.include_router(health.router)
    v1 = APIRouter(prefix="/v1", dependencies=guarded, responses=identified)
    for resource in (model, forecast, gap, plan):
        v1.include_router(resource.router)
    app.include_router(v1)
    app.include_router(legacy.router, dependencies=guarded, responses=identified)
    install_error_handlers(app, authenticate=require_token)
    install_docs(app)
    install_bounds(app)
    install_headers(app, prefix=v1.prefix)
    # added innermost first (see talentgap.service.middleware for the order and why)
    app.add_middleware(GZipMiddleware, minimum_size=_GZIP_MIN_BYTES)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(Failures)
    if settings.cors_origins:
        app.add_middleware(CorsWithErrorBody, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "HEAD", "POST"],
                           allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
                           expose_headers=list(EXPOSED_HEADERS))
    app.add_middleware(ModelIdentity, prefix=v1.prefix)  # on the 500s and preflights too
    if settings.access_log_level != "OFF":  # it also sees the 413s and the 500s
        app.add_middleware(AccessLog, level=logging.getLevelName(settings.access_log_level))
    app.add_middleware(RequestId)  # outermost: the access line and every answer carry the id
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the plan worker processes (``plan_workers`` > 0) and stop them on shutdown."""
    settings = app.state.settings
    if settings.plan_workers > 0:
        plans = PlanWorkers(settings.plan_workers, settings.plan_queue, settings.plan_timeout)
        plans.preload(app.state.served)
        app.state.plans = plans
        events.info("plans are solved in %d worker process(es), %d may wait",
                    settings.plan_workers, settings.plan_queue)
    try:
        yield
    finally:
        plans, app.state.plans = app.state.plans, None
        if plans is not None:
            await anyio.to_thread.run_sync(plans.close)


def reload_model(app: FastAPI) -> LoadedModel:
    """Load the served model again and serve it from the next request on.

    The artifact directory is read as it is now (a save over it is atomic,
    see :func:`talentgap.models.persistence.save`), or the edition store's
    latest edition (or the named one). The new model replaces the old one in
    one assignment: requests already running finish on the model they
    started with, and no request is refused or dropped. ``talentgap serve``
    calls this on ``SIGHUP``. When loading fails, the old model stays served.

    Parameters
    ----------
    app : fastapi.FastAPI
        An app made by :func:`create_app`.

    Returns
    -------
    LoadedModel
        The model now served.

    Raises
    ------
    ArtifactError, EditionError
        The artifact or edition cannot be loaded (the old model is kept).

    Examples
    --------
    >>> import tempfile, talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> folder = tempfile.mkdtemp()
    >>> path = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(
    ...     panel).save(f"{folder}/model")
    >>> app = create_app(path)
    >>> _ = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(
    ...     panel).save(path)
    >>> reload_model(app).model_labels
    {'demand': 'Drift', 'supply': 'Drift'}
    """
    with app.state.reload_lock:  # one reload at a time; requests never take this lock
        fresh = app.state.served.reloaded()  # the answers' tables are built here, before
        app.state.served = fresh               # the first request reaches the new model
        app.openapi_schema = None  # rebuilt with the new model's max_horizon
        plans = getattr(app.state, "plans", None)
        if plans is not None:
            plans.preload(fresh)
    events.info("reloaded: now serving %s", fresh.describe())
    return fresh
