"""What the routers share: the served model, the settings and the request bounds."""

from __future__ import annotations

from fastapi import Request

from talentgap.service.errors import ServiceError
from talentgap.service.settings import ServiceSettings
from talentgap.service.state import LoadedModel

__all__ = ["served", "settings", "check_bounds"]


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
