"""Plans solved in worker processes, so that a plan never slows the other answers.

A plan (``POST /v1/plan``) draws the gap model's sample paths and solves a
linear program (HiGHS through SciPy); both hold the interpreter lock for
seconds on a large model. Run in the serving process they would share it
with the event loop and the threads answering ``/v1/gap`` and
``/v1/forecast``, and every one of those would wait. :class:`PlanWorkers`
runs plans in a small pool of worker processes instead
(:class:`concurrent.futures.ProcessPoolExecutor`, started with ``spawn``, one
worker by default). The app starts the pool in its lifespan and stops it on
shutdown; an app whose lifespan does not run (mounted in another app, or
called through ``TestClient(app)`` outside a ``with`` block) solves plans in
its own process, with the same answers.

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
    refused with 503 (the worker finishes it and goes on).
Clean shutdown
    :meth:`PlanWorkers.close` cancels waiting plans, lets running ones end
    for a few seconds, then terminates the workers: no worker outlives the
    server.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import signal
import threading
import time
from collections import OrderedDict
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

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

# -- in the worker processes ---------------------------------------------------------------

_editions: OrderedDict[str, LoadedModel] = OrderedDict()


def _start_worker() -> None:
    """Worker start-up: Ctrl-C is the server's to handle (it closes the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _edition(source: tuple, signature: str) -> LoadedModel | None:
    """The model edition ``signature`` loaded from ``source`` in this worker, or None.

    None when the source now holds another edition (saved over since the
    server loaded it).
    """
    loaded = _editions.get(signature)
    if loaded is None:
        path, store, edition = source
        loaded = LoadedModel(path, store=store, edition=edition, answers=False)
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
        loaded.model._simulation(horizon)
    return True


def _solve(source: tuple, signature: str, body, max_size: int | None) -> tuple[str, object]:
    """One plan: ``("ok", fields)``, ``("refused", (status, msg, loc, kind))`` or
    ``("stale", None)`` when the worker cannot load the edition asked for."""
    loaded = _edition(source, signature)
    if loaded is None:
        return "stale", None
    try:
        return "ok", run_plan(loaded, body, max_size=max_size)
    except ServiceError as error:
        return "refused", (error.status, error.msg, error.loc, error.kind)
    except TalentGapError as error:
        return "refused", library_refusal(error)


# -- in the serving process ----------------------------------------------------------------


class PlanWorkers:
    """A pool of worker processes that solve plans, with a bounded queue.

    Parameters
    ----------
    workers : int
        Worker processes (>= 1).
    queue : int
        Plans that may wait for a worker; one more is refused with 503.
    timeout : float
        Seconds a plan may wait and run before it is refused with 503.

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
    >>> answer = workers.solve(served, body, max_size=None)
    >>> workers.close()
    >>> answer["summary"]["total_cost"] <= 100_000, workers.pids()
    (True, [])
    """

    def __init__(self, workers: int = 1, queue: int = 4, timeout: float = 300.0) -> None:
        self.workers, self.queue, self.timeout = int(workers), int(queue), float(timeout)
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._seconds = 1.0  # recent plans' duration (moving average), for Retry-After
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker)

    @property
    def pending(self) -> int:
        """Plans being solved or waiting now."""
        return self._pending

    def pids(self) -> list[int]:
        """Process ids of the live workers (started on the first task)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(pid for pid, process in list(processes.items()) if process.is_alive())

    def preload(self, served: LoadedModel) -> None:
        """Ask the workers to load the served edition now (not on the first plan).

        One task per worker is queued without waiting for it; which worker
        takes which is the pool's choice, so it is a hint, not a guarantee.
        """
        if self._closed or not served.is_gap_model:
            return
        horizon = served.plan_defaults.get("horizon", 4)
        for _ in range(self.workers):
            try:
                future = self._executor.submit(_preload, served.pinned_source,
                                               served.signature, horizon)
            except RuntimeError:  # closed or broken meanwhile: the next plan finds out
                return
            future.add_done_callback(_log_failed_preload)

    def _retry_after(self) -> str:
        return str(max(1, min(600, math.ceil(self._seconds * max(1, self._pending)
                                             / self.workers))))

    def _refuse(self, msg: str) -> ServiceError:
        return ServiceError(503, msg, kind="plans_busy",
                            headers={"Retry-After": self._retry_after()})

    def solve(self, served: LoadedModel, body, *, max_size: int | None) -> dict:
        """Solve one plan in a worker, as :func:`~talentgap.service._operations.run_plan`.

        Raises
        ------
        ServiceError
            503 when the queue is full, the pool is closed or restarting, or
            the plan takes longer than ``timeout``; the 409 and 422 of
            ``run_plan``.
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
            executor = self._executor
        start = time.perf_counter()
        try:
            status, value = self._wait(executor, served, body, max_size)
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
            return run_plan(served, body, max_size=max_size)
        return value

    def _wait(self, executor: ProcessPoolExecutor, served: LoadedModel, body,
              max_size: int | None) -> tuple[str, object]:
        """Send the plan to ``executor`` and wait for its answer (see :func:`_solve`)."""
        try:
            future = executor.submit(_solve, served.pinned_source, served.signature, body,
                                     max_size)
        except BrokenProcessPool:
            self._restart(executor)
            raise self._refuse("the plan workers were restarting; retry") from None
        except RuntimeError:  # the pool was shut down meanwhile
            raise self._refuse("the service is shutting down; plans are not taken") from None
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()  # only stops a plan still waiting; a running one ends on its own
            raise self._refuse(f"the plan did not finish within {self.timeout:g} seconds "
                               "(plan_timeout); retry later or ask for a smaller plan") from None
        except BrokenProcessPool:
            self._restart(executor)
            raise self._refuse("the plan worker stopped before answering; the workers "
                               "were restarted, retry") from None
        except CancelledError:  # still waiting when the pool was closed
            raise self._refuse("the service is shutting down; plans are not taken") from None

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._closed or self._executor is not broken:
                return  # closed, or another request restarted it already
            self._executor = self._new_executor()
        logger.error("a plan worker process stopped unexpectedly; the workers were restarted")
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self, patience: float = CLOSE_PATIENCE) -> None:
        """Stop the workers: waiting plans are cancelled, running ones get ``patience``
        seconds to end, then each worker is terminated (killed if it ignores that)."""
        with self._lock:
            self._closed = True
            executor = self._executor
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + patience
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                logger.warning("plan worker %s still busy after %.0f s: terminated",
                               process.pid, patience)
                process.terminate()
                process.join(2.0)
            if process.is_alive():
                process.kill()
                process.join()


def _log_failed_preload(future) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None and not isinstance(error, BrokenProcessPool):  # not: pool closed
        logger.warning("a plan worker could not load the served model ahead of the first "
                       "plan (%s); plans will load it or be solved here", error)
