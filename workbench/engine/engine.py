"""The engine: the one owner of a workspace's store, run queue and serving supervisor.

Every action a front end can take is a plain method here (headless core first); the api
layer wraps these for in-process and remote callers, and nothing above this layer
touches the store. Every state change is appended to the event log and published on
the bus, which is what the UIs follow.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.config import WorkbenchConfig
from workbench.core.drift_report import DriftReport
from workbench.core.errors import (
    RegistryError,
    ServingError,
    WorkbenchError,
    WorkspaceLockedError,
)
from workbench.core.events import EventBus
from workbench.core.quality import QualityReport
from workbench.core.records import (
    EventRecord,
    FeatureLookup,
    FeatureViewRecord,
    IngestOutcome,
    LineageNode,
    ModelVersionRecord,
    Reproduction,
    RunComparison,
    RunRecord,
    ServerInfo,
    TaskLog,
)
from workbench.core.validation_report import ValidationReport
from workbench.core.vocabulary import Alias, DatasetStatus, DriftSource, ModelStatus
from workbench.core.workspace import Workspace, refuse_writable_by_others
from workbench.engine.context import Submit
from workbench.engine.engine_log import EngineLogFile
from workbench.engine.features import FeatureStage
from workbench.engine.feedback.alerts import AlertSinks
from workbench.engine.feedback.guardrails import Guardrails
from workbench.engine.feedback.monitor import DriftMonitor
from workbench.engine.intake import contracts
from workbench.engine.ownership import (
    clear_owner,
    describe_owner,
    stop_orphaned_server,
    write_owner,
)
from workbench.engine.promotion import approvals, policy
from workbench.engine.promotion.veto import VetoActions, VetoTimers
from workbench.engine.reads import Reads
from workbench.engine.runs import reproduce
from workbench.engine.runs.queue import RunQueue
from workbench.engine.runs.recovery import CrashedRuns
from workbench.store import Store

if TYPE_CHECKING:
    # Imported where they are used: polars, pyarrow, the validation and serving
    # packages, watchdog and httpx took most of a second to import, and opening a
    # workspace to look at it (the TUI's first dashboard) needs none of them.
    from workbench.engine.deploy.launch import LaunchedServer
    from workbench.engine.deploy.predictions import PredictionIngester
    from workbench.engine.deploy.supervisor import RestartPolicy, ServingSupervisor
    from workbench.engine.intake.watch import WatchService
    from workbench.engine.runs.runner import Runner
    from workbench.serving.manifest import ServingManifest


class Engine:
    """Owns one workspace: open it, act on it, close it."""

    def __init__(
        self, workspace: Workspace, *, launched_server: LaunchedServer | None = None
    ) -> None:
        """``launched_server``: a scoring server started for this workspace before the
        engine opened (``workbench serve``, see ``deploy/launch.py``); the first
        :meth:`serve` asking for what it was started with hands it the model, and
        :meth:`close` stops it if none did. The engine owns it from here, even when
        opening fails."""
        self._launched = launched_server
        try:
            self._open(workspace)
        except BaseException:
            if launched_server is not None:
                launched_server.discard()
            raise

    def _open(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.config = workspace.load_config()
        refuse_writable_by_others(workspace, self.config)
        try:
            self.store = Store(workspace.db_path, workspace.artifacts)
        except WorkspaceLockedError as exc:
            owner = describe_owner(workspace)
            if not owner:
                raise
            raise WorkspaceLockedError(
                f"workspace {workspace.root} is owned by {owner}; "
                "workbench.api.connect() attaches to it instead of opening it"
            ) from exc
        self.log_file = EngineLogFile(workspace.logs)
        """``.workbench/logs/engine.log``: what the engine's blocks log, rotated."""
        self.bus = EventBus()
        self.reads = Reads(workspace, self._config_now, self.store)
        """Every question a front end asks of the store (see :mod:`.reads`)."""
        self._server: ServingSupervisor | None = None
        self._watch: WatchService | None = None
        self._serve_request: tuple[str, int, bool] | None = None
        self._predictions: PredictionIngester | None = None
        for line in self.store.db.recovery:
            self.emit("store.recovered", line, level="error")
        self.crashed_runs = CrashedRuns(self.store.runs, self.emit)
        """Runs found interrupted at open; their input is queued again once, on watch."""
        self.vetoes = VetoTimers(
            lambda: self.config.promotion.veto_minutes,
            VetoActions(
                is_candidate=self._is_candidate,
                approve=self.approve,
                failed=self._veto_failed,
            ),
        )
        self.monitor = DriftMonitor(
            workspace,
            self._config_now,
            self.store,
            self.emit,
            Guardrails(
                lambda: self.config.monitor,
                runs=lambda: self.store.runs.list(limit=1000),
                models=self.store.registry.list,
            ),
        )
        """Drift and decay of what is served; asks for retrains within the guardrails."""
        self.alerts = AlertSinks(self.config.alerts, self.bus, self.emit)
        self.features = FeatureStage(
            workspace, self._config_now, self.store, self.emit, lambda: self._server
        )
        """The feature store: materialise on arrival, join for training, publish."""
        write_owner(workspace)
        self.server_restarts: RestartPolicy | None = None
        """Restarts left to a server that dies on its own (made when serving starts)."""
        orphan = stop_orphaned_server(workspace)
        if orphan is not None:
            self.emit("serving.orphan_stopped", orphan, level="warning")
        self.crashed_runs.mark()
        self._resume_vetoes()

    def _config_now(self) -> WorkbenchConfig:
        """The settings as they are now: stages read them through this at each use."""
        return self.config

    @property
    def server(self) -> ServingSupervisor | None:
        """The supervisor of the scoring server this engine started, if any (read-only)."""
        return self._server

    def serve_when_ready(
        self, host: str | None = None, port: int | None = None, *, allow_remote: bool = False
    ) -> ServerInfo | None:
        """Serve production now if there is one, and (re)start serving whenever it moves."""
        self._serve_request = (
            host or self.config.serve.host,
            self.config.serve.port if port is None else port,
            allow_remote,
        )
        if self.store.registry.alias(Alias.PRODUCTION) is None:
            return None
        try:
            return self.serve(host, port, allow_remote=allow_remote)
        except WorkbenchError as exc:  # e.g. a corrupt artifact: keep watching and training
            self.emit(
                "serving.error",
                f"not serving: {one_line(exc)}; watching and training go on",
                level="error",
                detail=str(exc),
            )
            return None

    def _resume_vetoes(self) -> None:
        """Reschedule auto-with-veto approvals that were pending when the engine stopped."""
        if self.config.promotion.policy != "auto-with-veto":
            return
        production = self._production_version()
        for model in self.store.registry.list(status=ModelStatus.CANDIDATE):
            if not model.gate_passed:
                continue
            better, why = policy.beats_production(model, production, self.config.promotion.margin)
            if better:
                self.vetoes.schedule(model.version, model.created_at, why)

    def _production_version(self) -> int | None:
        alias = self.store.registry.alias(Alias.PRODUCTION)
        return alias.version if alias is not None else None

    def _veto_failed(self, version: int, why: str) -> None:
        self.emit("model.veto_error", why, level="error", version=version)

    def _is_candidate(self, version: int) -> bool:
        model = self.store.registry.get(version)
        return model is not None and model.status == ModelStatus.CANDIDATE

    def apply_policy(self, model: ModelVersionRecord) -> policy.PolicyDecision:
        """Act on the promotion policy's decision for a candidate that just registered."""
        settings = self.config.promotion
        breaker = self.monitor.guardrails.breaker_open() if settings.policy != "manual" else None
        production = self._production_version()
        decision = policy.decide(settings, model, production, breaker)
        version = model.version
        if decision.breaker:
            self.emit(
                "breaker.open",
                f"auto-promotion stopped: {decision.breaker}; "
                f"a person must approve version {version}",
                level="warning",
                version=version,
            )
        if decision.action == "approve":
            self.approve(version, f"auto policy: {decision.why}", actor="policy:auto")
        elif decision.action == "schedule":
            self.vetoes.schedule(version, model.created_at, decision.why)
            deadline = self.vetoes.deadline(model.created_at)
            self.emit(
                "model.pending_approval",
                f"model version {version} will be approved at {deadline:%H:%M:%S} UTC "
                f"unless rejected: workbench reject {version}",
                level="warning",
                version=version,
                deadline=deadline.isoformat(),
            )
        elif decision.action == "keep":
            self.emit(
                "model.not_promoted",
                f"model version {version} stays a candidate: {decision.why}",
                version=version,
            )
        else:
            self.emit(
                "model.pending_approval",
                f"model version {version} awaits approval: workbench approve {version}",
                level="warning",
                version=version,
            )
        return decision

    def run_queue(self) -> RunQueue | None:
        """The watch service's run queue, when the engine is watching."""
        return self._watch.queue if self._watch is not None else None

    def _submit_run(self) -> Submit | None:
        """The run queue's ``submit`` while watching: drift in served predictions asks it."""
        queue = self.run_queue()
        return queue.submit if queue is not None else None

    def watch(self) -> WatchService:
        """Start the watched folder and the run queue (idempotent).

        The arrows out of the watched folder: each complete file is ingested (then the
        feature store and the drift monitor see it), a batch of accepted files queues a
        run, drift signals and the schedule ask the monitor for a retrain, a changed
        ``features.py`` re-materialises, and runs that crashed with the last engine are
        queued again once.
        """
        if self._watch is None:
            # watchdog loads when watching
            from workbench.engine.intake.watch import WatchArrows, WatchService

            self._watch = WatchService(
                self.workspace,
                self._config_now,
                self.store.datasets,
                self.emit,
                lambda: self.features.path,
                WatchArrows(
                    ingest=self.ingest,
                    run=lambda trigger: self.run(None, trigger),
                    request_retrain=self.monitor.request_retrain,
                    features_changed=self.features.code_changed,
                    claim_crashed=self.crashed_runs.claim,
                ),
            )
            self._watch.start()
        return self._watch

    def unwatch(self) -> bool:
        """Pause the watched folder (a running run finishes); serving goes on.

        Returns:
            Whether it was watching.
        """
        if self._watch is None:
            return False
        watch, self._watch = self._watch, None
        watch.stop()
        self.emit("watch.paused", f"paused watching {watch.folder}", folder=str(watch.folder))
        return True

    def emit(self, kind: str, message: str, level: str = "info", **payload: Any) -> EventRecord:
        """Append an event to the log and publish it to subscribers."""
        event = self.store.events.append(kind, message, payload, level)
        self.bus.publish(event)
        return event

    # data -------------------------------------------------------------------------------

    def ingest(self, path: Path, *, move: bool | None = None) -> IngestOutcome:
        """Hash, deduplicate, validate and file one data file (see :mod:`.intake.ingest`);
        an accepted one goes on to the feature store and the drift monitor."""
        # polars loads with the first file
        from workbench.engine.intake.ingest import IngestContext, ingest_file

        keep = self.config.watch.move_after_ingest if move is None else move
        intake = IngestContext(
            self.workspace, self._config_now, self.store.datasets, self.store.lineage, self.emit
        )
        outcome = ingest_file(intake, Path(path), move=keep)
        if outcome.status == DatasetStatus.ACCEPTED and outcome.dataset is not None:
            self.features.after_ingest(outcome.dataset)
            signals = self.monitor.after_ingest(outcome.dataset)
            outcome = dataclasses.replace(outcome, signals=tuple(signals))
        return outcome

    def contract(self) -> str:
        """The pinned data contract (TOML)."""
        return contracts.pinned_text(self.workspace)

    def infer_contract(self, path: Path, pin: bool = False) -> str:
        """The contract ``path`` proposes; ``pin`` makes it the one files are checked against."""
        target = self.config.target.column
        return contracts.infer_text(self.workspace, target, self.emit, path, pin)

    def contract_diff(self, path: Path) -> ValidationReport:
        """``path`` checked against the pinned contract (a validation report)."""
        return contracts.diff_report(self.workspace, path)

    def drift(self, path: Path | None = None) -> DriftReport:
        """Drift of a file (default: the newest accepted dataset) against production's data.

        Raises:
            WorkbenchError: No production model, no dataset, or an unreadable file.
        """
        from workbench.validation import read_dataset  # polars loads on first use

        if path is not None:
            return self.monitor.file_drift(path)
        newest = self.store.datasets.list(DatasetStatus.ACCEPTED, limit=1)
        if not newest:
            raise WorkbenchError("no accepted dataset to compare; pass a FILE")
        dataset = newest[0]
        frame = read_dataset(self.workspace.inside(dataset.path))
        return self.monitor.compare(frame, DriftSource.DATASET, dataset.id)[1]

    # features ---------------------------------------------------------------------------

    def feature_views(self) -> list[FeatureViewRecord]:
        """The current version of every materialised feature view, with freshness,
        row counts and null shares."""
        return self.features.views()

    def feature_lookup(self, view: str, key: str) -> FeatureLookup:
        """One entity's stored features in a view: the latest values and the history.

        Raises:
            FeatureError: No such view is materialised.
        """
        return self.features.lookup(view, key)

    def materialize_features(self) -> list[FeatureViewRecord]:
        """Rebuild every feature view from all accepted data.

        Raises:
            FeatureError: No ``[features] path``, or a view cannot be used.
        """
        return self.features.materialize()

    # runs -------------------------------------------------------------------------------

    def _runner(self) -> Runner:
        """The runs stage, and its arrows: a run's rows get the feature store's join, each
        candidate it registers goes to the promotion policy, its quality report is kept."""
        from workbench.engine.runs.runner import RunArrows, Runner  # scikit-learn: first run

        return Runner(
            self.workspace,
            self._config_now,
            self.store,
            self.emit,
            RunArrows(
                join_features=self.features.join_for_training,
                apply_policy=self.apply_policy,
                record_quality=self.record_quality,
            ),
        )

    def run(self, dataset_ids: list[int] | None = None, trigger: str = "manual") -> RunRecord:
        """Train candidates on the given datasets (default: the training window) and wait."""
        return self._runner().execute(dataset_ids, trigger)

    def reproduce(self, run_id: int) -> Reproduction:
        """Re-run a run from its record and say whether the metrics match exactly."""
        return reproduce.reproduce(self.store, self._runner().execute, run_id)

    def compare(self, run_ids: list[int]) -> RunComparison:
        """Params and metrics of several runs side by side."""
        return reproduce.compare(self.store.runs, run_ids)

    def task_log(self, run_id: int, task: str, max_bytes: int | None = None) -> TaskLog:
        """What a task of a run wrote to its log (its end, when longer than ``max_bytes``).

        Raises:
            WorkspaceError: The task name would lead out of the run's log folder.
            WorkbenchError: There is no such run, or it has no task of that name.
        """
        from workbench.engine.runs.task_logs import MAX_LOG_BYTES, read_task_log

        limit = MAX_LOG_BYTES if max_bytes is None else max_bytes
        return read_task_log(self.workspace, self.store.runs, run_id, task, limit)

    def tag_run(self, run_id: int, tags: dict[str, str]) -> dict[str, dict[str, str]]:
        """Set tags on a run (replacing same-named ones); the run's tags after.

        Raises:
            WorkbenchError: No such run, or a tag without a name.
        """
        runs = self.store.runs
        if runs.get(run_id) is None:
            raise WorkbenchError(f"there is no run {run_id}")
        if not tags or not all(isinstance(k, str) and k.strip() for k in tags):
            raise WorkbenchError("tags need non-empty names, e.g. stage=tuning")
        runs.set_tags(run_id, {k.strip(): str(v) for k, v in tags.items()})
        self.emit(
            "run.tagged",
            f"run {run_id} tagged " + ", ".join(f"{k}={v}" for k, v in tags.items()),
            run_id=run_id,
            tags=dict(tags),
        )
        return runs.tags(run_id)

    def clear_cache(self, task: str | None = None) -> int:
        """Forget the cached results of ``task`` (or of every task); how many were forgotten."""
        from workbench.engine.runs.task_cache import remove_unused

        count, unused = self.store.task_cache.clear(task)
        freed = remove_unused(self.store.artifacts, unused)  # results nothing else refers to
        what = f"task {task}" if task else "every task"
        self.emit(
            "cache.cleared",
            f"{count} cached result(s) of {what} forgotten, {freed / 1e6:.1f} MB freed",
            task=task,
            count=count,
            freed_bytes=freed,
        )
        return count

    # registry ---------------------------------------------------------------------------

    def approve(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Approve a candidate: it becomes ``production``."""
        who = actor or approvals.current_actor()
        return self._decided(
            approvals.approve(self.store, version, who, comment),
            "model.approved",
            f"model version {version} approved by {who}; now production",
            production_moved=True,
            actor=who,
            comment=comment,
        )

    def reject(
        self, version: int, comment: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Reject a candidate."""
        who = actor or approvals.current_actor()
        return self._decided(
            approvals.reject(self.store, version, who, comment),
            "model.rejected",
            f"model version {version} rejected by {who}",
            actor=who,
            comment=comment,
        )

    def promote(
        self, version: int, alias: str, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Point an alias at an approved version."""
        who = actor or approvals.current_actor()
        return self._decided(
            approvals.promote(self.store, version, alias, who, reason),
            "alias.moved",
            f"alias {alias} now points at model version {version} (by {who})",
            production_moved=alias == Alias.PRODUCTION,
            alias=alias,
            actor=who,
        )

    def archive(
        self, version: int, reason: str = "", actor: str | None = None
    ) -> ModelVersionRecord:
        """Retire a version nothing serves."""
        who = actor or approvals.current_actor()
        return self._decided(
            approvals.archive(self.store, version, who, reason),
            "model.archived",
            f"model version {version} archived by {who}",
            actor=who,
        )

    def rollback(self, reason: str = "", actor: str | None = None) -> ModelVersionRecord:
        """Serve the previous production version again."""
        who = actor or approvals.current_actor()
        record = approvals.rollback(self.store, who, reason)
        return self._decided(
            record,
            "alias.moved",
            f"rolled back: production is model version {record.version} again (by {who})",
            production_moved=True,
            alias=Alias.PRODUCTION,
            actor=who,
        )

    def _decided(
        self,
        record: ModelVersionRecord,
        kind: str,
        message: str,
        *,
        production_moved: bool = False,
        **payload: Any,
    ) -> ModelVersionRecord:
        """Announce a registry decision and, if production moved, serve the new version."""
        self.emit(kind, message, version=record.version, **payload)
        if production_moved:
            self._production_moved()
        return record

    def record_quality(self, version: int, report: QualityReport) -> None:
        """Keep the quality report of a registered version (replacing an older one).

        Raises:
            RegistryError: There is no such model version.
        """
        self._known_version(version)
        self.store.quality.save(version, report)
        self.emit(
            "model.reported",
            f"quality report of model version {version} recorded ({report.rows} test rows)",
            version=version,
        )

    def quality_report(self, version: int) -> QualityReport | None:
        """The quality report of a version; None when none was recorded (older versions).

        Raises:
            RegistryError: There is no such model version.
        """
        self._known_version(version)
        return self.store.quality.get(version)

    def _known_version(self, version: int) -> None:
        if self.store.registry.get(version) is None:
            raise RegistryError(f"there is no model version {version}")

    def lineage(self, version: int) -> LineageNode | None:
        """The lineage tree of a model version."""
        return self.store.lineage.walk(version)

    # serving ----------------------------------------------------------------------------

    def serving_manifest(self, alias: str = Alias.PRODUCTION) -> ServingManifest:
        """What the scoring server needs to serve the version behind ``alias``.

        Raises:
            RegistryError: No version carries the alias yet.
        """
        from workbench.serving.manifest import ServingManifest  # numpy, polars: serving only

        target = self.store.registry.alias(alias)
        if target is None:
            raise RegistryError(
                f"no model version is {alias} yet: approve one with workbench approve VERSION"
            )
        model = self.store.registry.get(target.version)
        assert model is not None
        trained_with = self.store.registry.sklearn_version(model.version)
        if trained_with != sklearn_version():
            self.emit(
                "model.retrain_required",
                f"model version {model.version} needs retraining: it was trained with "
                f"scikit-learn {trained_with}, this is {sklearn_version()}",
                level="error",
                version=model.version,
            )
            raise RegistryError(
                f"model version {model.version} was trained with scikit-learn {trained_with} "
                f"and this is {sklearn_version()}: retrain required (it is not served "
                "silently under another version)"
            )
        plan = None
        if (model.signature or {}).get("features"):  # trained with the feature store
            from workbench.features import JoinPlan

            plan = JoinPlan.from_dict(model.signature["features"])
        return ServingManifest(
            model_name=self.workspace.root.name,
            version=model.version,
            artifact_path=str(self.store.artifacts.path(model.artifact_sha256)),
            sha256=model.artifact_sha256,
            signature=model.signature,
            metrics=model.metrics,
            threshold=model.threshold,
            feature_snapshots=self.features.snapshots_for(plan) if plan else {},
        )

    def _production_moved(self) -> None:
        """Serve the new production version: hot swap a running server, else start one."""
        if self._serve_request is None:
            return
        if self._server is not None and self._server.running:
            manifest = self.serving_manifest()
            try:
                self._server.swap(manifest)
            except ServingError as exc:
                self.emit(
                    "serving.swap_failed", f"hot swap failed, restarting: {exc}", level="warning"
                )
            else:
                self.emit(
                    "serving.swapped",
                    f"scoring server now answers with model version {manifest.version}",
                    version=manifest.version,
                )
                return
        host, port, allow_remote = self._serve_request
        try:
            self.serve(host, port, allow_remote=allow_remote)
        except ServingError as exc:  # the decision stands; serving is the engine's to retry
            self.emit("serving.failed", f"could not serve the new production: {exc}", "error")

    def serve(
        self,
        host: str | None = None,
        port: int | None = None,
        *,
        allow_remote: bool = False,
        port_wait_s: float = 0.0,
    ) -> ServerInfo:
        """Start the scoring server on the production model (its own process).

        ``port_wait_s`` is how long a taken port may take to come free (a restart after
        a crash, while the dead server's workers let go of it).

        Raises:
            RegistryError: No version is production yet.
            ServingError: The port is taken or the server did not come up.
        """
        # httpx loads when something is served; polars (the prediction log) once the
        # server is up, so the server's cold start does not wait for its import
        from workbench.engine.deploy.launch import Launch, ServingPaths
        from workbench.engine.deploy.supervisor import ServingSupervisor, wait_port_free

        manifest = self.serving_manifest()
        wanted = Launch.resolve(self.config.serve, host, port, allow_remote=allow_remote)
        launched, self._launched = self._launched, None
        if launched is not None and launched.launch != wanted:
            launched.discard()  # started for another address than this serve asks for
            launched = None
        if self._server is not None:
            self._server.stop()
        if (
            launched is None
            and wanted.port
            and not wait_port_free(wanted.host, wanted.port, port_wait_s)
        ):
            raise ServingError(
                f"port {wanted.port} on {wanted.host} is in use; pick another with --port N"
            )
        self._serve_request = (wanted.host, wanted.port, allow_remote)
        self._server = ServingSupervisor(
            ServingPaths.of(self.workspace), on_died=self._server_died, launched=launched
        )
        info = self._server.start(manifest, wanted)
        if self._predictions is None:
            from workbench.engine.deploy.predictions import PredictionArrows, PredictionIngester

            # served predictions: drift goes to the monitor, a retrain to the run queue
            self._predictions = PredictionIngester(
                self._server.predictions,
                self.store.monitoring,
                self._config_now,
                self.emit,
                PredictionArrows(
                    monitor=self.monitor,
                    run_queue=self._submit_run,
                    check_skew=self.features.check_skew_file,
                ),
            )
            self._predictions.start()
        self.emit(
            "serving.started",
            f"serving model version {info.version} on {info.url}",
            url=info.url,
            version=info.version,
        )
        return info

    def _server_died(self, code: int) -> None:
        """The scoring server exited without the engine asking: restart it if it crashed
        (killed, out of memory, an error), within a bounded policy; one stopped on
        purpose (a clean exit, SIGTERM or SIGINT from someone) stays stopped."""
        import signal

        from workbench.engine.deploy.supervisor import RESTART_PORT_WAIT_S, RestartPolicy

        if code in (0, -signal.SIGTERM, -signal.SIGINT):
            self.emit(
                "serving.stopped",
                f"the scoring server was stopped from outside (exit code {code}); not restarted",
                level="warning",
                code=code,
            )
            return

        if self.server_restarts is None:
            self.server_restarts = RestartPolicy()
        attempt = self.server_restarts.allow()
        tail = self._server.log_tail(300) if self._server is not None else ""
        if attempt is None or self._serve_request is None:
            self.emit(
                "serving.gave_up",
                f"the scoring server exited (code {code}) again; not restarted (too many "
                "restarts in a row); watching and training go on",
                level="error",
                code=code,
                log=tail,
            )
            return
        self.emit(
            "serving.died",
            f"the scoring server exited on its own (code {code}); restarting "
            f"(attempt {attempt} of {self.server_restarts.limit})",
            level="warning",
            code=code,
            log=tail,
        )
        host, port, allow_remote = self._serve_request
        try:
            self.serve(host, port, allow_remote=allow_remote, port_wait_s=RESTART_PORT_WAIT_S)
        except WorkbenchError as exc:
            self.emit(
                "serving.error", f"restarting the scoring server failed: {exc}", level="error"
            )

    def example_request(self) -> dict[str, Any]:
        """One input row the production model accepts, for the printed curl example."""
        from workbench.validation import read_dataset  # polars loads on first use

        manifest = self.serving_manifest()
        model = self.store.registry.get(manifest.version)
        assert model is not None
        run = self.store.runs.get(model.run_id)
        if run is None or not run.dataset_ids:
            raise RegistryError(f"model version {model.version} has no recorded input data")
        dataset = self.store.datasets.get(run.dataset_ids[-1])
        assert dataset is not None
        frame = read_dataset(self.workspace.inside(dataset.path))
        names = [c["name"] for c in model.signature["inputs"]]
        features = model.signature.get("features")
        if features:  # the entity key and the request-time fields; the server adds the rest
            frame = example_with_entity(frame, features)
            stored = {c for v in features["views"] for c in v["columns"]}
            names = [*dict.fromkeys(v["key"] for v in features["views"]), *names]
            names = [n for n in names if n not in stored]
        row = frame.head(1).select([n for n in names if n in frame.columns]).to_dicts()[0]
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}

    def close(self) -> None:
        """Stop watching, stop the scoring server and release the store."""
        self.vetoes.cancel_all()
        self.alerts.close()
        if self._watch is not None:
            self._watch.stop()
            self.emit("watch.stopped", "stopped watching: the engine closed")
            self._watch = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._launched is not None:
            self._launched.discard()
            self._launched = None
        if self._predictions is not None:
            self._predictions.stop()
            self._predictions = None
        clear_owner(self.workspace)
        self.store.close()
        self.log_file.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def one_line(exc: BaseException) -> str:
    """An error as one line for an event message (the event's ``detail`` keeps the rest):
    its first line, and the server's own words when it quoted the server's log."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    said = next((line for line in lines if line.startswith("workbench.serving:")), None)
    if said is None:
        return lines[0]
    return f"{lines[0].rstrip(':')}: {said.removeprefix('workbench.serving:').strip()}"


def example_with_entity(frame: Any, features: dict[str, Any]) -> Any:
    """The file's newest row, a minute later: a new transaction of a customer the store
    knows, so its stored features (the latest, strictly before it) are found."""
    from datetime import timedelta

    import polars as pl

    column = features.get("timestamp", "timestamp")
    if column not in frame.columns or not isinstance(frame.schema[column], pl.Datetime):
        return frame
    newest = frame.sort(column).tail(1)
    return newest.with_columns(pl.col(column) + timedelta(minutes=1))


def sklearn_version() -> str:
    """The installed scikit-learn version, read without importing scikit-learn."""
    from importlib import metadata

    return metadata.version("scikit-learn")
