"""Api results as polars DataFrames, for the analysis a person does next in a notebook.

Every function takes the api (in-process or remote, it does not matter) and returns a
frame with a fixed schema, also when there is nothing yet, so ``runs_frame(wb).filter(...)``
works on an empty workspace too. Times are UTC.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from workbench.api import WorkbenchApi
from workbench.core.records import EventRecord
from workbench.notebook.views.drift_report import drift_view
from workbench.notebook.views.formatting import span

UTC_TIME = pl.Datetime("us", "UTC")
"""Every timestamp column."""

RUNS_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "pipeline": pl.String,
    "trigger": pl.String,
    "status": pl.String,
    "created_at": UTC_TIME,
    "started_at": UTC_TIME,
    "finished_at": UTC_TIME,
    "duration_s": pl.Float64,
    "dataset_ids": pl.List(pl.Int64),
    "error": pl.String,
}
"""Columns of :func:`runs_frame`."""

TASKS_SCHEMA: dict[str, Any] = {
    "run_id": pl.Int64,
    "task": pl.String,
    "status": pl.String,
    "attempts": pl.Int64,
    "started_at": UTC_TIME,
    "finished_at": UTC_TIME,
    "duration_s": pl.Float64,
    "error": pl.String,
}
"""Columns of :func:`tasks_frame`."""

METRICS_SCHEMA: dict[str, Any] = {
    "run_id": pl.Int64,
    "task": pl.String,
    "key": pl.String,
    "value": pl.Float64,
    "step": pl.Int64,
    "ts": UTC_TIME,
}
"""Columns of :func:`metrics_frame`."""

MODELS_SCHEMA: dict[str, Any] = {
    "version": pl.Int64,
    "candidate": pl.String,
    "status": pl.String,
    "aliases": pl.List(pl.String),
    "gate_passed": pl.Boolean,
    "run_id": pl.Int64,
    "created_at": UTC_TIME,
}
"""Leading columns of :func:`models_frame` (one Float64 column per metric follows)."""

DATASETS_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "name": pl.String,
    "status": pl.String,
    "rows": pl.Int64,
    "columns": pl.Int64,
    "path": pl.String,
    "ingested_at": UTC_TIME,
    "sha256": pl.String,
}
"""Columns of :func:`datasets_frame`."""

APPROVALS_SCHEMA: dict[str, Any] = {
    "version": pl.Int64,
    "decision": pl.String,
    "actor": pl.String,
    "comment": pl.String,
    "decided_at": UTC_TIME,
}
"""Columns of :func:`approvals_frame`."""

EVENTS_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "ts": UTC_TIME,
    "kind": pl.String,
    "level": pl.String,
    "message": pl.String,
}
"""Columns of :func:`events_frame`."""

DRIFT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "created_at": UTC_TIME,
    "source": pl.String,
    "dataset_id": pl.Int64,
    "reference_version": pl.Int64,
    "dataset_drift": pl.Boolean,
    "share_drifted": pl.Float64,
    "drifted_columns": pl.List(pl.String),
}
"""Columns of :func:`drift_frame`."""

PERFORMANCE_SCHEMA: dict[str, Any] = {
    "ts": UTC_TIME,
    "version": pl.Int64,
    "dataset_id": pl.Int64,
    "metric": pl.String,
    "value": pl.Float64,
}
"""Columns of :func:`performance_frame`."""


def _frame(rows: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def runs_frame(api: WorkbenchApi, status: str | None = None, limit: int = 50) -> pl.DataFrame:
    """Runs, newest first, with their duration (to now for a running one)."""
    rows = [
        {
            "id": r.id,
            "pipeline": r.pipeline,
            "trigger": r.trigger,
            "status": r.status,
            "created_at": r.created_at,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
            "duration_s": span(r.started_at, r.finished_at),
            "dataset_ids": list(r.dataset_ids),
            "error": r.error,
        }
        for r in api.runs(status=status, limit=limit)
    ]
    return _frame(rows, RUNS_SCHEMA)


def tasks_frame(api: WorkbenchApi, run_id: int) -> pl.DataFrame:
    """The task runs of one run: the DAG's progress, one row per task started so far."""
    rows = [
        {
            "run_id": t.run_id,
            "task": t.task,
            "status": t.status,
            "attempts": t.attempts,
            "started_at": t.started_at,
            "finished_at": t.finished_at,
            "duration_s": t.duration_s,
            "error": t.error,
        }
        for t in api.run_detail(run_id).tasks
    ]
    return _frame(rows, TASKS_SCHEMA)


def metrics_frame(api: WorkbenchApi, run_id: int, key: str | None = None) -> pl.DataFrame:
    """Every logged point of every metric of a run (or of metric ``key`` only).

    Long format (one row per point) so curves keep their steps; pivot on ``key`` for a
    wide view.
    """
    keys = [key] if key is not None else sorted(api.run_detail(run_id).metrics)
    rows = [
        {
            "run_id": m.run_id,
            "task": m.task,
            "key": m.key,
            "value": m.value,
            "step": m.step,
            "ts": m.ts,
        }
        for name in keys
        for m in api.metric_history(run_id, name)
    ]
    return _frame(rows, METRICS_SCHEMA)


def models_frame(api: WorkbenchApi, status: str | None = None) -> pl.DataFrame:
    """Model versions, newest first, one column per held-out metric."""
    models = api.models(status)
    names = sorted({k for m in models for k in m.metrics})
    schema = {**MODELS_SCHEMA, **dict.fromkeys(names, pl.Float64)}
    rows = [
        {
            "version": m.version,
            "candidate": m.candidate,
            "status": m.status,
            "aliases": list(m.aliases),
            "gate_passed": m.gate_passed,
            "run_id": m.run_id,
            "created_at": m.created_at,
            **{n: m.metrics.get(n) for n in names},
        }
        for m in models
    ]
    return _frame(rows, schema)


def datasets_frame(api: WorkbenchApi, status: str | None = None) -> pl.DataFrame:
    """Ingested datasets (accepted and quarantined), newest first."""
    rows = [
        {
            "id": d.id,
            "name": d.name,
            "status": d.status,
            "rows": d.rows,
            "columns": len(d.columns),
            "path": d.path,
            "ingested_at": d.ingested_at,
            "sha256": d.sha256,
        }
        for d in api.datasets(status)
    ]
    return _frame(rows, DATASETS_SCHEMA)


def approvals_frame(api: WorkbenchApi, version: int | None = None) -> pl.DataFrame:
    """Decisions on model versions: who, when, what, why."""
    rows = [
        {
            "version": a.version,
            "decision": a.decision,
            "actor": a.actor,
            "comment": a.comment,
            "decided_at": a.decided_at,
        }
        for a in api.approvals(version)
    ]
    return _frame(rows, APPROVALS_SCHEMA)


def events_frame(
    api: WorkbenchApi, after_id: int = 0, limit: int = 200, kind: str | None = None
) -> pl.DataFrame:
    """Events after ``after_id``, oldest first; ``kind`` keeps those starting with it."""
    events = [e for e in api.events(after_id, limit) if kind is None or e.kind.startswith(kind)]
    return event_rows(events)


def drift_frame(api: WorkbenchApi, limit: int = 50) -> pl.DataFrame:
    """Drift reports, newest first: when, what was compared, the verdict, what drifted."""
    rows = [
        {
            "id": r.id,
            "created_at": r.created_at,
            "source": r.source,
            "dataset_id": r.dataset_id,
            "reference_version": r.reference_version,
            "dataset_drift": r.dataset_drift,
            "share_drifted": r.share_drifted,
            "drifted_columns": list(r.drifted_columns),
        }
        for r in api.drift_reports(limit)
    ]
    return _frame(rows, DRIFT_SCHEMA)


def drift_columns_frame(api: WorkbenchApi, report_id: int | None = None) -> pl.DataFrame:
    """One row per column of a drift report (default: the newest): method, statistic, PSI.

    Raises:
        WorkbenchError: There is no drift report yet, or none with that id.
    """
    return drift_view(api, report_id).frame


def performance_frame(api: WorkbenchApi, limit: int = 200) -> pl.DataFrame:
    """Production's metrics on each newly labelled dataset, long format (one row a metric)."""
    rows = [
        {"ts": p.ts, "version": p.version, "dataset_id": p.dataset_id, "metric": k, "value": v}
        for p in api.performance(limit)
        for k, v in sorted(p.metrics.items())
    ]
    return _frame(rows, PERFORMANCE_SCHEMA)


def event_rows(events: list[EventRecord]) -> pl.DataFrame:
    """Events as a frame (payloads left out: they differ by kind)."""
    rows = [
        {"id": e.id, "ts": e.ts, "kind": e.kind, "level": e.level, "message": e.message}
        for e in events
    ]
    return _frame(rows, EVENTS_SCHEMA)
