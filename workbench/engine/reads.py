"""The engine's read side: every question a front end asks of the store, answered here.

The api only delegates (``workbench.api`` may not import ``workbench.store``), so each
read a front end makes is one method of this class, which the engine exposes as
``engine.reads``. Reads change nothing and emit nothing; changes are ``Engine`` methods.
"""

from __future__ import annotations

from datetime import datetime

from workbench.core.drift_report import DriftReport
from workbench.core.errors import DataError, WorkbenchError
from workbench.core.records import (
    ApprovalRecord,
    CachedResult,
    DatasetRecord,
    DriftRecord,
    EventRecord,
    MetricRecord,
    ModelVersionRecord,
    PerformanceRecord,
    RunDetail,
    RunRecord,
    RunScore,
    WorkspaceStatus,
)
from workbench.core.validation_report import ValidationReport
from workbench.core.vocabulary import Alias, DatasetStatus, ModelStatus
from workbench.core.workspace import Workspace
from workbench.engine.context import CurrentConfig
from workbench.store import Store


class Reads:
    """Queries over one workspace's store, typed as the api returns them."""

    def __init__(self, workspace: Workspace, config: CurrentConfig, store: Store) -> None:
        """``config`` is the engine's settings getter, read at each use."""
        self._workspace = workspace
        self._config = config
        self._store = store

    def status(self) -> WorkspaceStatus:
        """The workspace at a glance."""
        store = self._store
        production = store.registry.alias(Alias.PRODUCTION)
        return WorkspaceStatus(
            root=str(self._workspace.root),
            target=self._config().target.column,
            datasets=len(store.datasets.list(DatasetStatus.ACCEPTED)),
            quarantined=len(store.datasets.list(DatasetStatus.QUARANTINED)),
            runs=store.runs.count(),
            production=production.version if production else None,
            pending_approvals=len(store.registry.list(ModelStatus.CANDIDATE)),
        )

    def runs(
        self,
        status: str | None = None,
        limit: int = 50,
        trigger: str | None = None,
        since: datetime | None = None,
        tag: tuple[str, str] | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first, filtered."""
        return self._store.runs.list(
            status=status, trigger=trigger, limit=limit, since=since, tag=tag
        )

    def best_runs(self, metric: str, direction: str = "max", limit: int = 10) -> list[RunScore]:
        """The runs with the best latest value of ``metric``.

        Raises:
            WorkbenchError: ``direction`` is neither ``max`` nor ``min``.
        """
        if direction not in ("max", "min"):
            raise WorkbenchError(f"direction must be 'max' or 'min', not {direction!r}")
        runs = self._store.runs
        found = ((runs.get(run_id), value) for run_id, value in runs.best(metric, direction, limit))
        return [RunScore(run, value) for run, value in found if run is not None]

    def run_detail(self, run_id: int) -> RunDetail:
        """A run with its tasks, parameters, metrics, models and tags.

        Raises:
            WorkbenchError: There is no such run.
        """
        runs = self._store.runs
        run = runs.get(run_id)
        if run is None:
            raise WorkbenchError(f"there is no run {run_id}")
        return RunDetail(
            run=run,
            tasks=tuple(runs.tasks(run_id)),
            params=runs.params(run_id),
            metrics=runs.metrics(run_id),
            models=tuple(self._store.registry.list(run_id=run_id)),
            tags=runs.tags(run_id),
        )

    def metric_history(self, run_id: int, key: str) -> list[MetricRecord]:
        """Every logged value of one metric of a run, by step."""
        return self._store.runs.metric_history(run_id, key)

    def cached_results(self, task: str | None = None) -> list[CachedResult]:
        """The task cache's entries (of one task, or all)."""
        return self._store.task_cache.list(task)

    def datasets(self, status: str | None = None) -> list[DatasetRecord]:
        """Ingested files, newest first."""
        return self._store.datasets.list(status)

    def validation_report(self, dataset_id: int) -> ValidationReport:
        """The newest validation report stored for a dataset's content.

        Raises:
            DataError: No such dataset, or it has no stored report.
        """
        dataset = self._store.datasets.get(dataset_id)
        if dataset is None:
            raise DataError(f"there is no dataset {dataset_id}")
        reports = self._store.datasets.reports(dataset.sha256)
        if not reports:
            raise DataError(
                f"dataset {dataset_id} ({dataset.name}) has no stored validation report"
            )
        return ValidationReport.from_dict(reports[0])

    def models(self, status: str | None = None) -> list[ModelVersionRecord]:
        """Model versions, newest first."""
        return self._store.registry.list(status)

    def approvals(self, version: int | None = None) -> list[ApprovalRecord]:
        """Decisions, on one version or all."""
        return self._store.registry.approvals(version)

    def drift_reports(self, limit: int = 50) -> list[DriftRecord]:
        """Drift reports, newest first."""
        return self._store.monitoring.drift_reports(limit)

    def drift_report(self, report_id: int) -> DriftReport:
        """One drift report in full.

        Raises:
            WorkbenchError: There is no such report.
        """
        report = self._store.monitoring.drift_report(report_id)
        if report is None:
            raise WorkbenchError(f"there is no drift report {report_id}")
        return DriftReport.from_dict(report)

    def performance(self, limit: int = 200) -> list[PerformanceRecord]:
        """Production's scores on newly labelled rows, newest first."""
        return self._store.monitoring.performance(limit)

    def events(
        self, after_id: int = 0, limit: int = 200, newest: bool = False
    ) -> list[EventRecord]:
        """Events after ``after_id``: the oldest ``limit`` of them, or the newest."""
        events = self._store.events
        if newest:
            return [e for e in events.recent(limit) if e.id > after_id]
        return events.since(after_id, limit)
