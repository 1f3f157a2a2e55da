"""ASGI middleware: a request-body size limit, enforced before the body is parsed."""

from __future__ import annotations

from talentgap.service.errors import error_response

__all__ = ["BodyLimit"]


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
