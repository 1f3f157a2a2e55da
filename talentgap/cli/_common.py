"""Exit codes and the usage error shared by the commands."""

from __future__ import annotations

__all__ = ["EXIT_OK", "EXIT_INTERNAL", "EXIT_BAD_INPUT", "UsageError"]

#: Exit codes: success, an internal error, bad input or options.
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake, reported in one line with exit code 2."""
