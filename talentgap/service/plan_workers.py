"""Plans solved in worker processes, so that a plan never slows the other answers.

A plan (``POST /v1/plan``) draws the gap model's sample paths and solves a
linear program (HiGHS through SciPy); both hold the interpreter lock for
seconds on a large model. Run in the serving process they would share it
with the event loop and the threads answering ``/v1/gap`` and
``/v1/forecast``, and every one of those would wait. :class:`PlanWorkers`
runs plans in a small pool of worker processes instead (one by default),
each a :class:`multiprocessing.Process` started with ``spawn`` that takes one
task at a time over its own pipe; the pool keeps each worker's process, so it
can stop exactly the worker whose plan overran. The app starts the pool in
its lifespan and stops it on shutdown; an app whose lifespan does not run
(mounted in another app, or called through ``TestClient(app)`` outside a
``with`` block) solves plans in its own process, with the same answers.

One model edition per plan
    Each worker loads the served model itself, once, from the artifact
    directory or the edition store (never from the request), and keeps the
    two editions it used last. A plan is sent with the served model's
    :attr:`~talentgap.service.state.LoadedModel.signature`; a worker that
    loads a different edition (the artifact was saved over after the server
    loaded it) does not solve with it: the plan is then solved in the
    serving process with the edition it serves. After a reload
    (:func:`talentgap.service.reload_model`) the next plans name the new
    edition and the workers load it; :meth:`PlanWorkers.preload` asks them to
    do so at once.
Bounded queue
    At most ``workers + queue`` plans are solved or waiting at once; one
    more is refused with 503 and a ``Retry-After`` (seconds, from the recent
    plans' durations). A plan not answered within ``timeout`` seconds is
    refused with 503. A plan still running then is stopped with its worker
    process, and a fresh worker takes its place and loads the served edition
    at once: the pool keeps ``workers`` processes, and no worker stays busy
    with a plan nobody waits for. A worker that dies (killed, out of memory)
    is replaced the same way.
Clean shutdown
    :meth:`PlanWorkers.close` refuses waiting plans, lets running ones end
    for a few seconds, then terminates the workers: no worker outlives the
    server.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import math
import multiprocessing
import multiprocessing.connection
import signal
import threading
import time
import traceback
from collections import OrderedDict
from queue import Empty, SimpleQueue

from talentgap.errors import TalentGapError, collect_warnings
from talentgap.service._operations import require_gap_model, run_plan
from talentgap.service.errors import ServiceError, library_refusal
from talentgap.service.state import LoadedModel

__all__ = ["PlanWorkers"]

logger = logging.getLogger("talentgap.service")

#: Model editions a worker keeps (the one served and the one before a reload).
_KEPT_EDITIONS = 2
#: Seconds a running plan may take to end when the pool is closed, before it is stopped.
CLOSE_PATIENCE = 5.0
#: Seconds a terminated worker may take to exit before it is killed.
_KILL_PATIENCE = 2.0

# -- in the worker processes ---------------------------------------------------------------

_editions: OrderedDict[str, LoadedModel] = OrderedDict()


def _edition(source: tuple, signature: str) -> LoadedModel | None:
    """The model edition ``signature`` loaded from ``source`` in this worker, or None.

    None when the source now holds another edition (saved over since the
    server loaded it).
    """
    loaded = _editions.get(signature)
    if loaded is None:
        path, store, edition, horizon_cap, horizon_rule = source
        loaded = LoadedModel(path, store=store, edition=edition, answers=False,
                             horizon_cap=horizon_cap, horizon_rule=horizon_rule)
        if loaded.signature != signature:
            return None
        _editions[signature] = loaded
        while len(_editions) > _KEPT_EDITIONS:
            _editions.popitem(last=False)
    _editions.move_to_end(signature)
    return loaded


def _preload(source: tuple, signature: str, horizon: int) -> bool:
    """Load the edition and draw its sample paths for ``horizon``; True when loaded."""
    loaded = _edition(source, signature)
    if loaded is None:
        return False
    with collect_warnings():  # a plan reports its own warnings
        loaded.model.prepare(horizon)
    return True


def _solve(source: tuple, signature: str, body, max_size: int | None,
           max_horizon: int | None = None) -> tuple[str, object]:
    """One plan: ``("ok", fields)``, ``("refused", (status, msg, loc, kind))`` or
    ``("stale", None)`` when the worker cannot load the edition asked for."""
    loaded = _edition(source, signature)
    if loaded is None:
        return "stale", None
    try:
        return "ok", run_plan(loaded, body, max_size=max_size, max_horizon=max_horizon)
    except ServiceError as error:
        return "refused", (error.status, error.msg, error.loc, error.kind)
    except TalentGapError as error:
        return "refused", library_refusal(error)


class _WorkerTraceback(Exception):
    """The traceback of a failure in a plan worker, as text: the cause of the error the
    serving process raises, so the logged traceback shows the worker's frames too."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0]).rstrip()


def _with_traceback(error: BaseException, text: str) -> BaseException:
    error.__cause__ = _WorkerTraceback(text)
    return error


class _Failure:
    """An exception raised in a worker, pickled with its traceback as text (a traceback
    object cannot cross the pipe); it arrives as the exception, caused by a
    :class:`_WorkerTraceback` (as :mod:`concurrent.futures` does)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.text = "".join(traceback.format_exception(error))

    def __reduce__(self):
        return _with_traceback, (self.error, self.text)


def _work(conn) -> None:
    """A worker process: run each task sent on ``conn`` and send back its outcome.

    A task is ``(number, function, args)``; the answer ``(number, "ok",
    result)`` or ``(number, "error", exception)``, the exception caused by a
    :class:`_WorkerTraceback` that holds the worker's traceback. ``None``, or the server's
    end of the pipe closing, ends the loop. Ctrl-C is the server's to handle
    (it closes the pool).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        number, function, args = message
        try:
            answer = (number, "ok", function(*args))
        except Exception as error:  # sent to the server, which raises it there
            answer = (number, "error", _Failure(error))
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
        except Exception as error:  # an answer that cannot be pickled
            conn.send((number, "error", RuntimeError(f"{type(error).__name__}: {error}")))


# -- in the serving process ----------------------------------------------------------------


class _Stopped(Exception):
    """The worker process ended before it answered."""


class _Overran(Exception):
    """The worker did not answer in time (it is still running the task)."""


class _Worker:
    """One worker process and the serving process's end of its pipe.

    One thread at a time calls :meth:`call` (the pool hands a worker to one
    plan); :meth:`send` may be called from any thread.
    """

    def __init__(self, context) -> None:
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_work, args=(theirs,),
                                       name="talentgap-plan-worker")
        self.process.start()
        theirs.close()  # the worker's end lives in the worker: its exit reads as EOF here
        self.pid: int = self.process.pid
        self._conn = ours
        self._numbers = itertools.count(1)
        self._send_lock = threading.Lock()

    def alive(self) -> bool:
        return self.process.is_alive()

    def send(self, function, *args) -> int:
        """Queue ``function(*args)`` in the worker; its number. Raises _Stopped."""
        with self._send_lock:
            number = next(self._numbers)
            try:
                self._conn.send((number, function, args))
            except (EOFError, OSError):
                raise _Stopped from None
        return number

    def call(self, function, *args, timeout: float):
        """``function(*args)`` run in the worker: its result, or the error it raised.

        Answers of earlier tasks sent without waiting (:meth:`PlanWorkers.preload`)
        are read and dropped on the way. Raises _Overran after ``timeout``
        seconds, _Stopped when the process ends first.
        """
        number = self.send(function, *args)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            ready = multiprocessing.connection.wait([self._conn, self.process.sentinel],
                                                    max(0.0, remaining))
            if self._conn in ready:
                try:
                    answered, status, value = self._conn.recv()
                except (EOFError, OSError):
                    raise _Stopped from None
                if answered == number:
                    if status == "error":
                        raise value
                    return value
                if status == "error":
                    _log_failed_preload(value)
            elif ready:
                raise _Stopped
            elif remaining <= 0:
                raise _Overran

    def ask_to_stop(self) -> None:
        """Let the worker end after the task it runs (if any)."""
        with self._send_lock:
            try:
                self._conn.send(None)
            except (EOFError, OSError):
                pass

    def stop(self) -> None:
        """Terminate the process now (killed if it ignores that) and wait for it."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(_KILL_PATIENCE)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


class PlanWorkers:
    """A pool of worker processes that solve plans, with a bounded queue.

    Parameters
    ----------
    workers : int
        Worker processes (>= 1), started at once and kept at that number: a
        worker stopped for a plan over ``timeout``, or one that died, is
        replaced.
    queue : int
        Plans that may wait for a worker; one more is refused with 503.
    timeout : float
        Seconds a plan may wait and run before it is refused with 503 (and
        stopped, when it runs).

    Examples
    --------
    >>> import tempfile, talentgap as tg
    >>> from talentgap.service.schemas import PlanRequest
    >>> from talentgap.service.state import LoadedModel
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
    >>> served = LoadedModel(gap.save(f"{tempfile.mkdtemp()}/model"))
    >>> body = PlanRequest(budget=100_000, cost_per_trainee=1_000, horizon=2)
    >>> workers = PlanWorkers(workers=1, queue=2, timeout=120)
    >>> len(workers.pids())
    1
    >>> answer = workers.solve(served, body, max_size=None)
    >>> workers.close()
    >>> answer["summary"]["total_cost"] <= 100_000, workers.pids()
    (True, [])
    """

    def __init__(self, workers: int = 1, queue: int = 4, timeout: float = 300.0) -> None:
        self.workers, self.queue, self.timeout = int(workers), int(queue), float(timeout)
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._seconds = 1.0  # recent plans' duration (moving average), for Retry-After
        self._edition: tuple | None = None  # what a new worker loads first (_preload's args)
        self._pool = [_Worker(self._context) for _ in range(self.workers)]
        self._idle: SimpleQueue[int | None] = SimpleQueue()  # positions in _pool; None: closed
        for position in range(self.workers):
            self._idle.put(position)
        # the server exits without closing the pool (an error): stop the workers before
        # multiprocessing waits for them at exit (handlers registered later run first)
        atexit.register(self._close_at_exit)

    @property
    def pending(self) -> int:
        """Plans being solved or waiting now."""
        return self._pending

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            pool = list(self._pool)
        return sorted(worker.pid for worker in pool if worker.alive())

    def preload(self, served: LoadedModel) -> None:
        """Ask the workers to load the served edition now (not on the first plan).

        The task is queued in every worker without waiting for it; a worker
        busy with a plan loads it afterwards. Workers started later (to
        replace one) load it first too.
        """
        if self._closed or not served.is_gap_model:
            return
        self._edition = (served.pinned_source, served.signature,
                         max(1, min(served.plan_defaults.get("horizon", 4),
                                    served.max_horizon)))
        with self._lock:
            pool = list(self._pool)
        for worker in pool:
            try:
                worker.send(_preload, *self._edition)
            except _Stopped:  # the next plan on it finds out and replaces it
                pass

    def _retry_after(self) -> str:
        return str(max(1, min(600, math.ceil(self._seconds * max(1, self._pending)
                                             / self.workers))))

    def _refuse(self, msg: str) -> ServiceError:
        return ServiceError(503, msg, kind="plans_busy",
                            headers={"Retry-After": self._retry_after()})

    def _refuse_late(self) -> ServiceError:
        return self._refuse(f"the plan did not finish within {self.timeout:g} seconds "
                            "(plan_timeout); retry later or ask for a smaller plan")

    def solve(self, served: LoadedModel, body, *, max_size: int | None,
              max_horizon: int | None = None) -> dict:
        """Solve one plan in a worker, as :func:`~talentgap.service._operations.run_plan`.

        Raises
        ------
        ServiceError
            503 when the queue is full, the pool is closed, the worker died,
            or the plan takes longer than ``timeout`` (its worker is then
            replaced); the 409 and 422 of ``run_plan``.
        """
        require_gap_model(served, "planning")
        with self._lock:
            if self._closed:
                raise self._refuse("the service is shutting down; plans are not taken")
            if self._pending >= self.workers + self.queue:
                raise self._refuse(f"{self._pending} plans are being solved or waiting, the "
                                   f"most this service takes ({self.workers} solving, "
                                   f"{self.queue} waiting); retry after Retry-After seconds")
            self._pending += 1
        start = time.perf_counter()
        try:
            status, value = self._wait(served, body, max_size, max_horizon)
        finally:
            with self._lock:
                self._pending -= 1
        self._seconds = 0.8 * self._seconds + 0.2 * (time.perf_counter() - start)
        if status == "refused":
            code, msg, loc, kind = value
            raise ServiceError(code, msg, loc=loc, kind=kind)
        if status == "stale":  # the artifact was saved over: solve with the served edition
            logger.info("plan solved in the serving process: the workers now load a newer "
                        "edition than the one served (reload to serve it)")
            return run_plan(served, body, max_size=max_size, max_horizon=max_horizon)
        return value

    def _wait(self, served: LoadedModel, body, max_size: int | None,
              max_horizon: int | None) -> tuple[str, object]:
        """Wait for a free worker, send it the plan, wait for the answer (see :func:`_solve`)."""
        deadline = time.monotonic() + self.timeout
        try:
            position = self._idle.get(timeout=self.timeout)
        except Empty:
            raise self._refuse_late() from None
        if position is None or self._closed:
            self._idle.put(position)  # wake the next plan waiting, if any
            raise self._refuse("the service is shutting down; plans are not taken")
        try:
            if self._edition is None or self._edition[1] != served.signature:
                self._edition = (served.pinned_source, served.signature,
                                 max(1, min(served.plan_defaults.get("horizon", 4),
                                            served.max_horizon)))
            remaining = deadline - time.monotonic()
            if remaining <= 0:  # waited all the time there was: nothing sent, nothing to stop
                raise self._refuse_late()
            worker = self._pool[position]
            try:
                return worker.call(_solve, served.pinned_source, served.signature, body,
                                   max_size, max_horizon, timeout=remaining)
            except _Overran:
                self._replace(position, worker, f"a plan ran over {self.timeout:g} seconds "
                              f"(plan_timeout): its worker {worker.pid} was stopped")
                raise self._refuse_late() from None
            except _Stopped:
                if self._closed:
                    raise self._refuse("the service is shutting down; plans are not "
                                       "taken") from None
                self._replace(position, worker, f"plan worker {worker.pid} stopped "
                              "unexpectedly")
                raise self._refuse("the plan worker stopped before answering; it was "
                                   "replaced, retry") from None
        finally:
            if not self._closed:
                self._idle.put(position)

    def _replace(self, position: int, old: _Worker, why: str) -> None:
        """Stop worker ``old`` and start a fresh one in its place, loading the served edition."""
        with self._lock:
            if self._closed or self._pool[position] is not old:
                return
            fresh = _Worker(self._context)
            self._pool[position] = fresh
        old.stop()
        logger.warning("%s; worker %s replaces it", why, fresh.pid)
        if self._edition is not None:
            try:
                fresh.send(_preload, *self._edition)
            except _Stopped:
                pass

    def close(self, patience: float = CLOSE_PATIENCE) -> None:
        """Stop the workers: waiting plans are refused, running ones get ``patience``
        seconds to end, then each worker is terminated (killed if it ignores that)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pool = list(self._pool)
        atexit.unregister(self._close_at_exit)
        self._idle.put(None)  # plans waiting for a worker are refused
        for worker in pool:
            worker.ask_to_stop()
        deadline = time.monotonic() + patience
        for worker in pool:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in pool:
            if worker.alive():
                logger.warning("plan worker %s still busy after %.0f s: terminated",
                               worker.pid, patience)
            worker.stop()

    def _close_at_exit(self) -> None:
        self.close(patience=0.0)


def _log_failed_preload(error: BaseException) -> None:
    logger.warning("a plan worker could not load the served model ahead of the first "
                   "plan (%s); plans will load it or be solved here", error)
