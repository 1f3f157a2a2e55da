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
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from fastapi import APIRouter, Request

from talentgap import planning
from talentgap._version import __version__
from talentgap.errors import ParameterError, SchemaError, collect_warnings
from talentgap.models import GapForecaster
from talentgap.periods import normalize_freq, parse_periods
from talentgap.service.schemas import (
    MAX_FORECAST_HORIZON,
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
    probability of a shortage and warning flags per cell and period, and per
    cell the models, history length and fallbacks behind them; any other
    forecaster returns ``mean``, ``lo_<level>`` and ``hi_<level>``.
    """
    served = _served(request)
    keys = _keys(served)
    with _warnings_of_this_request() as messages:
        out = served.model.predict(body.horizon, level=list(body.level))
        why = (served.model.explain(body.horizon)
               if isinstance(served.model, GapForecaster) else None)
    known = _cells(served)
    out = _select(out, body.cells, keys, known)
    explanations = None if why is None else _records(_select(why, body.cells, keys, known))
    return PredictResponse(origin=_origin(served), freq=served.metadata["freq"],
                           columns=[str(c) for c in out.columns], rows=_records(out),
                           warnings=messages, explanations=explanations)


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


_FREQ_WORDS = {"Y": "years, e.g. '2026'", "Q": "quarters, e.g. '2026Q1'",
               "M": "months, e.g. '2026-03'"}


def _parse(labels: list[str], freq: str, field: str) -> pd.PeriodIndex:
    """Period labels of the model's frequency, or a 422 naming ``field``."""
    try:
        return parse_periods(list(labels), freq=freq, name=field)
    except (SchemaError, ParameterError) as err:
        message = str(err).strip().splitlines()[0]
        raise ParameterError(f"{field}: {message} (the model's periods are "
                             f"{_FREQ_WORDS.get(freq, freq)})") from err


def _funding_horizon(body: PlanRequest, origin: pd.Period) -> tuple[pd.PeriodIndex, int]:
    """The funding periods, checked, and the forecast horizon that covers their arrivals."""
    freq = normalize_freq(origin.freqstr)
    funding = _parse(body.periods, freq, "periods")
    early = [str(p) for p in funding if p <= origin]
    if early:
        raise ParameterError(f"periods: {', '.join(early)} "
                             f"{'is' if len(early) == 1 else 'are'} not after the model's origin "
                             f"{origin}; places can be funded from {origin + 1} on")
    lead = body.lead_time
    if isinstance(lead, list):
        values = [entry.value for entry in lead]
        if not all(math.isfinite(v) and 0 <= v <= MAX_FORECAST_HORIZON for v in values):
            raise ParameterError(f"lead_time: every cell's value must be a whole number of "
                                 f"periods in [0, {MAX_FORECAST_HORIZON}]")
        lead = max(values)
    lead = int(lead or 0)
    steps = int((funding.max() - origin).n) + lead
    if steps > MAX_FORECAST_HORIZON:
        raise ParameterError(f"periods: the last funding period {funding.max()} plus lead_time "
                             f"{lead} is {steps} periods after the model's origin "
                             f"{origin}; at most {MAX_FORECAST_HORIZON} can be forecast")
    return funding, max(body.horizon, steps)


def _budget_table(body: PlanRequest, funding: pd.PeriodIndex, freq: str) -> pd.DataFrame:
    rows = body.budget_per_period
    periods = _parse([row.period for row in rows], freq, "budget_per_period")
    seen = pd.Series(periods).value_counts()
    twice = [str(p) for p, n in seen.items() if n > 1]
    foreign = sorted({str(p) for p in periods} - {str(p) for p in funding})
    missing = [str(p) for p in funding if p not in set(periods)]
    problem = (f"repeats {', '.join(twice)}" if twice
               else f"names {', '.join(foreign)}, not among periods" if foreign
               else f"has no row for {', '.join(missing)}" if missing else None)
    if problem:
        raise ParameterError(f"budget_per_period {problem}; give one budget for each funding "
                             f"period ({', '.join(str(p) for p in funding)})")
    return pd.DataFrame({"period": [row.period for row in rows],
                         "budget": [row.budget for row in rows]})


def _keyed_table(rows, field: str, columns: list[str]) -> pd.DataFrame | None:
    """A list of keyed rows as a table: the key columns given, then ``columns``."""
    if not rows:
        return None
    key_sets = {tuple(row.keys_given()) for row in rows}
    if len({frozenset(k) for k in key_sets}) > 1:
        raise ParameterError(f"{field}: every row must give the same key columns; got "
                             f"{sorted(sorted(k) for k in key_sets)[:3]}")
    table = pd.DataFrame([{**row.keys_given(),
                           **{c: getattr(row, c) for c in columns}} for row in rows])
    if not table.columns.difference(columns).size:
        raise ParameterError(f"{field}: each row must name its cells by key columns "
                             "(GET /model, keys), e.g. region")
    return table


def _envelope_table(body: PlanRequest) -> pd.DataFrame | None:
    rows = body.budget_envelopes
    if not rows:
        return None
    dated = [row.period is not None for row in rows]
    if any(dated) and not all(dated):
        raise ParameterError("budget_envelopes: give a period on every row or on none")
    columns = ["budget", "period"] if all(dated) else ["budget"]
    return _keyed_table(rows, "budget_envelopes", columns)


def _multi_year_arguments(body: PlanRequest, served, keys: list[str]) -> tuple[int, dict]:
    """The forecast horizon and the multi-year arguments of ``allocate_quotas``."""
    origin = pd.Period(served.model.origin_)
    funding, horizon = _funding_horizon(body, origin)
    freq = normalize_freq(origin.freqstr)
    args: dict = {"periods": [str(p) for p in funding]}
    args["budget"] = (body.budget if body.budget_per_period is None
                      else _budget_table(body, funding, freq))
    for name in ("exit_rate", "lead_time"):
        value = getattr(body, name)
        if value is not None:
            args[name] = _parameter(value, name, keys)
    if body.need_weights is not None:
        args["need_weights"] = body.need_weights.model_dump()
    if body.equity is not None:
        args["equity"] = body.equity
    args["policy_need"] = _keyed_table(body.policy_need, "policy_need",
                                       ["period", "policy_need"])
    args["capacity_groups"] = _keyed_table(body.capacity_groups, "capacity_groups",
                                           ["group", "capacity"])
    args["budget_envelopes"] = _envelope_table(body)
    return horizon, args


@router.post("/plan", response_model=PlanResponse, summary="Allocate training places")
def plan(body: PlanRequest, request: Request) -> PlanResponse:
    """Allocate places per cell to minimise the expected unmet gap within the budget.

    Uses the gap model's joint sample paths (see ``talentgap.planning.
    allocate_quotas``); only a gap model can plan. With ``periods`` the plan
    funds places per cell in each funding period against the needs of every
    forecast period up to the horizon (extended to cover the last funding
    period plus the lead time), and the answer adds ``years`` (per period:
    places, cost, budget, shortfalls) and ``notes``.
    """
    served = _served(request)
    if not isinstance(served.model, GapForecaster):
        raise ParameterError(f"planning needs a gap model; this service holds a "
                             f"{type(served.model).__name__}")
    keys = _keys(served)
    params = {name: _parameter(getattr(body, name), name, keys)
              for name in ("cost_per_trainee", "pass_rate", "absorption", "capacity",
                           "min_quota")}
    horizon = body.horizon
    if body.periods is not None:
        horizon, multi_year = _multi_year_arguments(body, served, keys)
        params.update(multi_year)
    else:
        params["budget"] = body.budget
    if body.period is not None:
        params["period"] = body.period
    with _warnings_of_this_request() as messages:
        paths = served.model.sample_paths(horizon)
        result = planning.allocate_quotas(paths, risk=body.risk, quantile=body.quantile,
                                          keys=tuple(keys), **params)
    summary = _records(result.summary.to_frame().T)[0]
    return PlanResponse(summary=summary, quotas=_records(result.quotas),
                        binding=list(result.binding),
                        marginal_value={str(k): float(v)
                                        for k, v in result.marginal_value.items()},
                        years=None if body.periods is None else _records(result.years),
                        notes=list(result.notes), warnings=messages)
