"""``POST /v1/plan``: training quotas under a budget, with the saved run's defaults."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request
from pydantic import TypeAdapter

from talentgap.service._operations import require_gap_model
from talentgap.service._saved_targets import apply_saved_need
from talentgap.service.errors import ServiceError, error_responses
from talentgap.service.routers._common import check_bounds, horizon_limit, served, solve_plan
from talentgap.service.schemas import PlanRequest, PlanRequestV1, PlanResponse

__all__ = ["router"]

router = APIRouter(tags=["plan"])

#: Defaults of a field when neither the request nor the saved run gives one.
_LIBRARY_DEFAULTS = {"horizon": 4, "pass_rate": 1.0, "absorption": 1.0, "min_quota": 0.0,
                     "risk": "expected"}
#: Saved settings taken only by multi-year plans (``lead_time`` serves single ones too).
_MULTI_YEAR_DEFAULTS = ("exit_rate",)
#: Saved settings that every plan takes when the request leaves them out.
_DEFAULTS = ("horizon", "cost_per_trainee", "pass_rate", "absorption", "min_quota", "risk",
             "capacity", "quantile", "lead_time", "surplus_penalty", "min_class_size")


def _saved(name: str, value):
    """A saved default as the request field's value (per-cell tables and budget rows as their
    entry models, which the plan reads by attribute)."""
    if isinstance(value, list):
        return TypeAdapter(PlanRequest.model_fields[name].annotation).validate_python(value)
    return value


def _saved_budget(fields: dict, given: dict, saved: dict, multi_year: bool) -> None:
    """The saved run's budget where the request gives none (one number, or per year)."""
    if "budget" in given or "budget_per_period" in given:
        return
    if "budget" in saved:
        fields["budget"] = saved["budget"]
    elif "budget_per_period" in saved and multi_year:
        fields["budget_per_period"] = _saved("budget_per_period", saved["budget_per_period"])
    elif "budget_per_period" in saved:
        years = ", ".join(row["period"] for row in saved["budget_per_period"])
        raise ServiceError(422, f"budget: the saved run's budget is per year ({years}); give "
                           "budget for a single-period plan, or periods naming those years",
                           loc=("body", "budget"), kind="missing")
    else:
        raise ServiceError(422, "budget: give the money for the plan as budget (one number) "
                           "or, with periods, as budget_per_period (the saved run has no "
                           "[plan] budget)", loc=("body", "budget"), kind="missing")


@router.post("/plan", response_model=PlanResponse, summary="Allocate training places",
             responses=error_responses(400, 401, 409, 413, 415, 422, 429, 503))
def plan(body: PlanRequestV1, request: Request) -> dict:
    """Allocate places per cell to minimise the expected unmet gap within the budget,
    for one cohort or, with ``periods``, per funding period over several years.

    Omitted fields take the values of the run configuration saved with the model
    (GET /v1/model, ``plan_defaults``) as ``talentgap plan`` does, then the
    library's defaults: among them the budget (one number, or per year), the lead
    time and, for a run that estimated exit rates, the per-cell rates its plan used.
    ``periods`` given as years on a quarterly model plan funding years against
    yearly needs as ``talentgap plan`` with ``[plan] years`` does, so the same
    settings give the same plan, including the policy need a run with ``[targets]``
    planned against (saved with the model, GET /v1/model ``targets``), unless the
    request gives ``policy_need`` or ``use_saved_targets: false``.
    Needs a gap model (409 otherwise).

    A plan larger than the service's ``max_plan_size`` (cells x forecast periods x
    sample paths, a programme plan's crosswalk links counted with the cells; GET
    /v1/model) is refused with 422 (``type`` ``plan_too_large``) before any work starts.

    With ``crosswalk`` the places go to training programmes (``program`` in the
    quotas, with the industries each ``feeds``), for one cohort or with ``periods``.

    Plans are solved in worker processes, so they do not slow the other endpoints;
    when as many plans as the service takes are already being solved or waiting,
    the plan is refused with 503 and ``Retry-After`` (seconds).
    """
    model = served(request)
    require_gap_model(model, "POST /v1/plan")
    saved = model.plan_defaults
    given = body.model_dump(exclude_unset=True)
    fields = {name: value for name, value in body if name in given}
    for name in _DEFAULTS:
        if name not in given and name in saved:
            fields[name] = saved[name]
    if body.periods is not None:
        for name in _MULTI_YEAR_DEFAULTS:
            if name not in given and name in saved:
                fields[name] = _saved(name, saved[name])
    _saved_budget(fields, given, saved, body.periods is not None)
    for name, value in _LIBRARY_DEFAULTS.items():
        if fields.get(name) is None:
            fields[name] = value
    if "horizon" not in given and "horizon" not in saved:  # the library's 4, held to the bound
        fields["horizon"] = min(fields["horizon"], horizon_limit(request)[0])
    if fields.get("cost_per_trainee") is None:
        raise ServiceError(422, "cost_per_trainee: give the cost of one place (the saved run "
                           "has no [plan] cost_per_trainee)", loc=("body", "cost_per_trainee"),
                           kind="missing")
    check_bounds(request, fields["horizon"], None, "cells", rows=False)
    saved_need = None if not body.use_saved_targets else apply_saved_need(
        fields, given, saved, origin=pd.Period(model.model.origin_),
        limit=horizon_limit(request)[0])
    complete = PlanRequest.model_construct(**{
        name: fields.get(name, info.get_default(call_default_factory=True))
        for name, info in PlanRequest.model_fields.items()})
    answer = solve_plan(request, complete)  # checked against PlanResponse once, by FastAPI
    if saved_need is not None:
        answer["warnings"] = [*answer.get("warnings", []), saved_need]
    return answer
