"""The service's endpoints: health, model information, predict and plan.

The endpoints that call the model are plain (``def``) functions, so the ASGI
server runs each request in a worker thread, and requests run concurrently:
a fitted model's ``predict``, ``sample_paths`` and the planning functions only
read the fitted state, so no lock is taken around them. The library's warnings
are collected per request with :func:`talentgap.errors.collect_warnings`,
which keeps one collection per thread, and are returned in the response's
``warnings`` field.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from fastapi import APIRouter, Request

from talentgap import planning
from talentgap._version import __version__
from talentgap.errors import ParameterError, collect_warnings
from talentgap.models import GapForecaster
from talentgap.service.schemas import (
    Health,
    ModelInfo,
    PlanRequest,
    PlanResponse,
    PredictRequest,
    PredictResponse,
)

__all__ = ["router"]

router = APIRouter()


@contextmanager
def _warnings_of_this_request() -> Iterator[list[str]]:
    """Collect the library's warnings during a call, to return them with the answer.

    Enter it in the thread that makes the model call (the endpoint's body):
    the collection belongs to that thread only, so concurrent requests never
    see each other's warnings. On leaving, the yielded list is filled with the
    messages of the data-quality (``UserWarning``) warnings, each once, in the
    order first raised; any other category goes on to :func:`warnings.warn`.

    Yields
    ------
    list of str
        Empty inside the block; the messages after it.
    """
    messages: list[str] = []
    with collect_warnings() as caught:
        yield messages
    for item in caught:
        if not isinstance(item, UserWarning):
            warnings.warn(item, stacklevel=3)
    messages.extend(dict.fromkeys(str(item) for item in caught
                                  if isinstance(item, UserWarning)))


def _served(request: Request):
    return request.app.state.served


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: periods as labels, missing values as null."""
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, (pd.PeriodDtype, pd.CategoricalDtype)):
            frame[column] = frame[column].astype(str)
    return json.loads(frame.to_json(orient="records"))


def _keys(served) -> list[str]:
    return list(served.metadata["input_schema"]["keys"])


def _cells(served) -> pd.DataFrame:
    model = served.model
    if isinstance(model, GapForecaster):
        cells = model.cells_
    else:
        cells = model.fitted_summary_[_keys(served)]
    return cells.astype(str).drop_duplicates().reset_index(drop=True)


def _origin(served) -> str | None:
    origin = getattr(served.model, "origin_", None)
    return None if origin is None else str(origin)


@router.get("/health", response_model=Health, summary="Liveness and the loaded model")
def health(request: Request) -> Health:
    """Answer when the service is up, with the library version and the model's class."""
    served = _served(request)
    return Health(talentgap_version=__version__, model_loaded=True,
                  estimator=type(served.model).__name__)


@router.get("/model", response_model=ModelInfo, summary="What the model was fitted on")
def model_info(request: Request) -> ModelInfo:
    """The model's keys, frequency, origin, cells and the configuration saved with it."""
    served = _served(request)
    meta = served.metadata
    return ModelInfo(estimator=type(served.model).__name__, created=meta["created"],
                     talentgap_version=meta["talentgap_version"], keys=_keys(served),
                     freq=meta["freq"], origin=_origin(served),
                     cells=_records(_cells(served)), data_fingerprint=meta["data_fingerprint"],
                     config=meta.get("config"),
                     supports_plan=isinstance(served.model, GapForecaster))


def _select(frame: pd.DataFrame, cells: list[dict] | None, keys: list[str],
            known: pd.DataFrame) -> pd.DataFrame:
    if cells is None:
        return frame
    wanted = pd.DataFrame(cells)
    bad_columns = sorted(set(wanted.columns) ^ set(keys))
    if bad_columns or wanted.isna().any().any():
        raise ParameterError(f"each cell must give exactly the key columns {keys}; "
                             f"got {cells[0]}")
    wanted = wanted[keys].astype(str)
    unknown = wanted.merge(known, on=keys, how="left", indicator=True)
    unknown = unknown[unknown["_merge"] == "left_only"]
    if len(unknown):
        first = unknown.iloc[0][keys].to_dict()
        raise ParameterError(f"{len(unknown)} requested cell(s) are not in the model, e.g. "
                             f"{first}; GET /model lists the cells")
    as_text = frame[keys].astype(str)
    keep = as_text.merge(wanted.drop_duplicates(), on=keys, how="left", indicator=True)
    return frame[(keep["_merge"] == "both").to_numpy()].reset_index(drop=True)


@router.post("/predict", response_model=PredictResponse, summary="Forecast the next periods")
def predict(body: PredictRequest, request: Request) -> PredictResponse:
    """Forecast ``horizon`` periods after the model's origin.

    A gap model returns demand, supply, the gap with its intervals, the
    probability of a shortage and warning flags per cell and period; any other
    forecaster returns ``mean``, ``lo_<level>`` and ``hi_<level>``.
    """
    served = _served(request)
    keys = _keys(served)
    with _warnings_of_this_request() as messages:
        out = served.model.predict(body.horizon, level=list(body.level))
    out = _select(out, body.cells, keys, _cells(served))
    return PredictResponse(origin=_origin(served), freq=served.metadata["freq"],
                           columns=[str(c) for c in out.columns], rows=_records(out),
                           warnings=messages)


def _parameter(value, name: str, keys: list[str]):
    if value is None or isinstance(value, (int, float)):
        return value
    rows = [{**entry.cell, name: entry.value} for entry in value]
    table = pd.DataFrame(rows)
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise ParameterError(f"{name}: every cell must give the key columns {keys}; "
                             f"missing {missing}")
    return table


@router.post("/plan", response_model=PlanResponse, summary="Allocate training places")
def plan(body: PlanRequest, request: Request) -> PlanResponse:
    """Allocate places per cell to minimise the expected unmet gap within the budget.

    Uses the gap model's joint sample paths (see ``talentgap.planning.
    allocate_quotas``); only a gap model can plan.
    """
    served = _served(request)
    if not isinstance(served.model, GapForecaster):
        raise ParameterError(f"planning needs a gap model; this service holds a "
                             f"{type(served.model).__name__}")
    keys = _keys(served)
    params = {name: _parameter(getattr(body, name), name, keys)
              for name in ("cost_per_trainee", "pass_rate", "absorption", "capacity",
                           "min_quota")}
    if body.period is not None:
        params["period"] = body.period
    with _warnings_of_this_request() as messages:
        paths = served.model.sample_paths(body.horizon)
        result = planning.allocate_quotas(paths, budget=body.budget, risk=body.risk,
                                          quantile=body.quantile, keys=tuple(keys), **params)
    summary = _records(result.summary.to_frame().T)[0]
    return PlanResponse(summary=summary, quotas=_records(result.quotas),
                        binding=list(result.binding),
                        marginal_value={str(k): float(v)
                                        for k, v in result.marginal_value.items()},
                        warnings=messages)
