"""Plans that never end in time or fail (test helpers, imported by the plan worker processes).

The plan workers are started with ``spawn`` and receive their task by
reference, so a stand-in for ``talentgap.service.plan_workers._solve`` must
live in a module they can import: the tests' folder is on ``sys.path`` and
the workers inherit it.
"""

from __future__ import annotations

import time

__all__ = ["solve_slowly", "solve_badly"]

#: Seconds the slow plan sleeps: far longer than any test waits.
SLEEP = 3600.0


def solve_slowly(source, signature, body, max_size, max_horizon=None) -> tuple[str, object]:
    """Take the arguments of a plan and sleep instead of solving it."""
    time.sleep(SLEEP)
    return "ok", {}


def _inner_failure() -> None:
    raise RuntimeError("a failure deep in the plan worker")


def solve_badly(source, signature, body, max_size, max_horizon=None) -> tuple[str, object]:
    """Take the arguments of a plan and fail unexpectedly, two frames down."""
    _inner_failure()
    return "ok", {}
