"""The scheduler: one run's bookkeeping, shared by every executor backend.

It decides which tasks are ready, hands attempts to a :class:`Backend`, and reacts to
results, timeouts, retry delays and cancellation. It runs on the caller's thread and
sleeps on a queue of results between events (no polling, except that a caller-supplied
cancel event, which cannot wake a queue, is checked every ``CANCEL_CHECK_S`` while idle).
"""

from __future__ import annotations

import heapq
import itertools
import queue
import time
from collections import deque
from datetime import datetime
from typing import Any, Protocol

from workbench.dag import rules
from workbench.dag.attempt import Attempt, AttemptResult, RunState, utc_now
from workbench.dag.hooks import call_safely
from workbench.dag.records import RunOutcome, TaskOutcome, TaskStatus

CANCEL_CHECK_S = 0.02
"""How often an idle scheduler looks at a caller-supplied cancel event."""


class Backend(Protocol):
    """Where attempts run: worker threads, a Dask cluster, ..."""

    def submit(self, attempt: Attempt, busy: int) -> None:
        """Run ``attempt.execute()`` soon and put its result on the scheduler's queue.

        ``busy`` counts the attempts in flight, this one included (never more than the
        scheduler's ``max_parallel``).
        """

    def abandon(self, attempt: Attempt) -> None:
        """The scheduler stopped waiting for ``attempt`` (timeout); free its slot."""


class Scheduler:
    """Runs one :class:`RunState` to completion over a backend.

    Args:
        run: The run.
        backend: Where attempts execute.
        results: The queue the backend puts :class:`AttemptResult` objects on.
        max_parallel: Attempts in flight at most.
    """

    def __init__(
        self,
        run: RunState,
        backend: Backend,
        results: queue.SimpleQueue[AttemptResult],
        max_parallel: int,
    ) -> None:
        self._run = run
        self._pipeline = run.pipeline
        self._backend = backend
        self._results = results
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
        self._cancelling = False

    def execute(self) -> RunOutcome:
        """Run every task to a final status and return the run's outcome."""
        run = self._run
        started = utc_now()
        call_safely(run.hooks.on_run_start, run.run_id, self._pipeline)
        self._ready.extend((name, 1) for name, count in self._remaining.items() if count == 0)
        try:
            self._loop()
        except BaseException:  # Ctrl-C in the caller, or a bug: tell running tasks to stop
            for attempt in self._running.values():
                attempt.stop()
            raise
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

    def _loop(self) -> None:
        run = self._run
        while True:
            if run.watch_cancel and not self._cancelling and run.cancel.is_set():
                self._cancel()
            self._dispatch()
            if not (self._running or self._ready or self._waiting):
                return
            result = self._next_result()
            while result is not None:  # handle every result already in before dispatching
                self._on_result(result)
                result = self._next_ready_result()
            self._fire_timers()

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

    def _next_result(self) -> AttemptResult | None:
        timeout: float | None = None
        if self._timers:
            timeout = max(0.0, self._timers[0][0] - time.monotonic())
        if self._run.watch_cancel and not self._cancelling:
            timeout = CANCEL_CHECK_S if timeout is None else min(timeout, CANCEL_CHECK_S)
        try:
            if timeout == 0.0:
                return self._results.get_nowait()
            return self._results.get(timeout=timeout)
        except queue.Empty:
            return None

    def _next_ready_result(self) -> AttemptResult | None:
        try:
            return self._results.get_nowait()
        except queue.Empty:
            return None

    def _on_result(self, result: AttemptResult) -> None:
        attempt = result.attempt
        if attempt.finished:
            return
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
            self._attempt_failed(attempt, result.error or "failed", result.traceback)

    def _attempt_failed(self, attempt: Attempt, error: str, tb: str | None) -> None:
        name = attempt.name
        options = self._options[name]
        if self._cancelling:
            self._complete(name, TaskStatus.CANCELLED, f"cancelled while running: {error}", tb)
        elif attempt.number <= options.retries:
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
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._seq), kind, payload))

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
            return
        with attempt.lock:
            if attempt.done:
                return  # the result is already on its way
            attempt.abandoned = True
        attempt.finished = True
        attempt.stop()
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
            attempt.stop()
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
