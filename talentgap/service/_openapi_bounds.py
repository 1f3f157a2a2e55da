"""The OpenAPI document states the bounds the service applies, not the schemas' static ones.

The request schemas carry fixed ceilings (``horizon`` at most
:data:`~talentgap.service.schemas.MAX_FORECAST_HORIZON`, cell lists at most
:data:`~talentgap.service.schemas.MAX_CELLS`); the service refuses more than
its settings and the served model allow (``max_horizon`` and ``max_cells``
of ``GET /v1/model``). :func:`install_bounds` writes those into the
document, so a client generated from it refuses what the server would.
"""

from __future__ import annotations

from fastapi import FastAPI

__all__ = ["install_bounds", "horizon_bound"]

#: Request schemas with a ``horizon`` field.
_HORIZON = ("GapRequest", "ForecastRequest", "PredictRequest", "PlanRequest", "PlanRequestV1")
#: Request schemas' lists of cells (or series) bounded by ``max_cells``.
_CELL_LISTS = {"GapRequest": "cells", "ForecastRequest": "series", "PredictRequest": "cells"}


def horizon_bound(app: FastAPI) -> int:
    """The most periods a request of ``app`` may forecast: the smaller of the configured
    maximum and the served model's longest forecastable horizon."""
    return min(app.state.settings.max_horizon, app.state.served.max_horizon)


def _bound(spec: dict, key: str, value: int) -> None:
    """Set ``key`` on a property's schema, or on each non-null form of an ``anyOf``."""
    forms = [form for form in spec.get("anyOf", []) if form.get("type") != "null"]
    for form in forms or [spec]:
        form[key] = value


def install_bounds(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document give the service's real ``horizon`` and cell bounds.

    The document is built on the first request for it and again after a
    reload (which clears ``app.openapi_schema``).
    """
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.get("components", {}).get("schemas", {})
            for name in _HORIZON:
                field = components.get(name, {}).get("properties", {}).get("horizon")
                if field is not None:
                    _bound(field, "maximum", horizon_bound(app))
            for name, field_name in _CELL_LISTS.items():
                field = components.get(name, {}).get("properties", {}).get(field_name)
                if field is not None:
                    _bound(field, "maxItems", app.state.settings.max_cells)
        return app.openapi_schema

    app.openapi = openapi
