"""Executors: run a pipeline and report how it went (kedro's runners).

:class:`Executor` checks the preconditions and builds the run's shared state; a subclass
only says where attempts execute. :class:`ThreadExecutor` runs them on a bounded set of
worker threads; a Dask backend would be another small subclass feeding the same
:class:`~workbench.dag.scheduler.Scheduler`.
"""

from __future__ import annotations

import abc
import os
import queue
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from workbench.core.errors import PipelineError
from workbench.dag.attempt import Attempt, AttemptResult, RunState
from workbench.dag.cache import TaskCache
from workbench.dag.hooks import RunHooks
from workbench.dag.pipeline import Pipeline
from workbench.dag.records import RunOutcome
from workbench.dag.scheduler import Scheduler


class Executor(abc.ABC):
    """Runs pipelines; subclasses choose where the tasks execute."""

    def run(
        self,
        pipeline: Pipeline,
        *,
        run_id: str,
        inputs: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        hooks: RunHooks | None = None,
        cancel: threading.Event | None = None,
        cache: TaskCache | None = None,
    ) -> RunOutcome:
        """Run every task of ``pipeline`` once (plus retries) and wait for the outcome.

        Task failures do not raise: they are in the returned outcome. A task whose
        timeout expired may still be running on an abandoned thread when this returns
        (and may still call ``on_metric`` and friends); its result is dropped.

        Args:
            pipeline: The pipeline to run.
            run_id: The caller's id for the run, passed to hooks and task contexts.
            inputs: Values for the pipeline's declared run inputs.
            params: Read-only run params, seen by tasks as ``ctx.params`` and part of
                cache keys.
            hooks: Told about the run, each task, metrics, params and artifacts.
            cancel: Set it (from any thread) to cancel the run: tasks not started never
                start, running tasks see ``ctx.cancelled``, the run ends ``cancelled``.
            cache: Where tasks declared with ``cache=True`` look up and keep results;
                without it nothing is cached.

        Returns:
            The outcome of every task, their return values and the run's status.

        Raises:
            PipelineError: Before any task starts, when inputs are missing or unknown.
        """
        if not isinstance(pipeline, Pipeline):
            raise PipelineError(f"expected a Pipeline to run, got {type(pipeline).__name__}")
        if not isinstance(run_id, str) or not run_id:
            raise PipelineError(f"run_id must be a non-empty string, got {run_id!r}")
        supplied = dict(inputs or {})
        pipeline.check_inputs(supplied)
        state = RunState(
            pipeline=pipeline,
            run_id=run_id,
            inputs=supplied,
            params=MappingProxyType(dict(params or {})),
            hooks=hooks if hooks is not None else RunHooks(),
            cancel=cancel if cancel is not None else threading.Event(),
            watch_cancel=cancel is not None,
            cache=cache,
        )
        return self._execute(state)

    @abc.abstractmethod
    def _execute(self, run: RunState) -> RunOutcome:
        """Run a checked run to completion (typically: a backend plus a Scheduler)."""


class ThreadExecutor(Executor):
    """Runs independent tasks in parallel on at most ``max_workers`` threads.

    Threads suit tasks that release the GIL (polars, numpy, scikit-learn, I/O). Each
    run gets its own workers, started as needed and stopped when the run ends, so one
    executor can serve several runs at once.

    Args:
        max_workers: Tasks running at once; defaults to the number of CPUs.
    """

    def __init__(self, max_workers: int | None = None) -> None:
        workers = max_workers if max_workers is not None else (os.cpu_count() or 1)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise PipelineError(f"max_workers must be a whole number >= 1, got {max_workers!r}")
        self.max_workers = workers
        """Tasks running at once, at most."""

    def _execute(self, run: RunState) -> RunOutcome:
        results: queue.SimpleQueue[AttemptResult] = queue.SimpleQueue()
        pool = _WorkerPool(self.max_workers, results, run.run_id)
        try:
            return Scheduler(run, pool, results, self.max_workers).execute()
        finally:
            pool.close()

    def __repr__(self) -> str:
        return f"ThreadExecutor(max_workers={self.max_workers})"


class _WorkerPool:
    """Daemon worker threads for one run; a timed-out worker is replaced, not awaited.

    A thread cannot be killed, so a worker whose attempt timed out is retired: it
    finishes its function in the background, drops the result and exits, while a fresh
    worker takes its place. Workers are daemons so a stuck one cannot block exit.
    """

    def __init__(self, size: int, results: queue.SimpleQueue[AttemptResult], run_id: str) -> None:
        self._size = size
        self._results = results
        self._run_id = run_id
        self._work: queue.SimpleQueue[Attempt | None] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._retired = 0
        self._started = 0

    def submit(self, attempt: Attempt, busy: int) -> None:
        """Queue ``attempt``, starting a worker if fewer are alive than are busy."""
        if len(self._workers) - self._retired < busy:
            self._started += 1
            worker = threading.Thread(
                target=self._loop,
                name=f"dag-{self._run_id}-{self._started}",
                daemon=True,
            )
            worker.start()
            self._workers.append(worker)
        self._work.put(attempt)

    def abandon(self, attempt: Attempt) -> None:
        """The worker running ``attempt`` will exit when it returns; count it out."""
        self._retired += 1

    def close(self) -> None:
        """Stop the idle workers; retired ones exit on their own."""
        for _ in range(len(self._workers) - self._retired):
            self._work.put(None)

    def _loop(self) -> None:
        work, results = self._work, self._results
        while True:
            attempt = work.get()
            if attempt is None:
                return
            result = attempt.execute()
            with attempt.lock:
                if attempt.abandoned:
                    return
                attempt.done = True
            results.put(result)
