"""ASGI middleware: a request-body size limit and encoding check, enforced before the body
is parsed; one access-log line per request; the request's id; the answer to an unexpected
failure; ``HEAD`` on every ``GET`` route; the model's name on every ``/v1`` answer; and the
CORS middleware with the service's error body.

:func:`~talentgap.service.create_app` stacks them, outermost first:
:class:`RequestId`, :class:`AccessLog`, :class:`ModelIdentity`,
:class:`CorsWithErrorBody` (with ``cors_origins``), :class:`Failures`,
:class:`HeadAsGet`, :class:`BodyLimit`, GZip. So the access line carries
the id, every ``/v1`` answer (a 500 too) names the model, a 500 or a 413
carries the CORS headers a browser needs to read it, and the line of a
``HEAD`` says ``HEAD``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware

from talentgap.service.errors import (
    REQUEST_ID_HEADER,
    REQUEST_ID_KEY,
    error_response,
    internal_error,
    log_failure,
    request_id,
)
from talentgap.service.security import token_matches

__all__ = ["BodyLimit", "AccessLog", "ACCESS_LOGGER", "log_text", "RequestId", "Failures",
           "HeadAsGet", "ModelIdentity", "CorsWithErrorBody", "EXPOSED_HEADERS", "header_text"]

#: Name of the logger that receives one line per request.
ACCESS_LOGGER = "talentgap.service.access"
#: Longest path and method an access-log line holds, in characters.
_MAX_PATH, _MAX_METHOD = 200, 20
#: Characters written as they are; every other one is percent-encoded (URL-style).
_SAFE = "/:@!$&'()*+,;-._~"
#: A client's request id the service takes as it is: 1 to 128 letters, digits and
#: ``-._:@+/=`` (a UUID, a trace id); any other value is replaced by a new id.
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:@+/=-]{1,128}")
#: Response headers a browser script may read on a cross-origin answer.
EXPOSED_HEADERS = ("X-Model-Fingerprint", "X-Model-Edition", REQUEST_ID_HEADER, "Retry-After")
#: The only content coding the service reads.
_IDENTITY = "identity"
#: Characters a header value carries as they are: printable ASCII but ``%``.
_HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")


def header_text(value: str) -> str:
    """A text as an HTTP header value: UTF-8 percent-encoded (RFC 3986) outside printable
    ASCII.

    HTTP header values are Latin-1 bytes: a character outside printable ASCII
    (an edition named ``'2024Q4 第一版'``, a control character) and ``%``
    itself are written as the percent-encoded bytes of their UTF-8 encoding,
    as in a URL; any other value is sent unchanged. A client reads the value
    back with a URL decoder (``urllib.parse.unquote``, JavaScript's
    ``decodeURIComponent``).

    Examples
    --------
    >>> header_text("2024Q4 第一版")
    '2024Q4 %E7%AC%AC%E4%B8%80%E7%89%88'
    >>> header_text("2022-q4-a"), header_text("100%")
    ('2022-q4-a', '100%25')
    >>> from urllib.parse import unquote
    >>> unquote(header_text("2024Q4 第一版"))
    '2024Q4 第一版'
    """
    return quote(str(value), safe=_HEADER_SAFE)


def log_text(text: str, limit: int) -> str:
    r"""A request-controlled value as one log field: percent-encoded, at most ``limit`` long.

    Control characters (a line break could forge a second log line), spaces
    and ``=`` (they would forge another ``key=value`` field), ``%`` and
    non-ASCII characters are percent-encoded as in a URL; a longer result is
    cut and ends in ``...``.

    Examples
    --------
    >>> log_text("/v1/\nFAKE status=200", 200)
    '/v1/%0AFAKE%20status%3D200'
    >>> log_text("/v1/" + "x" * 50, 20)
    '/v1/xxxxxxxxxxxxx...'
    """
    text = quote(str(text), safe=_SAFE)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class BodyLimit:
    """Answer 413 to a request whose body exceeds ``max_bytes``, 415 to an encoded one.

    A declared ``Content-Length`` over the limit is refused at once; a body
    without one is read up to the limit and refused as soon as it passes
    it, so no more than ``max_bytes`` are ever held. A body sent with a
    ``Content-Encoding`` other than ``identity`` (``gzip``, ...) is refused
    with 415, type ``unsupported_encoding`` and ``Accept-Encoding:
    identity``, before it is read: the service reads plain JSON only (so
    the size limit is the size of what is parsed).

    Parameters
    ----------
    app : ASGI app
    max_bytes : int
    """

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        coding = headers.get(b"content-encoding", b"").decode("latin-1").strip().lower()
        if coding not in ("", _IDENTITY) and scope.get("method") not in ("GET", "HEAD",
                                                                         "OPTIONS"):
            response = error_response(
                415, f"Content-Encoding {log_text(coding, 40)!r} is not read: send the "
                "JSON body uncompressed (Content-Encoding identity, or none)",
                loc=["header", "content-encoding"], kind="unsupported_encoding",
                headers={"Accept-Encoding": _IDENTITY})
            await response(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                response = error_response(400, "Content-Length is not a number",
                                          kind="bad_request")
                await response(scope, receive, send)
                return
            if too_large:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, sent = b"".join(chunks), False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send) -> None:
        response = error_response(413, f"the request body is larger than the limit of "
                                  f"{self.max_bytes} bytes", kind="too_large",
                                  headers={"Connection": "close"})
        await response(scope, receive, send)


class AccessLog:
    """Log one line per HTTP request: method, path, status, duration and client.

    The line goes to the standard :mod:`logging` logger :data:`ACCESS_LOGGER`
    at ``level``, as ``method=POST path=/v1/gap status=200 duration_ms=3.2
    client=127.0.0.1 request_id=5f0c...``; the same values are attached to
    the record as attributes (``method``, ``path``, ``status``,
    ``duration_ms``, ``client``, ``request_id``), so a JSON formatter can
    write them as fields. The request id is the one :class:`RequestId`
    gave the request (``-`` without it). The query
    string is never logged. The method, path and client (which a proxy's
    forwarding header may set) are written percent-encoded and cut to 20,
    200 and 200 characters
    (:func:`log_text`): a line break or ``" status=200"`` in a path cannot
    forge a line or a field. When the logger does not take ``level``,
    nothing is measured.

    Parameters
    ----------
    app : ASGI app
    level : int, default logging.INFO

    Examples
    --------
    >>> import logging
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> app.add_middleware(AccessLog)
    >>> records = []
    >>> class Keep(logging.Handler):
    ...     def emit(self, record):
    ...         records.append(record)
    >>> log = logging.getLogger(ACCESS_LOGGER)
    >>> log.addHandler(Keep()); log.setLevel(logging.INFO)
    >>> TestClient(app).get("/nowhere?token=x").status_code
    404
    >>> records[0].getMessage().split(" duration_ms=")[0]
    'method=GET path=/nowhere status=404'
    >>> log.handlers.clear(); log.setLevel(logging.NOTSET)
    """

    def __init__(self, app, level: int = logging.INFO) -> None:
        self.app, self.level = app, level
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.logger.isEnabledFor(self.level):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # when the app fails before it answers

        async def watch(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            fields = {"method": log_text(scope.get("method", ""), _MAX_METHOD),
                      "path": log_text(scope.get("path", ""), _MAX_PATH),
                      "status": status,
                      "duration_ms": round(1e3 * (time.perf_counter() - start), 1),
                      "client": log_text((scope.get("client") or ("-",))[0], _MAX_PATH),
                      "request_id": log_text(request_id(scope) or "-", _MAX_PATH)}
            self.logger.log(self.level, " ".join(f"{k}={v}" for k, v in fields.items()),
                            extra=fields)


#: Answers of no route (no such path, no such method): they name the model only to a
#: request with the token.
_NO_ROUTE = (404, 405)


def _set_header(message: dict, name: str, value: str) -> None:
    """Set a header of an ``http.response.start`` message, replacing one of that name; the
    value is written by :func:`header_text`, so no text can fail the answer."""
    raw = name.lower().encode("latin-1")
    kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() != raw]
    message["headers"] = [*kept, (raw, header_text(value).encode("ascii"))]


class RequestId:
    """Name each request and echo its name on the answer (``X-Request-ID``).

    A client's ``X-Request-ID`` of 1 to 128 letters, digits and
    ``-._:@+/=`` is kept; without one, or with another value, the service
    makes one (a UUID4 in hex). Every answer carries it, the access line
    writes it (``request_id=``) and the log of an unexpected failure and its
    500 answer quote it, so a failed request can be matched to its log
    entry. Read it with :func:`talentgap.service.errors.request_id`.

    Parameters
    ----------
    app : ASGI app

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> app.add_middleware(RequestId)
    >>> client = TestClient(app)
    >>> client.get("/nowhere", headers={"X-Request-ID": "job-42"}).headers["X-Request-ID"]
    'job-42'
    >>> len(client.get("/nowhere").headers["X-Request-ID"])
    32
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        name = given if _CLIENT_ID.fullmatch(given) else uuid.uuid4().hex
        scope[REQUEST_ID_KEY] = name

        async def named(message) -> None:
            if message["type"] == "http.response.start":
                _set_header(message, REQUEST_ID_HEADER, name)
            await send(message)

        await self.app(scope, receive, named)


class Failures:
    """Answer an unexpected failure with the 500 :class:`~talentgap.service.errors.ErrorBody`
    and log it once.

    The traceback is logged on the ``talentgap.service`` logger with the
    method, path and request id; the answer (type ``internal_error``) says
    nothing of the cause and quotes the request id. The exception is not
    raised on to the server, which would log it a second time ("Exception
    in ASGI application"); a failure after the answer has started cannot be
    answered and is raised on. A request the server cancels at shutdown
    (uvicorn's ``timeout_graceful_shutdown`` ran out) is answered 503, type
    ``shutting_down``, with ``Retry-After``, and nothing is logged for it but
    its access line.

    Parameters
    ----------
    app : ASGI app
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except asyncio.CancelledError:
            if started:
                raise
            await error_response(503, "the server shut down before this request was "
                                 "answered; retry", kind="shutting_down",
                                 headers={"Retry-After": "1"})(scope, receive, send)
        except Exception as error:
            log_failure(scope, error)
            if started:
                raise
            await internal_error(request_id(scope))(scope, receive, send)


class HeadAsGet:
    """Answer ``HEAD`` on every route that answers ``GET``, as Starlette's own routes do.

    A ``HEAD`` request is served as a ``GET`` whose body is dropped: the
    same status and headers, ``Content-Length`` included (the length of the
    ``GET`` answer's body), and no body. A ``HEAD`` on a route without
    ``GET`` is answered 405, as a ``GET`` would be.

    Parameters
    ----------
    app : ASGI app
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def no_body(message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        scope.setdefault("state", {})  # shared with the copy: what the route pins is seen
        await self.app({**scope, "method": "GET"}, receive, no_body)


class ModelIdentity:
    """Name the model in every ``/v1`` answer: ``X-Model-Fingerprint`` (and
    ``X-Model-Edition`` from an edition store), on refusals too.

    The model is the one the request was answered with (pinned by
    :func:`~talentgap.service.routers._common.identify`), else, for a request
    refused before that (a 413, a 415, an invalid body), the one served when
    the answer starts. A 401 names no model, nor does a 404 or 405 (no
    such path or method) to a request without the token: a caller without it
    learns nothing of the model.

    Parameters
    ----------
    app : ASGI app
    prefix : str, default "/v1"
        Paths (below the app's root path) whose answers name the model.
    """

    def __init__(self, app, prefix: str = "/v1") -> None:
        self.app, self.prefix = app, prefix.rstrip("/")

    @staticmethod
    def _names(scope, app, status: int) -> bool:
        """Whether an answer of ``status`` names the model: not a 401, nor a 404 or 405
        to a request without the token."""
        if status == 401:
            return False
        if status not in _NO_ROUTE:
            return True
        settings = getattr(getattr(app, "state", None), "settings", None)
        return token_matches(Headers(scope=scope).get("authorization", ""),
                             getattr(settings, "token", None))

    def _ours(self, scope) -> bool:
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        return path == self.prefix or path.startswith(self.prefix + "/")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self._ours(scope):
            await self.app(scope, receive, send)
            return
        app = scope.get("app")

        async def named(message) -> None:
            if message["type"] == "http.response.start" and self._names(scope, app,
                                                                        message["status"]):
                model = (scope.get("state") or {}).get("served")
                if model is None and app is not None:
                    model = getattr(app.state, "served", None)
                if model is not None:
                    _set_header(message, "X-Model-Fingerprint", model.fingerprint)
                    if model.edition:
                        _set_header(message, "X-Model-Edition", model.edition)
            await send(message)

        await self.app(scope, receive, named)


class CorsWithErrorBody(CORSMiddleware):
    """Starlette's CORS middleware whose refused preflight has the service's error body.

    A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) from an
    origin, method or header not allowed is still refused with 400, as
    Starlette refuses it, with the same headers; its body is an
    :class:`~talentgap.service.errors.ErrorBody` of type ``cors_refused``
    naming what is not allowed, instead of plain text.
    """

    def preflight_response(self, request_headers):
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace").strip()
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-type")}
        return error_response(response.status_code,
                              f"{reason}: this service answers browser calls only from the "
                              "origins, methods and headers it was started with "
                              "(--cors-origin)", kind="cors_refused", headers=headers)
