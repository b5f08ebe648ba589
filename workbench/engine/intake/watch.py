"""The watched folder inside the engine: complete files in, runs out.

The watcher block decides when a file is complete; this module ingests each file
(hash, dedup, validate, file away), queues one run per batch of accepted files, and turns
every watcher step into an event the UIs show live.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.errors import WorkbenchError
from workbench.core.names import shown
from workbench.core.records import RunRecord
from workbench.engine.intake.code_watch import CodeWatcher
from workbench.engine.runs.pipelines import custom_pipeline_path
from workbench.engine.runs.queue import RunQueue
from workbench.watcher import FolderWatcher, WatchEvent

if TYPE_CHECKING:
    from workbench.engine.engine import Engine

_LEVELS = {"error": "error", "vanished": "warning", "fallback": "warning", "overflow": "warning"}


class WatchService:
    """A folder watcher and a run queue bound to one engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        settings = engine.config.watch
        self.folder = engine.workspace.incoming(engine.config)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.queue = RunQueue(self._run, self._run_failed)
        self.watcher = FolderWatcher(
            self.folder,
            self._on_batch,
            on_event=self._on_watch_event,
            recursive=settings.recursive,
            mode="poll" if settings.mode == "poll" else "events",
            quiet_period=settings.quiet_period_ms / 1000,
            batch_window=settings.batch_window_ms / 1000,
        )
        self._stopping = threading.Event()
        self._schedule: threading.Thread | None = None
        code = custom_pipeline_path(engine.workspace, engine.config)
        self._code = (
            CodeWatcher(engine, code, self.queue.submit)
            if code is not None and engine.config.pipeline.on_code_change
            else None
        )
        try:
            features = engine.features.path
        except WorkbenchError as exc:  # a path out of the workspace: never followed
            engine.emit("features.error", f"features.py not watched: {exc}", level="error")
            features = None
        self._features = (
            CodeWatcher(engine, features, self.queue.submit, on_change=self._features_changed)
            if features is not None and engine.config.features.on_code_change
            else None
        )

    def start(self) -> None:
        """Queue a run for data accepted but never trained on, then start watching."""
        if self._engine.store.datasets.untrained() or self._engine.crashed_runs:
            self.queue.submit("recovered")  # input of a crashed run, or never trained on
            self._engine.crashed_runs.clear()
        self.watcher.start()
        if self._code is not None:
            self._code.start()
        if self._features is not None:
            self._features.start()
        hours = self._engine.config.monitor.schedule_hours
        if hours > 0:
            self._schedule = threading.Thread(
                target=self._every, args=(hours * 3600,), name="workbench-schedule", daemon=True
            )
            self._schedule.start()
        self._engine.emit("watch.started", f"watching {self.folder}", folder=str(self.folder))

    def _every(self, seconds: float) -> None:
        """Scheduled retrains, within the same guardrails as drift-triggered ones."""
        while not self._stopping.wait(seconds):
            self._engine.monitor.request_retrain(["schedule"], self.queue.submit)

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
        self._engine.emit(
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
                outcome = self._engine.ingest(path)
            except WorkbenchError as exc:
                # Not a verdict on the data (that quarantines): the store or the disk
                # failed. The file stays in incoming/ and the next scan offers it again.
                kept = path.exists()
                if kept:
                    self.watcher.retry(path)
                self._engine.emit(
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
            accepted += outcome.status == "accepted"
            signals += [s for s in outcome.signals if s not in signals]
        if signals:
            self._engine.monitor.request_retrain(signals, self.queue.submit)
        if accepted and self._engine.config.monitor.retrain == "always":
            started = self.queue.submit("file")
            self._engine.emit(
                "run.queued",
                f"run queued for {accepted} new file(s)"
                + ("" if started else " (merged with the run already waiting)"),
                files=[p.name for p in paths],
            )

    def _features_changed(self, digest: str) -> bool:
        """features.py saved with new bytes: re-materialise; run if the training uses a
        view whose code changed."""
        changed = self._engine.features.code_changed(digest)
        return changed and bool(self._engine.config.features.views)

    def _run(self, trigger: str) -> RunRecord:
        return self._engine.run(None, trigger)

    def _run_failed(self, exc: BaseException) -> None:
        self._engine.emit("run.error", f"a queued run could not start: {exc}", level="error")
