"""Settings of the prediction service: token, limits and cross-origin access.

:class:`ServiceSettings` is a frozen dataclass given to
:func:`talentgap.service.create_app`; :meth:`ServiceSettings.from_env` reads
the token from ``TALENTGAP_API_TOKEN`` (nothing is read at import time).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from talentgap.errors import ConfigError
from talentgap.service._horizon import HORIZON_RULES

__all__ = ["ServiceSettings", "TOKEN_VARIABLE", "read_token_file", "max_plan_workers"]

#: Environment variable holding the bearer token clients must send.
TOKEN_VARIABLE = "TALENTGAP_API_TOKEN"

#: Settings for which 0 is allowed (it turns the feature off).
_MAY_BE_ZERO = ("rate_limit", "plan_workers", "plan_queue")
#: Plan worker processes per CPU at most: each holds a copy of the model.
_WORKERS_PER_CPU = 4


def max_plan_workers() -> int:
    """The most plan workers the service starts: 4 per CPU of the machine
    (:func:`os.cpu_count`, 1 when unknown), since each worker process holds a copy
    of the model and plans are CPU-bound.

    Examples
    --------
    >>> max_plan_workers() >= 4
    True
    """
    return _WORKERS_PER_CPU * (os.cpu_count() or 1)


@dataclass(frozen=True)
class ServiceSettings:
    """How the service guards itself.

    Parameters
    ----------
    token : str or None
        Bearer token every ``/v1`` call (and every deprecated unversioned
        call) must send as ``Authorization: Bearer <token>``; None: no token.
        Printable ASCII without blanks (HTTP headers are Latin-1 bytes, so
        another character could not be sent as it is).
    rate_limit : int
        Requests per client address per ``rate_window`` seconds on the
        authenticated endpoints; 0 turns the limit off. Over it: 429 with
        ``Retry-After``.
    rate_window : float
        Length of the rate-limit window, in seconds.
    max_body_bytes : int
        Largest request body accepted, in bytes (default 1 MB); larger: 413.
    max_cells : int
        Most cells (or series) one request may answer: its entries and the rows
        they select (no cells: every cell of the model). Plans are bounded by
        ``max_plan_size`` instead.
    max_horizon : int
        Most periods past the model's origin a request may ask for.
    horizon_at_load : {"two_years", "longest"} or int
        The horizon given to a gap model saved without one
        (``GapForecaster(horizon=None)``) when it is loaded: every answer is
        then cut from one simulation of that span, and a longer request is
        refused. ``"two_years"`` (default): two years of the model's periods
        (8 quarters, 24 months, 2 years), and at least the requests' default
        horizon (the saved run's ``[forecast] horizon``, else 4);
        ``"longest"``: the longest span the model's backtests can calibrate;
        a number: that many periods. Each is capped by ``max_horizon`` and
        by the longest span the backtests can calibrate. A longer span
        calibrates every period, the first included, on older backtest
        origins, so its numbers move further from the library's
        ``predict(4)``; see the service guide, *Horizons and periods*.
        A model saved with a horizon keeps its own.
    max_plan_size : int
        Largest plan solved, counted as cells x forecast periods x sample
        paths of the served model (the scenarios the plan's linear program
        holds). A plan over it is refused with 422 before any work starts,
        so one request cannot hold a worker for minutes. The default,
        5,000,000, is a few seconds of solving on a 2-core machine (a
        multi-year plan of 100 cells x 8 periods x 1,000 paths, 800,000
        values, solves in about a second).
    plan_workers : int
        Worker processes that solve plans (default 1), so a plan never
        holds the serving process's interpreter lock while ``/v1/gap`` and
        ``/v1/forecast`` are answered; started in the app's lifespan (see
        :mod:`talentgap.service.plan_workers`). 0: plans are solved in the
        serving process, as they are when the lifespan does not run. At most
        :func:`max_plan_workers` (4 per CPU): each worker holds the model.
    plan_queue : int
        Plans that may wait for a worker (default 4); one more is refused
        with 503 and ``Retry-After``.
    plan_timeout : float
        Seconds a plan may wait and run in the workers before it is refused
        with 503 (default 300); a plan still running then is stopped with its
        worker, which is replaced.
    cors_origins : tuple of str
        Origins allowed to call from a browser; empty (default): no CORS
        headers at all. ``"*"`` (any origin) is refused without a ``token``:
        any page the service's users open could then call it.
    access_log_level : str
        Level of the one-line-per-request access log (logger
        ``talentgap.service.access``): ``"DEBUG"``, ``"INFO"`` (default),
        ``"WARNING"``, ... or ``"OFF"`` for none. The line is written when
        the logger takes that level.
    max_answer_size : int
        Largest answer of ``/v1/gap`` and ``/v1/forecast``, counted as cells (or
        series) answered x periods x (1 + interval levels): each row of a
        cell and period, and its bounds per level. The default, 500,000, is at
        least ``max_cells`` x ``max_horizon`` x (1 + 10 levels) = 440,000 for
        the other defaults, so it refuses no request they allow (that answer
        is about 86 MB of JSON); an operator who raises ``max_cells`` or
        ``max_horizon`` keeps that by raising it to their product x 11, and
        lowers it to cap answers: a larger one is then refused with 422, type
        ``answer_too_large``, naming the three numbers. Last of the fields, so
        positional construction in the earlier order keeps working.
    """

    token: str | None = None
    rate_limit: int = 0
    rate_window: float = 60.0
    max_body_bytes: int = 1_000_000
    max_cells: int = 1_000
    max_horizon: int = 40
    horizon_at_load: str | int = "two_years"
    max_plan_size: int = 5_000_000
    plan_workers: int = 1
    plan_queue: int = 4
    plan_timeout: float = 300.0
    cors_origins: tuple[str, ...] = field(default=())
    access_log_level: str = "INFO"
    max_answer_size: int = 500_000

    def __post_init__(self) -> None:
        if self.token is not None and not self.token.strip():
            raise ConfigError("the API token is empty; set a non-empty token or none")
        if self.token is not None:
            odd = [c for c in self.token if not "!" <= c <= "~"]
            if odd:
                raise ConfigError(f"the API token holds {len(odd)} character(s) a client "
                                  f"cannot send in an HTTP header as they are, e.g. "
                                  f"{odd[0]!r}: use printable ASCII without blanks (letters, "
                                  "digits, -._~+/=), e.g. from 'python -c \"import secrets; "
                                  "print(secrets.token_urlsafe(32))\"'")
        for name in ("rate_limit", "max_body_bytes", "max_cells", "max_answer_size",
                     "max_horizon", "max_plan_size", "plan_workers", "plan_queue"):
            value = getattr(self, name)
            least = 0 if name in _MAY_BE_ZERO else 1
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ConfigError(f"service setting {name} == {value!r}, must be a whole "
                                  f"number >= {least}")
        if self.plan_workers > max_plan_workers():
            raise ConfigError(f"service setting plan_workers == {self.plan_workers}, must be "
                              f"at most {max_plan_workers()} (4 per CPU of this machine): "
                              "each worker process holds a copy of the model, and plans "
                              "are CPU-bound")
        if "*" in self.cors_origins and self.token is None:
            raise ConfigError("service setting cors_origins holds '*' (any origin) without a "
                              "token: any web page a user opens could call the service; set "
                              "a token (TALENTGAP_API_TOKEN or token_file) or name the "
                              "origins, e.g. 'https://planning.example.org'")
        rule = self.horizon_at_load
        if rule not in HORIZON_RULES and (not isinstance(rule, int) or isinstance(rule, bool)
                                          or rule < 1):
            raise ConfigError(f"service setting horizon_at_load == {rule!r}, must be "
                              f"{' or '.join(map(repr, HORIZON_RULES))} or a whole number "
                              ">= 1 (periods)")
        if self.access_log_level != "OFF" and not isinstance(
                logging.getLevelName(self.access_log_level), int):
            raise ConfigError(f"service setting access_log_level == {self.access_log_level!r}, "
                              "must be DEBUG, INFO, WARNING, ERROR, CRITICAL or OFF")
        for name in ("rate_window", "plan_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not value > 0:
                raise ConfigError(f"service setting {name} == {value!r}, must be > 0 seconds")

    @classmethod
    def from_env(cls, **overrides) -> ServiceSettings:
        """Settings with the token from ``TALENTGAP_API_TOKEN`` (if set), then ``overrides``."""
        token = os.environ.get(TOKEN_VARIABLE) or None
        return replace(cls(token=token), **overrides)


def read_token_file(path: str | os.PathLike) -> str:
    """The token in a file (surrounding whitespace removed).

    Raises
    ------
    ConfigError
        If the file cannot be read or holds no token.
    """
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the token file {str(path)!r}: {exc.strerror}") from None
    if not token:
        raise ConfigError(f"the token file {str(path)!r} is empty")
    return token
