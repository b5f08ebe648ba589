"""The interface served by an engine in this process."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.api.interface import (
    RunDetail,
    RunScore,
    WorkbenchApi,
    WorkspaceStatus,
    data_path,
)
from workbench.core.errors import DataError, RegistryError, ServingError, WorkbenchError
from workbench.core.quality import QualityReport
from workbench.core.records import (
    ApprovalRecord,
    DatasetRecord,
    DriftRecord,
    EventRecord,
    FeatureLookup,
    FeatureViewRecord,
    IngestOutcome,
    LineageNode,
    MetricRecord,
    ModelVersionRecord,
    PerformanceRecord,
    Reproduction,
    RunComparison,
    RunRecord,
    ServerInfo,
)
from workbench.engine.engine import Engine
from workbench.engine.inspect import ServingProbe, ServingStatus, TaskLog, read_task_log
from workbench.engine.task_cache import remove_unused
from workbench.store.task_cache import CachedResult

_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhdw])$")
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str) -> datetime:
    """A moment from an ISO date/time (``2026-11-01``, UTC unless it says) or an age
    (``30m``, ``24h``, ``7d``, ``2w`` ago).

    Raises:
        WorkbenchError: Neither form; the message shows both.
    """
    age = _AGE.match(text.strip())
    if age:
        return datetime.now(UTC) - timedelta(**{_AGE_UNITS[age.group(2)]: float(age.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WorkbenchError(
            f"since {text!r} is neither a date/time like 2026-11-01 nor an age like 24h or 7d"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_tag(text: str) -> tuple[str, str]:
    """``key=value`` as a pair.

    Raises:
        WorkbenchError: No ``=`` or an empty key.
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise WorkbenchError(f"tag {text!r} must look like key=value")
    return key.strip(), value


class LocalApi(WorkbenchApi):
    """Delegates every operation to an in-process :class:`Engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._serving = ServingProbe()

    def status(self) -> WorkspaceStatus:
        store = self.engine.store
        production = store.registry.alias("production")
        return WorkspaceStatus(
            root=str(self.engine.workspace.root),
            target=self.engine.config.target.column,
            datasets=len(store.datasets.list("accepted")),
            quarantined=len(store.datasets.list("quarantined")),
            runs=store.runs.count(),
            production=production.version if production else None,
            pending_approvals=len(store.registry.list("candidate")),
        )

    def ingest(self, path: str, move: bool | None = None) -> IngestOutcome:
        return self.engine.ingest(data_path(path), move=move)

    def run(self, data: str | None = None, trigger: str = "manual") -> RunRecord:
        ids = None
        if data is not None:
            outcome = self.engine.ingest(data_path(data), move=False)
            if outcome.dataset is None or outcome.dataset.status != "accepted":
                reason = outcome.message
                if outcome.status == "duplicate" and outcome.dataset is not None:
                    reason += f"; that dataset was {outcome.dataset.status}"
                raise WorkbenchError(reason)
            ids = [outcome.dataset.id]
        return self.engine.run(ids, trigger)

    def runs(
        self,
        status: str | None = None,
        limit: int = 50,
        trigger: str | None = None,
        since: str | None = None,
        tag: str | None = None,
    ) -> list[RunRecord]:
        return self.engine.store.runs.list(
            status=status,
            trigger=trigger,
            limit=limit,
            since=parse_since(since) if since else None,
            tag=parse_tag(tag) if tag else None,
        )

    def best_runs(self, metric: str, direction: str = "max", limit: int = 10) -> list[RunScore]:
        if direction not in ("max", "min"):
            raise WorkbenchError(f"direction must be 'max' or 'min', not {direction!r}")
        runs = self.engine.store.runs
        out = []
        for run_id, value in runs.best(metric, direction, limit):
            run = runs.get(run_id)
            if run is not None:
                out.append(RunScore(run, value))
        return out

    def tag_run(self, run_id: int, tags: dict[str, str]) -> dict[str, dict[str, str]]:
        runs = self.engine.store.runs
        if runs.get(run_id) is None:
            raise WorkbenchError(f"there is no run {run_id}")
        if not tags or not all(isinstance(k, str) and k.strip() for k in tags):
            raise WorkbenchError("tags need non-empty names, e.g. stage=tuning")
        runs.set_tags(run_id, {k.strip(): str(v) for k, v in tags.items()})
        self.engine.emit(
            "run.tagged",
            f"run {run_id} tagged " + ", ".join(f"{k}={v}" for k, v in tags.items()),
            run_id=run_id,
            tags=dict(tags),
        )
        return runs.tags(run_id)

    def cached_results(self, task: str | None = None) -> list[CachedResult]:
        return self.engine.store.task_cache.list(task)

    def clear_cache(self, task: str | None = None) -> int:
        count, unused = self.engine.store.task_cache.clear(task)
        freed = remove_unused(self.engine, unused)  # results nothing else refers to
        what = f"task {task}" if task else "every task"
        self.engine.emit(
            "cache.cleared",
            f"{count} cached result(s) of {what} forgotten, {freed / 1e6:.1f} MB freed",
            task=task,
            count=count,
            freed_bytes=freed,
        )
        return count

    def run_detail(self, run_id: int) -> RunDetail:
        store = self.engine.store
        run = store.runs.get(run_id)
        if run is None:
            raise WorkbenchError(f"there is no run {run_id}")
        return RunDetail(
            run=run,
            tasks=tuple(store.runs.tasks(run_id)),
            params=store.runs.params(run_id),
            metrics=store.runs.metrics(run_id),
            models=tuple(store.registry.list(run_id=run_id)),
            tags=store.runs.tags(run_id),
        )

    def task_log(self, run_id: int, task: str) -> TaskLog:
        return read_task_log(self.engine, run_id, task)

    def reproduce(self, run_id: int) -> Reproduction:
        return self.engine.reproduce(run_id)

    def compare(self, run_ids: list[int]) -> RunComparison:
        return self.engine.compare(list(run_ids))

    def metric_history(self, run_id: int, key: str) -> list[MetricRecord]:
        return self.engine.store.runs.metric_history(run_id, key)

    def datasets(self, status: str | None = None) -> list[DatasetRecord]:
        return self.engine.store.datasets.list(status)

    def validation_report(self, dataset_id: int) -> dict[str, Any]:
        store = self.engine.store
        dataset = store.datasets.get(dataset_id)
        if dataset is None:
            raise DataError(f"there is no dataset {dataset_id}")
        reports = store.datasets.reports(dataset.sha256)
        if not reports:
            raise DataError(
                f"dataset {dataset_id} ({dataset.name}) has no stored validation report"
            )
        return reports[0]

    def models(self, status: str | None = None) -> list[ModelVersionRecord]:
        return self.engine.store.registry.list(status)

    def model_report(self, version: int) -> QualityReport | None:
        return self.engine.quality_report(version)

    def approvals(self, version: int | None = None) -> list[ApprovalRecord]:
        return self.engine.store.registry.approvals(version)

    def approve(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self.engine.approve(version, comment, actor)

    def reject(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self.engine.reject(version, comment, actor)

    def promote(
        self, version: int, alias: str, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self.engine.promote(version, alias, reason, actor)

    def archive(
        self, version: int, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self.engine.archive(version, reason, actor)

    def rollback(self, reason: str = "", actor: str | None = None) -> ModelVersionRecord:
        return self.engine.rollback(reason, actor)

    def contract(self) -> str:
        return self.engine.contract()

    def infer_contract(self, path: str, pin: bool = False) -> str:
        return self.engine.infer_contract(data_path(path), pin)

    def contract_diff(self, path: str) -> dict[str, Any]:
        return self.engine.contract_diff(data_path(path))

    def drift(self, path: str | None = None) -> dict[str, Any]:
        return self.engine.drift(data_path(path) if path else None)

    def drift_reports(self, limit: int = 50) -> list[DriftRecord]:
        return self.engine.store.monitoring.drift_reports(limit)

    def drift_report(self, report_id: int) -> dict[str, Any]:
        report = self.engine.store.monitoring.drift_report(report_id)
        if report is None:
            raise WorkbenchError(f"there is no drift report {report_id}")
        return report

    def performance(self, limit: int = 200) -> list[PerformanceRecord]:
        return self.engine.store.monitoring.performance(limit)

    def feature_views(self) -> list[FeatureViewRecord]:
        return self.engine.feature_views()

    def features(self, view: str, key: str) -> FeatureLookup:
        return self.engine.feature_lookup(view, key)

    def materialize_features(self) -> list[FeatureViewRecord]:
        return self.engine.materialize_features()

    def lineage(self, version: int) -> LineageNode:
        node = self.engine.lineage(version)
        if node is None:
            raise RegistryError(f"there is no model version {version}")
        return node

    def events(
        self, after_id: int = 0, limit: int = 200, newest: bool = False
    ) -> list[EventRecord]:
        events = self.engine.store.events
        if newest:
            return [e for e in events.recent(limit) if e.id > after_id]
        return events.since(after_id, limit)

    def serve(
        self, host: str | None = None, port: int | None = None, allow_remote: bool = False
    ) -> ServerInfo:
        return self.engine.serve(host, port, allow_remote=allow_remote)

    def watch(
        self, serve: bool = True, host: str | None = None, port: int | None = None
    ) -> ServerInfo | None:
        self.engine.watch()
        return self.engine.serve_when_ready(host, port) if serve else None

    def unwatch(self) -> bool:
        return self.engine.unwatch()

    def watch_on_open(self) -> bool:
        if not self.engine.config.watch.on_open:
            return False
        self.engine.watch()
        try:
            self.engine.serve_when_ready()
        except ServingError as exc:  # opening must not fail over a busy port: say it, go on
            self.engine.emit(
                "serving.failed", f"watching, but production is not served: {exc}", "error"
            )
        return True

    def serving_status(self) -> ServingStatus:
        return self._serving.status(self.engine)

    def example_request(self) -> dict[str, Any]:
        return self.engine.example_request()

    def subscribe(self, callback: Callable[[EventRecord], None]) -> Callable[[], None]:
        return self.engine.bus.subscribe(callback)

    def close(self) -> None:
        self.engine.close()
