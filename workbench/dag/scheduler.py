"""The scheduler: one run's bookkeeping, shared by every executor backend.

It decides which tasks are ready, hands attempts to a :class:`Backend`, and reacts to
results, timeouts, retry delays and cancellation. Its state sits behind one lock.
Backends report results through :meth:`Scheduler.report` from their own threads, and the
reporting thread settles the task and dispatches whatever became ready on the spot: a
chain of tasks moves from worker to worker without waking another thread, as in a bare
``ThreadPoolExecutor`` runner. The caller's thread only waits, on a condition, for the
run to end and for the next timer (timeouts, retry delays); a caller-supplied cancel
event, which cannot wake a condition, is looked at every ``CANCEL_CHECK_S`` while idle.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from workbench.dag import rules
from workbench.dag.attempt import Attempt, AttemptResult, RunState, utc_now
from workbench.dag.hooks import call_safely
from workbench.dag.records import RunOutcome, TaskOutcome, TaskStatus

CANCEL_CHECK_S = 0.02
"""How often an idle scheduler looks at a caller-supplied cancel event."""

LOST_RETRIES = 2
"""Extra attempts a task gets when its worker dies under it (on top of its ``retries``):
a worker lost is the cluster's failure, not the task's, as distributed's own
``allowed-failures`` treats it."""

Reporter = Callable[[AttemptResult], bool]
""":meth:`Scheduler.report`: hand back a result; False means it was no longer awaited."""


class Backend(Protocol):
    """Where attempts run: worker threads, a Dask cluster, ...

    The scheduler calls every method under its lock, so none may block for long, and
    ``submit`` must not report on the calling thread (report from a worker or courier).
    """

    def submit(self, attempt: Attempt, busy: int) -> None:
        """Run ``attempt`` soon and report its :class:`AttemptResult` with the reporter.

        ``busy`` counts the attempts in flight, this one included (never more than the
        scheduler's ``max_parallel``).
        """

    def stop(self, attempt: Attempt) -> None:
        """Ask a running attempt to stop: its ``ctx.cancelled`` turns true."""

    def abandon(self, attempt: Attempt) -> None:
        """The scheduler stopped waiting for ``attempt`` (timeout); free its slot."""

    def close(self) -> None:
        """The run is over; release workers (attempts still running were abandoned)."""


BackendFactory = Callable[[Reporter], Backend]
"""Builds a run's backend around the reporter its results go to."""


class Scheduler:
    """Runs one :class:`RunState` to completion over a backend.

    Args:
        run: The run.
        backend: Builds the backend, given :meth:`report`; the scheduler closes it.
        max_parallel: Attempts in flight at most.
    """

    def __init__(self, run: RunState, backend: BackendFactory, max_parallel: int) -> None:
        self._run = run
        self._pipeline = run.pipeline
        self._max = max_parallel
        self._options = {t.name: t.options for t in run.pipeline.tasks}
        self._downstream = {n: run.pipeline.downstream(n) for n in run.pipeline.names}
        self._remaining = {n: len(run.pipeline.upstream(n)) for n in run.pipeline.names}
        self._ready: deque[tuple[str, int]] = deque()
        self._running: dict[str, Attempt] = {}
        self._waiting: dict[str, str] = {}  # task -> error of the attempt to be retried
        self._timers: list[tuple[float, int, str, Any]] = []
        self._seq = itertools.count()
        self._statuses: dict[str, TaskStatus] = {}
        self._outcomes: dict[str, TaskOutcome] = {}
        self._chosen: dict[str, frozenset[str]] = {}
        self._started: dict[str, datetime] = {}
        self._attempts: dict[str, int] = {}
        self._lost: dict[str, int] = {}  # task -> attempts lost with their worker
        self._cancelling = False
        self._crash: BaseException | None = None
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._backend = backend(self.report)

    def execute(self) -> RunOutcome:
        """Run every task to a final status and return the run's outcome."""
        run = self._run
        started = utc_now()
        call_safely(run.hooks.on_run_start, run.run_id, self._pipeline)
        try:
            with self._lock:
                self._ready.extend((n, 1) for n, count in self._remaining.items() if count == 0)
                self._wait_until_done()
        except BaseException:  # Ctrl-C in the caller, or a bug: tell running tasks to stop
            with self._lock:
                for attempt in self._running.values():
                    self._backend.stop(attempt)
            raise
        finally:
            self._backend.close()
        names = self._pipeline.names
        outcome = RunOutcome(
            run_id=run.run_id,
            pipeline=self._pipeline.name,
            status=rules.run_status(self._pipeline, self._statuses),
            tasks={n: self._outcomes[n] for n in names},
            values={n: run.values[n] for n in names if n in run.values},
            started_at=started,
            finished_at=utc_now(),
        )
        call_safely(run.hooks.on_run_end, run.run_id, outcome)
        return outcome

    def report(self, result: AttemptResult) -> bool:
        """Settle an attempt's result and start what it made ready; any thread may call.

        Returns:
            False when the attempt was no longer awaited (it timed out): the result is
            dropped, and a thread backend retires the worker that ran it.
        """
        with self._lock:
            if result.attempt.finished:
                return False
            try:
                self._on_result(result)
                self._dispatch()
            except BaseException as exc:  # a bug: fail the run loudly instead of hanging
                self._crash = exc
                self._wake.notify()
                return True
            if self._idle():
                self._wake.notify()
            return True

    def _wait_until_done(self) -> None:
        """The caller's loop, under the lock: fire timers, watch cancel, wait."""
        run = self._run
        while True:
            if self._crash is not None:
                raise self._crash
            if run.watch_cancel and not self._cancelling and run.cancel.is_set():
                self._cancel()
            self._fire_timers()
            self._dispatch()
            if self._idle():
                return
            timeout: float | None = None
            if self._timers:
                timeout = max(0.0, self._timers[0][0] - time.monotonic())
            if run.watch_cancel and not self._cancelling:
                timeout = CANCEL_CHECK_S if timeout is None else min(timeout, CANCEL_CHECK_S)
            self._wake.wait(timeout)

    def _idle(self) -> bool:
        """True when nothing runs, is ready or waits to retry: the run is over."""
        return not (self._running or self._ready or self._waiting)

    def _dispatch(self) -> None:
        while self._ready and len(self._running) < self._max and not self._cancelling:
            name, number = self._ready.popleft()
            attempt = Attempt(self._run, name, number)
            if number == 1:
                self._started[name] = utc_now()
            self._running[name] = attempt
            timeout = self._options[name].timeout
            if timeout is not None:
                self._push_timer(timeout, "timeout", attempt)
            self._backend.submit(attempt, len(self._running))

    def _on_result(self, result: AttemptResult) -> None:
        attempt = result.attempt
        attempt.finished = True
        name = attempt.name
        del self._running[name]
        if attempt.number == 1:
            self._started[name] = result.started_at
        if result.status is TaskStatus.CACHED:
            self._attempts[name] = 0
        else:
            self._attempts[name] = attempt.number
        if result.status.succeeded:
            self._run.values[name] = result.value
            if result.chosen is not None:
                self._chosen[name] = result.chosen
            self._complete(name, result.status, finished_at=result.finished_at)
        else:
            if result.lost:
                self._lost[name] = self._lost.get(name, 0) + 1
            self._attempt_failed(attempt, result.error or "failed", result.traceback)

    def _attempt_failed(self, attempt: Attempt, error: str, tb: str | None) -> None:
        name = attempt.name
        options = self._options[name]
        lost = min(self._lost.get(name, 0), LOST_RETRIES)
        if self._cancelling:
            self._complete(name, TaskStatus.CANCELLED, f"cancelled while running: {error}", tb)
        elif attempt.number <= options.retries + lost:
            call_safely(
                self._run.hooks.on_task_retry, self._run.run_id, name, attempt.number, error
            )
            delay = options.retry_wait(attempt.number)
            if delay > 0:
                self._waiting[name] = error
                self._push_timer(delay, "retry", (name, attempt.number + 1))
            else:
                self._ready.append((name, attempt.number + 1))
        else:
            self._complete(name, TaskStatus.FAILED, error, tb)

    def _push_timer(self, delay: float, kind: str, payload: Any) -> None:
        entry = (time.monotonic() + delay, next(self._seq), kind, payload)
        heapq.heappush(self._timers, entry)
        if self._timers[0] is entry:  # earlier than what the caller's thread waits for
            self._wake.notify()

    def _fire_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, kind, payload = heapq.heappop(self._timers)
            if kind == "retry":
                name, number = payload
                if self._waiting.pop(name, None) is not None:
                    self._ready.append((name, number))
            else:
                self._timed_out(payload)

    def _timed_out(self, attempt: Attempt) -> None:
        if attempt.finished:
            return  # its result came first
        attempt.finished = True
        self._backend.stop(attempt)
        name = attempt.name
        del self._running[name]
        self._backend.abandon(attempt)
        self._attempts[name] = attempt.number
        timeout = self._options[name].timeout
        error = (
            f"TimeoutError: task '{name}' did not finish within {timeout:g} s "
            f"(attempt {attempt.number}); it was asked to stop and is no longer awaited"
        )
        self._attempt_failed(attempt, error, None)

    def _cancel(self) -> None:
        """Stop starting tasks: everything not running ends ``cancelled``."""
        self._cancelling = True
        for attempt in self._running.values():
            self._backend.stop(attempt)
        for name in self._pipeline.names:
            if name in self._statuses or name in self._running:
                continue
            if name in self._waiting:
                error = f"run cancelled while waiting to retry after: {self._waiting[name]}"
            else:
                error = "run cancelled before the task started"
            self._record(name, TaskStatus.CANCELLED, error)
        self._ready.clear()
        self._waiting.clear()

    def _complete(
        self,
        name: str,
        status: TaskStatus,
        error: str | None = None,
        tb: str | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        """Record a final status, then settle every downstream task that can be settled."""
        self._record(name, status, error, tb, finished_at)
        todo = [name]
        while todo:
            done = todo.pop()
            for down in self._downstream[done]:
                self._remaining[down] -= 1
                if self._remaining[down] or down in self._statuses:
                    continue
                verdict = rules.decide(self._pipeline, down, self._statuses, self._chosen)
                if verdict is None:
                    self._ready.append((down, 1))
                else:
                    self._record(down, verdict[0], verdict[1])
                    todo.append(down)

    def _record(
        self,
        name: str,
        status: TaskStatus,
        error: str | None = None,
        tb: str | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        finished = finished_at or utc_now()
        started = self._started.get(name)
        duration = (finished - started).total_seconds() if started is not None else 0.0
        outcome = TaskOutcome(
            task=name,
            status=status,
            attempts=self._attempts.get(name, 0),
            started_at=started,
            finished_at=finished,
            duration_s=max(0.0, duration),
            error=error,
            traceback=tb,
            cached=status is TaskStatus.CACHED,
        )
        self._statuses[name] = status
        self._outcomes[name] = outcome
        call_safely(self._run.hooks.on_task_end, self._run.run_id, outcome)
