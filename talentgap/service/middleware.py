"""ASGI middleware: a request-body size limit, enforced before the body is parsed, and
one access-log line per request."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from talentgap.service.errors import error_response

__all__ = ["BodyLimit", "AccessLog", "ACCESS_LOGGER", "log_text"]

#: Name of the logger that receives one line per request.
ACCESS_LOGGER = "talentgap.service.access"
#: Longest path and method an access-log line holds, in characters.
_MAX_PATH, _MAX_METHOD = 200, 20
#: Characters written as they are; every other one is percent-encoded (URL-style).
_SAFE = "/:@!$&'()*+,;-._~"


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
    """Answer 413 to a request whose body exceeds ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused at once; a body
    without one is read up to the limit and refused as soon as it passes
    it, so no more than ``max_bytes`` are ever held.

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
    client=127.0.0.1``; the same values are attached to the record as
    attributes (``method``, ``path``, ``status``, ``duration_ms``,
    ``client``), so a JSON formatter can write them as fields. The query
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
                      "client": log_text((scope.get("client") or ("-",))[0], _MAX_PATH)}
            self.logger.log(self.level, " ".join(f"{k}={v}" for k, v in fields.items()),
                            extra=fields)
