"""One error shape for every 4xx and 5xx answer, and the handlers that produce it.

Every refused request is answered with :class:`ErrorBody`::

    {"detail": [{"loc": ["body", "horizon"], "msg": "...", "type": "..."}]}

``loc`` is the path of the field at fault (``[]`` when the request as a
whole is refused), ``msg`` one sentence, ``type`` a short machine-readable
code. Inputs are never echoed whole: a validation error keeps only where and
why, a value named in a message is cut to :data:`MAX_ECHO` characters
(:func:`echo`), and every message is cut to :data:`MAX_MESSAGE` characters.
An unexpected failure is a 500 of the same shape (``type`` ``internal_error``)
that says nothing about its cause but quotes the request's id
(``X-Request-ID``); the traceback goes to the log under that id
(:class:`~talentgap.service.middleware.Failures`).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
import typing

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from talentgap._checks import closest
from talentgap.errors import ParameterError, PlanningError, SchemaError, TalentGapError
from talentgap.service._openapi_bounds import horizon_bound
from talentgap.service.schemas import UNION_TAGS

__all__ = [
    "ErrorItem",
    "ErrorBody",
    "ServiceError",
    "error_responses",
    "SHUTDOWN_TEXT",
    "NOT_READY_TEXT",
    "install_error_handlers",
    "error_response",
    "MAX_MESSAGE",
    "MAX_ECHO",
    "echo",
    "library_refusal",
    "library_kind",
    "plan_unsolved",
    "internal_error",
    "log_failure",
    "REQUEST_ID_HEADER",
    "REQUEST_ID_KEY",
    "request_id",
]

logger = logging.getLogger("talentgap.service")

#: Longest message returned in an error, in characters.
MAX_MESSAGE = 300
#: Longest request value a message repeats, in characters (longer ones end in "...").
MAX_ECHO = 40
#: The header that names a request: the client's own id, or one the service makes; echoed on
#: every answer and written in the access line and in the log of a failure.
REQUEST_ID_HEADER = "X-Request-ID"
#: Where a request's id is kept in its ASGI scope.
REQUEST_ID_KEY = "talentgap.request_id"

_STATUS_TEXT = {
    400: "The request body could not be read (bytes that are not UTF-8 text, a "
         "Content-Length that is not a number) or a browser's preflight request "
         "(OPTIONS) from an origin, method or header the service does not allow.",
    401: "No valid bearer token (Authorization: Bearer <token>).",
    404: "No such path.",
    409: "The served model cannot answer this endpoint; the message names the model needed.",
    413: "The request body is larger than the service accepts.",
    415: "The request body is compressed or otherwise encoded (Content-Encoding other than "
         "identity); send plain JSON.",
    422: "A field is invalid or the model cannot serve the request; loc names the field.",
    429: "Too many requests from this client; retry after Retry-After seconds.",
    500: "An unexpected failure of the service (type 'internal_error'); the body says "
         "nothing of its cause, which the service logs under the request's X-Request-ID, "
         "which the message quotes.",
    503: "The plan was not solved (type 'plans_busy'): as many plans as the service takes "
         "are already being solved or waiting, the plan ran past the service's plan_timeout "
         "or its worker failed, or the service is shutting down; or the server shut down "
         "before the request was answered (type 'shutting_down'). Retry after Retry-After "
         "seconds.",
}
#: The 503 of the other endpoints: the server's shutdown cut the request short (any request
#: can be; GET /ready has its own, :data:`NOT_READY_TEXT`).
SHUTDOWN_TEXT = ("The server shut down before this request was answered (type "
                 "'shutting_down'); retry after Retry-After seconds.")
#: The 503 of GET /ready.
NOT_READY_TEXT = ("Not ready (type 'not_ready'): the plan worker processes are still loading "
                  "the model; or the server shut down before the request was answered (type "
                  "'shutting_down'). Retry after Retry-After seconds.")


class ErrorItem(BaseModel):
    """One reason a request was refused."""

    loc: list[str | int] = Field(description="Path of the field at fault, e.g. "
                                 "['body', 'level', 2]; empty when the whole request is "
                                 "refused.", examples=[["body", "horizon"]])
    msg: str = Field(description="What is wrong, in one sentence of at most 300 "
                     "characters. The request body is never echoed; a key value or period "
                     "that is not the model's is named, with the closest one it knows.",
                     examples=["Input should be less than or equal to 40"])
    type: str = Field(description="Machine-readable kind of error. Refusals of a field's "
                      "form or bounds carry pydantic's codes (e.g. 'less_than_equal', "
                      "'greater_than', 'too_short', 'too_long', 'missing', 'float_type', "
                      "'extra_forbidden', 'value_error', 'json_invalid'); the service's own: "
                      "'json_required' (no JSON body), "
                      "'invalid_value' (a value the model or library cannot use), "
                      "'invalid_table' (rows of a table sent with a plan, e.g. a crosswalk), "
                      "'plan_refused' (a plan the planner cannot make from these inputs), "
                      "'plan_unsolved' (the solver failed numerically on these inputs; "
                      "narrow their range and retry), "
                      "'unauthorized' (401), 'model_mismatch' (409), 'too_large' (413), "
                      "'unsupported_encoding' (415), "
                      "'plan_too_large' (422), 'answer_too_large' (422, an answer over "
                      "max_answer_size: fewer levels, periods or cells), "
                      "'rate_limited' (429), 'plans_busy' (503), "
                      "'not_ready' (503, GET /ready while the plan workers load the model), "
                      "'shutting_down' (503, a request cut short by the server's shutdown), "
                      "'bad_request' (400), 'cors_refused' (400, a preflight refused), "
                      "'http_error' (404, 405), "
                      "'internal_error' (500).",
                      examples=["less_than_equal"])


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    detail: list[ErrorItem] = Field(description="The reasons, at least one.")


class ServiceError(Exception):
    """A refusal with a status code, raised by the service's own checks.

    Parameters
    ----------
    status : int
        HTTP status, 4xx.
    msg : str
        One sentence.
    loc : sequence of str or int
        The field at fault (``("body", "horizon")``), or empty.
    kind : str
        The ``type`` of the error item.
    headers : dict, optional
        Extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(self, status: int, msg: str, *, loc=(), kind: str = "invalid",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status, self.msg, self.loc, self.kind = status, msg, list(loc), kind
        self.headers = headers


def error_responses(*statuses: int, unavailable: str = SHUTDOWN_TEXT) -> dict:
    """OpenAPI ``responses`` entries of the given status codes, 503 and 500, all with
    :class:`ErrorBody`.

    Every request can be answered 503 (``shutting_down``) when the server's
    shutdown cuts it short; ``unavailable`` describes the 503 of an endpoint
    that does not list it (one that does, a plan, gets the plans' text).

    Examples
    --------
    >>> sorted(error_responses(422))
    [422, 500, 503]
    >>> error_responses(503)[503]["description"].startswith("The plan was not solved")
    True
    """
    texts = {**_STATUS_TEXT} if 503 in statuses else {**_STATUS_TEXT, 503: unavailable}
    return {status: {"model": ErrorBody, "description": texts[status]}
            for status in (*dict.fromkeys((*statuses, 503)), 500)}


def echo(value) -> str:
    """A request value as a message repeats it: at most :data:`MAX_ECHO` characters.

    Examples
    --------
    >>> echo("2025Q1"), echo("x" * 100)
    ('2025Q1', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...')
    """
    text = str(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 3] + "..."


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def error_response(status: int, msg: str, *, loc=(), kind: str = "invalid",
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response in the shape of :class:`ErrorBody`."""
    body = {"detail": [{"loc": list(loc), "msg": _short(msg), "type": kind}]}
    return JSONResponse(status_code=status, content=body, headers=headers)


#: A message that starts with the field it is about: ``horizon: ...``, ``level=0.8 ...``.
_FIELD_PREFIX = re.compile(r"^([a-z_]+)(?:\[[^\]]*\])?\s*(?::|=(?!=))")


def library_refusal(exc: TalentGapError) -> tuple[int, str, list[str], str]:
    """A library error as the 422 it is answered with: status, msg, loc, type.

    ``loc`` comes from a leading ``field:`` in the message.

    Examples
    --------
    >>> from talentgap.errors import ParameterError
    >>> library_refusal(ParameterError("periods: 2020 is before the origin"))
    (422, 'periods: 2020 is before the origin', ['body', 'periods'], 'invalid_value')
    """
    text = str(exc).strip()
    message = text.splitlines()[0] if text else type(exc).__name__
    match = _FIELD_PREFIX.match(message)
    loc = ["body", match.group(1)] if match else ["body"]
    return 422, message, loc, library_kind(exc)


#: The ``type`` of a library error's 422, by the error's class (or a base class).
_LIBRARY_KINDS = {"SchemaError": "invalid_table", "PlanningError": "plan_refused",
                  "ParameterError": "invalid_value"}


def library_kind(error: BaseException | type) -> str:
    """The stable ``type`` code of a library error (never a Python class name).

    Examples
    --------
    >>> from talentgap.errors import PlanningError
    >>> library_kind(PlanningError("budget must be >= 0")), library_kind(KeyError)
    ('plan_refused', 'invalid_value')
    """
    cls = error if isinstance(error, type) else type(error)
    for base in cls.__mro__:
        if base.__name__ in _LIBRARY_KINDS:
            return _LIBRARY_KINDS[base.__name__]
    return "invalid_value"


#: How the planners word a failure of the solver itself (a numerical failure of HiGHS, not a
#: conflict of constraints, which they explain): its message is the solver's status.
_SOLVER_FAILED = re.compile(r"\bcould not be solved\b")
#: The 422 of a plan the solver fails on: what the client can change.
_UNSOLVED = ("the solver could not solve this plan's linear program (a numerical failure, not "
             "a conflict of constraints): the inputs span too many orders of magnitude; bring "
             "need_weights, surplus_penalty, policy_need, capacities and budgets nearer the "
             "scale of the forecast gap and costs, or leave extreme values out, and retry")


def plan_unsolved(error: Exception) -> ServiceError | None:
    """The 422 (type ``plan_unsolved``) of a plan the solver itself failed on, or None.

    A solver failure is a planner's "could not be solved" (whose message is
    the solver's status) or an error raised inside :mod:`scipy.optimize`
    (e.g. its refusal of an infinite input). The answer says what the client
    can change, never the solver's status, which is logged.

    Examples
    --------
    >>> from talentgap.errors import PlanningError
    >>> plan_unsolved(PlanningError("the quota LP could not be solved: HiGHS Status 15")).kind
    'plan_unsolved'
    >>> plan_unsolved(PlanningError("no plan meets every constraint")) is None
    True
    """
    if isinstance(error, PlanningError):
        failed = bool(_SOLVER_FAILED.search(str(error)))
    elif isinstance(error, ParameterError | SchemaError | ServiceError):
        failed = False
    else:
        failed = any(frame.f_globals.get("__name__", "").startswith("scipy.optimize")
                     for frame, _ in traceback.walk_tb(error.__traceback__))
    if not failed:
        return None
    logger.warning("a plan was refused (422 plan_unsolved): the solver failed: %s",
                   _short(str(error) or type(error).__name__))
    return ServiceError(422, _UNSOLVED, loc=("body",), kind="plan_unsolved")


def _field_path(loc) -> list[str | int]:
    """A validation error's ``loc`` as the path of the field: the form a per-cell
    parameter took (``number`` or ``table``, see ``UNION_TAGS``) is left out.

    Examples
    --------
    >>> _field_path(("body", "capacity", "table", 0, "value"))
    ['body', 'capacity', 0, 'value']
    """
    parts = [part if isinstance(part, (str, int)) else str(part) for part in loc]
    return [part for i, part in enumerate(parts)
            if not (part in UNION_TAGS and i >= 2 and isinstance(parts[i - 1], str))]


_VALUE_ERROR = "Value error, "
#: A request-wide check's message that starts with the field it is about.
_FIELD_FIRST = re.compile(r"^([a-z_]+)(?=:|,| and )")
#: Statuses whose Starlette exception gets its own ``type`` (else ``http_error``).
_HTTP_KINDS = {400: "bad_request"}


def _item(error: dict) -> dict:
    """A pydantic error as an :class:`ErrorItem`; a check of the whole body whose message
    starts with a field's name (``"quantile: ..."``) is placed at that field."""
    loc, msg = _field_path(error.get("loc", ())), str(error.get("msg", "invalid"))
    if msg.startswith(_VALUE_ERROR):
        msg = msg[len(_VALUE_ERROR):]
        field = _FIELD_FIRST.match(msg)
        if loc == ["body"] and field:
            loc = ["body", field.group(1)]
    return {"loc": loc, "msg": _short(msg), "type": str(error.get("type", "invalid"))}


def _body_models(annotation) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (``X | None``, ``list[X]``, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _body_models(arg)]


def _models_at(request: Request, loc) -> list[type[BaseModel]]:
    """The body models that may hold the last key of ``loc`` (empty when unknown)."""
    try:
        hints = typing.get_type_hints(request.scope.get("endpoint"))
    except Exception:  # no endpoint (or annotations that cannot be read): no suggestion
        return []
    models = [model for hint in hints.values() for model in _body_models(hint)]
    for part in loc[1:-1]:  # down the path; list positions and union tags name no field
        inner = [nested for model in models if isinstance(part, str)
                 and part in model.model_fields
                 for nested in _body_models(model.model_fields[part].annotation)]
        models = inner or models
    return models


def _names(models: list[type[BaseModel]]) -> set[str]:
    return {info.alias or name for model in models for name, info in model.model_fields.items()}


def _did_you_mean(request: Request, loc) -> str:
    """For a key the body model does not take (``extra_forbidden``), the known key closest
    to it: ``" (did you mean 'horizon'?)"``, else ``""``."""
    match = closest(str(loc[-1]), _names(_models_at(request, loc))) if loc else None
    return f" (did you mean {match!r}?)" if match is not None else ""


def _key_column_typo(request: Request, loc) -> str:
    """For a number under a key that a table row (capacity_groups, budget_envelopes, ...)
    reads as a key column, whose values are text (``string_type``): the row's field
    closest to the key, ``" ('min_place' is read as a key column, whose values are text;
    did you mean 'min_places'?)"``, else ``""``."""
    if len(loc) < 2 or not isinstance(loc[-1], str):
        return ""
    models = _models_at(request, loc)
    names = _names(models)
    if (not models or loc[-1] in names
            or any(model.model_config.get("extra") != "allow" for model in models)):
        return ""  # a field of the row, or not a row that reads other keys as key columns
    match = closest(loc[-1], names)
    return ("" if match is None else f" ({loc[-1]!r} is read as a key column, whose values "
            f"are text; did you mean {match!r}?)")


def _limit_message(request: Request, msg: str) -> str:
    """The refusal of a page ``limit`` over the schema's ceiling, naming the bound the
    service applies and publishes (``max_cells``, the OpenAPI ``maximum``)."""
    settings = getattr(getattr(request.app, "state", None), "settings", None)
    if settings is None:
        return msg
    return (f"limit: at most max_cells = {settings.max_cells} per page (GET /v1/model); "
            "read the next page from page.next")


def _horizon_message(request: Request, msg: str) -> str:
    """The refusal of a horizon over the schema's ceiling, naming the bound the service
    applies and publishes (``max_horizon``, the OpenAPI ``maximum``)."""
    state = getattr(request.app, "state", None)
    if getattr(state, "served", None) is None or getattr(state, "settings", None) is None:
        return msg
    return f"horizon: at most max_horizon = {horizon_bound(request.app)} periods (GET /v1/model)"


def request_id(scope) -> str | None:
    """The id of a request (``X-Request-ID``), from its ASGI scope or a ``Request``; None
    when no :class:`~talentgap.service.middleware.RequestId` named it."""
    scope = getattr(scope, "scope", scope)
    return scope.get(REQUEST_ID_KEY)


def internal_error(request: str | None) -> JSONResponse:
    """The 500 answer of an unexpected failure: nothing of its cause, the request's id to
    quote.

    Examples
    --------
    >>> import json
    >>> item = json.loads(internal_error("4b1d").body)["detail"][0]
    >>> item["type"], "quote request id 4b1d" in item["msg"]
    ('internal_error', True)
    """
    if request is None:
        msg = "the service failed unexpectedly; the failure is logged on the server"
    else:
        msg = (f"the service failed unexpectedly; quote request id {request} when reporting "
               "it (the failure is logged on the server under that id)")
    return error_response(500, msg, kind="internal_error")


#: Scope key of a request whose unexpected failure is logged already.
_LOGGED_KEY = "talentgap.failure_logged"


def log_failure(scope, error: BaseException) -> None:
    """Log an unexpected failure once, with its traceback, the request and its id.

    A request's failure is logged once: a second failure of the same request
    (its 500 answer failing in an outer middleware, which then reaches the
    app's last-resort handler) is not logged again.
    """
    if scope.get(_LOGGED_KEY):
        return
    scope[_LOGGED_KEY] = True
    logger.error("unexpected failure answering %s %r (request id %s)",
                 str(scope.get("method", ""))[:20], str(scope.get("path", ""))[:200],
                 request_id(scope) or "-", exc_info=error)


def _unreadable_body(exc: StarletteHTTPException) -> str | None:
    """The message of a body FastAPI could not parse (its own says only "There was an error
    parsing the body"): text that is not UTF-8, or None for another cause."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return (f"the body is not UTF-8 text: byte {cause.object[cause.start]:#04x} at offset "
                f"{cause.start} cannot be read; send the JSON encoded as UTF-8")
    return None


def _unparsable_json(exc: StarletteHTTPException) -> str | None:
    """The message of JSON too deep or with too long a number for Python's reader (which
    FastAPI answers 400), or None for another cause: the body is refused as JSON it cannot
    read, 422 ``json_invalid``."""
    cause = exc.__cause__
    if isinstance(cause, RecursionError):
        return ("the JSON body nests arrays or objects too deeply to be read; send the "
                "fields the request takes, which nest a few levels at most")
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return ("a number in the JSON body has more digits than can be read (at most "
                f"{sys.get_int_max_str_digits() or 'unlimited'}); send it with fewer digits")
    return None


def _library_error(exc: TalentGapError) -> JSONResponse:
    status, message, loc, kind = library_refusal(exc)
    return error_response(status, message, loc=loc, kind=kind)


def install_error_handlers(app: FastAPI, *, authenticate=None) -> None:
    """Answer every refusal of ``app`` with :class:`ErrorBody`.

    ``authenticate(request)``, when given, runs before an invalid body is
    answered: the body is read before the route's dependencies, so without
    it a request with neither the token nor a valid body would learn about
    its body (422) rather than its token (401).
    """

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> JSONResponse:
        return error_response(exc.status, exc.msg, loc=exc.loc, kind=exc.kind,
                              headers=exc.headers)

    def _token_refusal(request: Request) -> JSONResponse | None:
        """The 401 a request without the token gets before any word on its body, or None."""
        if authenticate is None:
            return None
        try:
            authenticate(request)
        except ServiceError as refused:
            return error_response(refused.status, refused.msg, loc=refused.loc,
                                  kind=refused.kind, headers=refused.headers)
        return None

    @app.exception_handler(TalentGapError)
    async def _library(request: Request, exc: TalentGapError) -> JSONResponse:
        return _library_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        refused = _token_refusal(request)
        if refused is not None:
            return refused
        errors = exc.errors()[:20]
        items = [_item(error) for error in errors]
        for item, error in zip(items, errors, strict=True):
            if item["type"] == "extra_forbidden":
                item["msg"] = _short(item["msg"] + _did_you_mean(request, error.get("loc", ())))
            elif item["type"] == "string_type":
                item["msg"] = _short(item["msg"]
                                     + _key_column_typo(request, error.get("loc", ())))
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        no_body = any(item["loc"] == ["body"] and item["type"] == "missing" for item in items)
        if no_body or (media != "application/json"
                       and any(item["loc"] == ["body"] for item in items)):
            items = [{"loc": ["body"], "msg": "the body must be a JSON object sent with "
                      "'Content-Type: application/json'", "type": "json_required"}]
        if any(item["type"] == "json_invalid" for item in items):
            for item in items:
                item["loc"] = [p for p in item["loc"] if isinstance(p, str)][:1]
        for item in items:
            if item["loc"] == ["body", "horizon"] and item["type"] == "less_than_equal":
                item["msg"] = _horizon_message(request, item["msg"])
            elif item["loc"] == ["body", "limit"] and item["type"] == "less_than_equal":
                item["msg"] = _limit_message(request, item["msg"])
        return JSONResponse(status_code=422, content={"detail": items})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        unread = _unparsable_json(exc) if exc.status_code == 400 else None
        if unread is not None:  # JSON too deep or too long a number: not JSON it can read
            refused = _token_refusal(request)
            if refused is not None:
                return refused
            return error_response(422, unread, loc=("body",), kind="json_invalid")
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 400:
            detail = _unreadable_body(exc) or detail
        return error_response(exc.status_code, detail,
                              kind=_HTTP_KINDS.get(exc.status_code, "http_error"),
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # reached only by a failure outside Failures (create_app's middleware answers the
        # rest); Starlette raises the exception on to the server after this answer
        log_failure(request.scope, exc)
        return internal_error(request_id(request))
