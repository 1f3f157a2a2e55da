"""The OpenAPI document declares the headers the service sends with its answers.

FastAPI documents a response's body; the headers the service's middleware
and checks add are written into the document here, so a client generated
from it knows them:

- ``X-Request-ID`` on every answer (:class:`~talentgap.service.middleware.RequestId`);
- ``X-Model-Fingerprint`` and, from an edition store, ``X-Model-Edition`` on
  every ``/v1`` answer, refusals included, except a 401, which names no model
  (:class:`~talentgap.service.middleware.ModelIdentity`);
- ``Retry-After`` on 429 and 503, ``WWW-Authenticate`` on 401.
"""

from __future__ import annotations

from fastapi import FastAPI

from talentgap.service.errors import REQUEST_ID_HEADER
from talentgap.service.routers._common import IDENTITY_HEADERS

__all__ = ["install_headers", "ANSWER_HEADERS"]

#: The header on every answer.
ANSWER_HEADERS = {
    REQUEST_ID_HEADER: {
        "description": "The request's id: the client's X-Request-ID (1 to 128 letters, digits "
                       "and -._:@+/=), else one the service made. The access log and the log "
                       "of a failure name the request by it; a 500 quotes it.",
        "schema": {"type": "string", "maxLength": 128}},
}
#: Headers of particular statuses.
_BY_STATUS = {
    "401": {"WWW-Authenticate": {"description": "'Bearer': send the token as "
                                 "'Authorization: Bearer <token>'.",
                                 "schema": {"type": "string", "enum": ["Bearer"]}}},
    "429": {"Retry-After": {"description": "Seconds to wait before the next request.",
                            "schema": {"type": "integer", "minimum": 1}}},
    "503": {"Retry-After": {"description": "Seconds to wait before retrying: for a refused "
                            "plan (plans_busy), when one is likely to be taken, from the "
                            "recent plans' durations; 1 for not_ready and shutting_down.",
                            "schema": {"type": "integer", "minimum": 1}}},
}


def install_headers(app: FastAPI, *, prefix: str = "/v1") -> None:
    """Make ``app``'s OpenAPI document declare the headers of its answers.

    Call it after the routes are added (and after
    :func:`~talentgap.service._openapi_bounds.install_bounds`); the document
    is built on the first request for it and again after a reload.

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> app = FastAPI()
    >>> @app.get("/v1/thing")
    ... def thing() -> dict:
    ...     return {}
    >>> install_headers(app)
    >>> sorted(app.openapi()["paths"]["/v1/thing"]["get"]["responses"]["200"]["headers"])
    ['X-Model-Edition', 'X-Model-Fingerprint', 'X-Request-ID']
    """
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            for path, operations in schema.get("paths", {}).items():
                ours = path == prefix or path.startswith(prefix.rstrip("/") + "/")
                for operation in operations.values():
                    for status, answer in operation.get("responses", {}).items():
                        headers = answer.setdefault("headers", {})
                        headers.update(ANSWER_HEADERS)
                        if ours and status != "401":
                            headers.update(IDENTITY_HEADERS)
                        headers.update(_BY_STATUS.get(status, {}))
        return app.openapi_schema

    app.openapi = openapi
