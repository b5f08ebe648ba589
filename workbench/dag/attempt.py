"""One attempt of one task: what a worker runs, whatever the backend.

The scheduler creates an :class:`Attempt` and hands it to a backend; the backend calls
:meth:`Attempt.execute` on a worker and hands the :class:`AttemptResult` back. ``execute``
never raises, so a worker cannot die and leave the scheduler waiting.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from workbench.dag.cache import TaskCache, cache_key
from workbench.dag.context import TaskContext
from workbench.dag.hooks import RunHooks, call_safely
from workbench.dag.pipeline import Pipeline
from workbench.dag.records import TaskStatus
from workbench.dag.rules import branch_choice

_log = logging.getLogger(__name__)
_MAX_ERROR_CHARS = 500


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (what every record stores)."""
    return datetime.now(UTC)


@dataclass
class RunState:
    """What every attempt of one run shares. Only the scheduler writes ``values``."""

    pipeline: Pipeline
    """The pipeline being run."""
    run_id: str
    """The caller's id for the run."""
    inputs: Mapping[str, Any]
    """Run inputs, already checked against the pipeline."""
    params: Mapping[str, Any]
    """Run params, read-only, as tasks see them in ``ctx.params``."""
    hooks: RunHooks
    """Who hears about the run."""
    cancel: threading.Event
    """Set to cancel the run (the caller's event, or a private one)."""
    watch_cancel: bool
    """True when the caller passed ``cancel``, so the scheduler must watch it."""
    cache: TaskCache | None
    """Where cacheable tasks look up and store results, if anywhere."""
    values: dict[str, Any] = field(default_factory=dict)
    """Return values of the tasks that succeeded so far."""


@dataclass(slots=True)
class AttemptResult:
    """How an attempt ended, as reported by the worker."""

    attempt: Attempt
    status: TaskStatus
    """``success``, ``cached`` or ``failed``."""
    value: Any
    started_at: datetime
    finished_at: datetime
    error: str | None = None
    traceback: str | None = None
    chosen: frozenset[str] | None = None
    """For branch tasks: the downstream tasks to follow."""


class Attempt:
    """Attempt ``number`` of task ``name``, with the flags its worker and scheduler share.

    ``lock`` orders the race between the worker finishing and the scheduler giving up on
    a timeout: the worker sets ``done`` and the scheduler sets ``abandoned``, each under
    the lock, and whichever comes first wins.
    """

    __slots__ = (
        "abandoned",
        "cancel",
        "done",
        "finished",
        "lock",
        "name",
        "number",
        "run",
        "sources",
        "task",
    )

    def __init__(self, run: RunState, name: str, number: int) -> None:
        self.run = run
        self.name = name
        self.number = number
        self.task = run.pipeline.task(name)
        self.sources = run.pipeline.parameter_sources(name)
        self.cancel: threading.Event | None = None
        """Set on timeout or run cancellation, seen as ``ctx.cancelled``; only tasks that
        take ``ctx`` can see it, so only they get one (an Event costs microseconds)."""
        if any(kind == "ctx" for _, kind in self.sources):
            self.cancel = threading.Event()
        self.lock = threading.Lock()
        self.done = False
        """Worker side: the result is (about to be) handed back."""
        self.abandoned = False
        """Scheduler side: timed out; the result, if it ever comes, is dropped."""
        self.finished = False
        """Scheduler side: this attempt's outcome has been handled."""

    def stop(self) -> None:
        """Ask the running function to stop (it sees ``ctx.cancelled``)."""
        if self.cancel is not None:
            self.cancel.set()

    def execute(self) -> AttemptResult:
        """Run the attempt on the current thread (a worker); never raises."""
        started = utc_now()
        try:
            return self._execute(started)
        except BaseException as exc:  # a worker must always report back
            return AttemptResult(
                self,
                TaskStatus.FAILED,
                None,
                started,
                utc_now(),
                error=describe_error(exc),
                traceback=traceback.format_exc(),
            )

    def _execute(self, started: datetime) -> AttemptResult:
        run = self.run
        task = self.task
        kwargs = self._arguments()
        key = None
        if task.options.cache and run.cache is not None and self.number == 1:
            key, hit, value = self._lookup(kwargs)
            if hit:
                return AttemptResult(
                    self, TaskStatus.CACHED, value, started, utc_now(), chosen=self._chosen(value)
                )
        call_safely(run.hooks.on_task_start, run.run_id, self.name, self.number)
        value = task.fn(**kwargs)
        chosen = self._chosen(value)
        if key is not None and run.cache is not None:
            try:
                run.cache.put(key, value)
            except Exception:
                _log.warning("task '%s': could not cache its result", self.name, exc_info=True)
        return AttemptResult(self, TaskStatus.SUCCESS, value, started, utc_now(), chosen=chosen)

    def _arguments(self) -> dict[str, Any]:
        run = self.run
        kwargs: dict[str, Any] = {}
        for param, kind in self.sources:
            if kind == "task":
                kwargs[param] = run.values.get(param)
            elif kind == "input":
                if param in run.inputs:
                    kwargs[param] = run.inputs[param]
            else:
                kwargs[param] = TaskContext(
                    run_id=run.run_id,
                    task=self.name,
                    attempt=self.number,
                    params=run.params,
                    hooks=run.hooks,
                    run_cancel=run.cancel,
                    task_cancel=self.cancel or threading.Event(),
                )
        return kwargs

    def _lookup(self, kwargs: dict[str, Any]) -> tuple[str | None, bool, Any]:
        """``(key, hit, value)``; a broken cache or fingerprint only costs the cache."""
        run = self.run
        assert run.cache is not None
        values = {k: v for k, v in kwargs.items() if not isinstance(v, TaskContext)}
        try:
            key = cache_key(self.task, values, run.params)
            hit, value = run.cache.get(key)
        except Exception:
            _log.warning("task '%s': cache lookup failed; running it", self.name, exc_info=True)
            return None, False, None
        return key, hit, value

    def _chosen(self, value: Any) -> frozenset[str] | None:
        if not self.task.options.branch:
            return None
        return branch_choice(self.run.pipeline, self.name, value)


def describe_error(exc: BaseException) -> str:
    """One readable line: the exception type and its message, whitespace collapsed."""
    message = " ".join(str(exc).split())
    line = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if len(line) > _MAX_ERROR_CHARS:
        line = line[: _MAX_ERROR_CHARS - 1] + "…"
    return line
