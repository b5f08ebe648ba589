"""What a run produced: one :class:`TaskOutcome` per task and a :class:`RunOutcome`.

Records hold no task results (those can be large and unpicklable); the values are in
:attr:`RunOutcome.values`, keyed by task name.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class TaskStatus(enum.StrEnum):
    """How a task ended. Every task of a finished run has exactly one of these."""

    SUCCESS = "success"
    """The function returned (possibly after retries)."""
    CACHED = "cached"
    """The result came from the task cache; the function did not run."""
    FAILED = "failed"
    """The last attempt raised or timed out (the error says which)."""
    UPSTREAM_FAILED = "upstream_failed"
    """Not started: an upstream task failed and the trigger rule needs success."""
    SKIPPED = "skipped"
    """Not started: a branch did not choose it, or its trigger rule was not met."""
    CANCELLED = "cancelled"
    """The run was cancelled before the task started, or while it ran and it raised."""

    @property
    def succeeded(self) -> bool:
        """True when the task has a value (ran successfully or came from the cache)."""
        return self in (TaskStatus.SUCCESS, TaskStatus.CACHED)

    @property
    def failed(self) -> bool:
        """True for ``failed`` and ``upstream_failed``: what fails a run."""
        return self in (TaskStatus.FAILED, TaskStatus.UPSTREAM_FAILED)


class RunStatus(enum.StrEnum):
    """How a run ended; see :func:`workbench.dag.rules.run_status` for the rule."""

    SUCCESS = "success"
    """The work the pipeline exists for was done (skipped branches are fine)."""
    FAILED = "failed"
    """A leaf task failed, or a task guarded by an alert or cleanup leaf failed."""
    CANCELLED = "cancelled"
    """The cancel event stopped at least one task from running or finishing."""


@dataclass(frozen=True)
class TaskOutcome:
    """How one task of a run ended (a "task run")."""

    task: str
    """Task name."""
    status: TaskStatus
    """Final status."""
    attempts: int
    """Times the function was called (0 when skipped, cached, cancelled before start, ...)."""
    started_at: datetime | None
    """UTC time the first attempt started; None when the task never started."""
    finished_at: datetime
    """UTC time the status was decided."""
    duration_s: float
    """Seconds from the first start to the end, retry waits included; 0 if never started."""
    error: str | None = None
    """One readable line for failed, upstream_failed and cancelled tasks, such as
    ``"ValueError: column 'age' is empty"`` or ``"upstream task 'validate' failed"``."""
    traceback: str | None = None
    """The formatted traceback of the last failed attempt, for the task log."""
    cached: bool = False
    """True when the value came from the task cache."""


@dataclass(frozen=True)
class RunOutcome:
    """How a whole run ended, with every task's outcome and every task's return value."""

    run_id: str
    """The id the caller gave the run."""
    pipeline: str
    """Pipeline name."""
    status: RunStatus
    """Final status of the run."""
    tasks: Mapping[str, TaskOutcome]
    """Outcome per task name, in the pipeline's topological order."""
    values: Mapping[str, Any]
    """Return value per task name, for tasks that succeeded or came from the cache."""
    started_at: datetime
    """UTC time the run started."""
    finished_at: datetime
    """UTC time the run ended."""

    @property
    def duration_s(self) -> float:
        """Wall-clock seconds of the run."""
        return (self.finished_at - self.started_at).total_seconds()

    def with_status(self, *statuses: TaskStatus | str) -> tuple[str, ...]:
        """Names of the tasks that ended with any of ``statuses``, in pipeline order."""
        wanted = {TaskStatus(s) for s in statuses}
        return tuple(name for name, outcome in self.tasks.items() if outcome.status in wanted)
