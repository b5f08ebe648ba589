"""The task context: what a running task may know about its run and how it reports back.

A task asks for it with a parameter named ``ctx``. Tracking calls (metrics, params,
artifacts) are forwarded to the run's hooks, so the engine records them against this
task run; the DAG package stores nothing itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from workbench.core.errors import PipelineError
from workbench.dag.hooks import RunHooks

TASK_LOGGER = "workbench.dag.tasks"
"""Parent logger of ``ctx.log``; each task logs to ``workbench.dag.tasks.<task name>``."""


class CancelFlag(Protocol):
    """What a context reads to learn it should stop: a ``threading.Event``, or on a Dask
    worker a ``distributed.Event`` the scheduler sets from the other end."""

    def is_set(self) -> bool:
        """True once set."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until set or ``timeout`` seconds passed; True if set."""
        ...


class TaskContext:
    """Run id, attempt, params, cancellation and tracking for one attempt of a task."""

    __slots__ = (
        "_hooks",
        "_log",
        "_logger_root",
        "_run_cancel",
        "_task_cancel",
        "attempt",
        "params",
        "run_id",
        "task",
    )

    def __init__(
        self,
        *,
        run_id: str,
        task: str,
        attempt: int,
        params: Mapping[str, Any],
        hooks: RunHooks,
        run_cancel: CancelFlag,
        task_cancel: CancelFlag,
        logger_root: str = TASK_LOGGER,
    ) -> None:
        self.run_id = run_id
        """The id of the run this attempt belongs to."""
        self.task = task
        """Name of the running task."""
        self.attempt = attempt
        """Attempt number, 1 for the first try."""
        self.params = params
        """The run's params (read-only), e.g. hyperparameters chosen for this run."""
        self._hooks = hooks
        self._run_cancel = run_cancel
        self._task_cancel = task_cancel
        self._log: logging.LoggerAdapter[logging.Logger] | None = None
        self._logger_root = logger_root  # a worker logs elsewhere, to send records home

    @property
    def cancelled(self) -> bool:
        """True once the run is cancelled or this attempt timed out: stop soon.

        Python cannot kill a thread, so a long task should check this between steps.
        """
        return self._task_cancel.is_set() or self._run_cancel.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking early on cancellation.

        Returns:
            True if the attempt is cancelled (stop), False if the time simply passed.
        """
        return self._task_cancel.wait(timeout) or self._run_cancel.is_set()

    @property
    def log(self) -> logging.LoggerAdapter[logging.Logger]:
        """A logger for this task; records carry ``run_id``, ``task`` and ``attempt``."""
        if self._log is None:
            extra = {"run_id": self.run_id, "task": self.task, "attempt": self.attempt}
            self._log = logging.LoggerAdapter(
                logging.getLogger(f"{self._logger_root}.{self.task}"), extra
            )
        return self._log

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        """Record a numeric metric (accuracy, loss at ``step``, ...) for this task run.

        Raises:
            PipelineError: The key is empty or the value is not a number.
        """
        if not isinstance(key, str) or not key:
            raise PipelineError(
                f"task '{self.task}': metric key must be a non-empty string, got {key!r}"
            )
        try:
            if isinstance(value, str | bytes):
                raise TypeError(value)
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise PipelineError(
                f"task '{self.task}': metric '{key}' must be a number, got {type(value).__name__}"
            ) from exc
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            raise PipelineError(
                f"task '{self.task}': metric '{key}' step must be an int, got {step!r}"
            )
        self._hooks.on_metric(self.run_id, self.task, key, number, step)

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Record the parameters this task used (hyperparameters, thresholds, ...).

        Raises:
            PipelineError: ``params`` is not a mapping with string keys.
        """
        if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
            raise PipelineError(
                f"task '{self.task}': log_params needs a mapping with string keys, got {params!r}"
            )
        self._hooks.on_params(self.run_id, self.task, dict(params))

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        """Label this task run (``{"stage": "tuning", "owner": "ana"}``); values become strings.

        Tags are for finding and grouping runs later, where params describe what ran; a
        tag set again replaces its earlier value.

        Raises:
            PipelineError: ``tags`` is not a mapping with non-empty string keys.
        """
        if not isinstance(tags, Mapping) or not all(isinstance(k, str) and k for k in tags):
            raise PipelineError(
                f"task '{self.task}': set_tags needs a mapping with string keys, got {tags!r}"
            )
        self._hooks.on_tags(self.run_id, self.task, {k: str(v) for k, v in tags.items()})

    def log_artifact(self, name: str, data: bytes) -> None:
        """Record a file produced by this task (a model, a report, a plot).

        Raises:
            PipelineError: The name is empty or ``data`` is not bytes.
        """
        if not isinstance(name, str) or not name:
            raise PipelineError(
                f"task '{self.task}': artifact name must be a non-empty string, got {name!r}"
            )
        if not isinstance(data, bytes | bytearray | memoryview):
            raise PipelineError(
                f"task '{self.task}': artifact '{name}' must be bytes, got {type(data).__name__}"
            )
        self._hooks.on_artifact(self.run_id, self.task, name, bytes(data))

    def __repr__(self) -> str:
        return f"TaskContext(run_id={self.run_id!r}, task={self.task!r}, attempt={self.attempt})"
