"""Running a pipeline for the engine: the run record, task runs, metrics, events, policy.

The executor calls :class:`RecordingHooks` from its worker threads; each hook writes to
the store (serialised by the store's lock) and publishes an event, so the CLI's progress
table, the TUI and the notebook see every task start and end as it happens.

A :class:`Runner` gets the workspace, the settings, the store and ``emit``, and three
arrows back into the loop (:class:`RunArrows`): the feature store's training join, the
promotion policy for each new candidate, and the quality report of a registered version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import sklearn

from workbench.core.config import WorkbenchConfig
from workbench.core.errors import WorkbenchError
from workbench.core.names import shown
from workbench.core.quality import QualityReport
from workbench.core.records import DatasetRecord, ModelVersionRecord, RunRecord
from workbench.core.signature import Signature
from workbench.core.vocabulary import (
    TASK_FAILED,
    DatasetStatus,
    Level,
    ModelStatus,
    RunState,
    TaskState,
)
from workbench.core.workspace import Workspace
from workbench.dag import RunHooks, RunOutcome, TaskOutcome
from workbench.engine.context import CurrentConfig, Emit
from workbench.engine.promotion.approvals import current_actor
from workbench.engine.runs.executors import make_executor
from workbench.engine.runs.pipelines import load_pipeline
from workbench.engine.runs.task_cache import ArtifactCache
from workbench.engine.runs.task_logs import TaskLogWriter
from workbench.engine.training_rows import load_frames
from workbench.modelfile import load_model
from workbench.store import Store
from workbench.store.artifacts import ArtifactStore
from workbench.store.datasets import DatasetRepo
from workbench.store.registry import RegistryRepo
from workbench.store.runs import RunRepo
from workbench.tabular.settings import TabularSettings
from workbench.tabular.sink import Champion
from workbench.training import detect_task
from workbench.training.sample import cap_rows

if TYPE_CHECKING:
    from workbench.features import JoinPlan


class RecordingHooks(RunHooks):
    """Writes task runs, params and metrics to the store and emits task events.

    Args:
        runs: The store's runs: task runs, params, metrics, tags, artifact links.
        artifacts: Where artifacts a task logs are stored.
        emit: Says when a task starts, retries and ends.
        run_id: The run recorded.
        logs: The run's task logs (a failed task's traceback goes there).
        cache: The run's task cache, whose hits name the run they came from.
    """

    def __init__(
        self,
        runs: RunRepo,
        artifacts: ArtifactStore,
        emit: Emit,
        run_id: int,
        logs: TaskLogWriter,
        cache: ArtifactCache | None = None,
    ) -> None:
        self._runs = runs
        self._artifacts = artifacts
        self._emit = emit
        self._run_id = run_id
        self._logs = logs
        self._cache = cache
        self._starts: dict[str, datetime] = {}
        self._workers: dict[str, dict[int, str]] = {}
        self._ended: set[str] = set()

    def _worker(self, task_name: str) -> str | None:
        """Where the task's attempts ran, in attempt order (None on threads)."""
        placed = self._workers.get(task_name)
        if not placed:
            return None
        return ", ".join(placed.get(n, "?") for n in range(1, max(placed) + 1))

    def on_task_worker(self, run_id: str, task_name: str, attempt: int, worker: str) -> None:
        self._workers.setdefault(task_name, {})[attempt] = worker
        if task_name in self._ended:
            return
        self._mark_running(task_name, attempt)

    def on_task_start(self, run_id: str, task_name: str, attempt: int) -> None:
        self._mark_running(task_name, attempt)
        self._runs.heartbeat(self._run_id)

    def _mark_running(self, task_name: str, attempt: int) -> None:
        """Record the task as running since its first attempt began, on its worker."""
        started = self._starts.setdefault(task_name, datetime.now(UTC))
        self._runs.record_task(
            self._run_id,
            task_name,
            TaskState.RUNNING,
            attempt,
            started,
            None,
            None,
            None,
            worker=self._worker(task_name),
        )
        self._emit(
            "task.started",
            f"run {self._run_id}: {task_name} started (attempt {attempt})",
            run_id=self._run_id,
            task=task_name,
            attempt=attempt,
        )

    def on_task_end(self, run_id: str, outcome: TaskOutcome) -> None:
        self._ended.add(outcome.task)
        self._runs.flush()  # the task's metric points become durable with it
        self._runs.record_task(
            self._run_id,
            outcome.task,
            TaskState(outcome.status.value),
            outcome.attempts,
            outcome.started_at,
            outcome.finished_at,
            outcome.duration_s,
            outcome.error,
            self._cache.sources.get(outcome.task) if outcome.cached and self._cache else None,
            worker=self._worker(outcome.task),
        )
        failed = str(outcome.status) in TASK_FAILED
        if outcome.traceback:
            self._logs.write(outcome.task, outcome.traceback, "ERROR")
        self._emit(
            "task.finished",
            f"run {self._run_id}: {outcome.task} {outcome.status}"
            + (f": {outcome.error}" if failed and outcome.error else ""),
            level="error" if failed else "info",
            run_id=self._run_id,
            task=outcome.task,
            status=str(outcome.status),
            duration_s=outcome.duration_s,
            attempts=outcome.attempts,
        )

    def on_task_retry(self, run_id: str, task_name: str, attempt: int, error: str) -> None:
        self._logs.write(task_name, f"attempt {attempt} failed, retrying: {error}", "WARNING")
        self._emit(
            "task.retrying",
            f"run {self._run_id}: {task_name} attempt {attempt} failed, retrying: {error}",
            level="warning",
            run_id=self._run_id,
            task=task_name,
            attempt=attempt,
        )

    def on_metric(
        self, run_id: str, task_name: str, key: str, value: float, step: int | None
    ) -> None:
        self._runs.log_metric(self._run_id, key, value, step or 0, task_name)

    def on_params(self, run_id: str, task_name: str, params: dict[str, object]) -> None:
        self._runs.log_params(self._run_id, dict(params), task_name)

    def on_tags(self, run_id: str, task_name: str, tags: dict[str, str]) -> None:
        self._runs.set_tags(self._run_id, tags, task_name)

    def on_artifact(self, run_id: str, task_name: str, name: str, data: bytes) -> None:
        sha = self._artifacts.put(data)
        self._runs.link_artifact(self._run_id, name, sha, task_name)


class RegistrySink:
    """The pipeline's view of the registry: store the model, register it, raise alerts.

    Engine-side: a task that takes it runs on the engine even on a Dask executor (it
    writes to the store, which only this process may open).

    Args:
        store: Where the model's bytes, its registration and its lineage go.
        emit: Announces the registration and the pipeline's alerts.
        record_quality: Keeps a registered version's quality report (the engine's).
        run_id: The run registering.
    """

    __engine_side__ = True

    def __init__(
        self,
        store: Store,
        emit: Emit,
        record_quality: Callable[[int, QualityReport], None],
        run_id: int,
    ) -> None:
        self._store = store
        self._emit = emit
        self._record_quality = record_quality
        self._run_id = run_id

    def register(
        self,
        *,
        candidate: str,
        model_bytes: bytes,
        metrics: dict[str, float],
        signature: Signature,
        gate_passed: bool,
        champion: dict[str, Any] | None = None,
        threshold: float | None = None,
        evaluation: dict[str, Any] | None = None,
    ) -> int:
        store = self._store
        sha = store.artifacts.put(model_bytes)
        store.runs.link_artifact(self._run_id, f"model-{candidate}.skops", sha, "register")
        record = store.registry.register(
            run_id=self._run_id,
            candidate=candidate,
            artifact_sha256=sha,
            metrics=metrics,
            signature=signature.to_dict(),
            gate_passed=gate_passed,
            sklearn_version=sklearn.__version__,
            champion=champion,
            threshold=threshold,
            evaluation=evaluation,
        )
        store.lineage.link(("run", self._run_id), ("model_version", record.version), "trained")
        self._emit(
            "model.registered",
            f"model version {record.version} ({candidate}) registered as a candidate",
            version=record.version,
            run_id=self._run_id,
            metrics=metrics,
        )
        return record.version

    def alert(self, kind: str, message: str, **payload: Any) -> None:
        self._emit(kind, message, level="warning", run_id=self._run_id, **payload)

    def record_quality(self, version: int, report: QualityReport) -> None:
        self._record_quality(version, report)


def window_dataset_ids(
    window: str, workspace: Workspace, datasets: DatasetRepo, emit: Emit
) -> list[int]:
    """Accepted datasets in the training window (``[train] window``), oldest first; a
    dataset whose file cannot be read is left out, and ``emit`` says so."""
    accepted = sorted(datasets.list(DatasetStatus.ACCEPTED), key=lambda d: d.id)
    if window.startswith("last:"):
        accepted = accepted[-int(window.split(":", 1)[1]) :]
    elif window.startswith("days:"):
        since = datetime.now(UTC) - timedelta(days=float(window.split(":", 1)[1]))
        accepted = [d for d in accepted if d.ingested_at >= since]
    return [d.id for d in accepted if _readable(workspace, emit, d)]


def _readable(workspace: Workspace, emit: Emit, dataset: DatasetRecord) -> bool:
    """Whether a dataset's file can be read; if not, say so and leave it out of the window.

    One dataset whose file went missing, or was replaced by a link out of the workspace,
    must not fail every later run: the run trains on the rest and an event names it.
    """
    try:
        readable = workspace.inside(dataset.path).is_file()
        why = "its file is missing"
    except WorkbenchError as exc:
        readable, why = False, str(exc)
    if not readable:
        emit(
            "run.dataset_skipped",
            f"dataset {dataset.id} ({shown(dataset.name)}) left out of the run: {why}",
            level="warning",
            dataset_id=dataset.id,
        )
    return readable


def _config_hash(config: WorkbenchConfig) -> str:
    text = json.dumps(asdict(config), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _git_commit(root: Path) -> str | None:
    """HEAD of the workspace's git repository, if it is one (never fatal)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def repro_record(
    workspace: Workspace,
    datasets: DatasetRepo,
    config: WorkbenchConfig,
    ids: list[int],
    code_hash: str,
    source: str,
) -> dict[str, Any]:
    """Everything needed to run the same thing again and to tell what changed."""
    records = [datasets.get(i) for i in ids]
    return {
        "datasets": [{"id": d.id, "sha256": d.sha256} for d in records if d is not None],
        "pipeline": source,
        "code_hash": code_hash,
        "git_commit": _git_commit(workspace.root),
        "config_hash": _config_hash(config),
        "config": asdict(config),
        "seed": config.train.seed,
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in _PACKAGES},
    }


_PACKAGES = ("workbench", "scikit-learn", "polars", "numpy", "duckdb", "skops")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def system_tags(repro: dict[str, Any]) -> dict[str, str]:
    """Tags every run gets, as MLflow's ``mlflow.*`` ones: who ran what code from where."""
    tags = {"workbench.user": current_actor(), "workbench.pipeline": str(repro["pipeline"])}
    if repro.get("git_commit"):
        tags["workbench.git_commit"] = str(repro["git_commit"])
    return tags


def executor_tags(spec: str, executor: Any) -> dict[str, str]:
    """Tags saying where a run's tasks ran: the executor and its dashboard, if any."""
    tags = {"workbench.executor": spec}
    link = getattr(executor, "dashboard_link", None)
    if link:
        tags["workbench.dashboard"] = str(link)
    return tags


def load_champion(registry: RegistryRepo, artifacts: ArtifactStore, emit: Emit) -> Champion | None:
    """The production model, loaded to be scored beside the candidates (None if absent)."""
    alias = registry.alias("production")
    if alias is None:
        return None
    model = registry.get(alias.version)
    assert model is not None
    try:
        estimator = load_model(artifacts.path(model.artifact_sha256), model.artifact_sha256)
    except WorkbenchError as exc:
        emit(
            "model.unloadable",
            f"production model version {model.version} cannot be loaded: {exc}",
            level="error",
            version=model.version,
        )
        return None
    return Champion(model.version, estimator, model.threshold)


def _task_kind(frame: pl.DataFrame, settings: TabularSettings) -> str | None:
    """The task detected up front so candidate tasks can be named (validate re-checks)."""
    if settings.target not in frame.columns:
        return None
    try:
        return detect_task(
            frame[settings.target], None if settings.task == "auto" else settings.task
        )
    except WorkbenchError:
        return None  # the validate task reports it, as a task failure


def _sampled(
    runs: RunRepo,
    emit: Emit,
    run_id: int,
    frame: pl.DataFrame,
    settings: TabularSettings,
    max_rows: int,
) -> pl.DataFrame:
    """The window, or a sample of it past ``train.max_rows``; the run records which."""
    sample = cap_rows(
        frame,
        settings.target,
        max_rows,
        settings.seed,
        None if settings.task == "auto" else settings.task,
    )
    runs.log_params(
        run_id,
        {
            "rows_window": sample.window_rows,
            "rows_used": sample.frame.height,
            "max_rows": sample.max_rows,
            "sample": sample.method,
        },
    )
    if sample.sampled:
        emit(
            "run.sampled",
            f"run {run_id}: {sample.reason}",
            run_id=run_id,
            rows_window=sample.window_rows,
            rows_used=sample.frame.height,
            method=sample.method,
        )
    return sample.frame


@dataclass(frozen=True)
class RunArrows:
    """The arrows from a run back into the loop."""

    join_features: Callable[
        [int, pl.DataFrame, WorkbenchConfig], tuple[pl.DataFrame, JoinPlan | None]
    ]
    """The run's rows with ``[features] views`` joined point-in-time, and the join plan
    (the feature stage's ``join_for_training``)."""
    apply_policy: Callable[[ModelVersionRecord], object]
    """Act on the promotion policy for a candidate the successful run registered."""
    record_quality: Callable[[int, QualityReport], None]
    """Keep a registered version's quality report (the pipeline's sink calls it)."""


@dataclass(frozen=True)
class Runner:
    """Executes runs: records them, runs the pipeline, hands the candidates to the policy."""

    workspace: Workspace
    """Where the datasets' files, the pipeline file and the task logs are."""
    config: CurrentConfig
    """The settings now: a run uses them unless it is given its own (a reproduction)."""
    store: Store
    """Runs, datasets, lineage, registry, artifacts and the task cache."""
    emit: Emit
    """Says when a run starts, samples, ends."""
    arrows: RunArrows
    """The feature join, the promotion policy and the quality report."""

    def execute(
        self,
        dataset_ids: list[int] | None,
        trigger: str,
        config: WorkbenchConfig | None = None,
        *,
        use_cache: bool = True,
    ) -> RunRecord:
        """Run the pipeline on the datasets and record everything; waits for the end.

        ``dataset_ids`` None means the training window. ``config`` replaces workbench.toml
        for this run (``workbench reproduce`` passes the recorded one). ``use_cache=False``
        runs every task even where the task cache holds its result (a reproduction must
        recompute, or it would only prove the cache works).
        """
        store, emit = self.store, self.emit
        settings_source = config or self.config()
        ids = (
            dataset_ids
            if dataset_ids is not None
            else window_dataset_ids(
                self.config().train.window, self.workspace, store.datasets, emit
            )
        )
        run = store.runs.create("tabular", trigger, ids, config_hash=_config_hash(settings_source))
        for dataset_id in ids:
            store.lineage.link(("dataset", dataset_id), ("run", run.id), "input")
        store.runs.start(run.id)
        emit(
            "run.started",
            f"run {run.id} started ({trigger}) on dataset(s) {', '.join(map(str, ids)) or 'none'}",
            run_id=run.id,
            trigger=trigger,
            dataset_ids=ids,
        )
        try:
            outcome = self._execute(run.id, ids, settings_source, use_cache)
            status = RunState(outcome.status.value)
            error = next(
                (t.error for t in outcome.tasks.values() if str(t.status) in TASK_FAILED),
                None,
            )
        except WorkbenchError as exc:
            status, error = RunState.FAILED, str(exc)
        store.runs.finish(run.id, status, error)
        emit(
            "run.finished",
            f"run {run.id} {status}" + (f": {error}" if error else ""),
            level=Level.ERROR if status == RunState.FAILED else Level.INFO,
            run_id=run.id,
            status=status,
        )
        if status == RunState.SUCCESS:
            for model in store.registry.list(status=ModelStatus.CANDIDATE, run_id=run.id):
                self.arrows.apply_policy(model)
        finished = store.runs.get(run.id)
        assert finished is not None
        return finished

    def _execute(
        self, run_id: int, ids: list[int], config: WorkbenchConfig, use_cache: bool
    ) -> RunOutcome:
        store, emit, workspace = self.store, self.emit, self.workspace
        settings = TabularSettings.from_config(config)
        frame = load_frames(workspace, store.datasets, ids)
        frame, join_plan = self.arrows.join_features(run_id, frame, config)
        if join_plan is not None:
            settings = dataclasses.replace(settings, features=join_plan.to_dict())
        records = [store.datasets.get(i) for i in ids]
        file_rows = tuple(r.rows for r in records if r is not None)
        frame = _sampled(store.runs, emit, run_id, frame, settings, config.train.max_rows)
        if frame.height != sum(file_rows):  # a sample no longer lines up with the files' rows
            file_rows = ()
        settings = dataclasses.replace(settings, file_rows=file_rows)  # for split = newest_file
        loaded = load_pipeline(workspace, config, _task_kind(frame, settings))
        repro = repro_record(
            workspace, store.datasets, config, ids, loaded.code_hash, loaded.source
        )
        store.runs.set_repro(run_id, repro)
        store.runs.set_tags(run_id, system_tags(repro))
        params: dict[str, Any] = {
            "target": settings.target,
            "candidates": ",".join(settings.candidates),
            "seed": settings.seed,
            "pipeline": loaded.source,
        }
        for name, spec in settings.search.items():
            params[f"search.{name}"] = json.dumps(spec, sort_keys=True)
        store.runs.log_params(run_id, params)
        executor = make_executor(config.train.executor, config.train.max_workers)
        store.runs.set_tags(run_id, executor_tags(config.train.executor, executor))
        inputs = {
            "frame": frame,
            "settings": settings,
            "sink": RegistrySink(store, emit, self.arrows.record_quality, run_id),
            "champion": load_champion(store.registry, store.artifacts, emit),
        }
        # A dask:local cluster lives exactly as long as the run; ctx.log records of this run
        # (from tasks on this process's threads) go to the tasks' log files meanwhile.
        caching = use_cache and config.train.cache_max_mb > 0
        cache = (  # sized by the workspace's settings, also for a run given its own
            ArtifactCache(store, emit, self.config().train.cache_max_mb, run_id)
            if caching
            else None
        )
        with executor, TaskLogWriter(workspace.logs, run_id) as logs:
            return executor.run(
                loaded.pipeline,
                run_id=str(run_id),
                inputs={k: v for k, v in inputs.items() if k in loaded.pipeline.inputs},
                hooks=RecordingHooks(store.runs, store.artifacts, emit, run_id, logs, cache),
                cache=cache,
            )
