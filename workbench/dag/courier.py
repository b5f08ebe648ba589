"""The Dask executor's go-between for one run: sends attempts, hands results back.

:class:`Courier` is the scheduler's backend on a Dask executor (see
:mod:`workbench.dag.dask_backend` for the design: what runs where, how tracking calls,
logs and worker placement come back, how lost workers and cancellation are handled).
It lives apart from the executor so each module does one thing: the executor connects
to a cluster and checks it; the courier moves one run's attempts through it.
"""

from __future__ import annotations

import logging
import pickle
import queue
import threading
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from workbench.dag.attempt import Attempt, AttemptResult, RunState, describe_error, utc_now
from workbench.dag.hooks import call_safely
from workbench.dag.placement import ENGINE, placement
from workbench.dag.records import TaskStatus
from workbench.dag.remote import (
    RemoteContext,
    RemoteResult,
    replay,
    replay_logs,
    restore_sources,
    run_remote,
)
from workbench.dag.scheduler import Reporter
from workbench.dag.shipping import ship_by_value

_log = logging.getLogger(__name__)

CLOSE_WAIT_S = 10.0
"""How long the end of a run waits for its courier thread to hand back the last results."""


@dataclass
class _Flight:
    """An attempt on its way through the cluster."""

    future: Any
    """Its ``distributed.Future``."""
    sent_at: datetime
    """When it was handed over (the start time if the cluster never reports one)."""
    key: str | None
    """Cache key to store the result under, if the task caches."""
    cancel: Any = None
    """Its ``distributed.Event`` when the task takes ``ctx``."""
    worker: str | None = None
    """The address of the worker running it, once announced."""
    stopped: bool = False
    """The scheduler told it to stop (run cancelled or timed out)."""


class Courier:
    """One run's go-between: sends attempts to the cluster and hands results back.

    The scheduler calls ``submit``, ``stop``, ``abandon`` and ``close`` under its lock;
    they only post to the inbox (or start a thread for a ``local`` task), so cluster
    round trips never hold up scheduling. The
    courier thread works the inbox in order: sends attempts (argument wiring and cache
    lookups happen here), gathers finished futures in one batch, replays their tracking
    calls and reports them. Dask's done-callbacks only post to the inbox, too.
    """

    def __init__(self, client: Any, run: RunState, report: Reporter, distributed: Any) -> None:
        self.client = client
        self.distributed = distributed
        self.run = run
        self.report = report
        self._inbox: queue.SimpleQueue[tuple[str, Attempt | None, Any]] = queue.SimpleQueue()
        self._flights: dict[Attempt, _Flight] = {}  # only the courier thread touches it
        self._topic = f"workbench-run-{uuid.uuid4().hex}"
        client.subscribe_topic(self._topic, self._started)
        self._thread = threading.Thread(
            target=self._loop, name=f"dag-dask-{run.run_id}", daemon=True
        )
        self._thread.start()

    def submit(self, attempt: Attempt, busy: int) -> None:
        if self._here(attempt):
            worker = threading.Thread(
                target=self._run_here, args=(attempt,), name=f"dag-local-{attempt.name}"
            )
            worker.daemon = True
            worker.start()
        else:
            self._inbox.put(("submit", attempt, None))

    def _here(self, attempt: Attempt) -> bool:
        """True when the attempt runs on this process (engine-side arguments or option).

        Called under the scheduler's lock, where upstream values cannot change.
        """
        if attempt.task.options.where == ENGINE:
            return True
        try:
            return placement(attempt.task, attempt.arguments(context=False)) == ENGINE
        except Exception:  # wiring errors are reported by whoever runs it
            return False

    def stop(self, attempt: Attempt) -> None:
        attempt.stop()  # what a local attempt's ctx reads
        self._inbox.put(("stop", attempt, None))

    def worker_lost(self, worker: str, message: dict[str, Any]) -> None:
        """A worker left the cluster (called on the client's loop): post it."""
        self._inbox.put(("lost", None, (worker, message)))

    def _started(self, event: tuple[float, Any]) -> None:
        """A worker announced an attempt's start (on the client's loop): post it."""
        self._inbox.put(("started", None, event[1]))

    def abandon(self, attempt: Attempt) -> None:
        self._inbox.put(("abandon", attempt, None))

    def close(self) -> None:
        self._inbox.put(("close", None, None))
        if self._thread is not threading.current_thread():
            self._thread.join(CLOSE_WAIT_S)

    def _run_here(self, attempt: Attempt) -> None:
        """An engine-side task: run it on this thread, as the thread executor would."""
        run = self.run
        call_safely(run.hooks.on_task_worker, run.run_id, attempt.name, attempt.number, ENGINE)
        self.report(attempt.execute())

    def _landed(self, attempt: Attempt, future: Any) -> None:
        """Dask's done-callback (on Dask's callback thread): just post it."""
        self._inbox.put(("done", attempt, future))

    def _loop(self) -> None:
        while True:
            batch = [self._inbox.get()]
            while True:
                try:
                    batch.append(self._inbox.get_nowait())
                except queue.Empty:
                    break
            landed: list[tuple[Attempt, Any]] = []
            closing = False
            for kind, attempt, future in batch:
                if kind == "done" and attempt is not None:
                    landed.append((attempt, future))
                elif kind == "close":
                    closing = True
                elif kind == "started":
                    self._announced(future)
                elif kind == "lost":
                    self._lost(*future)
                elif attempt is not None:
                    self._handle(kind, attempt)
            if landed:
                self._collect(landed)
            if closing:
                self._shutdown()
                return

    def _announced(self, message: Any) -> None:
        """Tell the hooks where an attempt runs, as soon as its worker says so."""
        if not isinstance(message, dict):
            return
        for attempt, flight in self._flights.items():
            if attempt.name == message.get("task") and attempt.number == message.get("attempt"):
                worker = str(message.get("worker"))
                if flight.worker != worker:
                    flight.worker = worker
                    run = self.run
                    call_safely(
                        run.hooks.on_task_worker, run.run_id, attempt.name, attempt.number, worker
                    )
                return

    def _lost(self, worker: str, message: dict[str, Any]) -> None:
        """Fail, as lost, every attempt that ran on a worker that left the cluster."""
        processing = {str(key) for key in message.get("processing-tasks") or ()}
        for attempt, flight in list(self._flights.items()):
            if str(flight.future.key) not in processing and flight.worker != worker:
                continue
            del self._flights[attempt]
            if flight.worker != worker:  # it died before its start announcement went out
                flight.worker = worker
                run = self.run
                call_safely(
                    run.hooks.on_task_worker, run.run_id, attempt.name, attempt.number, worker
                )
            try:
                flight.future.cancel()  # or Dask would run it again behind our back
            except Exception:
                _log.warning("dask: could not cancel lost task '%s'", attempt.name, exc_info=True)
            if attempt.finished:
                continue
            result = attempt.failed(
                f"WorkerLost: worker {worker} died or left the cluster while running task "
                f"'{attempt.name}' (attempt {attempt.number})",
                None,
                flight.sent_at,
            )
            result.lost = True
            self.report(result)

    def _handle(self, kind: str, attempt: Attempt) -> None:
        try:
            if kind == "submit":
                self._send(attempt)
            elif kind == "stop":
                flight = self._flights.get(attempt)
                if flight is not None:
                    flight.stopped = True
                    if flight.cancel is not None:
                        flight.cancel.set()  # it reads ctx: let it stop and answer
                    else:  # it cannot hear: drop it (if it runs, its result is ignored)
                        flight.future.cancel()
            elif kind == "abandon":
                flight = self._flights.pop(attempt, None)
                if flight is not None:
                    flight.future.cancel()
        except Exception:
            _log.warning("dask: could not %s task '%s'", kind, attempt.name, exc_info=True)

    def _send(self, attempt: Attempt) -> None:
        """Wire the arguments, look in the cache, and hand the call to the cluster."""
        run, started = self.run, utc_now()
        try:
            kwargs = attempt.arguments(context=False)
            key, hit, value = attempt.lookup(kwargs)
            if hit:
                self.report(attempt.succeeded(value, None, started, cached=True))
                return
        except Exception as exc:
            self.report(attempt.failed(describe_error(exc), traceback.format_exc(), started))
            return
        cancel = None
        if attempt.takes_context:
            cancel = self.distributed.Event(f"workbench-{uuid.uuid4().hex}", client=self.client)
        context = RemoteContext(
            run.run_id,
            attempt.name,
            attempt.number,
            dict(run.params),
            cancel,
            takes_context=attempt.takes_context,
            topic=self._topic,
        )
        call_safely(run.hooks.on_task_start, run.run_id, attempt.name, attempt.number)
        try:
            ship_by_value(attempt.task.fn)
            future = self.client.submit(
                run_remote,
                attempt.task.fn,
                kwargs,
                context,
                key=f"{attempt.name}-{attempt.number}-{uuid.uuid4().hex}",
                pure=False,
            )
        except Exception as exc:
            error = _unsendable(attempt, kwargs, exc)
            self.report(attempt.failed(error, traceback.format_exc(), started))
            return
        self._flights[attempt] = _Flight(future, started, key, cancel)
        future.add_done_callback(partial(self._landed, attempt))

    def _collect(self, landed: list[tuple[Attempt, Any]]) -> None:
        """Fetch every finished result in one round trip, then settle each attempt."""
        finished = [f for a, f in landed if f.status == "finished" and a in self._flights]
        fetched: dict[int, Any] = {}
        if finished:
            try:
                values = self.client.gather(finished)
                fetched = {id(f): v for f, v in zip(finished, values, strict=True)}
            except Exception:  # fetch one by one below, each with its own error
                _log.warning("dask: batch gather failed; fetching one by one", exc_info=True)
        for attempt, future in landed:
            flight = self._flights.pop(attempt, None)
            if flight is None or attempt.finished:
                continue  # timed out: the scheduler no longer waits for it
            self.report(self._settle(attempt, future, flight, fetched))

    def _settle(
        self, attempt: Attempt, future: Any, flight: _Flight, fetched: dict[int, Any]
    ) -> AttemptResult:
        try:
            if future.status == "finished":
                remote = fetched[id(future)] if id(future) in fetched else future.result()
                return self._replayed(attempt, remote, flight)
            if future.status == "cancelled" and flight.stopped:
                return attempt.failed(
                    f"CancelledError: task '{attempt.name}' (attempt {attempt.number}) was "
                    "dropped from the Dask cluster when it was told to stop; a call already "
                    "running on a worker finishes there, unheard",
                    None,
                    flight.sent_at,
                )
            if future.status == "cancelled":
                return attempt.failed(
                    f"CancelledError: the Dask cluster dropped task '{attempt.name}' "
                    f"(attempt {attempt.number}) before it finished; was it shut down?",
                    None,
                    flight.sent_at,
                )
            exc = future.exception()
            return attempt.failed(
                f"the Dask cluster could not run task '{attempt.name}': {describe_error(exc)}",
                "".join(traceback.format_exception(exc)),
                flight.sent_at,
            )
        except Exception as exc:
            return attempt.failed(describe_error(exc), traceback.format_exc(), flight.sent_at)

    def _replayed(self, attempt: Attempt, remote: RemoteResult, flight: _Flight) -> AttemptResult:
        """Replay the attempt's logs and tracking calls, then make its result (a hook may
        fail it)."""
        run = self.run
        if remote.worker and remote.worker != flight.worker:
            flight.worker = remote.worker  # its start announcement was missed
            call_safely(
                run.hooks.on_task_worker, run.run_id, attempt.name, attempt.number, remote.worker
            )
        replay_logs(run.run_id, attempt.name, attempt.number, remote.logs, remote.worker)
        replay(run.hooks, remote.calls)
        if not remote.ok:
            code = getattr(attempt.task.fn, "__code__", None)
            return AttemptResult(
                attempt,
                TaskStatus.FAILED,
                None,
                remote.started_at,
                remote.finished_at,
                error=remote.error,
                traceback=restore_sources(remote.traceback or "", code and code.co_filename)
                or None,
            )
        return attempt.succeeded(remote.value, flight.key, remote.started_at, remote.finished_at)

    def _shutdown(self) -> None:
        """Cancel what is still in flight (abandoned or interrupted attempts)."""
        try:
            self.client.unsubscribe_topic(self._topic)
        except Exception:
            _log.debug("dask: could not unsubscribe %s", self._topic, exc_info=True)
        futures = [flight.future for flight in self._flights.values()]
        self._flights.clear()
        if futures:
            try:
                self.client.cancel(futures)
            except Exception:
                _log.warning("dask: could not cancel %d futures", len(futures), exc_info=True)


def _unsendable(attempt: Attempt, kwargs: dict[str, Any], exc: Exception) -> str:
    """Why ``client.submit`` refused the call, naming an argument that does not pickle."""
    import cloudpickle

    for param, value in kwargs.items():
        try:
            cloudpickle.dumps(value)
        except Exception:
            return (
                f"task '{attempt.name}': parameter '{param}' ({type(value).__name__}) cannot be "
                f"sent to the Dask cluster, it does not pickle: {describe_error(exc)}; "
                "if it is an engine resource, mark its class __engine_side__ = True or "
                'declare the task @task(where="engine")'
            )
    try:
        cloudpickle.dumps(attempt.task.fn)
    except (pickle.PicklingError, TypeError, AttributeError):
        return (
            f"task '{attempt.name}': its function cannot be sent to the Dask cluster, it does "
            f"not pickle: {describe_error(exc)}"
        )
    return f"could not send task '{attempt.name}' to the Dask cluster: {describe_error(exc)}"
