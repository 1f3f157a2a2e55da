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
    loaded it), or cannot load it at all (damaged, removed), does not solve
    with it: the pool remembers that edition, warns once, and solves its
    plans in the serving process with the edition it serves, each bounded by
    ``timeout`` too. After a reload (:func:`talentgap.service.reload_model`)
    the next plans name the new edition and the workers load it;
    :meth:`PlanWorkers.preload` asks them to do so at once.
Model loads are not plan time
    A worker loads the served model ahead of the first plan (and again after
    a reload or when it replaces another). A plan given to a worker that is
    still loading waits for the load, and its ``timeout`` counts from the
    load's end, so a short timeout cannot stop every fresh worker before it
    has loaded the model. :meth:`PlanWorkers.ready` says when the first
    workers have loaded it (``GET /ready`` answers 503 until then).
Bounded queue
    At most ``workers + queue`` plans are solved or waiting at once; one
    more is refused with 503 and a ``Retry-After`` (seconds, from the recent
    plans' durations). A plan not answered within ``timeout`` seconds is
    refused with 503. A plan still running then is stopped with its worker
    process, and a fresh worker takes its place and loads the served edition
    at once: the pool keeps ``workers`` processes, and no worker stays busy
    with a plan nobody waits for.
A worker that dies
    A worker that dies (killed, out of memory) is replaced the same way,
    and the plan it was given (or was loading the model for) is sent once
    more, to the fresh worker, within the same ``timeout`` (the fresh
    worker's model load not counted): a plan is a pure function of the
    request and the served edition, so solving it again is safe, and the
    client gets its plan. Only when that worker dies too is the plan
    refused with 503 and a ``Retry-After``; each death is logged with its
    cause (the signal or exit code). Each plan holds its own worker, so a
    death concerns the one plan on it: the plans on the other workers, and
    those waiting for a worker, go on.
Clean shutdown
    :meth:`PlanWorkers.close` refuses waiting plans with 503 at once, lets
    running ones end for a few seconds (then refuses them with 503 too),
    then terminates the workers: no worker outlives the server.
    ``talentgap serve`` starts it on SIGTERM (``close(wait=False)``), before
    the server waits for the requests in flight.
"""

from __future__ import annotations

import atexit
import logging
import math
import multiprocessing
import threading
import time
from queue import Empty, SimpleQueue

from talentgap.service._operations import require_gap_model, run_plan
from talentgap.service._plan_process import SAVED_OVER, Overran, Stopped, Worker
from talentgap.service._plan_process import preload as _preload  # the tasks sent, by these
from talentgap.service._plan_process import solve as _solve  # names (a test sends stand-ins)
from talentgap.service.errors import ServiceError
from talentgap.service.state import LoadedModel

__all__ = ["PlanWorkers"]

logger = logging.getLogger("talentgap.service")

#: Seconds a running plan may take to end when the pool is closed, before it is stopped.
CLOSE_PATIENCE = 5.0
#: Times a plan is sent again to a fresh worker when its worker dies before answering.
_RETRIES = 1
#: Seconds a worker may take to load the served model before a plan given to it is refused
#: (and the worker replaced); not counted in a plan's ``timeout``.
LOAD_PATIENCE = 600.0


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
        self._close_deadline = math.inf  # when running plans are stopped, once closed
        self._stopper: threading.Thread | None = None
        self._warm = False  # every first worker has loaded the served edition (or failed)
        self._unusable: dict[str, str] = {}  # signature -> why the workers cannot load it
        self._seconds = 1.0  # recent plans' duration (moving average), for Retry-After
        self._edition: tuple | None = None  # what a new worker loads first (_preload's args)
        self._pool = [self._start() for _ in range(self.workers)]
        self._idle: SimpleQueue[int | None] = SimpleQueue()  # positions in _pool; None: closed
        for position in range(self.workers):
            self._idle.put(position)
        # the server exits without closing the pool (an error): stop the workers before
        # multiprocessing waits for them at exit (handlers registered later run first)
        atexit.register(self._close_at_exit)

    def _start(self) -> Worker:
        return Worker(self._context, on_unusable=self._mark_unusable)

    @property
    def pending(self) -> int:
        """Plans being solved or waiting now."""
        return self._pending

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            pool = list(self._pool)
        return sorted(worker.pid for worker in pool if worker.alive())

    def ready(self) -> bool:
        """True once every worker started with the pool has loaded the served edition
        (or found it cannot): from then on a plan does not wait for a model load.

        A worker started later (to replace one) or a reload does not make the pool
        unready again; plans wait for its load, which ``timeout`` does not count.
        """
        if not self._warm:
            with self._lock:
                pool = list(self._pool)
            self._warm = self._closed or not any([worker.loading() for worker in pool])
        return self._warm

    def preload(self, served: LoadedModel) -> None:
        """Ask the workers to load the served edition now (not on the first plan).

        The task is queued in every worker without waiting for it; a worker
        busy with a plan loads it afterwards. Workers started later (to
        replace one) load it first too. A plan given to a worker still
        loading waits for the load, and ``timeout`` counts from its end.
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
                worker.send(_preload, *self._edition, loads=True)
            except Stopped:  # the next plan on it finds out and replaces it
                pass

    def _mark_unusable(self, signature: str, reason: str) -> None:
        """Remember that the workers cannot load edition ``signature``: its plans are solved
        in the serving process from now on (warned once per edition)."""
        with self._lock:
            known = signature in self._unusable
            self._unusable.setdefault(signature, reason)
        if not known:
            logger.warning("the plan workers cannot load the served model (%s); its plans are "
                           "solved in the serving process with the model it serves, within "
                           "plan_timeout, until a reload (kill -HUP) serves a loadable one",
                           reason)

    def _retry_after(self) -> str:
        return str(max(1, min(600, math.ceil(self._seconds * max(1, self._pending)
                                             / self.workers))))

    def _refuse(self, msg: str) -> ServiceError:
        return ServiceError(503, msg, kind="plans_busy",
                            headers={"Retry-After": self._retry_after()})

    def _refuse_late(self) -> ServiceError:
        return self._refuse(f"the plan did not finish within {self.timeout:g} seconds "
                            "(plan_timeout); retry later or ask for a smaller plan")

    def _refuse_closing(self) -> ServiceError:
        return self._refuse("the service is shutting down; plans are not taken")

    def solve(self, served: LoadedModel, body, *, max_size: int | None,
              max_horizon: int | None = None) -> dict:
        """Solve one plan in a worker, as :func:`~talentgap.service._operations.run_plan`.

        When the workers cannot load the served edition (the artifact was saved
        over or damaged since the server loaded it) the plan is solved in the
        serving process with the served model, bounded by ``timeout`` too.

        Raises
        ------
        ServiceError
            503 when the queue is full, the pool is closed, the worker died
            and so did the fresh one the plan was sent to again, or the plan
            takes longer than ``timeout`` (its worker is then replaced); the
            409 and 422 of ``run_plan``.
        """
        require_gap_model(served, "planning")
        with self._lock:
            if self._closed:
                raise self._refuse_closing()
            if self._pending >= self.workers + self.queue:
                raise self._refuse(f"{self._pending} plans are being solved or waiting, the "
                                   f"most this service takes ({self.workers} solving, "
                                   f"{self.queue} waiting); retry after Retry-After seconds")
            self._pending += 1
        start, here = time.perf_counter(), False
        deadline = time.monotonic() + self.timeout
        try:
            status, value = "here", None
            if served.signature not in self._unusable:
                status, value, deadline = self._wait(served, body, max_size, max_horizon,
                                                     deadline)
            if status in ("stale", "unloadable"):
                self._mark_unusable(served.signature, SAVED_OVER if status == "stale"
                                    else value)
                status = "here"
            if status == "here":
                here = True  # the thread solving it leaves the queue when it ends
                return self._solve_here(served, body, max_size, max_horizon, deadline)
        finally:
            if not here:
                with self._lock:
                    self._pending -= 1
            self._seconds = 0.8 * self._seconds + 0.2 * (time.perf_counter() - start)
        if status == "refused":
            code, msg, loc, kind = value
            raise ServiceError(code, msg, loc=loc, kind=kind)
        return value

    def _solve_here(self, served: LoadedModel, body, max_size: int | None,
                    max_horizon: int | None, deadline: float) -> dict:
        """Solve in this process, in a thread that holds the plan's place in the queue
        until it ends; refused with 503 at ``deadline`` or on shutdown."""
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["answer"] = run_plan(served, body, max_size=max_size,
                                             max_horizon=max_horizon)
            except BaseException as error:  # raised in the thread that waits for it
                outcome["error"] = error
            finally:
                with self._lock:
                    self._pending -= 1

        thread = threading.Thread(target=run, name="talentgap-plan-here", daemon=True)
        thread.start()
        while thread.is_alive():
            now = time.monotonic()
            if now >= deadline:
                raise self._refuse_late()
            if now >= self._close_deadline:
                raise self._refuse_closing()
            thread.join(min(0.2, deadline - now))
        if "error" in outcome:
            raise outcome["error"]
        return outcome["answer"]

    def _wait(self, served: LoadedModel, body, max_size: int | None,
              max_horizon: int | None, deadline: float) -> tuple[str, object, float]:
        """Wait for a free worker, send it the plan, wait for the answer (see
        :func:`~talentgap.service._plan_process.solve`); with the deadline, moved on by the
        time the worker spent loading the model.

        A worker that dies before it answers is replaced and the plan sent once more,
        to the fresh worker (a plan is a pure function of the request and the model:
        solving it again is safe); a second death is refused with 503.
        """
        try:
            position = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except Empty:
            raise self._refuse_late() from None
        if position is None or self._closed:
            self._idle.put(position)  # wake the next plan waiting, if any
            raise self._refuse_closing()
        try:
            if self._edition is None or self._edition[1] != served.signature:
                self._edition = (served.pinned_source, served.signature,
                                 max(1, min(served.plan_defaults.get("horizon", 4),
                                            served.max_horizon)))
            attempt = 0
            while True:
                worker = self._pool[position]
                try:
                    # a model load is not the plan's time: a short plan_timeout must not stop
                    # every fresh worker before it has loaded the model
                    deadline += worker.wait_loaded(LOAD_PATIENCE)
                    if served.signature in self._unusable:
                        return "here", None, deadline
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:  # waited all the time there was: nothing sent
                        raise self._refuse_late()
                    status, value = worker.call(_solve, served.pinned_source,
                                                served.signature, body, max_size, max_horizon,
                                                timeout=remaining)
                    return status, value, deadline
                except Overran:
                    loading = worker.loading()
                    self._replace(position, worker, f"a plan ran over {self.timeout:g} "
                                  f"seconds (plan_timeout): its worker {worker.pid} was "
                                  "stopped" if not loading else f"plan worker {worker.pid} "
                                  f"did not load the model within {LOAD_PATIENCE:g} seconds: "
                                  "stopped")
                    raise self._refuse_late() from None
                except Stopped:
                    if self._closed:
                        raise self._refuse_closing() from None
                    cause, again = worker.cause(), attempt < _RETRIES
                    self._replace(position, worker, f"plan worker {worker.pid} died before "
                                  f"answering a plan ({cause})",
                                  then="the plan is sent to it again" if again else
                                  "the plan, already sent again once, is refused with 503")
                    if self._closed:
                        raise self._refuse_closing() from None
                    if not again:
                        raise self._refuse(f"the plan worker died before answering ({cause}) "
                                           "twice in a row; the workers were replaced, retry "
                                           "after Retry-After seconds") from None
                    attempt += 1
        finally:
            if not self._closed:
                self._idle.put(position)

    def _replace(self, position: int, old: Worker, why: str, then: str = "") -> None:
        """Stop worker ``old`` and start a fresh one in its place, loading the served edition;
        logged as ``why``, the fresh worker, and what happens ``then``."""
        with self._lock:
            if self._closed or self._pool[position] is not old:
                return
            fresh = self._start()
            self._pool[position] = fresh
        old.stop()
        logger.warning("%s; worker %s replaces it%s", why, fresh.pid, f"; {then}" if then else "")
        if self._edition is not None:
            try:
                fresh.send(_preload, *self._edition, loads=True)
            except Stopped:
                pass

    def close(self, patience: float = CLOSE_PATIENCE, *, wait: bool = True) -> None:
        """Stop the workers: waiting plans are refused at once, running ones get
        ``patience`` seconds to end (then they are refused with 503 too), then each
        worker is terminated (killed if it ignores that).

        ``wait=False`` starts the shutdown and returns (``talentgap serve`` calls it
        on SIGTERM, before the server waits for the requests in flight); a later
        ``close()`` waits for it to end.
        """
        with self._lock:
            first = not self._closed
            if first:
                self._closed = True
                self._close_deadline = time.monotonic() + patience
                pool, pending = list(self._pool), self._pending
                self._stopper = threading.Thread(target=self._stop, args=(pool, patience),
                                                 name="talentgap-plan-shutdown", daemon=True)
        if first:
            atexit.unregister(self._close_at_exit)
            self._idle.put(None)  # plans waiting for a worker are refused
            if pending:
                logger.warning("shutting down with %d plan(s) being solved or waiting: "
                               "waiting ones are refused with 503, running ones get %g s",
                               pending, patience)
            self._stopper.start()
        if wait and self._stopper is not None:
            self._stopper.join()

    def _stop(self, pool: list[Worker], patience: float) -> None:
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
