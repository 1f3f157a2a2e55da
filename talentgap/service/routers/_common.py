"""What the routers share: the served model, the settings and the request bounds."""

from __future__ import annotations

from fastapi import Request

from talentgap.service._operations import run_plan
from talentgap.service.errors import ServiceError
from talentgap.service.settings import ServiceSettings
from talentgap.service.state import LoadedModel

__all__ = ["served", "settings", "check_bounds", "solve_plan"]


def served(request: Request) -> LoadedModel:
    """The model the app serves."""
    return request.app.state.served


def settings(request: Request) -> ServiceSettings:
    """The app's settings."""
    return request.app.state.settings


def check_bounds(request: Request, horizon: int, cells: list | None, field: str) -> None:
    """Refuse (422) a horizon or a cell list over the configured maxima."""
    limits = settings(request)
    if horizon > limits.max_horizon:
        raise ServiceError(422, f"horizon {horizon} is more than the most this service "
                           f"forecasts, {limits.max_horizon} periods",
                           loc=("body", "horizon"), kind="less_than_equal")
    if cells is not None and len(cells) > limits.max_cells:
        raise ServiceError(422, f"{len(cells)} entries; at most {limits.max_cells} per request",
                           loc=("body", field), kind="too_long")


def solve_plan(request: Request, body) -> dict:
    """A plan's answer: from the plan worker processes when the app runs them, else here.

    The fields of :class:`~talentgap.service.schemas.PlanResponse`; see
    :func:`~talentgap.service._operations.run_plan` and
    :class:`~talentgap.service.plan_workers.PlanWorkers`.
    """
    model, max_size = served(request), settings(request).max_plan_size
    plans = getattr(request.app.state, "plans", None)
    if plans is None:
        return run_plan(model, body, max_size=max_size)
    return plans.solve(model, body, max_size=max_size)
