"""The prediction service: a FastAPI app serving one saved model artifact.

Create the app with :func:`create_app` (nothing is loaded at import time) and
run it with any ASGI server; ``talentgap serve --model DIR`` runs it with
uvicorn. The artifact is loaded once, when the app starts, through
:func:`talentgap.load`, which verifies every file's checksum and never
executes code from the artifact.

Requests are served concurrently: each call to the model runs in a worker
thread without a lock, because a fitted model's ``predict``,
``sample_paths`` and the planning functions only read its fitted state, and
each request collects its own warnings (see :mod:`talentgap.service.routes`).

Endpoints (the OpenAPI page at ``/docs`` describes every field):

``GET /health``
    Liveness and the loaded estimator.
``GET /model``
    What the model was fitted on: keys, frequency, origin, cells, metadata.
``POST /predict``
    Forecasts for the next periods, all cells or the ones listed.
``POST /plan``
    Training quotas under a budget from a gap model's sample paths: for one
    cohort, or with ``periods`` per cell and funding period over several
    years (annual budgets, exits, lead times, a policy need beside the
    market need, shared capacity groups, budget envelopes, equity).

Errors: a request the model cannot serve (unknown cell, bad level, a plan
that is infeasible, a period of the wrong frequency) is a 422 whose
``detail`` says why, in one sentence, naming the field; a request that does
not match the schema is a 422 listing each failing field (``loc``).

Examples
--------
>>> import tempfile, talentgap as tg
>>> from fastapi.testclient import TestClient
>>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
>>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
>>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=100).fit(panel)
>>> folder = tempfile.mkdtemp()
>>> _ = gap.save(f"{folder}/model")
>>> with TestClient(create_app(f"{folder}/model")) as client:
...     reply = client.post("/predict", json={"horizon": 2, "level": [80]})
>>> reply.status_code, len(reply.json()["rows"])
(200, 8)
"""

from __future__ import annotations

import math
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from talentgap._version import __version__
from talentgap.errors import TalentGapError
from talentgap.models import load
from talentgap.models.persistence import read_metadata
from talentgap.service.routes import router

__all__ = ["create_app", "LoadedModel"]


class LoadedModel:
    """The served model and its artifact metadata, loaded once and then only read.

    Requests share one instance and call the model at the same time, without
    a lock: calls after ``fit`` are pure functions of the fitted state.

    Parameters
    ----------
    path : str or pathlib.Path
        The artifact directory.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.metadata = read_metadata(self.path)
        self.model = load(self.path)


def create_app(model_dir: str | Path) -> FastAPI:
    """Build the FastAPI app serving the artifact in ``model_dir``.

    Parameters
    ----------
    model_dir : str or pathlib.Path
        A directory written by ``model.save(...)`` (e.g. ``talentgap forecast
        --save-model DIR``). It is checked now, so a wrong path fails here
        rather than at the first request, and loaded when the app starts.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    ArtifactError
        ``model_dir`` is not a valid artifact (missing, tampered, incompatible).
    """
    read_metadata(model_dir)  # fail fast, before a server binds a port

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.served = LoadedModel(model_dir)
        yield

    app = FastAPI(
        title="talentgap prediction service",
        version=__version__,
        description="Skill-gap forecasts and training quota plans from a saved talentgap "
                    "model. Start with GET /model to see the cells and periods it knows.",
        lifespan=lifespan,
    )
    app.include_router(router)

    @app.exception_handler(TalentGapError)
    async def _unprocessable(request: Request, exc: TalentGapError) -> JSONResponse:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return JSONResponse(status_code=422, content={"detail": message})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer, except that a refused non-finite number (NaN, Infinity)
        # echoed in an error is written as text: JSON has no such numbers.
        return JSONResponse(status_code=422,
                            content={"detail": _json_safe(jsonable_encoder(exc.errors()))})

    return app


def _json_safe(value):
    """``value`` with every non-finite float replaced by its text ('inf', 'nan')."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value
