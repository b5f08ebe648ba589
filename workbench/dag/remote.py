"""What runs on a remote worker: one task call, with its tracking calls kept for replay.

A task running on a Dask worker cannot reach the hooks of the process that runs the
pipeline. So the ``ctx`` it gets there records ``log_metric``, ``log_params`` and
``log_artifact`` calls instead of forwarding them, and :func:`run_remote` returns them
with the task's result; the Dask backend replays them to the run's hooks, in order,
before it reports the result (see :mod:`workbench.dag.dask_backend` for why). What the
task says through ``ctx.log`` and ``print`` travels back the same way
(:mod:`workbench.dag.capture`), as does the worker's address. This module imports
Dask only inside :func:`run_remote` (to learn the worker and announce the start):
workers only need ``workbench`` importable.
"""

from __future__ import annotations

import linecache
import logging
import re
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from workbench.dag.attempt import describe_error, utc_now
from workbench.dag.capture import REMOTE_LOGGER, LogLine, OutputCapture
from workbench.dag.context import TASK_LOGGER, CancelFlag, TaskContext
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
    takes_context: bool = True
    """False for a function without a ``ctx`` parameter (the rest is still used for
    capturing its output and announcing where it runs)."""
    topic: str | None = None
    """The Dask event topic to announce the attempt's start on (with the worker's
    address), so the engine knows where it runs while it runs."""


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
    logs: tuple[LogLine, ...] = ()
    """What the task said through ``ctx.log`` and ``print``, in order."""
    worker: str | None = None
    """The address of the worker that ran it (None outside a Dask worker)."""


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
    """Call ``fn(**kwargs)`` on a worker, adding ``ctx`` when ``context`` takes one.

    Never raises for the function's own errors, so a task failure travels back as data
    (with its traceback) and the cluster never retries a call on its own: retries are
    the scheduler's, counted in attempts.
    """
    started = utc_now()
    recorder = _Recorder()
    worker = _announce(context)
    capture = (
        OutputCapture(context.run_id, context.task, context.attempt)
        if context is not None
        else None
    )
    try:
        call = dict(kwargs)
        if context is not None and context.takes_context:
            never = threading.Event()  # run cancellation arrives through ``cancel`` too
            call[CONTEXT_PARAMETER] = TaskContext(
                run_id=context.run_id,
                task=context.task,
                attempt=context.attempt,
                params=MappingProxyType(context.params),
                hooks=recorder,
                run_cancel=never,
                task_cancel=context.cancel if context.cancel is not None else never,
                logger_root=REMOTE_LOGGER,
            )
        if capture is not None:
            with capture:
                value = fn(**call)
        else:
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
            logs=tuple(capture.lines) if capture is not None else (),
            worker=worker,
        )
    logs = tuple(capture.lines) if capture is not None else ()
    return RemoteResult(
        True, value, started, utc_now(), tuple(recorder.calls), logs=logs, worker=worker
    )


def _announce(context: RemoteContext | None) -> str | None:
    """This worker's address, announced on the run's topic when it has one."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None  # not on a Dask worker (called directly, as tests do)
    if context is not None and context.topic is not None:
        try:
            worker.log_event(
                context.topic,
                {"task": context.task, "attempt": context.attempt, "worker": worker.address},
            )
        except Exception:  # only the live view of where it runs is lost
            logging.getLogger(__name__).debug("could not announce the start", exc_info=True)
    return str(worker.address)


def replay_logs(
    run_id: str, task: str, attempt: int, logs: tuple[LogLine, ...], worker: str | None
) -> None:
    """Hand a remote attempt's captured lines to this process's task loggers.

    They become ``logging`` records of ``workbench.dag.tasks.<task>`` carrying
    ``run_id``, ``task`` and ``attempt`` (as a local ``ctx.log`` record does) and the
    time they were said on the worker, so the engine's task log writer files them.
    """
    logger = logging.getLogger(f"{TASK_LOGGER}.{task}")
    extra = {"run_id": run_id, "task": task, "attempt": attempt, "worker": worker}
    head = f"attempt {attempt} ran on worker {worker}" if worker else None
    lines = ((None, logging.INFO, "INFO", head),) if head else ()
    for when, levelno, levelname, text in (*lines, *logs):
        record = logger.makeRecord(logger.name, levelno, "(worker)", 0, text, (), None, extra=extra)
        if when is not None:
            record.created = when
        record.levelname = levelname
        logger.handle(record)


_SHIPPED_FRAME = re.compile(r'^(\s*)File "<dynamic-code>", line (\d+), in (.+)$')


def restore_sources(tb: str, filename: str | None) -> str:
    """Put the file name and source lines back into a worker's traceback.

    cloudpickle renames the file of code it ships by value to ``<dynamic-code>``, and
    the worker has no copy of the file, so a traceback from a shipped pipeline says
    neither where nor what. The engine has the file: ``filename`` is that of the task's
    function (frames of shipped code are almost always from the pipeline's module).
    """
    if not filename or "<dynamic-code>" not in tb:
        return tb
    out: list[str] = []
    lines = tb.splitlines()
    for i, line in enumerate(lines):
        match = _SHIPPED_FRAME.match(line)
        if match is None:
            out.append(line)
            continue
        indent, number, name = match.groups()
        out.append(f'{indent}File "{filename}", line {number}, in {name}')
        source = linecache.getline(filename, int(number)).strip()
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        has_source = lines[i + 1].startswith(indent + " ") if i + 1 < len(lines) else False
        if source and not (has_source and not following.startswith("File ")):
            out.append(f"{indent}    {source}")
    return "\n".join(out) + ("\n" if tb.endswith("\n") else "")


def replay(hooks: RunHooks, calls: tuple[TrackingCall, ...]) -> None:
    """Hand recorded tracking calls to ``hooks``, in the order the task made them.

    Raises:
        Exception: Whatever a hook raises, as it would have inside the task.
    """
    for method, args in calls:
        if method in TRACKING_CALLS:
            getattr(hooks, method)(*args)
