"""Domain records: what the store returns and the front ends show.

They are frozen so a record handed to a UI thread cannot change under it, and they
carry plain values (no connections, no estimators) so they cross the control API as JSON.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from workbench.core.validation_report import ValidationReport
from workbench.core.vocabulary import (
    DatasetStatus,
    Decision,
    DriftSource,
    Level,
    LineageKind,
    ModelStatus,
    RunState,
    ServingState,
    TaskState,
)


def to_jsonable(value: Any) -> Any:
    """A record (or nested structure of them) as JSON-ready data with ISO timestamps."""
    if hasattr(value, "__dataclass_fields__"):
        if hasattr(value, "to_dict"):  # a report with its own JSON form (and ``from_dict``)
            return to_jsonable(value.to_dict())
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):  # a vocabulary word: JSON carries the plain value
        return value.value
    return value


@dataclass(frozen=True)
class DatasetRecord:
    """One ingested file; immutable once recorded."""

    id: int
    """Dataset number in this workspace."""
    sha256: str
    """Content hash: the identity of the data, whatever the file was called."""
    name: str
    """File name as it was dropped."""
    path: str
    """Where the file lives now (processed/ or quarantine/), relative to the workspace."""
    rows: int
    """Data rows (header excluded)."""
    status: DatasetStatus
    """accepted | quarantined."""
    ingested_at: datetime
    """When ingest finished (UTC)."""
    columns: dict[str, str] = field(default_factory=dict)
    """Column name to logical dtype."""


@dataclass(frozen=True)
class RunRecord:
    """One execution of a pipeline."""

    id: int
    """Run number in this workspace."""
    pipeline: str
    """Pipeline name (``tabular`` for the built-in one)."""
    trigger: str
    """What started it: a :class:`~workbench.core.vocabulary.Trigger` word (``manual``,
    ``file``, ``drift``...), several joined by ``+`` when queued requests merged into one
    run (``file+drift``, see :func:`~workbench.core.vocabulary.trigger_words`), or
    ``reproduce:N`` for a reproduction of run N. Not a closed set, so plain text."""
    status: RunState
    """queued | running | success | failed | cancelled | crashed."""
    created_at: datetime
    """When it was queued (UTC)."""
    started_at: datetime | None
    """When the first task started."""
    finished_at: datetime | None
    """When it ended."""
    error: str | None
    """First failure, one line."""
    dataset_ids: tuple[int, ...] = ()
    """Datasets the run read (its training window)."""


@dataclass(frozen=True)
class TaskRunRecord:
    """One task in a run."""

    run_id: int
    """The run this task belongs to."""
    task: str
    """Task name."""
    status: TaskState
    """queued | running | success | cached | failed | timed_out | upstream_failed | skipped
    | cancelled."""
    attempts: int
    """How many times it was tried."""
    started_at: datetime | None
    """First attempt start (UTC)."""
    finished_at: datetime | None
    """Last attempt end (UTC)."""
    duration_s: float | None
    """Wall time of the task, all attempts."""
    error: str | None
    """Why it failed, one line."""
    cached_from: int | None = None
    """For a ``cached`` task: the run whose stored result it reused."""
    worker: str | None = None
    """Where its attempts ran on a Dask executor, in attempt order, comma-separated
    (a worker address, or ``engine``); None on the thread executor."""


@dataclass(frozen=True)
class MetricRecord:
    """One metric point."""

    run_id: int
    """Run it belongs to."""
    task: str | None
    """Task that logged it, or None for run-level metrics."""
    key: str
    """Metric name, e.g. ``logistic_regression.roc_auc``."""
    value: float
    """The value."""
    step: int
    """Step for curves (0 when not a curve)."""
    ts: datetime
    """When it was logged (UTC)."""


@dataclass(frozen=True)
class ModelVersionRecord:
    """A trained model registered in the workspace."""

    version: int
    """1, 2, 3... per workspace."""
    run_id: int
    """Run that trained it."""
    candidate: str
    """Estimator name, e.g. ``random_forest``."""
    artifact_sha256: str
    """The skops file in the artifact store."""
    status: ModelStatus
    """candidate | approved | rejected | archived."""
    metrics: dict[str, float]
    """Held-out metrics at registration."""
    signature: dict[str, Any]
    """Input columns, target, task, classes (see core.signature)."""
    gate_passed: bool
    """Whether the quality gate passed."""
    created_at: datetime
    """Registration time (UTC)."""
    aliases: tuple[str, ...] = ()
    """Aliases now pointing at this version."""
    champion: dict[str, Any] | None = None
    """Production at registration, scored on this candidate's test rows:
    ``{"version": N, "metrics": {...}, "comparison": {...}}`` where ``comparison`` is the
    paired bootstrap of the gate metric (``delta``, ``low``, ``high``: improvement of this
    version over production, 95% interval); None when there was no production model."""
    threshold: float | None = None
    """Binary: the decision threshold chosen on validation and applied when serving."""
    evaluation: dict[str, Any] | None = None
    """How it was chosen and tested: ``selection`` (holdout | cv), ``split`` (random |
    time | newest_file), ``metric``, ``rows``, ``validation`` scores, ``baseline``
    metrics, ``versus_baseline`` interval, ``threshold_rule``, ``gate`` sentence."""


@dataclass(frozen=True)
class ApprovalRecord:
    """A decision on a model version."""

    version: int
    """The model version decided on."""
    decision: Decision
    """approve | reject, or archived for a version archived outside approval."""
    actor: str
    """Who decided: OS user, API caller, or ``policy:NAME``."""
    comment: str
    """Why, in the actor's words."""
    decided_at: datetime
    """When (UTC)."""
    metrics: dict[str, float]
    """The metrics the decision saw."""
    comparison: dict[str, Any] | None = None
    """The paired comparison with production the decision saw (delta and 95% interval)."""


@dataclass(frozen=True)
class AliasRecord:
    """A movable name on a model version."""

    alias: str
    """production | previous | a user alias."""
    version: int
    """Version it points at."""
    set_at: datetime
    """When it last moved (UTC)."""
    set_by: str
    """Who moved it."""


@dataclass(frozen=True)
class EventRecord:
    """An append-only record of something that happened."""

    id: int
    """Monotonic event id; clients resume from the last id they saw."""
    ts: datetime
    """When (UTC)."""
    kind: str
    """Dotted kind, e.g. ``run.started``, ``dataset.quarantined``, ``model.approved``."""
    message: str
    """One line for a person."""
    payload: dict[str, Any]
    """Details for programs."""
    level: Level = Level.INFO
    """info | warning | error: alerts are warning or error."""


@dataclass(frozen=True)
class LineageNode:
    """One node of a lineage walk."""

    kind: LineageKind
    """model_version | run | dataset | feature_view | task_run | param | metric | approval
    | alias."""
    key: str
    """Identity within its kind (hash, id, name)."""
    label: str
    """What a person reads in a tree."""
    children: tuple[LineageNode, ...] = ()
    """Nodes reached from this one."""


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file handed to ingest."""

    status: DatasetStatus
    """accepted | duplicate | quarantined."""
    file: str
    """The file as it was given (its path when handed over)."""
    message: str
    """One line for a person: what happened and, for a quarantine, why."""
    dataset: DatasetRecord | None = None
    """The dataset recorded (the earlier one, for a duplicate)."""
    report: ValidationReport | None = None
    """The validation report (for an unreadable file, one whose ``error`` says why)."""
    signals: tuple[str, ...] = ()
    """Retrain signals the drift monitor raised for an accepted file
    (``dataset_drift``, ``performance``)."""


@dataclass(frozen=True)
class ServerInfo:
    """Where a started scoring server answers."""

    url: str
    """Base URL, e.g. ``http://127.0.0.1:8000``."""
    version: int
    """Model version it serves."""
    pid: int
    """Process id of the server."""


@dataclass(frozen=True)
class MetricMatch:
    """One metric of a run compared with its reproduction."""

    key: str
    """Metric name."""
    original: float | None
    """Value in the original run."""
    reproduced: float | None
    """Value in the re-run."""
    equal: bool
    """Exactly equal (timings are not compared)."""


@dataclass(frozen=True)
class Reproduction:
    """The outcome of ``workbench reproduce RUN``."""

    original: RunRecord
    """The run replayed."""
    rerun: RunRecord
    """The new run, same data hashes and recorded settings."""
    metrics: tuple[MetricMatch, ...]
    """Every non-timing metric side by side."""
    identical: bool
    """All compared metrics are exactly equal."""
    code_changed: bool
    """The pipeline code hash differs from the original's (a reason results may differ)."""


@dataclass(frozen=True)
class RunComparison:
    """Params and metrics of several runs side by side."""

    run_ids: tuple[int, ...]
    """The runs, in the order asked."""
    params: dict[str, tuple[str | None, ...]]
    """Each param's value per run (None where a run lacks it)."""
    metrics: dict[str, tuple[float | None, ...]]
    """Each metric's latest value per run."""


@dataclass(frozen=True)
class DriftRecord:
    """A stored drift report, summarised (the full report holds per-column detail)."""

    id: int
    """Report number."""
    created_at: datetime
    """When it was computed (UTC)."""
    source: DriftSource
    """dataset | predictions | file."""
    dataset_id: int | None
    """The dataset compared, when the source is a dataset."""
    reference_version: int | None
    """Production version whose training data was the reference."""
    dataset_drift: bool
    """Whether the share of drifted columns reached the threshold."""
    share_drifted: float
    """Share of feature columns that drifted."""
    drifted_columns: tuple[str, ...]
    """The drifted feature columns."""


@dataclass(frozen=True)
class PerformanceRecord:
    """Production's metrics on a newly labelled dataset."""

    ts: datetime
    """When it was measured (UTC)."""
    version: int
    """Production version measured."""
    dataset_id: int | None
    """The labelled dataset."""
    metrics: dict[str, float]
    """Its metrics on that data."""


# what the api returns beside the store's rows ------------------------------------


@dataclass(frozen=True)
class CachedResult:
    """One entry of the task cache."""

    key: str
    """The task's cache key (code hash, input fingerprints, params)."""
    task: str
    """The task that produced the result."""
    run_id: int | None
    """The run in which it ran, whose tracking a hit copies."""
    sha256: str
    """The artifact holding the encoded result."""
    size: int
    """Bytes of that artifact."""
    created_at: datetime
    """When the result was stored."""
    hits: int
    """How many later runs reused it."""


@dataclass(frozen=True)
class TaskLog:
    """What one task of a run wrote to its log file."""

    run_id: int
    """The run."""
    task: str
    """The task's name."""
    path: str
    """Where the file is, relative to the workspace (it may not exist)."""
    text: str
    """The log's text; empty when the task wrote none (only failures write one today)."""
    size: int
    """Bytes in the file (0 when there is none)."""
    truncated: bool
    """Only the last the log limit (256 KiB) are in ``text``; the file holds the rest."""


@dataclass(frozen=True)
class ServingStatus:
    """The scoring server as it is now, checked against its process, not the event log."""

    state: ServingState
    """``running`` (the process is alive), ``stopped`` (it was started and has exited)
    or ``not_serving`` (this engine has not started one)."""
    url: str | None
    """Where it answers (or answered, when stopped)."""
    version: int | None
    """Model version it serves, as its ``/metrics`` reports it (else as it was started)."""
    pid: int | None
    """Process id of the server."""
    requests_per_s: float | None
    """Scoring requests answered per second over the last ``window_s``; None when unknown."""
    p99_latency_s: float | None
    """99th percentile of scoring request latency over the last ``window_s``,
    interpolated within ``/metrics`` histogram buckets; None without requests."""
    window_s: float
    """Seconds the two figures cover (0 when there are none yet)."""
    requests_total: int | None
    """Scoring requests answered since the server started."""
    note: str = ""
    """What a person should know: why figures are missing, or how the server ended."""


@dataclass(frozen=True)
class RunDetail:
    """Everything a UI shows for one run."""

    run: RunRecord
    """The run itself."""
    tasks: tuple[TaskRunRecord, ...]
    """Its task runs."""
    params: dict[str, str]
    """Parameters, task-level ones prefixed with the task name."""
    metrics: dict[str, float]
    """Latest value of each metric."""
    models: tuple[ModelVersionRecord, ...]
    """Model versions it registered."""
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    """Tags by task run; ``""`` holds the run's own (``workbench.user``, ...)."""


@dataclass(frozen=True)
class RunScore:
    """A run and its latest value of the metric it was ranked by."""

    run: RunRecord
    """The run."""
    value: float
    """Its latest value of the metric."""


@dataclass(frozen=True)
class WorkspaceStatus:
    """What the dashboard and ``workbench status`` show at a glance."""

    root: str
    """Workspace folder."""
    target: str
    """Target column."""
    datasets: int
    """Accepted datasets."""
    quarantined: int
    """Quarantined files."""
    runs: int
    """Runs so far."""
    production: int | None
    """Version behind the production alias."""
    pending_approvals: int
    """Candidates waiting for a decision."""


@dataclass(frozen=True)
class FeatureViewRecord:
    """One version (by code hash) of a feature view in the offline store."""

    name: str
    """The view's name in features.py."""
    code_hash: str
    """sha256 of the view's code; a new hash is a new table, materialised from scratch."""
    entity: str
    """The entity the rows describe."""
    key: str
    """The entity key column."""
    timestamp: str
    """The event-time column."""
    ttl_s: float | None
    """How old a value may be and still be joined, in seconds (None: forever)."""
    columns: tuple[str, ...]
    """The feature columns."""
    current: bool
    """Whether this is the version features.py defines now (older ones are kept, frozen,
    for the models trained on them)."""
    rows: int
    """Feature rows stored."""
    entities: int
    """Distinct entity keys."""
    newest: datetime | None
    """Latest event time stored (how fresh the view is)."""
    materialized_at: datetime | None
    """When the view was last written."""
    null_shares: dict[str, float] = field(default_factory=dict)
    """Share of null values per feature column."""


@dataclass(frozen=True)
class FeatureLookup:
    """One entity's stored features of one view: the latest values and the history."""

    view: str
    """The view's name."""
    key: str
    """The entity key looked up (as text)."""
    latest: dict[str, Any] | None
    """The newest feature row (timestamp included), None for an unknown entity."""
    history: list[dict[str, Any]] = field(default_factory=list)
    """The entity's feature rows, oldest first (at most the newest 500)."""
