"""What the routers share: the served model, the settings and the request bounds."""

from __future__ import annotations

from fastapi import Request, Response

from talentgap.service._operations import run_plan
from talentgap.service.errors import ServiceError
from talentgap.service.middleware import header_text
from talentgap.service.settings import ServiceSettings
from talentgap.service.state import LoadedModel

__all__ = ["served", "settings", "horizon_limit", "asked_horizon", "check_bounds",
           "check_answer_size",
           "solve_plan", "identify",
           "page_of", "page_info", "FINGERPRINT_HEADER", "EDITION_HEADER", "IDENTITY_HEADERS"]

#: Response headers naming the model that answered.
FINGERPRINT_HEADER, EDITION_HEADER = "X-Model-Fingerprint", "X-Model-Edition"
#: Their OpenAPI description (the ``headers`` of a 200 response).
IDENTITY_HEADERS = {
    FINGERPRINT_HEADER: {"description": "The artifact fingerprint (metadata_sha256) of the "
                         "model that answered; GET /v1/model gives the served one as "
                         "model_fingerprint. It changes when a reload serves another model.",
                         "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
    EDITION_HEADER: {"description": "The edition that answered, when the model is served "
                     "from an edition store (absent otherwise). HTTP header values are "
                     "Latin-1, so the name is sent percent-encoded as UTF-8 (RFC 3986, as "
                     "in a URL) outside printable ASCII and for '%' itself: '2024Q4 第一版' "
                     "is sent as '2024Q4 %E7%AC%AC%E4%B8%80%E7%89%88'; decode it with a URL "
                     "decoder (urllib.parse.unquote, decodeURIComponent). GET /v1/model "
                     "gives the name as it is (edition).",
                     "schema": {"type": "string"}},
}


def served(request: Request) -> LoadedModel:
    """The model answering this request: the one :func:`identify` named, else the app's."""
    model = getattr(request.state, "served", None)
    return request.app.state.served if model is None else model


def identify(request: Request, response: Response) -> None:
    """Pin the served model for the whole request and name it in the response headers.

    A reload (SIGHUP) between this and the answer cannot mix two models: the
    request keeps the one named in :data:`FINGERPRINT_HEADER` (and
    :data:`EDITION_HEADER` when served from an edition store).
    """
    model = request.app.state.served
    request.state.served = model
    response.headers[FINGERPRINT_HEADER] = model.fingerprint
    if model.edition:
        response.headers[EDITION_HEADER] = header_text(model.edition)


def settings(request: Request) -> ServiceSettings:
    """The app's settings."""
    return request.app.state.settings


def horizon_limit(request: Request) -> tuple[int, str]:
    """The most periods a request may forecast (``max_horizon`` of GET /v1/model), and why.

    The smaller of the service's configured maximum and the served model's
    ``max_horizon``: a gap model's horizon (the span it simulates once for
    every answer), else the longest horizon its backtests can calibrate (see
    :func:`~talentgap.service._horizon.forecastable_horizon`).
    """
    model = served(request)
    limit = min(settings(request).max_horizon, model.max_horizon)
    return limit, model.horizon_reason(limit)


def asked_horizon(request: Request, body) -> int:
    """The horizon a request asks for: its own, else the default (4 periods) held to
    ``max_horizon`` (:func:`horizon_limit`), so that a request giving none is answered by a
    model that forecasts fewer periods rather than refused."""
    if "horizon" in body.model_fields_set:
        return body.horizon
    return min(body.horizon, horizon_limit(request)[0])


def check_bounds(request: Request, horizon: int, cells: list | None, field: str, *,
                 rows: bool = True, pageable: bool = False, paged: bool = False,
                 page: tuple[int, int] | None = None, levels: int | None = None
                 ) -> int | None:
    """Refuse (422) a horizon or a cell list over the maxima (GET /v1/model), or an answer
    over ``max_answer_size``.

    ``max_cells`` limits the cells (or series) a request answers: its entries,
    and with ``rows`` the rows they select (an entry giving some key columns
    selects every cell with those values; no ``cells`` selects every cell of
    the model), unless the request is ``paged`` (:func:`page_of`: the page
    holds at most ``max_cells``). ``pageable``: the route reads in pages
    (not the deprecated ``POST /predict``), so the refusal of too large a
    selection says to read it in pages (``limit``, ``offset``). A plan
    (``rows=False``) is bounded by ``max_plan_size`` instead.

    With ``levels`` (the request's interval levels), the answer's size, cells
    answered (those of ``page``, else all selected) x ``horizon`` x (1 +
    ``levels``), is held to ``max_answer_size`` (:func:`check_answer_size`).

    Returns the number of rows selected (None without ``rows``).
    """
    limit, why = horizon_limit(request)
    if horizon > limit:
        raise ServiceError(422, f"horizon: {horizon} periods is more than max_horizon = "
                           f"{limit}, {why} (GET /v1/model)",
                           loc=("body", "horizon"), kind="less_than_equal")
    limits = settings(request)
    if cells is not None and len(cells) > limits.max_cells:
        raise ServiceError(422, f"{len(cells)} entries; at most {limits.max_cells} per request",
                           loc=("body", field), kind="too_long")
    model = served(request)
    answers = model.gap_answers if model.is_gap_model else model.forecast_answers
    if not rows or answers is None:
        return None
    selected = len(answers.rows_of(cells, field))
    if selected > limits.max_cells and not paged:
        what = "cells" if model.is_gap_model else "series"
        asked = (f"no {field} selects all {selected} {what} of the model" if cells is None
                 else f"the {len(cells)} entries select {selected} {what}")
        fix = (f"name at most {limits.max_cells} {what} in {field} (an entry may give some "
               "key columns)")
        if pageable:  # a large selection is read a page at a time
            fix = (f"read them in pages with limit (at most {limits.max_cells}) and offset, "
                   f"the next from page.next, or name fewer {what}")
        raise ServiceError(422, f"{field}: {asked}, more than max_cells = {limits.max_cells} "
                           f"per request (GET /v1/model); {fix}",
                           loc=("body", field), kind="too_long")
    if levels is not None:
        answered = selected if page is None else max(0, min(page[1], selected - page[0]))
        check_answer_size(request, answered, horizon, levels, field, paged=page is not None)
    return selected


def check_answer_size(request: Request, answered: int, horizon: int, levels: int, field: str,
                      *, paged: bool = False) -> None:
    """Refuse (422, type ``answer_too_large``) an answer over ``max_answer_size``.

    The size is ``answered`` cells (or series) x ``horizon`` periods x (1 +
    ``levels``): a row per cell and period, and its two bounds per interval
    level. The message gives the three numbers and what to reduce: the
    levels, the horizon, or the cells (``limit`` of a page).
    """
    most = settings(request).max_answer_size
    size = answered * horizon * (1 + levels)
    if size <= most:
        return
    what = "cells" if served(request).is_gap_model else "series"
    fewer = "a smaller page (limit)" if paged else f"fewer {field}"
    raise ServiceError(422, f"the answer would hold {answered} {what} x {horizon} periods x "
                       f"(1 + {levels} levels) = {size:,} values, more than max_answer_size = "
                       f"{most:,}; ask for fewer levels, a shorter horizon or {fewer}",
                       loc=("body",), kind="answer_too_large")


def page_of(request: Request, body, field: str) -> tuple[int, int] | None:
    """The page (``offset, limit``) a /v1/gap or /v1/forecast request reads, or None.

    A request naming no ``field`` (cells, series) reads every one of the
    model a page at a time, ``limit`` (default ``max_cells``) from
    ``offset``; one naming some reads them in pages when it gives ``limit``
    or ``offset``, else all at once (None, within ``max_cells``). A
    ``limit`` over ``max_cells`` is refused (422 at ``limit``).
    """
    if getattr(body, field) is not None and body.limit is None and (
            "offset" not in body.model_fields_set):
        return None
    most = settings(request).max_cells
    if body.limit is not None and body.limit > most:
        raise ServiceError(422, f"limit: {body.limit} is more than max_cells = {most} (GET "
                           f"/v1/model); ask for at most {most} per page and read the next "
                           "from page.next", loc=("body", "limit"), kind="less_than_equal")
    return body.offset, most if body.limit is None else body.limit


def page_info(request: Request, page: tuple[int, int] | None, total: int) -> dict:
    """The ``page`` of an answer: ``total``, ``offset``, ``limit`` and ``next`` (the offset
    of the next page, None at the end); a request read at once is one page of
    ``max_cells``."""
    offset, limit = (0, settings(request).max_cells) if page is None else page
    end = offset + limit
    return {"total": total, "offset": offset, "limit": limit,
            "next": end if end < total else None}


def solve_plan(request: Request, body) -> dict:
    """A plan's answer: from the plan worker processes when the app runs them, else here.

    The fields of :class:`~talentgap.service.schemas.PlanResponse`; see
    :func:`~talentgap.service._operations.run_plan` and
    :class:`~talentgap.service.plan_workers.PlanWorkers`.
    """
    model, max_size = served(request), settings(request).max_plan_size
    max_horizon = horizon_limit(request)[0]
    plans = getattr(request.app.state, "plans", None)
    if plans is None:
        return run_plan(model, body, max_size=max_size, max_horizon=max_horizon)
    return plans.solve(model, body, max_size=max_size, max_horizon=max_horizon)
