"""The plan worker processes: what runs in them, and the serving process's end of each.

:class:`~talentgap.service.plan_workers.PlanWorkers` keeps a pool of
:class:`Worker`; each is a :class:`multiprocessing.Process` started with
``spawn`` that runs :func:`work`: it takes one task at a time over its own
pipe (a preload of the served edition, :func:`preload`, or a plan,
:func:`solve`) and sends back the outcome. An exception raised in a worker
arrives in the serving process caused by a :class:`_WorkerTraceback` that
holds the worker's frames.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import signal
import threading
import time
import traceback
from collections import OrderedDict

from talentgap.errors import TalentGapError, collect_warnings
from talentgap.service._operations import run_plan
from talentgap.service.errors import ServiceError, library_refusal
from talentgap.service.state import LoadedModel

__all__ = ["Worker", "Stopped", "Overran", "preload", "solve", "work", "SAVED_OVER"]

#: Model editions a worker keeps (the one served and the one before a reload).
_KEPT_EDITIONS = 2
#: Seconds a terminated worker may take to exit before it is killed.
_KILL_PATIENCE = 2.0
#: Why the workers cannot use an edition that was saved over.
SAVED_OVER = ("the artifact or edition on disk is now another edition, saved over since "
              "the server loaded it")

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


def preload(source: tuple, signature: str, horizon: int) -> bool:
    """Load the edition and draw its sample paths for ``horizon``; True when loaded."""
    loaded = _edition(source, signature)
    if loaded is None:
        return False
    with collect_warnings():  # a plan reports its own warnings
        loaded.model.prepare(horizon)
    return True


def solve(source: tuple, signature: str, body, max_size: int | None,
           max_horizon: int | None = None) -> tuple[str, object]:
    """One plan: ``("ok", fields)``, ``("refused", (status, msg, loc, kind))`` or
    ``("stale", None)`` when the source now holds another edition, ``("unloadable",
    reason)`` when it cannot be loaded (damaged, removed): the server's problem, never
    the request's."""
    try:
        loaded = _edition(source, signature)
    except (TalentGapError, OSError) as error:
        return "unloadable", f"{type(error).__name__}: {error}"
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


def work(conn) -> None:
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


class Stopped(Exception):
    """The worker process ended before it answered."""


class Overran(Exception):
    """The worker did not answer in time (it is still running the task)."""


class Worker:
    """One worker process and the serving process's end of its pipe.

    One thread at a time calls :meth:`call` (the pool hands a worker to one
    plan); :meth:`send` may be called from any thread.
    """

    def __init__(self, context, on_unusable=None) -> None:
        ours, theirs = context.Pipe()
        self.process = context.Process(target=work, args=(theirs,),
                                       name="talentgap-plan-worker")
        self.process.start()
        theirs.close()  # the worker's end lives in the worker: its exit reads as EOF here
        self.pid: int = self.process.pid
        self._conn = ours
        self._numbers = itertools.count(1)
        self._send_lock = threading.Lock()
        self._recv_lock = threading.Lock()  # one reader of the pipe at a time
        #: (task number, signature) of the preload not answered yet
        self._loading: tuple[int, str] | None = None
        self._on_unusable = on_unusable  # called with (signature, reason) for a failed preload

    def alive(self) -> bool:
        return self.process.is_alive()

    def send(self, function, *args, loads: bool = False) -> int:
        """Queue ``function(*args)`` in the worker; its number. Raises Stopped.

        ``loads``: the task is a preload (``(source, signature, horizon)``), whose end
        :meth:`loading` and :meth:`wait_loaded` watch for."""
        with self._send_lock:
            number = next(self._numbers)
            if loads:  # noted before the answer can arrive
                self._loading = (number, args[1])
            try:
                self._conn.send((number, function, args))
            except (EOFError, OSError):
                raise Stopped from None
        return number

    def _take(self, answer: tuple) -> tuple:
        """Note an answer read from the pipe: the end of a preload (a failed one is reported
        to ``on_unusable``); the answer itself."""
        answered, status, value = answer
        loading = self._loading
        if loading is not None and answered == loading[0]:
            self._loading = None
            reason = (f"{type(value).__name__}: {value}" if status == "error"
                      else None if value else SAVED_OVER)
            if reason is not None and self._on_unusable is not None:
                self._on_unusable(loading[1], reason)
        return answer

    def loading(self) -> bool:
        """True while the worker has not answered its last preload (read here when no
        plan is reading the pipe)."""
        if self._loading is not None and self._recv_lock.acquire(blocking=False):
            try:
                while self._loading is not None and self._conn.poll(0):
                    self._take(self._conn.recv())
            except (EOFError, OSError):
                self._loading = None  # it died: the next plan on it finds out
            finally:
                self._recv_lock.release()
        return self._loading is not None and self.alive()

    def _next(self, timeout: float) -> tuple:
        """The next answer within ``timeout`` seconds; raises Overran, or Stopped when
        the process ends first. The caller holds the read lock."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            ready = multiprocessing.connection.wait([self._conn, self.process.sentinel],
                                                    max(0.0, remaining))
            if self._conn in ready:
                try:
                    return self._take(self._conn.recv())
                except (EOFError, OSError):
                    raise Stopped from None
            if ready:
                raise Stopped
            if remaining <= 0:
                raise Overran

    def wait_loaded(self, patience: float) -> float:
        """Wait for the worker's preload to end (at most ``patience`` seconds); the seconds
        waited. Raises Overran, or Stopped when the process ends first."""
        start = time.monotonic()
        with self._recv_lock:
            while self._loading is not None:
                self._next(max(0.0, start + patience - time.monotonic()))
        return time.monotonic() - start

    def call(self, function, *args, timeout: float):
        """``function(*args)`` run in the worker: its result, or the error it raised.

        Answers of earlier tasks sent without waiting (:meth:`PlanWorkers.preload`)
        are read on the way. Raises Overran after ``timeout`` seconds, Stopped
        when the process ends first.
        """
        deadline = time.monotonic() + timeout
        with self._recv_lock:
            number = self.send(function, *args)
            while True:
                answered, status, value = self._next(max(0.0, deadline - time.monotonic()))
                if answered == number:
                    if status == "error":
                        raise value
                    return value

    def cause(self, patience: float = _KILL_PATIENCE) -> str:
        """Why the process ended, for the log (``"killed by SIGKILL"``, ``"exited with
        code 1"``), once it has (waits up to ``patience`` seconds for it to end)."""
        self.process.join(patience)
        code = self.process.exitcode
        if code is None:
            return "its pipe closed while it still runs"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = (", as by the kernel's out-of-memory killer or kill -9"
                    if -code == getattr(signal, "SIGKILL", 9) else "")
            return f"killed by {name}{hint}"
        return f"exited with code {code}"

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
