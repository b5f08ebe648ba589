"""The one client interface every front end uses, in-process or remote.

Each method is marked with :func:`operation` (GET for queries, POST for actions), so the
control API can publish every method as a route and a remote client can be generated
from this one definition: a method added here is available everywhere.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from workbench.core.drift_report import DriftReport
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

F = TypeVar("F", bound=Callable[..., Any])


def operation(method: str) -> Callable[[F], F]:
    """Mark an interface method as a query (``GET``) or an action (``POST``)."""

    def mark(fn: F) -> F:
        fn.__wb_operation__ = method  # type: ignore[attr-defined]
        return fn

    return mark


def operations() -> dict[str, str]:
    """Name -> HTTP method of every operation in the interface."""
    return {
        name: fn.__wb_operation__
        for name, fn in vars(WorkbenchApi).items()
        if hasattr(fn, "__wb_operation__")
    }


class WorkbenchApi(ABC):
    """What the CLI, the TUI and the notebook may ask of a workspace."""

    @operation("GET")
    @abstractmethod
    def status(self) -> WorkspaceStatus:
        """The workspace at a glance."""

    @operation("POST")
    @abstractmethod
    def ingest(self, path: str, move: bool | None = None) -> IngestOutcome:
        """Hash, deduplicate, validate and file a data file."""

    @operation("POST")
    @abstractmethod
    def run(self, data: str | None = None, trigger: str = "manual") -> RunRecord:
        """Ingest ``data`` (if given, left in place) and train on it, or on the window."""

    @operation("GET")
    @abstractmethod
    def runs(
        self,
        status: str | None = None,
        limit: int = 50,
        trigger: str | None = None,
        since: str | None = None,
        tag: str | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first, by status, trigger, age (``2026-11-01``, ``24h``, ``7d``)
        and run tag (``key=value``)."""

    @operation("GET")
    @abstractmethod
    def best_runs(self, metric: str, direction: str = "max", limit: int = 10) -> list[RunScore]:
        """The runs with the best latest value of ``metric`` (``max`` or ``min``)."""

    @operation("POST")
    @abstractmethod
    def tag_run(self, run_id: int, tags: dict[str, str]) -> dict[str, dict[str, str]]:
        """Set tags on a run (a key set again keeps the new value); returns all its tags."""

    @operation("GET")
    @abstractmethod
    def cached_results(self, task: str | None = None) -> list[CachedResult]:
        """Entries of the task cache, newest first (one task's, or all)."""

    @operation("POST")
    @abstractmethod
    def clear_cache(self, task: str | None = None) -> int:
        """Forget cached task results (one task's, or all) so they run again; how many."""

    @operation("GET")
    @abstractmethod
    def run_detail(self, run_id: int) -> RunDetail:
        """One run with its tasks, params, metrics and models."""

    @operation("GET")
    @abstractmethod
    def task_log(self, run_id: int, task: str) -> TaskLog:
        """What a task of a run wrote to its log (a failed task's traceback), its end if long."""

    @operation("POST")
    @abstractmethod
    def reproduce(self, run_id: int) -> Reproduction:
        """Re-run a run on its recorded data and settings; compare metrics exactly."""

    @operation("GET")
    @abstractmethod
    def compare(self, run_ids: list[int]) -> RunComparison:
        """Params and metrics of several runs side by side."""

    @operation("GET")
    @abstractmethod
    def metric_history(self, run_id: int, key: str) -> list[MetricRecord]:
        """Every point of one metric in a run."""

    @operation("GET")
    @abstractmethod
    def datasets(self, status: str | None = None) -> list[DatasetRecord]:
        """Ingested datasets, newest first."""

    @operation("GET")
    @abstractmethod
    def validation_report(self, dataset_id: int) -> ValidationReport:
        """The report stored when a dataset was validated: verdict, checks, examples, profile."""

    @operation("GET")
    @abstractmethod
    def models(self, status: str | None = None) -> list[ModelVersionRecord]:
        """Model versions, newest first."""

    @operation("GET")
    @abstractmethod
    def model_report(self, version: int) -> QualityReport | None:
        """The quality report of a model version on its test rows (None if none was made)."""

    @operation("GET")
    @abstractmethod
    def approvals(self, version: int | None = None) -> list[ApprovalRecord]:
        """Decisions on model versions."""

    @operation("POST")
    @abstractmethod
    def approve(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Approve a candidate; it becomes production."""

    @operation("POST")
    @abstractmethod
    def reject(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Reject a candidate."""

    @operation("POST")
    @abstractmethod
    def promote(
        self, version: int, alias: str, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Point an alias at an approved version."""

    @operation("POST")
    @abstractmethod
    def archive(
        self, version: int, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Retire a version that no alias points at."""

    @operation("POST")
    @abstractmethod
    def rollback(self, reason: str = "", actor: str | None = None) -> ModelVersionRecord:
        """Serve the previous production version again."""

    @operation("GET")
    @abstractmethod
    def contract(self) -> str:
        """The pinned data contract as TOML."""

    @operation("POST")
    @abstractmethod
    def infer_contract(self, path: str, pin: bool = False) -> str:
        """The contract a file proposes (TOML); ``pin`` makes it the checked one."""

    @operation("POST")
    @abstractmethod
    def contract_diff(self, path: str) -> ValidationReport:
        """A file checked against the pinned contract: failed checks, schema changes."""

    @operation("POST")
    @abstractmethod
    def drift(self, path: str | None = None) -> DriftReport:
        """Drift of a file (default: the newest dataset) vs production's training data."""

    @operation("GET")
    @abstractmethod
    def drift_reports(self, limit: int = 50) -> list[DriftRecord]:
        """Stored drift reports, newest first."""

    @operation("GET")
    @abstractmethod
    def drift_report(self, report_id: int) -> DriftReport:
        """One drift report in full: per-column statistics and histograms."""

    @operation("GET")
    @abstractmethod
    def performance(self, limit: int = 200) -> list[PerformanceRecord]:
        """Production's metrics on newly labelled data over time."""

    @operation("GET")
    @abstractmethod
    def feature_views(self) -> list[FeatureViewRecord]:
        """Materialised feature views: freshness, rows, entities, null shares."""

    @operation("GET")
    @abstractmethod
    def features(self, view: str, key: str) -> FeatureLookup:
        """One entity's stored features in a view: the latest values and the history."""

    @operation("POST")
    @abstractmethod
    def materialize_features(self) -> list[FeatureViewRecord]:
        """Rebuild every feature view of features.py from all accepted data."""

    @operation("GET")
    @abstractmethod
    def lineage(self, version: int) -> LineageNode:
        """From a model version back to its data and forward to its decisions."""

    @operation("GET")
    @abstractmethod
    def events(
        self, after_id: int = 0, limit: int = 200, newest: bool = False
    ) -> list[EventRecord]:
        """Events after an id, oldest first (resume from the last id seen); with
        ``newest``, the last ``limit`` events instead (a UI's backlog at start-up)."""

    @operation("POST")
    @abstractmethod
    def serve(
        self, host: str | None = None, port: int | None = None, allow_remote: bool = False
    ) -> ServerInfo:
        """Start the scoring server on the production model; it stops with the engine."""

    @operation("POST")
    @abstractmethod
    def watch(
        self, serve: bool = True, host: str | None = None, port: int | None = None
    ) -> ServerInfo | None:
        """Watch incoming/, queue runs for new files, and serve production as it moves."""

    @operation("POST")
    @abstractmethod
    def unwatch(self) -> bool:
        """Pause watching incoming/ (a running run finishes, serving goes on); was it on?"""

    @operation("POST")
    @abstractmethod
    def watch_on_open(self) -> bool:
        """What a front end that owns the workspace does on opening it: ``watch(serve=True)``
        unless ``[watch] on_open = false``. Returns whether it watches now."""

    @operation("GET")
    @abstractmethod
    def serving_status(self) -> ServingStatus:
        """Whether the scoring server process is alive now, what it serves, how busy it is."""

    @operation("GET")
    @abstractmethod
    def example_request(self) -> dict[str, Any]:
        """One input row the production model accepts (for curl examples)."""

    @abstractmethod
    def subscribe(self, callback: Callable[[EventRecord], None]) -> Callable[[], None]:
        """Call ``callback`` for each new event; returns the unsubscribe function."""

    @abstractmethod
    def close(self) -> None:
        """Release the workspace (an in-process engine closes its store)."""

    def __enter__(self) -> WorkbenchApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def data_path(value: str) -> Path:
    """A data path argument as a Path (front ends pass strings so remote calls can too)."""
    return Path(value).expanduser().resolve()
