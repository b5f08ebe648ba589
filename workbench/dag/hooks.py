"""Run hooks: how the engine learns what an executor is doing (kedro hook style).

The executor calls a :class:`RunHooks` object around every run and every task; the engine
subclasses it to write task runs, metrics and artifacts to the store and to emit events.
The DAG package itself records nothing.

Threads: ``on_run_start`` and ``on_run_end`` are called from the thread that called
``Executor.run``; every other method may be called from worker threads, concurrently for
different tasks, so implementations must be thread-safe (take a lock, or hand the call to
a queue). ``on_task_end`` and ``on_task_retry`` are called under the scheduler's lock,
one at a time, so a slow one (a database write per task) delays scheduling: batch it.

An exception raised by ``on_run_*`` or ``on_task_*`` is logged and ignored so a broken
hook cannot strand running tasks; an exception raised by ``on_metric``, ``on_params``,
``on_tags`` or ``on_artifact`` propagates into the task that logged it.

With the Dask executor, ``on_task_start`` is called as the attempt is handed to the
cluster, and a task's ``on_metric``/``on_params``/``on_artifact`` calls arrive together,
in order, when its attempt ends; one that raises then fails the attempt (see
:mod:`workbench.dag.dask_backend`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.dag.pipeline import Pipeline
    from workbench.dag.records import RunOutcome, TaskOutcome

_log = logging.getLogger(__name__)


class RunHooks:
    """No-op hooks; override the methods you need. See the module docstring for threads."""

    def on_run_start(self, run_id: str, pipeline: Pipeline) -> None:
        """The run passed its checks and its first tasks are about to start."""

    def on_task_start(self, run_id: str, task_name: str, attempt: int) -> None:
        """Attempt ``attempt`` (1-based) of a task is about to call the function.

        Called from the worker thread. Not called for tasks served from the cache.
        """

    def on_task_worker(self, run_id: str, task_name: str, attempt: int, worker: str) -> None:
        """Where attempt ``attempt`` of a task runs: a Dask worker's address, or
        ``"engine"`` for a task a Dask executor keeps in this process.

        Called by the Dask executor only (threads run everything here), from its courier
        thread, once the worker reports the start (and again with the result if that
        report was missed).
        """

    def on_task_end(self, run_id: str, outcome: TaskOutcome) -> None:
        """A task reached its final status; called once per task, whatever the status.

        May be called from a worker thread.
        """

    def on_task_retry(self, run_id: str, task_name: str, attempt: int, error: str) -> None:
        """Attempt ``attempt`` failed with ``error`` (one line) and will be retried.

        May be called from a worker thread.
        """

    def on_metric(
        self, run_id: str, task_name: str, key: str, value: float, step: int | None
    ) -> None:
        """A task logged a metric through ``ctx.log_metric``; called from its worker thread."""

    def on_params(self, run_id: str, task_name: str, params: dict[str, object]) -> None:
        """A task logged parameters through ``ctx.log_params``; called from its worker thread."""

    def on_tags(self, run_id: str, task_name: str, tags: dict[str, str]) -> None:
        """A task set tags through ``ctx.set_tags``; called from its worker thread."""

    def on_artifact(self, run_id: str, task_name: str, name: str, data: bytes) -> None:
        """A task logged a file through ``ctx.log_artifact``; called from its worker thread."""

    def on_run_end(self, run_id: str, outcome: RunOutcome) -> None:
        """The run finished (success, failed or cancelled); nothing runs for it any more."""


def call_safely(method: Callable[..., object], *args: object) -> None:
    """Call a lifecycle hook, logging (not raising) what it raises.

    The executor uses this for ``on_run_*`` and ``on_task_*`` so a broken hook cannot
    leave tasks running with nobody waiting for them.
    """
    try:
        method(*args)
    except Exception:
        _log.exception(
            "run hook %s raised; the run goes on", getattr(method, "__qualname__", method)
        )
