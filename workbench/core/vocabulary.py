"""The words Workbench uses for states, triggers, decisions and metrics, in one place.

Every layer and every front end reads these: the store writes the values, the engine
compares them, the TUI, the notebook and the CLI show them. ``StrEnum`` members are
strings, so a record holding ``"failed"`` read back from DuckDB compares equal to
``RunState.FAILED`` and JSON carries the plain word.

How a state *looks* is the front end's business (a Rich style, an HTML colour); what it
*means* (good, busy, bad...) is said once here as its :data:`TONES` entry.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from workbench.core.records import TaskRunRecord


class RunState(enum.StrEnum):
    """Where a run is: waiting, going, or how it ended."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"
    CRASHED = "crashed"
    """The engine that ran it stopped (killed, power lost) before it ended."""


RUN_ACTIVE: tuple[RunState, ...] = (RunState.RUNNING, RunState.QUEUED)
"""Run states that will still change: going, or waiting to go."""


class TaskState(enum.StrEnum):
    """Where one task of a run is (the DAG's :class:`TaskStatus` plus the live states)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    CACHED = "cached"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    UPSTREAM_FAILED = "upstream_failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


TASK_FAILED: frozenset[str] = frozenset({TaskState.FAILED, TaskState.TIMED_OUT})
"""Task states whose error is the task's own (its log and traceback say why)."""

TASK_FINISHED: frozenset[str] = frozenset(TaskState) - {TaskState.QUEUED, TaskState.RUNNING}
"""Task states that will not change again."""


def first_log_task(tasks: Sequence[TaskRunRecord]) -> str | None:
    """The task whose log is shown before anyone picks one: the first failure, else the first."""
    failed = [t.task for t in tasks if t.status in TASK_FAILED]
    if failed:
        return failed[0]
    return tasks[0].task if tasks else None


class Trigger(enum.StrEnum):
    """What started a run."""

    FILE = "file"
    """A file arrived in the watched folder."""
    MANUAL = "manual"
    """A person asked (``workbench run``, the TUI, the notebook, the api)."""
    DRIFT = "drift"
    DECAY = "decay"
    """Production's metric on newly labelled rows fell past its threshold."""
    SCHEDULE = "schedule"
    CODE = "code"
    """``pipeline.py`` changed."""
    RECOVERED = "recovered"
    """The input of a run the engine was killed in, queued again once."""


AUTOMATIC_TRIGGERS: frozenset[str] = frozenset({Trigger.DRIFT, Trigger.DECAY, Trigger.SCHEDULE})
"""Triggers no person pulled: the guardrails (cooldown, daily budget) apply to these."""

TRIGGER_JOIN = "+"
"""What joins the triggers of requests merged into one run (``file+drift``)."""


def join_triggers(words: Iterable[str]) -> str:
    """The trigger of a run started for several merged requests, in asking order."""
    return TRIGGER_JOIN.join(words)


def trigger_words(trigger: str) -> tuple[str, ...]:
    """Each request a run's trigger stands for (``file+drift``: ``file`` and ``drift``)."""
    return tuple(trigger.split(TRIGGER_JOIN))


class ModelStatus(enum.StrEnum):
    """Where a model version stands in the registry."""

    CANDIDATE = "candidate"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class DatasetStatus(enum.StrEnum):
    """What ingest made of a file."""

    ACCEPTED = "accepted"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"


class DriftSource(enum.StrEnum):
    """What a drift report compared with production's training data."""

    DATASET = "dataset"
    """A newly ingested dataset."""
    PREDICTIONS = "predictions"
    """The inputs the scoring server was sent (its prediction log)."""
    FILE = "file"
    """A file someone asked about (``workbench drift FILE``)."""


def validation_verdict(status: str) -> str:
    """A dataset's status as its validation reads: ``passed`` for an accepted one, else
    the status itself (``quarantined``, ``duplicate``)."""
    return "passed" if status == DatasetStatus.ACCEPTED else status


class Decision(enum.StrEnum):
    """A decision on a model version (the approvals table's ``decision``)."""

    APPROVE = "approve"
    REJECT = "reject"
    ARCHIVE = "archived"
    """Archived outside approval: the row records the status it set, as it always has."""


class Alias(enum.StrEnum):
    """The movable names on model versions the engine itself moves."""

    PRODUCTION = "production"
    """The version the scoring server serves."""
    PREVIOUS = "previous"
    """The version a rollback returns to."""


ServingState = Literal["running", "stopped", "not_serving"]
"""The scoring server as its process says: alive, exited, or never started by this engine."""

LineageKind = Literal[
    "model_version",
    "run",
    "dataset",
    "feature_view",
    "task_run",
    "param",
    "metric",
    "approval",
    "alias",
]
"""What a node of a lineage walk stands for."""


class Level(enum.StrEnum):
    """How loud an event is: alerts are warnings and errors."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


Tone = Literal[
    "good", "cached", "busy", "waiting", "pending", "idle", "blocked", "bad", "warn", "quiet"
]
"""What a state means to a person; each front end gives each tone its own look."""

TONES: Mapping[str, Tone] = {
    RunState.SUCCESS: "good",
    ModelStatus.APPROVED: "good",
    DatasetStatus.ACCEPTED: "good",
    "passed": "good",
    TaskState.CACHED: "cached",
    RunState.RUNNING: "busy",
    RunState.QUEUED: "waiting",
    ModelStatus.CANDIDATE: "pending",
    TaskState.SKIPPED: "idle",
    ModelStatus.ARCHIVED: "idle",
    RunState.CANCELLED: "idle",
    DatasetStatus.DUPLICATE: "idle",
    RunState.FAILED: "bad",
    RunState.CRASHED: "bad",
    TaskState.TIMED_OUT: "bad",
    TaskState.UPSTREAM_FAILED: "blocked",
    ModelStatus.REJECTED: "bad",
    DatasetStatus.QUARANTINED: "bad",
    Level.INFO: "quiet",
    Level.WARNING: "warn",
    Level.ERROR: "bad",
}
"""The tone of every run, task, model and dataset state and of every event level."""


def tone(state: str) -> Tone | None:
    """The tone of ``state`` (None for a word with no tone, shown plain)."""
    return TONES.get(state)


TERMINAL_STYLES: Mapping[Tone, str] = {
    "good": "green",
    "cached": "cyan",
    "busy": "yellow",
    "waiting": "dim",
    "pending": "yellow",
    "idle": "dim",
    "blocked": "red",
    "bad": "bold red",
    "warn": "bold yellow",
    "quiet": "",
}
"""The Rich style of each tone, shared by the two terminal front ends (TUI and CLI)."""


def terminal_style(state: str) -> str:
    """The Rich style of a state or event level (plain for a word with no tone)."""
    found = tone(state)
    return TERMINAL_STYLES[found] if found else ""


# metrics ---------------------------------------------------------------------------------

KEY_METRICS = ("roc_auc", "f1_macro", "rmse", "average_precision", "accuracy", "r2", "mae")
"""Metrics a person compares models by, in order of preference (the gate's defaults first)."""

LOWER_IS_BETTER = frozenset(
    {"rmse", "mae", "mse", "log_loss", "brier", "fit_seconds", "predict_seconds"}
)
"""Metrics where a smaller value wins (errors, losses and times)."""


def base_metric(name: str) -> str:
    """The metric a name stands for: ``rf.roc_auc``, ``val_roc_auc`` and ``roc_auc`` alike."""
    last = name.rsplit(".", 1)[-1]
    for prefix in ("val_", "cv_", "test_"):
        if last.startswith(prefix) and last[len(prefix) :]:
            return last[len(prefix) :]
    return last


def lower_is_better(name: str) -> bool:
    """Whether a smaller value of metric ``name`` (in any of its spellings) is better."""
    return base_metric(name) in LOWER_IS_BETTER


def best_of(name: str, values: Iterable[float]) -> float | None:
    """The best value of metric ``name`` among ``values`` (None when there are none)."""
    pool = list(values)
    if not pool:
        return None
    return min(pool) if lower_is_better(name) else max(pool)


def key_metric(metrics: Mapping[str, float]) -> tuple[str, float] | None:
    """The metric a person compares by, from names like ``roc_auc`` or ``rf.roc_auc``.

    The preferred names come first (see :data:`KEY_METRICS`); a dotted name counts for
    its last part, and among several candidates the best value wins.
    """
    for name in KEY_METRICS:
        values = [v for k, v in metrics.items() if k.rsplit(".", 1)[-1] == name]
        if values:
            best = best_of(name, values)
            assert best is not None
            return name, best
    if metrics:
        first = sorted(metrics)[0]
        return first, metrics[first]
    return None


def preferred_metric(names: Iterable[str]) -> str | None:
    """The metric shown first: one people compare by (see :data:`KEY_METRICS`), as named
    (``roc_auc``, ``rf.roc_auc``) before its other spellings (``val_roc_auc``), else the
    first name in order."""
    ordered = sorted(names)
    for preferred in KEY_METRICS:
        found = [n for n in ordered if base_metric(n) == preferred]
        if found:
            exact = [n for n in found if n.rsplit(".", 1)[-1] == preferred]
            return (exact or found)[0]
    return ordered[0] if ordered else None


def metric_names(metrics: Sequence[Mapping[str, float]]) -> list[str]:
    """Every metric name in ``metrics``, the ones people compare by first."""
    names = {k for m in metrics for k in m}
    preferred = [n for n in KEY_METRICS if n in names]
    return preferred + sorted(names - set(preferred))
