"""An api that answers from records frozen in time, for the snapshot tests.

Snapshots compare pixels, so nothing on screen may depend on when the test ran or how
fast the machine trained: these records have fixed timestamps and durations, and the app
gets a frozen clock. It is a second implementation of :class:`WorkbenchApi` (as a remote
client is), read-only: actions raise the same error a user would see.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.api import RunDetail, WorkbenchApi, WorkspaceStatus
from workbench.api.interface import RunScore, ServingStatus, TaskLog
from workbench.core.drift_report import DriftReport
from workbench.core.errors import WorkbenchError
from workbench.core.quality import Calibration, ConfusionMatrix, Curve, Importance, QualityReport
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
    TaskRunRecord,
)
from workbench.core.validation_report import ValidationReport
from workbench.core.vocabulary import (
    Alias,
    DatasetStatus,
    Decision,
    Level,
    ModelStatus,
    RunState,
    TaskState,
    Trigger,
)
from workbench.store.task_cache import CachedResult

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
"""When the fixed story starts."""

NOW = T0 + timedelta(hours=3)
"""The frozen clock the snapshot app is given."""

COLUMNS = {
    "transaction_id": "string",
    "timestamp": "datetime",
    "amount": "float",
    "merchant_category": "string",
    "country": "string",
    "is_fraud": "int",
}

METRICS_V1 = {"roc_auc": 0.8412, "average_precision": 0.4021, "f1": 0.3310, "log_loss": 0.1402}
METRICS_V2 = {"roc_auc": 0.8733, "average_precision": 0.4518, "f1": 0.3655, "log_loss": 0.1288}

TASKS = (
    ("validate", 0.0, 0.4),
    ("split", 0.5, 0.6),
    ("preprocess", 0.7, 1.3),
    ("train_logistic_regression", 1.4, 3.0),
    ("train_random_forest", 1.4, 6.2),
    ("train_hist_gradient_boosting", 3.1, 8.8),
    ("evaluate", 8.9, 9.3),
    ("gate", 9.4, 9.5),
    ("register", 9.6, 10.4),
)


FAILED_TASK = "train_random_forest"
"""Run 3 (still running) lost this task; its log holds the traceback below."""

TRACEBACK = """Traceback (most recent call last):
  File "workbench/dag/attempt.py", line 112, in run
    value = self.task.fn(**arguments)
  File "workbench/tabular/pipeline.py", line 181, in train
    model = fit_candidate(name, task_kind, plan, train, settings.target, params, seed)
  File "workbench/training/candidates.py", line 97, in fit_candidate
    raise TrainingError(f"{name}: {exc}") from exc
workbench.core.errors.TrainingError: random_forest: Input X contains NaN.
"""

REPORT = ValidationReport.from_dict(
    {
        "source": "/work/fraud-demo/incoming/transactions_2026_01.csv",
        "rows": 25_000,
        "passed": True,
        "checks": [
            *(
                {
                    "name": f"{column} not null",
                    "column": column,
                    "kind": "not_null",
                    "severity": "error",
                    "passed": True,
                    "failing_rows": 0,
                    "examples": [],
                    "detail": "no empty values",
                }
                for column in COLUMNS
            ),
            {
                "name": "amount in range",
                "column": "amount",
                "kind": "range",
                "severity": "warn",
                "passed": False,
                "failing_rows": 3,
                "examples": [[812, 2950.0], [4410, 3120.5], [20987, 2601.25]],
                "detail": "between 0.0 and 2542.0",
            },
        ],
        "schema_changes": [],
        "profile": [],
        "duration_s": 0.41,
    }
)
"""Dataset 1's report: everything passed but a range check that only warns."""


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _tasks(run_id: int, start: datetime) -> tuple[TaskRunRecord, ...]:
    if run_id == 3:
        return _running_tasks(start)
    return tuple(
        TaskRunRecord(
            run_id,
            name,
            TaskState.CACHED if name == "split" else TaskState.SUCCESS,
            1,
            start + timedelta(seconds=a),
            start + timedelta(seconds=b),
            b - a,
            None,
        )
        for name, a, b in TASKS
    )


def _running_tasks(start: datetime) -> tuple[TaskRunRecord, ...]:
    """Run 3 so far: one training task failed, one still training."""
    tasks = []
    for name, a, b in TASKS[:6]:
        failed = name == FAILED_TASK
        running = name == "train_hist_gradient_boosting"
        tasks.append(
            TaskRunRecord(
                3,
                name,
                TaskState.FAILED if failed else TaskState.RUNNING if running else TaskState.SUCCESS,
                1,
                start + timedelta(seconds=a),
                None if running else start + timedelta(seconds=b),
                None if running else b - a,
                "TrainingError: random_forest: Input X contains NaN." if failed else None,
            )
        )
    return tuple(tasks)


def _normal_tail(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def _fixed_report() -> QualityReport:
    """v2's report: a binormal model (positives 1.6 sd above negatives), 3.5% positives.

    Drawn from closed forms, not trained, so the snapshot never depends on a fit.
    """
    rows, share = 5_000, 0.035
    cuts = [-3.0 + 0.15 * i for i in range(51)]
    fpr = [_normal_tail(c) for c in cuts]
    tpr = [_normal_tail(c - 1.6) for c in cuts]
    probability = [1 / (1 + math.exp(-(1.6 * c - 4.6))) for c in cuts]
    precision = [t * share / (t * share + f * (1 - share)) for t, f in zip(tpr, fpr, strict=True)]
    roc_x, roc_y = [0.0, *reversed(fpr), 1.0], [0.0, *reversed(tpr), 1.0]
    xs, ys = itertools.pairwise(roc_x), itertools.pairwise(roc_y)
    area = sum((b - a) * (c + d) / 2 for (a, b), (c, d) in zip(xs, ys, strict=True))
    bins = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
    columns = ["amount", "n_tx_last_24h", "card_age_days", "country", "channel", "timestamp"]
    return QualityReport(
        task="binary",
        rows=rows,
        threshold=0.31,
        positive_label="1",
        confusion=ConfusionMatrix(("0", "1"), ((4712, 113), (61, 114))),
        roc=Curve(tuple(roc_x), tuple(roc_y), (None, *reversed(probability), None), area),
        precision_recall=Curve(
            tuple(reversed(tpr)), tuple(reversed(precision)), tuple(reversed(probability)), 0.4518
        ),
        calibration=Calibration(
            "positive class",
            tuple(bins),
            tuple(b * 0.8 + 0.01 for b in bins),
            (4630, 170, 70, 40, 25, 20, 15, 12, 10, 8),
            0.0281,
        ),
        importances=tuple(Importance(name, 0.12 / (i + 1), 0.01) for i, name in enumerate(columns)),
        importance_metric="roc_auc",
        importance_rows=1_000,
        importance_repeats=3,
        columns=len(columns),
        seconds=0.8,
    )


class FixedApi(WorkbenchApi):
    """Three runs, two model versions (v1 production, v2 waiting), a quarantined file."""

    def __init__(self) -> None:
        self._runs = [
            RunRecord(
                3, "tabular", Trigger.FILE, RunState.RUNNING, _at(170), _at(170.2), None, None, (1,)
            ),
            RunRecord(
                2,
                "tabular",
                Trigger.DRIFT,
                RunState.SUCCESS,
                _at(60),
                _at(60.1),
                _at(60.3),
                None,
                (1,),
            ),
            RunRecord(
                1,
                "tabular",
                Trigger.MANUAL,
                RunState.SUCCESS,
                _at(5),
                _at(5.1),
                _at(5.3),
                None,
                (1,),
            ),
        ]
        sig: dict[str, Any] = {"inputs": [], "target": "is_fraud"}
        self._models = [
            ModelVersionRecord(
                2,
                2,
                "hist_gradient_boosting",
                "b" * 64,
                ModelStatus.CANDIDATE,
                {**METRICS_V2, "val_roc_auc": 0.9061},
                sig,
                True,
                _at(60.3),
                champion={
                    "version": 1,
                    "metrics": METRICS_V1,
                    "comparison": {
                        "metric": "roc_auc",
                        "delta": 0.0063,
                        "low": -0.0041,
                        "high": 0.0172,
                        "margin": 0.0,
                    },
                },
                threshold=0.214,
                evaluation={"metric": "roc_auc", "selection": "holdout", "split": "time"},
            ),
            ModelVersionRecord(
                1,
                1,
                "random_forest",
                "a" * 64,
                ModelStatus.APPROVED,
                {**METRICS_V1, "cv_roc_auc_mean": 0.8944, "cv_roc_auc_std": 0.0121},
                sig,
                True,
                _at(5.3),
                (Alias.PRODUCTION,),
                threshold=0.5,
                evaluation={"metric": "roc_auc", "selection": "cv", "split": "random"},
            ),
        ]
        self._approvals = [
            ApprovalRecord(1, Decision.APPROVE, "alice", "beats the baseline", _at(10), METRICS_V1)
        ]
        self._datasets = [
            DatasetRecord(
                2,
                "c" * 64,
                "february_broken.csv",
                "quarantine/february_broken.csv",
                0,
                DatasetStatus.QUARANTINED,
                _at(150),
            ),
            DatasetRecord(
                1,
                "d" * 64,
                "transactions_2026_01.csv",
                "processed/transactions_2026_01.csv",
                25_000,
                DatasetStatus.ACCEPTED,
                _at(4),
                COLUMNS,
            ),
        ]
        self._events = [
            EventRecord(i + 1, _at(minutes), kind, message, payload, Level(level))
            for i, (minutes, kind, message, payload, level) in enumerate(_EVENTS)
        ]

    def status(self) -> WorkspaceStatus:
        return WorkspaceStatus("/work/fraud-demo", "is_fraud", 1, 1, 3, 1, 1)

    def runs(
        self,
        status: str | None = None,
        limit: int = 50,
        trigger: str | None = None,
        since: str | None = None,
        tag: str | None = None,
    ) -> list[RunRecord]:
        key, _, value = (tag or "").partition("=")
        return [
            r
            for r in self._runs
            if status in (None, r.status)
            and trigger in (None, r.trigger)
            and (tag is None or self.run_detail(r.id).tags[""].get(key) == value)
        ][:limit]

    def best_runs(self, metric: str, direction: str = "max", limit: int = 10) -> list[RunScore]:
        scored = [RunScore(r, METRICS_V1.get(metric, 0.0)) for r in self._runs if r.finished_at]
        return scored[:limit]

    def tag_run(self, run_id: int, tags: dict[str, str]) -> dict[str, dict[str, str]]:
        return {"": dict(tags)}

    def cached_results(self, task: str | None = None) -> list[CachedResult]:
        return []

    def clear_cache(self, task: str | None = None) -> int:
        return 0

    def run_detail(self, run_id: int) -> RunDetail:
        run = next((r for r in self._runs if r.id == run_id), None)
        if run is None:
            raise WorkbenchError(f"there is no run {run_id}")
        metrics = {
            f"{c}.{k}": v
            for c in ("random_forest", "logistic_regression")
            for k, v in METRICS_V1.items()
        }
        params = {"target": "is_fraud", "seed": "0", "split.rows_train": "20000"}
        models = tuple(m for m in self._models if m.run_id == run_id)
        tags = {
            "": {"workbench.user": "alice", "workbench.pipeline": "tabular"},
            "train_random_forest": {"search": "off"},
        }
        tasks = _tasks(run_id, run.started_at or T0)
        return RunDetail(run, tasks, params, metrics, models, tags)

    def metric_history(self, run_id: int, key: str) -> list[MetricRecord]:
        """One point at step 0, as the built-in pipeline logs each candidate's scores."""
        detail = self.run_detail(run_id)
        if key not in detail.metrics:
            return []
        task = f"train_{key.split('.', 1)[0]}"
        at = detail.run.finished_at or NOW
        return [MetricRecord(run_id, task, key, detail.metrics[key], 0, at)]

    def task_log(self, run_id: int, task: str) -> TaskLog:
        detail = self.run_detail(run_id)
        if task not in [t.task for t in detail.tasks]:
            raise WorkbenchError(f"run {run_id} has no task {task!r}")
        path = f".workbench/logs/run-{run_id}/{task}.log"
        text = TRACEBACK if (run_id, task) == (3, FAILED_TASK) else ""
        return TaskLog(run_id, task, path, text, len(text.encode()), False)

    def validation_report(self, dataset_id: int) -> ValidationReport:
        if dataset_id != 1:
            raise WorkbenchError(f"dataset {dataset_id} has no stored validation report")
        return REPORT

    def serving_status(self) -> ServingStatus:
        return ServingStatus("running", "http://127.0.0.1:8000", 1, 4242, 12.4, 0.0087, 30.0, 5210)

    def datasets(self, status: str | None = None) -> list[DatasetRecord]:
        return [d for d in self._datasets if status in (None, d.status)]

    def models(self, status: str | None = None) -> list[ModelVersionRecord]:
        return [m for m in self._models if status in (None, m.status)]

    def approvals(self, version: int | None = None) -> list[ApprovalRecord]:
        return [a for a in self._approvals if version in (None, a.version)]

    def model_report(self, version: int) -> QualityReport | None:
        if not any(m.version == version for m in self._models):
            raise WorkbenchError(f"there is no model version {version}")
        return _fixed_report() if version == 2 else None

    def feature_views(self) -> list[FeatureViewRecord]:
        return [
            FeatureViewRecord(
                "customer_activity",
                "c" * 64,
                "customer",
                "customer_id",
                "timestamp",
                30 * 86_400.0,
                ("n_tx_last_24h", "mean_amount_7d"),
                True,
                24_995,
                500,
                datetime(2026, 1, 31, 23, 56),
                _at(150),
                {"n_tx_last_24h": 0.0, "mean_amount_7d": 0.02},
            )
        ]

    def features(self, view: str, key: str) -> FeatureLookup:
        if view != "customer_activity":
            raise WorkbenchError(f"no feature view '{view}' is materialised")
        history = [
            {
                "customer_id": key,
                "timestamp": f"2026-01-{day:02d}T12:00:00",
                "n_tx_last_24h": day % 4,
                "mean_amount_7d": 40.0 + day,
            }
            for day in range(1, 32)
        ]
        return FeatureLookup(view, key, history[-1], history)

    def materialize_features(self) -> list[FeatureViewRecord]:
        return self.feature_views()

    def lineage(self, version: int) -> LineageNode:
        dataset = LineageNode("dataset", "1", "dataset 1 transactions_2026_01.csv (25000 rows)")
        run = LineageNode("run", "1", "run 1 (tabular, manual, success)", (dataset,))
        approval = LineageNode("approval", "1", "approve by alice: beats the baseline")
        return LineageNode(
            "model_version", str(version), f"model version {version}", (run, approval)
        )

    def events(
        self, after_id: int = 0, limit: int = 200, newest: bool = False
    ) -> list[EventRecord]:
        later = [e for e in self._events if e.id > after_id]
        return later[-limit:] if newest else later[:limit]

    def subscribe(self, callback: Callable[[EventRecord], None]) -> Callable[[], None]:
        return lambda: None

    def close(self) -> None:
        pass

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise WorkbenchError("this workspace is a fixed example and cannot change")

    def ingest(self, path: str, move: bool | None = None) -> IngestOutcome:
        return self._read_only()

    def run(self, data: str | None = None, trigger: str = "manual") -> RunRecord:
        return self._read_only()

    def approve(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self._read_only()

    def reject(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self._read_only()

    def promote(
        self, version: int, alias: str, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self._read_only()

    def rollback(self, reason: str = "", actor: str | None = None) -> ModelVersionRecord:
        return self._read_only()

    def archive(
        self, version: int, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        return self._read_only()

    def serve(
        self, host: str | None = None, port: int | None = None, allow_remote: bool = False
    ) -> ServerInfo:
        return self._read_only()

    def watch(
        self, serve: bool = True, host: str | None = None, port: int | None = None
    ) -> ServerInfo | None:
        return self._read_only()

    def unwatch(self) -> bool:
        return self._read_only()

    def watch_on_open(self) -> bool:
        return self._read_only()

    def example_request(self) -> dict[str, Any]:
        return self._read_only()

    def reproduce(self, run_id: int) -> Reproduction:
        return self._read_only()

    def compare(self, run_ids: list[int]) -> RunComparison:
        return self._read_only()

    def contract(self) -> str:
        return self._read_only()

    def infer_contract(self, path: str, pin: bool = False) -> str:
        return self._read_only()

    def contract_diff(self, path: str) -> ValidationReport:
        return self._read_only()

    def drift(self, path: str | None = None) -> DriftReport:
        return self._read_only()

    def drift_reports(self, limit: int = 50) -> list[DriftRecord]:
        return []

    def drift_report(self, report_id: int) -> DriftReport:
        return self._read_only()

    def performance(self, limit: int = 200) -> list[PerformanceRecord]:
        return []


_EVENTS: list[tuple[float, str, str, dict[str, Any], str]] = [
    (
        1,
        "watch.started",
        "watching /work/fraud-demo/incoming",
        {"folder": "/work/fraud-demo/incoming"},
        "info",
    ),
    (
        3.9,
        "watch.seen",
        "transactions_2026_01.csv appeared",
        {"path": "/work/fraud-demo/incoming/transactions_2026_01.csv"},
        "info",
    ),
    (
        4,
        "dataset.ingested",
        "transactions_2026_01.csv ingested as dataset 1 (25,000 rows)",
        {"dataset_id": 1, "file": "transactions_2026_01.csv"},
        "info",
    ),
    (5, "run.started", "run 1 started (manual) on dataset(s) 1", {"run_id": 1}, "info"),
    (5.3, "run.finished", "run 1 success", {"run_id": 1}, "info"),
    (
        10,
        "model.approved",
        "model version 1 approved by alice; now production",
        {"version": 1},
        "info",
    ),
    (
        12,
        "serving.started",
        "serving model version 1 on http://127.0.0.1:8000",
        {"url": "http://127.0.0.1:8000", "version": 1},
        "info",
    ),
    (
        55,
        "drift.detected",
        "drift in amount (PSI 0.31) and country (PSI 0.22)",
        {"columns": ["amount", "country"]},
        "warning",
    ),
    (60, "run.started", "run 2 started (drift) on dataset(s) 1", {"run_id": 2}, "info"),
    (60.3, "run.finished", "run 2 success", {"run_id": 2}, "info"),
    (
        60.4,
        "model.pending_approval",
        "model version 2 awaits approval: workbench approve 2",
        {"version": 2},
        "warning",
    ),
    (
        150,
        "dataset.quarantined",
        "february_broken.csv quarantined: column is_fraud is missing",
        {"dataset_id": 2, "reason": "column is_fraud is missing"},
        "error",
    ),
    (
        168,
        "watch.waiting",
        "march.csv is still growing",
        {"path": "/work/fraud-demo/incoming/march.csv"},
        "info",
    ),
    (170, "run.started", "run 3 started (file) on dataset(s) 1", {"run_id": 3}, "info"),
]
