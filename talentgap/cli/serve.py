"""``talentgap serve``: run the prediction service on a saved model or an edition store."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import ipaddress
import logging
import signal
import socket
import sys
import textwrap
import threading
from pathlib import Path

from talentgap.cli._common import EXIT_OK, UsageError
from talentgap.cli._serve_settings import FLAG_KEYS, SERVE_TABLE, port_number, serve_settings
from talentgap.errors import TalentGapError

__all__ = ["add_serve"]

logger = logging.getLogger("talentgap.cli")


def add_serve(commands) -> None:
    """Add the ``serve`` command to an ``argparse`` sub-parser collection."""
    parser = commands.add_parser(
        "serve",
        help="serve a saved model over HTTP (JSON under /v1, OpenAPI at /docs)",
        description="Serve gap forecasts, forecasts and quota plans from a saved model "
                    "artifact (or the latest edition of an edition store) over HTTP. Needs "
                    "the extra: pip install 'talentgap[service]'. A model answers up to the "
                    "periods it simulates, fixed when it was fitted: a model saved by a run "
                    "with [forecast] horizon = 4 refuses horizon 8 and longer multi-year "
                    "plans unless that run set [forecast] max_horizon.",
        epilog=textwrap.dedent("""\
            examples:
              talentgap forecast --config examples/plan.toml --save-model model --out out
              export TALENTGAP_API_TOKEN=change-me
              talentgap serve --model model --port 8000
              curl -X POST localhost:8000/v1/gap -H "Authorization: Bearer $TALENTGAP_API_TOKEN" \\
                   -H 'content-type: application/json' -d '{"horizon": 4, "level": [80]}'
              talentgap serve --store editions.db --edition 2026-q1
              talentgap serve --model model --config serve.toml --set serve.plan_timeout=60
              kill -HUP <pid>     # load the model again (the latest edition with --store)

            settings: a flag (or --set serve.KEY=VALUE) > the environment variable
            TALENTGAP_<KEY> (e.g. TALENTGAP_PLAN_TIMEOUT; not for host and port) > the
            [serve] table of --config > the default shown. Keys: host, port, token_file,
            rate_limit, rate_window, max_body_bytes, max_cells, max_answer_size, max_horizon,
            horizon_at_load, max_plan_size, plan_workers, plan_queue, plan_timeout,
            access_log_level, cors_origins.
            """),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", type=Path, metavar="DIR",
                        help="artifact directory written by --save-model or model.save()")
    source.add_argument("--store", type=Path, metavar="FILE",
                        help="edition store: serve its latest edition, the one with the "
                             "latest forecast origin (of equal origins, the one stored last), "
                             "or --edition")
    parser.add_argument("--edition", metavar="NAME", help="edition to serve from --store")
    parser.add_argument("--config", type=Path, metavar="TOML",
                        help="a config file whose [serve] table holds the settings below "
                             "(the run's tables may sit beside it)")
    parser.add_argument("--set", action="append", default=[], metavar="serve.KEY=VALUE",
                        help="one [serve] setting, e.g. --set serve.plan_timeout=60 "
                             "(repeatable; the value is TOML)")
    parser.add_argument("--host", default=_Unset("host"),
                        help="address to listen on (default %(default)s: this machine only)")
    parser.add_argument("--port", type=port_number, default=_Unset("port"),
                        help="port, 0 to 65535 (default %(default)s)")
    parser.add_argument("--token-file", type=Path, metavar="FILE", default=_Unset("token_file"),
                        help="file holding the bearer token (default: the "
                             "TALENTGAP_API_TOKEN environment variable; none: no token)")
    parser.add_argument("--rate-limit", type=int, default=_Unset("rate_limit"), metavar="N",
                        help="requests per client address per --rate-window (default "
                             "%(default)s; 0: off)")
    parser.add_argument("--rate-window", type=float, default=_Unset("rate_window"),
                        metavar="SECONDS",
                        help="length of the rate-limit window (default %(default)s)")
    parser.add_argument("--max-body", type=int, default=_Unset("max_body_bytes"),
                        metavar="BYTES",
                        help="largest request body accepted (default %(default)s)")
    parser.add_argument("--max-cells", type=int, default=_Unset("max_cells"), metavar="N",
                        help="most cells or series one request may answer: the entries "
                             "it names and the rows they select (an entry with some key "
                             "columns selects every cell with those values; no cells: every "
                             "cell of the model); plans are bounded by --max-plan-size "
                             "(default %(default)s)")
    parser.add_argument("--max-answer-size", type=int, default=_Unset("max_answer_size"),
                        metavar="N",
                        help="largest /v1/gap or /v1/forecast answer, as cells x periods x "
                             "(1 + interval levels); a larger one is refused with 422 "
                             "answer_too_large (default %(default)s: at least max-cells x "
                             "max-horizon x (1 + 10 levels) for the other defaults; raise "
                             "it with those, or lower it to cap answers)")
    parser.add_argument("--max-horizon", type=int, default=_Unset("max_horizon"), metavar="N",
                        help="most periods past the model's origin a request may ask for "
                             "(default %(default)s; the model's own horizon may be less)")
    parser.add_argument("--horizon-at-load", type=_horizon_rule,
                        default=_Unset("horizon_at_load"), metavar="RULE",
                        help="horizon given to a gap model saved without one (library "
                             "code, GapForecaster(horizon=None)): two_years (default: 8 "
                             "quarters or 24 months, at least the saved run's [forecast] "
                             "horizon, else 4), longest (the longest its backtests can "
                             "calibrate; every period is then calibrated on the oldest "
                             "origins) or a number of periods; a longer request is refused")
    parser.add_argument("--max-plan-size", type=int, default=_Unset("max_plan_size"),
                        metavar="N",
                        help="largest plan solved, as cells x forecast periods x sample "
                             "paths; a larger plan is refused with 422 before any work "
                             "(default %(default)s, a few seconds of solving)")
    parser.add_argument("--plan-workers", type=int, default=_Unset("plan_workers"),
                        metavar="N",
                        help="worker processes that solve plans, so a plan never slows "
                             "/v1/gap and /v1/forecast (default %(default)s; 0: in the "
                             "server process)")
    parser.add_argument("--plan-queue", type=int, default=_Unset("plan_queue"), metavar="N",
                        help="plans that may wait for a worker; one more is refused with 503 "
                             "and Retry-After (default %(default)s)")
    parser.add_argument("--plan-timeout", type=float, default=_Unset("plan_timeout"),
                        metavar="SECONDS",
                        help="seconds a plan may wait and run before it is refused with 503 "
                             "and its worker replaced; a worker's model load is not counted "
                             "(default %(default)s)")
    parser.add_argument("--access-log", default=_Unset("access_log_level"), metavar="LEVEL",
                        choices=["debug", "info", "warning", "off"],
                        help="level of the one-line-per-request access log (method, path, "
                             "status, duration_ms, client) on stderr: debug, info, warning "
                             "or off (default %(default)s)")
    parser.add_argument("--cors-origin", action="append", default=None, metavar="URL",
                        help="allow browser calls from this origin (repeatable; default none)")
    parser.set_defaults(run=_run_serve)


class _Unset:
    """A flag not given. ``--help`` shows the setting's default, read from
    :class:`~talentgap.service.ServiceSettings` (its one home) only then."""

    def __init__(self, key: str) -> None:
        self.key = FLAG_KEYS.get(key, key)

    def __str__(self) -> str:
        try:
            from talentgap.cli._serve_settings import serve_keys
            from talentgap.service.settings import ServiceSettings
        except ModuleNotFoundError:  # no service extra: its --help still works
            return "in docs/service.md"
        value = {f.name: f.default for f in dataclasses.fields(serve_keys(ServiceSettings))
                 }.get(self.key)
        return str(value).lower() if self.key == "access_log_level" else str(value)


def _given_flags(args: argparse.Namespace) -> dict:
    """``{[serve] key: value}`` of the flags given on the command line."""
    flags = {}
    for dest, key in FLAG_KEYS.items():
        value = getattr(args, dest, None)
        if value is None or isinstance(value, _Unset):
            continue
        if dest == "cors_origin":
            value = tuple(value)
        elif dest == "token_file":
            value = str(value)
        flags[key] = value
    return flags


def _serve_sets(items) -> list[tuple[str, object]]:
    """``--set serve.KEY=VALUE`` as (key, value); another table is refused."""
    from talentgap.cli.commands import _parse_set  # the one reader of --set

    sets = []
    for item in items:
        ((table, values),) = _parse_set(item).items()
        if table != SERVE_TABLE:
            raise UsageError(f"--set {item}: talentgap serve takes only [serve] settings "
                             f"(--set serve.KEY=VALUE)")
        sets.extend(values.items())
    return sets


def _horizon_rule(text: str) -> str | int:
    """``--horizon-at-load``: ``two_years``, ``longest`` or a whole number of periods >= 1."""
    if text in ("two_years", "longest"):
        return text
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r}: use two_years, longest or a whole number "
                                     "of periods >= 1")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _run_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from talentgap.service import ServiceSettings, create_app, read_token_file
        from talentgap.service.app import EVENTS_LOGGER
        from talentgap.service.middleware import ACCESS_LOGGER
    except ModuleNotFoundError as exc:
        raise UsageError(f"the service needs {exc.name!r}: pip install 'talentgap[service]'"
                         ) from None
    if args.edition is not None and args.store is None:
        raise UsageError("--edition needs --store")
    chosen = serve_settings(ServiceSettings, flags=_given_flags(args),
                            config=getattr(args, "config", None),
                            sets=_serve_sets(getattr(args, "set", None) or ()))
    host, port, token_file = chosen.pop("host"), chosen.pop("port"), chosen.pop("token_file")
    if token_file is not None:
        chosen["token"] = read_token_file(token_file)
    settings = ServiceSettings.from_env(**chosen)
    listening = _bind(host, port)  # a busy port fails at once, before the model loads
    try:  # loads and checks the model before the port listens and the plan workers start
        app = create_app(args.model, store=args.store, edition=args.edition,
                         settings=settings)
    except BaseException:
        listening.close()
        raise
    if settings.token is None and not _is_loopback(host):
        logger.warning("serving on %s without a token: anyone who can reach the port can "
                       "call the service; set TALENTGAP_API_TOKEN or --token-file", host)
    served = app.state.served
    address = f"http://{host}:{port or listening.getsockname()[1]}"  # port 0: the one given
    if not getattr(args, "quiet", False):
        print(f"talentgap serve: {type(served.model).__name__}"
              f"{f' edition {served.edition}' if served.edition else ''} from "
              f"{args.store or args.model} on {address} (docs {address}/docs, token "
              f"{'required' if settings.token else 'off'})", file=sys.stderr, flush=True)
    if settings.access_log_level != "OFF":
        logging.getLogger(ACCESS_LOGGER).setLevel(settings.access_log_level)
    if not getattr(args, "quiet", False):  # a reload's "now serving ..." line, as access lines
        logging.getLogger(EVENTS_LOGGER).setLevel(logging.INFO)
    _reload_on_sighup(app)
    level = logging.getLogger("talentgap").getEffectiveLevel()
    log_level = "info" if level <= logging.INFO else "warning"
    _serve_forever(app, listening, uvicorn.Config(
        app, host=host, port=port, log_level=log_level, access_log=False,
        timeout_graceful_shutdown=_GRACE))
    return EXIT_OK


#: Seconds uvicorn waits for the requests in flight at shutdown: longer than the plan
#: workers give a running plan (then refused with 503) plus the time to stop a worker.
_GRACE = 10.0


def _bind(host: str, port: int) -> socket.socket:
    """The listening address, bound now: a busy port or an unknown host is a usage error
    (exit 2) before any plan worker starts."""
    try:
        (family, kind, proto, _, address), *_ = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise UsageError(f"--host {host}: cannot listen on this address: {error.strerror}"
                         ) from None
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        if error.errno == errno.EADDRINUSE:
            raise UsageError(f"cannot listen on {host}:{port}: the address is already in use "
                             "(another server holds the port); choose another --port or stop "
                             "that server") from None
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listening.set_inheritable(True)
    return listening


def _serve_forever(app, listening: socket.socket, config) -> None:
    """Run uvicorn on the bound socket until SIGTERM or Ctrl-C. The signal first closes the
    plan workers' queue (waiting plans get 503 at once, running ones a few seconds), then
    uvicorn waits for the requests in flight."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            plans = getattr(app.state, "plans", None)
            if plans is not None:
                plans.close(wait=False)
            super().handle_exit(sig, frame)

    try:
        Server(config).run(sockets=[listening])
    finally:
        listening.close()


def _reload_on_sighup(app) -> None:
    """On SIGHUP, load the model again in a thread (the server keeps answering meanwhile)."""
    if not hasattr(signal, "SIGHUP"):  # not on Windows
        return

    def reload_in_background(signum, frame) -> None:
        threading.Thread(target=_reload, args=(app,), name="talentgap-reload",
                         daemon=True).start()

    signal.signal(signal.SIGHUP, reload_in_background)


def _reload(app) -> None:
    from talentgap.service import reload_model

    try:
        reload_model(app)
    except (TalentGapError, OSError) as error:
        logger.error("reload on SIGHUP failed, still serving the model loaded before: %s",
                     error)
