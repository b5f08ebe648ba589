"""One attempt of one task: what a worker runs, whatever the backend.

The scheduler creates an :class:`Attempt` and hands it to a backend; the backend runs it
and reports the :class:`AttemptResult` back. A thread backend calls
:meth:`Attempt.execute`, which never raises, so a worker cannot die and leave the
scheduler waiting; a remote backend (Dask) builds the call from the same pieces, so
argument wiring, caching and branch choices are decided alike on every backend.
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
    lost: bool = False
    """The attempt failed because its worker died or left, not because of the task: the
    scheduler retries it even past the task's ``retries`` (up to ``LOST_RETRIES``)."""


class Attempt:
    """Attempt ``number`` of task ``name``: what a backend runs and reports back.

    The scheduler creates it and hands it to a backend. A thread backend calls
    :meth:`execute`; a remote backend uses the pieces (:meth:`arguments`,
    :meth:`lookup`, :meth:`succeeded`, :meth:`failed`) around its own call. ``finished``
    belongs to the scheduler and only changes under its lock: the first of "the result
    came back" and "the timeout expired" sets it, and the other is then ignored.
    """

    __slots__ = ("cancel", "finished", "name", "number", "run", "sources", "takes_context", "task")

    def __init__(self, run: RunState, name: str, number: int) -> None:
        self.run = run
        self.name = name
        self.number = number
        self.task = run.pipeline.task(name)
        self.sources = run.pipeline.parameter_sources(name)
        self.takes_context = any(kind == "ctx" for _, kind in self.sources)
        """True when the function has a ``ctx`` parameter."""
        self.cancel: threading.Event | None = threading.Event() if self.takes_context else None
        """Set on timeout or run cancellation, seen as ``ctx.cancelled``; only tasks that
        take ``ctx`` can see it, so only they get one (an Event costs microseconds)."""
        self.finished = False
        """Scheduler side: this attempt's outcome has been handled (or it timed out)."""

    def stop(self) -> None:
        """Ask the running function to stop (it sees ``ctx.cancelled``)."""
        if self.cancel is not None:
            self.cancel.set()

    def execute(self) -> AttemptResult:
        """Run the attempt on the current thread (a worker); never raises."""
        started = utc_now()
        try:
            kwargs = self.arguments()
            key, hit, value = self.lookup(kwargs)
            if hit:
                return self.succeeded(value, None, started, cached=True)
            call_safely(self.run.hooks.on_task_start, self.run.run_id, self.name, self.number)
            value = self.task.fn(**kwargs)
            return self.succeeded(value, key, started)
        except BaseException as exc:  # a worker must always report back
            return self.failed(describe_error(exc), traceback.format_exc(), started)

    def arguments(self, *, context: bool = True) -> dict[str, Any]:
        """The keyword arguments of the call: upstream values, run inputs and ``ctx``.

        Args:
            context: Include a local :class:`TaskContext` for a ``ctx`` parameter; a
                remote backend passes False and builds the context where the task runs.
        """
        run = self.run
        kwargs: dict[str, Any] = {}
        for param, kind in self.sources:
            if kind == "task":
                kwargs[param] = run.values.get(param)
            elif kind == "input":
                if param in run.inputs:
                    kwargs[param] = run.inputs[param]
            elif context:
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

    def lookup(self, kwargs: Mapping[str, Any]) -> tuple[str | None, bool, Any]:
        """``(key, hit, value)`` from the run's cache; ``key`` is None when not caching.

        Only first attempts of ``cache=True`` tasks look; a broken cache or fingerprint
        only costs the cache (logged), never the task.
        """
        run = self.run
        if not self.task.options.cache or run.cache is None or self.number != 1:
            return None, False, None
        values = {k: v for k, v in kwargs.items() if not isinstance(v, TaskContext)}
        try:
            key = cache_key(self.task, values, run.params)
            hit, value = run.cache.get(key, self.name)
        except Exception:
            _log.warning("task '%s': cache lookup failed; running it", self.name, exc_info=True)
            return None, False, None
        return key, hit, value

    def succeeded(
        self,
        value: Any,
        key: str | None,
        started: datetime,
        finished: datetime | None = None,
        *,
        cached: bool = False,
    ) -> AttemptResult:
        """The result of a call that returned ``value``; caches it under ``key``.

        Raises:
            PipelineError: A branch task returned something other than downstream names.
        """
        chosen = (
            branch_choice(self.run.pipeline, self.name, value) if self.task.options.branch else None
        )
        if key is not None and self.run.cache is not None:
            try:
                self.run.cache.put(key, value, self.name)
            except Exception:
                _log.warning("task '%s': could not cache its result", self.name, exc_info=True)
        status = TaskStatus.CACHED if cached else TaskStatus.SUCCESS
        return AttemptResult(self, status, value, started, finished or utc_now(), chosen=chosen)

    def failed(
        self, error: str, tb: str | None, started: datetime, finished: datetime | None = None
    ) -> AttemptResult:
        """The result of a call that raised (``error`` is one line, ``tb`` the traceback)."""
        return AttemptResult(
            self, TaskStatus.FAILED, None, started, finished or utc_now(), error=error, traceback=tb
        )


def describe_error(exc: BaseException) -> str:
    """One readable line: the exception type and its message, whitespace collapsed."""
    message = " ".join(str(exc).split())
    line = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if len(line) > _MAX_ERROR_CHARS:
        line = line[: _MAX_ERROR_CHARS - 1] + "…"
    return line
