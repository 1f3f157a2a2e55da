"""Where the chunks of a fit or a backtest run: here, or in joblib workers.

:class:`~talentgap.models.base.BaseForecaster` splits its series into chunks
and hands every chunk to :func:`run_chunks`. With joblib's default (local
process) backend the first chunk runs here, single-threaded as in a worker,
and times the others: work estimated at under :data:`CHEAP_TASK_SECONDS`
stays in this process whatever ``n_jobs`` says, because starting the
workers, sending them the chunks and the results back would cost more than
the work. A backend the caller chose (``joblib.parallel_config(backend=
"dask")``) gets every chunk. Every chunk runs the same single-threaded code,
so the results do not depend on where it ran.
"""

from __future__ import annotations

from time import perf_counter

from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

__all__ = ["CHEAP_TASK_SECONDS", "run_chunks"]

try:  # joblib (1.6) has no public way to ask which backend is active
    from joblib._parallel_backends import LokyBackend
    from joblib.parallel import get_active_backend
except ImportError:  # pragma: no cover - a joblib that moved them
    LokyBackend = get_active_backend = None

#: Chunks whose work, estimated from the first one, is under this many seconds in all
#: run in the calling process (:func:`run_chunks`): worker start-up and transfers cost more.
CHEAP_TASK_SECONDS = 5.0


def _single_threaded(function, *arguments):
    """Run a task with one BLAS/OpenMP thread: parallel tasks already fill the cores."""
    with threadpool_limits(limits=1):
        return function(*arguments)


def _default_backend() -> bool:
    """Whether joblib's default local process backend (loky) is the active one.

    False when the caller chose another (``joblib.parallel_config(backend="dask")``),
    and when this joblib cannot tell: then every chunk goes to the backend.
    """
    if get_active_backend is None:  # pragma: no cover - see the guarded import
        return False
    return isinstance(get_active_backend()[0], LokyBackend)


def run_chunks(function, argument_list: list, n_jobs: int | None) -> list:
    """``function(*arguments)`` for every chunk: here, or in ``n_jobs`` processes.

    With joblib's default (local process) backend the first chunk runs
    here, single-threaded as in a worker; when the other chunks, each
    taking as long, would take less than ``CHEAP_TASK_SECONDS`` in all (the
    naive benchmarks, or a few thousand series) they run here too. A
    backend the caller chose gets every chunk.

    Parameters
    ----------
    function : callable
        The task, called once per chunk.
    argument_list : list of tuple
        The positional arguments of each call, one tuple per chunk.
    n_jobs : int or None
        joblib's ``n_jobs``; ``None`` or 1 runs every chunk here.

    Returns
    -------
    list
        The results, in the order of ``argument_list``.

    Examples
    --------
    >>> run_chunks(divmod, [(7, 2), (9, 4)], n_jobs=1)
    [(3, 1), (2, 1)]
    """
    if n_jobs in (None, 1) or len(argument_list) == 1:
        return [function(*arguments) for arguments in argument_list]
    if not _default_backend():
        return Parallel(n_jobs=n_jobs)(
            delayed(_single_threaded)(function, *a) for a in argument_list)
    with threadpool_limits(limits=1):
        start = perf_counter()
        first = function(*argument_list[0])
        left = (perf_counter() - start) * (len(argument_list) - 1)
        if left < CHEAP_TASK_SECONDS:
            return [first] + [function(*a) for a in argument_list[1:]]
    return [first] + Parallel(n_jobs=n_jobs)(
        delayed(_single_threaded)(function, *a) for a in argument_list[1:])
