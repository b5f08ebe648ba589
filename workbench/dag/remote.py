"""What runs on a remote worker: one task call, with its tracking calls kept for replay.

A task running on a Dask worker cannot reach the hooks of the process that runs the
pipeline. So the ``ctx`` it gets there records ``log_metric``, ``log_params`` and
``log_artifact`` calls instead of forwarding them, and :func:`run_remote` returns them
with the task's result; the Dask backend replays them to the run's hooks, in order,
before it reports the result (see :mod:`workbench.dag.dask_backend` for why). This module
imports nothing from Dask: workers only need ``workbench`` importable.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from workbench.dag.attempt import describe_error, utc_now
from workbench.dag.context import CancelFlag, TaskContext
from workbench.dag.hooks import RunHooks
from workbench.dag.task import CONTEXT_PARAMETER

TRACKING_CALLS = ("on_metric", "on_params", "on_tags", "on_artifact")
"""The hook methods a remote ``ctx`` records; only these are ever replayed."""

TrackingCall = tuple[str, tuple[Any, ...]]
"""``(hook method name, its positional arguments)``."""


@dataclass(frozen=True)
class RemoteContext:
    """What a worker needs to build the ``ctx`` of one attempt."""

    run_id: str
    """The run's id, as tasks see it in ``ctx.run_id``."""
    task: str
    """Task name."""
    attempt: int
    """Attempt number, 1 for the first try."""
    params: dict[str, Any]
    """The run params (a plain dict: a read-only mapping proxy does not pickle)."""
    cancel: CancelFlag | None
    """Set by the scheduler on timeout or run cancellation; a ``distributed.Event``."""


@dataclass(frozen=True)
class RemoteResult:
    """How one remote call ended, with the tracking calls it made, in order."""

    ok: bool
    """True when the function returned."""
    value: Any
    """Its return value (None when it raised)."""
    started_at: datetime
    """UTC time the call started, on the worker's clock."""
    finished_at: datetime
    """UTC time it ended, on the worker's clock."""
    calls: tuple[TrackingCall, ...]
    """``ctx`` tracking calls to replay to the run's hooks."""
    error: str | None = None
    """One line for a call that raised, such as ``"ValueError: empty column"``."""
    traceback: str | None = None
    """The formatted traceback of a call that raised."""


class _Recorder(RunHooks):
    """Hooks that keep tracking calls for replay instead of acting on them."""

    def __init__(self) -> None:
        self.calls: list[TrackingCall] = []
        self._lock = threading.Lock()  # a task may log from threads of its own

    def _keep(self, method: str, args: tuple[Any, ...]) -> None:
        with self._lock:
            self.calls.append((method, args))

    def on_metric(
        self, run_id: str, task_name: str, key: str, value: float, step: int | None
    ) -> None:
        self._keep("on_metric", (run_id, task_name, key, value, step))

    def on_params(self, run_id: str, task_name: str, params: dict[str, object]) -> None:
        self._keep("on_params", (run_id, task_name, params))

    def on_tags(self, run_id: str, task_name: str, tags: dict[str, str]) -> None:
        self._keep("on_tags", (run_id, task_name, tags))

    def on_artifact(self, run_id: str, task_name: str, name: str, data: bytes) -> None:
        self._keep("on_artifact", (run_id, task_name, name, data))


def run_remote(
    fn: Callable[..., Any], kwargs: Mapping[str, Any], context: RemoteContext | None
) -> RemoteResult:
    """Call ``fn(**kwargs)`` on a worker, adding ``ctx`` when ``context`` is given.

    Never raises for the function's own errors, so a task failure travels back as data
    (with its traceback) and the cluster never retries a call on its own: retries are
    the scheduler's, counted in attempts.
    """
    started = utc_now()
    recorder = _Recorder()
    try:
        call = dict(kwargs)
        if context is not None:
            never = threading.Event()  # run cancellation arrives through ``cancel`` too
            call[CONTEXT_PARAMETER] = TaskContext(
                run_id=context.run_id,
                task=context.task,
                attempt=context.attempt,
                params=MappingProxyType(context.params),
                hooks=recorder,
                run_cancel=never,
                task_cancel=context.cancel if context.cancel is not None else never,
            )
        value = fn(**call)
    except BaseException as exc:  # the worker must always answer
        return RemoteResult(
            False,
            None,
            started,
            utc_now(),
            tuple(recorder.calls),
            error=describe_error(exc),
            traceback=traceback.format_exc(),
        )
    return RemoteResult(True, value, started, utc_now(), tuple(recorder.calls))


def replay(hooks: RunHooks, calls: tuple[TrackingCall, ...]) -> None:
    """Hand recorded tracking calls to ``hooks``, in the order the task made them.

    Raises:
        Exception: Whatever a hook raises, as it would have inside the task.
    """
    for method, args in calls:
        if method in TRACKING_CALLS:
            getattr(hooks, method)(*args)
