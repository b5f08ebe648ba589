"""The watched folder inside the engine: complete files in, runs out.

The watcher block decides when a file is complete; this module ingests each file
(hash, dedup, validate, file away), queues one run per batch of accepted files, and turns
every watcher step into an event the UIs show live.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.names import shown
from workbench.core.records import IngestOutcome, RunRecord
from workbench.core.vocabulary import DatasetStatus
from workbench.core.workspace import Workspace
from workbench.engine.context import CurrentConfig, Emit, RequestRetrain
from workbench.engine.intake.code_watch import CodeWatcher, PipelineCheck
from workbench.engine.runs.pipelines import custom_pipeline_path
from workbench.engine.runs.queue import RunQueue
from workbench.store.datasets import DatasetRepo
from workbench.watcher import FolderWatcher, WatchEvent

_LEVELS = {"error": "error", "vanished": "warning", "fallback": "warning", "overflow": "warning"}


@dataclass(frozen=True)
class WatchArrows:
    """The arrows from the watched folder back into the loop."""

    ingest: Callable[[Path], IngestOutcome]
    """Take one complete file in (the engine's ``ingest``: features and drift follow)."""
    run: Callable[[str], RunRecord]
    """Run the pipeline on the training window with a trigger, and wait (the queue's)."""
    request_retrain: RequestRetrain
    """Ask the drift monitor for a retrain within the guardrails."""
    features_changed: Callable[[str], bool]
    """``features.py`` has new bytes: re-materialise, and say whether training uses a view
    whose code changed."""
    claim_crashed: Callable[[], list[int]]
    """The runs found crashed at open whose input was not queued again yet (claimed)."""


class WatchService:
    """A folder watcher and a run queue, with the engine's collaborators.

    Args:
        workspace: Where ``incoming/`` and the pipeline file are.
        config: The settings now (``[watch]``, ``[pipeline]``, ``[features]``, ``[monitor]``).
        datasets: The store's datasets: accepted ones never trained on are run at start.
        emit: Says what the watcher saw and what was queued.
        features_path: ``features.py`` when workbench.toml names one (raises
            ``WorkbenchError`` for a path out of the workspace: then it is not watched).
        arrows: The calls back into the loop: ingest, run, retrain, features, recovery.
    """

    def __init__(
        self,
        workspace: Workspace,
        config: CurrentConfig,
        datasets: DatasetRepo,
        emit: Emit,
        features_path: Callable[[], Path | None],
        arrows: WatchArrows,
    ) -> None:
        self._config = config
        self._datasets = datasets
        self._emit = emit
        self._arrows = arrows
        settings = config()
        self.folder = workspace.incoming(settings)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.queue = RunQueue(arrows.run, self._run_failed)
        self.watcher = FolderWatcher(
            self.folder,
            self._on_batch,
            on_event=self._on_watch_event,
            recursive=settings.watch.recursive,
            mode="poll" if settings.watch.mode == "poll" else "events",
            quiet_period=settings.watch.quiet_period_ms / 1000,
            batch_window=settings.watch.batch_window_ms / 1000,
        )
        self._stopping = threading.Event()
        self._schedule: threading.Thread | None = None
        code = custom_pipeline_path(workspace, settings)
        self._code = (
            CodeWatcher(code, self.queue.submit, PipelineCheck(workspace, config, emit, code))
            if code is not None and settings.pipeline.on_code_change
            else None
        )
        try:
            features = features_path()
        except WorkbenchError as exc:  # a path out of the workspace: never followed
            emit("features.error", f"features.py not watched: {exc}", level="error")
            features = None
        self._features = (
            CodeWatcher(features, self.queue.submit, self._features_changed)
            if features is not None and settings.features.on_code_change
            else None
        )

    def start(self) -> None:
        """Queue a run for data accepted but never trained on, then start watching."""
        untrained = self._datasets.untrained()
        crashed = self._arrows.claim_crashed()
        if untrained or crashed:
            self.queue.submit("recovered")  # input of a crashed run, or never trained on
        self.watcher.start()
        if self._code is not None:
            self._code.start()
        if self._features is not None:
            self._features.start()
        hours = self._config().monitor.schedule_hours
        if hours > 0:
            self._schedule = threading.Thread(
                target=self._every, args=(hours * 3600,), name="workbench-schedule", daemon=True
            )
            self._schedule.start()
        self._emit("watch.started", f"watching {self.folder}", folder=str(self.folder))

    def _every(self, seconds: float) -> None:
        """Scheduled retrains, within the same guardrails as drift-triggered ones."""
        while not self._stopping.wait(seconds):
            self._arrows.request_retrain(["schedule"], self.queue.submit)

    def stop(self) -> None:
        """Stop taking files, let a running run finish."""
        self._stopping.set()
        if self._code is not None:
            self._code.stop()
        if self._features is not None:
            self._features.stop()
        self.watcher.stop()
        self.queue.stop()

    def _on_watch_event(self, event: WatchEvent) -> None:
        if event.kind in ("ready",):
            return  # the ingest that follows says more
        self._emit(
            f"watch.{event.kind}",
            event.message,
            level=_LEVELS.get(event.kind, "info"),
            path=event.path,
        )

    def _on_batch(self, paths: tuple[Path, ...]) -> None:
        accepted = 0
        signals: list[str] = []
        for path in paths:
            try:
                outcome = self._arrows.ingest(path)
            except WorkbenchError as exc:
                # Not a verdict on the data (that quarantines): the store or the disk
                # failed. The file stays in incoming/ and the next scan offers it again.
                kept = path.exists()
                if kept:
                    self.watcher.retry(path)
                self._emit(
                    "dataset.error",
                    f"{shown(path.name)}: {exc}"
                    + (
                        "; it stays in incoming/ and is tried again at the next scan"
                        if kept
                        else ""
                    ),
                    level="error",
                    file=path.name,
                )
                continue
            accepted += outcome.status == DatasetStatus.ACCEPTED
            signals += [s for s in outcome.signals if s not in signals]
        if signals:
            self._arrows.request_retrain(signals, self.queue.submit)
        if accepted and self._config().monitor.retrain == "always":
            started = self.queue.submit("file")
            self._emit(
                "run.queued",
                f"run queued for {accepted} new file(s)"
                + ("" if started else " (merged with the run already waiting)"),
                files=[p.name for p in paths],
            )

    def _features_changed(self, digest: str) -> bool:
        """features.py saved with new bytes: re-materialise; run if the training uses a
        view whose code changed."""
        changed = self._arrows.features_changed(digest)
        return changed and bool(self._config().features.views)

    def _run_failed(self, exc: BaseException) -> None:
        self._emit("run.error", f"a queued run could not start: {exc}", level="error")
