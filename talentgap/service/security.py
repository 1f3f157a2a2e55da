"""Bearer-token check and a per-client rate limit, as FastAPI dependencies.

The token is compared with :func:`hmac.compare_digest` (constant time). The
rate limit counts requests per client address in a sliding window; over the
limit the answer is 429 with ``Retry-After`` (whole seconds).
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque

from fastapi import Request
from fastapi.security import HTTPBearer

from talentgap.service.errors import ServiceError

__all__ = ["RateLimiter", "require_token", "limit_rate", "bearer_scheme", "token_matches"]

#: The bearer token as the OpenAPI document declares it (``securitySchemes``), so the
#: docs page's "Authorize" button sends it; the check itself is :func:`require_token`.
bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="bearerToken",
    description="The service's API token (TALENTGAP_API_TOKEN or --token-file of "
                "'talentgap serve'), sent as 'Authorization: Bearer <token>'.")


class RateLimiter:
    """At most ``limit`` requests per client in any ``window`` seconds.

    Parameters
    ----------
    limit : int
        Requests allowed per window; 0: no limit.
    window : float
        Window length in seconds.
    max_clients : int
        Clients remembered at once; the least recently seen are forgotten
        first, so memory stays bounded.
    """

    def __init__(self, limit: int, window: float, *, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._seen: dict[str, deque] = {}
        self._lock = threading.Lock()

    def check(self, client: str, now: float | None = None) -> float:
        """Record a request of ``client``; 0 if allowed, else seconds until it would be."""
        if self.limit <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            self._seen[client] = times  # most recently seen last
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return times[0] + self.window - now
            times.append(now)
            while len(self._seen) > self.max_clients:
                del self._seen[next(iter(self._seen))]
            return 0.0


def token_matches(authorization: str, token: str | None) -> bool:
    """Whether an ``Authorization`` header value carries ``token`` (always, when None).

    Examples
    --------
    >>> token_matches("Bearer s3cret", "s3cret"), token_matches("Bearer other", "s3cret")
    (True, False)
    >>> token_matches("", None)
    True
    """
    if token is None:
        return True
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())


def require_token(request: Request) -> None:
    """Refuse (401) a request without the configured bearer token; pass when none is set."""
    token = request.app.state.settings.token
    if not token_matches(request.headers.get("authorization", ""), token):
        raise ServiceError(401, "missing or wrong bearer token: send "
                           "'Authorization: Bearer <token>'", kind="unauthorized",
                           headers={"WWW-Authenticate": "Bearer"})


def limit_rate(request: Request) -> None:
    """Refuse (429, ``Retry-After``) a client over the rate limit."""
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.rate_limiter.check(client)
    if wait > 0:
        raise ServiceError(429, f"rate limit of {request.app.state.rate_limiter.limit} "
                           f"requests per {request.app.state.rate_limiter.window:g} s "
                           "reached; retry later", kind="rate_limited",
                           headers={"Retry-After": str(max(1, math.ceil(wait)))})
