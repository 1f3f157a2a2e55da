"""The ``talentgap`` command: argument parsing, logging and exit codes.

A thin layer: it parses arguments, calls the public functions and formats
their results. Exit codes: 0 success; 2 bad input, options or config (one
line on stderr naming the file, column or key and the rule); 1 an internal
error (a traceback only with ``--debug``).

Examples
--------
>>> from talentgap.cli import main
>>> main(["--version"])  # doctest: +SKIP
talentgap 0.1.0
"""

from __future__ import annotations

import argparse
import logging
import sys

from talentgap._version import __version__
from talentgap.cli._common import EXIT_BAD_INPUT, EXIT_INTERNAL, UsageError
from talentgap.cli.commands import add_pipeline_commands
from talentgap.cli.editions import add_edition_commands
from talentgap.cli.serve import add_serve
from talentgap.cli.validate import add_validate
from talentgap.errors import TalentGapError

__all__ = ["main", "build_parser"]

logger = logging.getLogger("talentgap")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``talentgap`` command."""
    parser = argparse.ArgumentParser(
        prog="talentgap",
        description="Skill-gap estimates, forecasts and training quota plans.",
        epilog="Start with: talentgap demo --out demo-out   (then open demo-out/report.html)",
    )
    parser.add_argument("--version", action="version", version=f"talentgap {__version__}")
    _add_output_options(parser, default=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_validate(commands)
    add_pipeline_commands(commands)
    add_edition_commands(commands)
    add_serve(commands)
    for command in commands.choices.values():  # also accepted after the command name
        _add_output_options(command, default=argparse.SUPPRESS)
    return parser


def _add_output_options(parser: argparse.ArgumentParser, *, default) -> None:
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_true", default=default,
                       help="log each step")
    noise.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="log errors only")
    parser.add_argument("--debug", action="store_true", default=default,
                        help="show tracebacks for every error")


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if args.verbose else level)
    logger.propagate = False


def _one_line(exc: BaseException) -> str:
    """The first line of an error, with the first failing rule of a multi-line SchemaError."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if len(lines) > 1 and lines[0].endswith(":") and lines[1].startswith("- "):
        more = len([line for line in lines[1:] if line.startswith("- ")]) - 1
        tail = f" (and {more} more rule(s); run 'talentgap validate' for all)" if more else ""
        return f"{lines[0][:-1]}; {lines[1][2:]}{tail}"
    return lines[0]


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args)
    try:
        return args.run(args)
    except (TalentGapError, UsageError, FileNotFoundError) as exc:
        if args.debug:
            raise
        print(f"talentgap: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the last line of defence of a command
        if args.debug:
            raise
        print(f"talentgap: internal error: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
