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
from types import MappingProxyType, TracebackType
from typing import Any

from workbench.core.errors import PipelineError
from workbench.dag.attempt import Attempt, RunState
from workbench.dag.cache import TaskCache
from workbench.dag.hooks import RunHooks
from workbench.dag.pipeline import Pipeline
from workbench.dag.records import RunOutcome
from workbench.dag.scheduler import Reporter, Scheduler


class Executor(abc.ABC):
    """Runs pipelines; subclasses choose where the tasks execute.

    An executor may hold resources (a cluster connection): :meth:`close` it, or use it
    as a context manager. Closing a :class:`ThreadExecutor` does nothing.
    """

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

    def close(self) -> None:  # noqa: B027 - optional: only executors holding resources override it
        """Release what the executor holds; runs started afterwards may fail."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


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
        def pool(report: Reporter) -> _WorkerPool:
            return _WorkerPool(self.max_workers, report, run.run_id)

        return Scheduler(run, pool, self.max_workers).execute()

    def __repr__(self) -> str:
        return f"ThreadExecutor(max_workers={self.max_workers})"


class _WorkerPool:
    """Daemon worker threads for one run; a timed-out worker is replaced, not awaited.

    A worker reports each result itself (settling the task and dispatching what became
    ready), then takes the next attempt, so a chain of tasks wakes no other thread. A
    thread cannot be killed, so a worker whose attempt timed out is retired: it finishes
    its function in the background, sees its result refused and exits, while a fresh
    worker takes its place. Workers are daemons so a stuck one cannot block exit.
    """

    def __init__(self, size: int, report: Reporter, run_id: str) -> None:
        self._size = size
        self._report = report
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

    def stop(self, attempt: Attempt) -> None:
        """Set the attempt's cancel event, which its ``ctx`` reads."""
        attempt.stop()

    def abandon(self, attempt: Attempt) -> None:
        """The worker running ``attempt`` will exit when it returns; count it out."""
        self._retired += 1

    def close(self) -> None:
        """Stop the idle workers; retired ones exit on their own."""
        for _ in range(len(self._workers) - self._retired):
            self._work.put(None)

    def _loop(self) -> None:
        work, report = self._work, self._report
        while True:
            attempt = work.get()
            if attempt is None:
                return
            if not report(attempt.execute()):
                return  # timed out: a fresh worker has taken this one's place


EXECUTOR_SPECS = "'threads', 'dask:local' or 'dask://host:port'"
"""The executor settings :func:`make_executor` understands, as error messages list them."""


def make_executor(spec: str, max_workers: int | None = None) -> Executor:
    """The executor a setting names, such as ``[train] executor`` in workbench.toml.

    - ``"threads"``: a :class:`ThreadExecutor` with ``max_workers`` threads;
    - ``"dask:local"``: a :class:`~workbench.dag.dask_backend.DaskExecutor` on a fresh
      in-process ``LocalCluster`` of ``max_workers`` single-threaded workers (2 when
      None), shut down when the executor is closed;
    - ``"dask://host:port"``: a DaskExecutor on that running Dask scheduler; the
      cluster's own size decides how many tasks run at once (``max_workers`` is ignored).

    Close the executor when done (``with make_executor(...) as executor:``).

    Raises:
        PipelineError: The spec is not one of these, ``distributed`` is not installed
            (the message says ``pip install 'workbench[dask]'``), or the cluster cannot
            be reached or started.
    """
    text = spec.strip() if isinstance(spec, str) else spec
    if text == "threads":
        return ThreadExecutor(max_workers)
    if text == "dask:local" or (isinstance(text, str) and text.startswith("dask://")):
        from workbench.dag.dask_backend import DaskExecutor

        if text == "dask:local":
            return DaskExecutor.local(n_workers=2 if max_workers is None else max_workers)
        return DaskExecutor(_dask_address(spec, text[len("dask://") :]))
    raise PipelineError(f"unknown executor {spec!r}; use {EXECUTOR_SPECS}")


def _dask_address(spec: str, host_port: str) -> str:
    """``tcp://host:port`` from the part of ``dask://host:port`` after the scheme."""
    host, colon, port = host_port.rpartition(":")
    if not colon or not host or "/" in host_port or not port.isdigit() or not 0 < int(port) < 65536:
        raise PipelineError(
            f"executor {spec!r} is not a Dask scheduler address; write it as "
            "dask://host:port, such as dask://127.0.0.1:8786"
        )
    return f"tcp://{host_port}"
