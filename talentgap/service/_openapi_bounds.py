"""The OpenAPI document states the bounds the service applies, not the schemas' static ones.

The request schemas carry fixed ceilings (``horizon`` at most
:data:`~talentgap.service.schemas.MAX_FORECAST_HORIZON`, cell lists at most
:data:`~talentgap.service.schemas.MAX_CELLS`); the service refuses more than
its settings and the served model allow (``max_horizon`` and ``max_cells``
of ``GET /v1/model``; ``max_cells`` also bounds a page's ``limit``, in a
request and in an answer's ``page``). :func:`install_bounds` writes those
into the document, and holds the examples of those fields within them, so
a client generated from it refuses what the server would and every example
is one the server takes.

The plan parameters' bounds need no rewriting: the schemas take them from
the planners' range table (:mod:`talentgap.service.schemas._per_cell`),
except that a ``lead_time`` is also held to ``max_horizon - 1`` (the first
funding period is one period after the origin, and its places must certify
within ``max_horizon``), which is written in here too.
"""

from __future__ import annotations

from fastapi import FastAPI

from talentgap.service.schemas._per_cell import MAX_LEAD_TIME

__all__ = ["install_bounds", "horizon_bound", "lead_time_bound"]

#: Request schemas with a ``horizon`` field.
_HORIZON = ("GapRequest", "ForecastRequest", "PredictRequest", "PlanRequest", "PlanRequestV1")
#: Request schemas whose omitted ``horizon`` the service holds to that bound
#: (:func:`~talentgap.service.routers._common.asked_horizon`).
_HELD_HORIZON = ("GapRequest", "ForecastRequest", "PredictRequest")
#: Request schemas' lists of cells (or series) bounded by ``max_cells``.
_CELL_LISTS = {"GapRequest": "cells", "ForecastRequest": "series", "PredictRequest": "cells"}
#: Request schemas whose page size (``limit``) is bounded by ``max_cells``.
_PAGED = ("GapRequest", "ForecastRequest")
#: Request schemas with a ``lead_time`` field, and the schema of its per-cell entries.
_LEAD_TIME = ("PlanRequest", "PlanRequestV1")
_LEAD_ENTRY = "CellLeadTime"


def horizon_bound(app: FastAPI) -> int:
    """The most periods a request of ``app`` may forecast: the smaller of the configured
    maximum and the served model's longest forecastable horizon."""
    return min(app.state.settings.max_horizon, app.state.served.max_horizon)


def _bound(spec: dict, key: str, value: int) -> None:
    """Set ``key`` on a property's schema, or on each non-null form of an ``anyOf``."""
    forms = [form for form in spec.get("anyOf", []) if form.get("type") != "null"]
    for form in forms or [spec]:
        form[key] = value


def _bound_number(spec: dict, key: str, value: int) -> None:
    """Set ``key`` on the number forms (``integer``/``number``) of a property's schema."""
    if spec.get("type") in ("integer", "number"):
        spec[key] = value
    for form in [*spec.get("anyOf", []), *spec.get("oneOf", [])]:
        _bound_number(form, key, value)


def _hold_examples(schema: dict, name: str, value: int) -> None:
    """Hold the examples of property ``name`` of ``schema`` (its own, and its value in the
    schema's examples) to at most ``value``, so each example meets the bound written in."""
    def held(example):
        number = isinstance(example, (int, float)) and not isinstance(example, bool)
        return min(example, value) if number else example

    spec = schema.get("properties", {}).get(name)
    if spec is not None and "examples" in spec:
        spec["examples"] = [held(example) for example in spec["examples"]]
    if "examples" in schema:
        schema["examples"] = [{**example, name: held(example[name])}
                              if isinstance(example, dict) and name in example else example
                              for example in schema["examples"]]


def _bound_pages(components: dict, most: int) -> None:
    """Give an answer's ``page`` the bound of its ``limit`` (``max_cells``), with examples
    that meet it."""
    page = components.get("Page", {})
    if "limit" in page.get("properties", {}):
        page["properties"]["limit"]["maximum"] = most
        _hold_examples(page, "limit", most)
        _hold_examples(page, "next", most)
    for name in ("GapResponse", "ForecastResponse"):
        spec = components.get(name, {}).get("properties", {}).get("page")
        if spec is not None and "examples" in spec:
            spec["examples"] = [
                {**example, "limit": min(example["limit"], most),
                 "next": None if example.get("next") is None
                 else example["offset"] + min(example["limit"], most)}
                if isinstance(example, dict) and {"limit", "offset"} <= set(example)
                else example for example in spec["examples"]]


def lead_time_bound(app: FastAPI) -> int:
    """The longest ``lead_time`` a plan of ``app`` may give: the service's cap
    :data:`~talentgap.service.schemas._per_cell.MAX_LEAD_TIME`, and one period less than
    :func:`horizon_bound` (places funded in the period after the origin must certify
    within it)."""
    return max(0, min(MAX_LEAD_TIME, horizon_bound(app) - 1))


def install_bounds(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document give the service's real ``horizon``, cell, page
    (``limit``) and ``lead_time`` bounds.

    The document is built on the first request for it and again after a
    reload (which clears ``app.openapi_schema``).
    """
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.get("components", {}).get("schemas", {})
            most = app.state.settings.max_cells
            for name in _HORIZON:
                field = components.get(name, {}).get("properties", {}).get("horizon")
                if field is not None:
                    _bound(field, "maximum", horizon_bound(app))
                    _hold_examples(components[name], "horizon", horizon_bound(app))
                    if name in _HELD_HORIZON and isinstance(field.get("default"), int):
                        field["default"] = min(field["default"], horizon_bound(app))
            for name, field_name in _CELL_LISTS.items():
                field = components.get(name, {}).get("properties", {}).get(field_name)
                if field is not None:
                    _bound(field, "maxItems", most)
            for name in _PAGED:
                field = components.get(name, {}).get("properties", {}).get("limit")
                if field is not None:
                    _bound_number(field, "maximum", most)
                    _hold_examples(components[name], "limit", most)
            _bound_pages(components, most)
            for name in _LEAD_TIME:
                field = components.get(name, {}).get("properties", {}).get("lead_time")
                if field is not None:
                    _bound_number(field, "maximum", lead_time_bound(app))
                    _hold_examples(components[name], "lead_time", lead_time_bound(app))
            entry = components.get(_LEAD_ENTRY, {}).get("properties", {}).get("value")
            if entry is not None:
                _bound_number(entry, "maximum", lead_time_bound(app))
                _hold_examples(components[_LEAD_ENTRY], "value", lead_time_bound(app))
        return app.openapi_schema

    app.openapi = openapi
