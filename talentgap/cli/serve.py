"""``talentgap serve``: run the prediction service on a saved model artifact."""

from __future__ import annotations

import argparse
import logging
import textwrap
from pathlib import Path

from talentgap.cli._common import EXIT_OK, UsageError

__all__ = ["add_serve"]

logger = logging.getLogger("talentgap.cli")


def add_serve(commands) -> None:
    """Add the ``serve`` command to an ``argparse`` sub-parser collection."""
    parser = commands.add_parser(
        "serve",
        help="serve a saved model over HTTP (JSON, OpenAPI at /docs)",
        description="Serve forecasts and quota plans from a saved model artifact over HTTP. "
                    "Needs the extra: pip install 'talentgap[service]'.",
        epilog=textwrap.dedent("""\
            examples:
              talentgap forecast --config examples/plan.toml --save-model model --out out
              talentgap serve --model model --port 8000
              curl -X POST localhost:8000/predict -H 'content-type: application/json' \\
                   -d '{"horizon": 4, "level": [80]}'
            """),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, metavar="DIR",
                        help="artifact directory written by --save-model or model.save()")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from talentgap.service import create_app
    except ModuleNotFoundError as exc:
        raise UsageError(f"the service needs {exc.name!r}: pip install 'talentgap[service]'"
                         ) from None
    app = create_app(args.model)  # checks the artifact before binding the port
    level = logging.getLogger("talentgap").getEffectiveLevel()
    log_level = "info" if level <= logging.INFO else "warning"
    uvicorn.run(app, host=args.host, port=args.port, log_level=log_level)
    return EXIT_OK
