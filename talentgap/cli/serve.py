"""``talentgap serve``: run the prediction service on a saved model or an edition store."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
import textwrap
import threading
from pathlib import Path

from talentgap.cli._common import EXIT_OK, UsageError
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
              kill -HUP <pid>     # load the model again (the latest edition with --store)
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
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--token-file", type=Path, metavar="FILE",
                        help="file holding the bearer token (default: the "
                             "TALENTGAP_API_TOKEN environment variable; none: no token)")
    parser.add_argument("--rate-limit", type=int, default=600, metavar="N",
                        help="requests per client address per minute (default 600; 0: off)")
    parser.add_argument("--max-body", type=int, default=1_000_000, metavar="BYTES",
                        help="largest request body accepted (default 1000000)")
    parser.add_argument("--max-cells", type=int, default=1_000, metavar="N",
                        help="most cells or series one request may answer: the entries "
                             "it names and the rows they select (an entry with some key "
                             "columns selects every cell with those values; no cells: every "
                             "cell of the model); plans are bounded by --max-plan-size "
                             "(default 1000)")
    parser.add_argument("--horizon-at-load", type=_horizon_rule, default="two_years",
                        metavar="RULE",
                        help="horizon given to a gap model saved without one (library "
                             "code, GapForecaster(horizon=None)): two_years (default: 8 "
                             "quarters or 24 months, at least the saved run's [forecast] "
                             "horizon, else 4), longest (the longest its backtests can "
                             "calibrate; every period is then calibrated on the oldest "
                             "origins) or a number of periods; a longer request is refused")
    parser.add_argument("--max-plan-size", type=int, default=5_000_000, metavar="N",
                        help="largest plan solved, as cells x forecast periods x sample "
                             "paths; a larger plan is refused with 422 before any work "
                             "(default 5000000, a few seconds of solving)")
    parser.add_argument("--plan-workers", type=int, default=1, metavar="N",
                        help="worker processes that solve plans, so a plan never slows "
                             "/v1/gap and /v1/forecast (default 1; 0: in the server process)")
    parser.add_argument("--plan-queue", type=int, default=4, metavar="N",
                        help="plans that may wait for a worker; one more is refused with 503 "
                             "and Retry-After (default 4)")
    parser.add_argument("--access-log", default="info", metavar="LEVEL",
                        choices=["debug", "info", "warning", "off"],
                        help="level of the one-line-per-request access log (method, path, "
                             "status, duration_ms, client) on stderr: debug, info (default), "
                             "warning or off")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="URL",
                        help="allow browser calls from this origin (repeatable; default none)")
    parser.set_defaults(run=_run_serve)


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
    overrides = dict(rate_limit=args.rate_limit, max_body_bytes=args.max_body,
                     max_cells=args.max_cells, max_plan_size=args.max_plan_size,
                     plan_workers=args.plan_workers, plan_queue=args.plan_queue,
                     horizon_at_load=args.horizon_at_load,
                     cors_origins=tuple(args.cors_origin),
                     access_log_level=args.access_log.upper())
    if args.token_file is not None:
        overrides["token"] = read_token_file(args.token_file)
    settings = ServiceSettings.from_env(**overrides)
    # loads and checks the model before binding the port
    app = create_app(args.model, store=args.store, edition=args.edition, settings=settings)
    if settings.token is None and not _is_loopback(args.host):
        logger.warning("serving on %s without a token: anyone who can reach the port can "
                       "call the service; set TALENTGAP_API_TOKEN or --token-file", args.host)
    served = app.state.served
    address = f"http://{args.host}:{args.port}"
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
    uvicorn.run(app, host=args.host, port=args.port, log_level=log_level,
                timeout_graceful_shutdown=10, access_log=False)
    return EXIT_OK


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
