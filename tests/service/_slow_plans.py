"""Plans that never end in time or fail (test helpers, imported by the plan worker processes).

The plan workers are started with ``spawn`` and receive their task by
reference, so a stand-in for ``talentgap.service.plan_workers._solve`` must
live in a module they can import: the tests' folder is on ``sys.path`` and
the workers inherit it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

__all__ = ["solve_slowly", "solve_badly", "preload_slowly", "preload_long", "LONG_LOAD",
           "solve_when_released", "solve_by_dying", "HOLD_FOLDER"]

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


def preload_slowly(source, signature, horizon) -> bool:
    """Take the arguments of a worker's model load and sleep instead of loading."""
    time.sleep(SLEEP)
    return True


#: Seconds the long model load takes: longer than the short plan timeout of the tests.
LONG_LOAD = 3.0


def preload_long(source, signature, horizon) -> bool:
    """A worker's model load that takes :data:`LONG_LOAD` seconds more than it needs."""
    from talentgap.service._plan_process import preload

    time.sleep(LONG_LOAD)
    return preload(source, signature, horizon)


#: Environment variable naming the folder of :func:`solve_when_released` (the workers
#: inherit the environment of the process that starts them).
HOLD_FOLDER = "TALENTGAP_TEST_HOLD_FOLDER"


def solve_when_released(source, signature, body, max_size, max_horizon=None):
    """Note that this worker has the plan (a file ``started-<pid>`` in the folder named by
    :data:`HOLD_FOLDER`), wait while the folder holds a file ``hold``, then solve it."""
    from talentgap.service._plan_process import solve

    folder = Path(os.environ[HOLD_FOLDER])
    (folder / f"started-{os.getpid()}").touch()
    deadline = time.monotonic() + SLEEP
    while (folder / "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return solve(source, signature, body, max_size, max_horizon)


def solve_by_dying(source, signature, body, max_size, max_horizon=None):
    """Take the arguments of a plan and kill the worker process (as the out-of-memory
    killer does)."""
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(SLEEP)
