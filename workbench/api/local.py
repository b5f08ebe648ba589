"""The interface served by an engine in this process."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.api.interface import WorkbenchApi, data_path
from workbench.core.drift_report import DriftReport
from workbench.core.errors import RegistryError, WorkbenchError
from workbench.core.quality import QualityReport
from workbench.core.records import (
    ApprovalRecord,
    CachedResult,
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
    RunDetail,
    RunRecord,
    RunScore,
    ServerInfo,
    ServingStatus,
    TaskLog,
    WorkspaceStatus,
)
from workbench.core.validation_report import ValidationReport
from workbench.core.vocabulary import DatasetStatus
from workbench.engine.deploy.status import ServingProbe
from workbench.engine.engine import Engine

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
        return self.engine.reads.status()

    def ingest(self, path: str, move: bool | None = None) -> IngestOutcome:
        return self.engine.ingest(data_path(path), move=move)

    def run(self, data: str | None = None, trigger: str = "manual") -> RunRecord:
        ids = None
        if data is not None:
            outcome = self.engine.ingest(data_path(data), move=False)
            if outcome.dataset is None or outcome.dataset.status != DatasetStatus.ACCEPTED:
                reason = outcome.message
                if outcome.status == DatasetStatus.DUPLICATE and outcome.dataset is not None:
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
        return self.engine.reads.runs(
            status=status,
            trigger=trigger,
            limit=limit,
            since=parse_since(since) if since else None,
            tag=parse_tag(tag) if tag else None,
        )

    def best_runs(self, metric: str, direction: str = "max", limit: int = 10) -> list[RunScore]:
        return self.engine.reads.best_runs(metric, direction, limit)

    def tag_run(self, run_id: int, tags: dict[str, str]) -> dict[str, dict[str, str]]:
        return self.engine.tag_run(run_id, tags)

    def cached_results(self, task: str | None = None) -> list[CachedResult]:
        return self.engine.reads.cached_results(task)

    def clear_cache(self, task: str | None = None) -> int:
        return self.engine.clear_cache(task)

    def run_detail(self, run_id: int) -> RunDetail:
        return self.engine.reads.run_detail(run_id)

    def task_log(self, run_id: int, task: str) -> TaskLog:
        return self.engine.task_log(run_id, task)

    def reproduce(self, run_id: int) -> Reproduction:
        return self.engine.reproduce(run_id)

    def compare(self, run_ids: list[int]) -> RunComparison:
        return self.engine.compare(list(run_ids))

    def metric_history(self, run_id: int, key: str) -> list[MetricRecord]:
        return self.engine.reads.metric_history(run_id, key)

    def datasets(self, status: str | None = None) -> list[DatasetRecord]:
        return self.engine.reads.datasets(status)

    def validation_report(self, dataset_id: int) -> ValidationReport:
        return self.engine.reads.validation_report(dataset_id)

    def models(self, status: str | None = None) -> list[ModelVersionRecord]:
        return self.engine.reads.models(status)

    def model_report(self, version: int) -> QualityReport | None:
        return self.engine.quality_report(version)

    def approvals(self, version: int | None = None) -> list[ApprovalRecord]:
        return self.engine.reads.approvals(version)

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

    def contract_diff(self, path: str) -> ValidationReport:
        return self.engine.contract_diff(data_path(path))

    def drift(self, path: str | None = None) -> DriftReport:
        return self.engine.drift(data_path(path) if path else None)

    def drift_reports(self, limit: int = 50) -> list[DriftRecord]:
        return self.engine.reads.drift_reports(limit)

    def drift_report(self, report_id: int) -> DriftReport:
        return self.engine.reads.drift_report(report_id)

    def performance(self, limit: int = 200) -> list[PerformanceRecord]:
        return self.engine.reads.performance(limit)

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
        return self.engine.reads.events(after_id, limit, newest)

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
        self.engine.serve_when_ready()  # a busy port is a serving.error event, not a failure
        return True

    def serving_status(self) -> ServingStatus:
        return self._serving.status(self.engine.server)

    def example_request(self) -> dict[str, Any]:
        return self.engine.example_request()

    def subscribe(self, callback: Callable[[EventRecord], None]) -> Callable[[], None]:
        return self.engine.bus.subscribe(callback)

    def close(self) -> None:
        self.engine.close()
