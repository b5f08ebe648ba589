"""The prediction log: batches the scoring server writes, ingested by the engine.

The server writes sampled predictions as Parquet files off its request path; this
thread moves them into DuckDB (the engine is the only writer), removes the ingested
files, and every ``monitor.prediction_window`` new predictions compares the window with
production's training data: features as feature drift, predictions as target drift.
Drift asks the monitor for a retrain, through the run queue while the engine watches.

The files are read by DuckDB, which the engine holds anyway: polars (about 30 MiB of the
engine process once it has read a Parquet file) loads only for a drift check, or for the
skew check of a model that looks features up.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from workbench.core.drift_report import DriftReport
from workbench.core.errors import StoreError, WorkbenchError
from workbench.core.records import DriftRecord
from workbench.core.vocabulary import DriftSource
from workbench.engine.context import CurrentConfig, Emit, Submit
from workbench.store.monitoring import MonitoringRepo

if TYPE_CHECKING:
    import polars as pl

META = ("ts", "model_version", "latency_ms", "request_id", "prediction", "probability")


class DriftCheck(Protocol):
    """What the prediction intake asks of the drift monitor."""

    def reference(self) -> tuple[int, pl.DataFrame] | None:
        """(production version, its training rows), or None without production."""

    def compare(
        self, current: pl.DataFrame, source: DriftSource, dataset_id: int | None
    ) -> tuple[DriftRecord, DriftReport]:
        """Drift of ``current`` against the reference, stored and announced."""

    def request_retrain(self, signals: list[str], submit: Callable[[str], object]) -> bool:
        """Queue a retrain through ``submit`` if the settings and guardrails allow it."""


@dataclass(frozen=True)
class PredictionArrows:
    """The arrows from the prediction log back into the loop."""

    monitor: DriftCheck
    """Compares a window of predictions with production's data; asks for retrains."""
    run_queue: Callable[[], Submit | None]
    """The run queue's ``submit`` while the engine watches, else None (no retrain)."""
    check_skew: Callable[[Path], object]
    """Compares the served feature vectors of a log file with the offline store's (the
    feature stage's; it reads the file only when production looks features up)."""


class PredictionIngester:
    """Polls the log folder; never blocks serving, never raises into the engine.

    Args:
        folder: Where the scoring server writes its prediction files.
        monitoring: The store's monitoring tables, where the predictions go.
        config: The settings now (``[monitor] prediction_window``, the target column).
        emit: Says what could not be read or checked.
        arrows: Drift, the run queue and the skew check.
        interval: Seconds between two looks at the folder.
    """

    def __init__(
        self,
        folder: Path,
        monitoring: MonitoringRepo,
        config: CurrentConfig,
        emit: Emit,
        arrows: PredictionArrows,
        interval: float = 1.0,
    ) -> None:
        self._folder = folder
        self._monitoring = monitoring
        self._config = config
        self._emit = emit
        self._arrows = arrows
        self._interval = interval
        self._stop = threading.Event()
        self._checked = monitoring.prediction_count()
        self._thread = threading.Thread(target=self._loop, name="workbench-predlog", daemon=True)

    def start(self) -> None:
        """Begin ingesting."""
        self._thread.start()

    def stop(self) -> None:
        """Ingest what is there one last time, then stop."""
        self._stop.set()
        self._thread.join(timeout=10)
        self.ingest_once()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.ingest_once()

    def ingest_once(self) -> int:
        """Move every finished log file into the store; returns rows ingested."""
        total = 0
        for path in sorted(self._folder.glob("predictions-*.parquet")):
            try:
                columns, rows = self._monitoring.read_prediction_file(path)
            except StoreError as exc:
                self._emit("predictions.error", f"{path.name} unreadable: {exc}", level="warning")
                path.rename(path.with_suffix(".bad"))
                continue
            self._monitoring.add_predictions(_rows(columns, rows))
            self._check_skew(path)
            path.unlink()
            total += len(rows)
        if total:
            self._maybe_check_drift()
        return total

    def _check_skew(self, path: Path) -> None:
        """Served features vs the offline store, for a sample of this batch (never fatal)."""
        try:
            self._arrows.check_skew(path)
        except WorkbenchError as exc:
            self._emit("features.skew_error", f"skew check failed: {exc}", "warning")

    def _maybe_check_drift(self) -> None:
        config = self._config()
        window = config.monitor.prediction_window
        count = self._monitoring.prediction_count()
        if window <= 0 or count - self._checked < window:
            return
        self._checked = count
        import polars as pl  # the drift tests' frames: loaded at the first check

        rows = self._monitoring.recent_predictions(window)
        target = config.target.column
        current = pl.DataFrame([{**r["inputs"], target: r["prediction"]} for r in rows])
        monitor = self._arrows.monitor
        try:
            reference = monitor.reference()
            if reference is not None and target in reference[1].columns:
                current = current.with_columns(
                    pl.col(target).cast(reference[1][target].dtype, strict=False)
                )
            record, report = monitor.compare(current, DriftSource.PREDICTIONS, None)
        except (WorkbenchError, pl.exceptions.PolarsError) as exc:
            self._emit("drift.error", f"prediction drift check failed: {exc}", level="warning")
            return
        signals = []
        if record.dataset_drift or (report.target is not None and report.target.drifted):
            signals.append("prediction_drift")
        submit = self._arrows.run_queue()
        if signals and submit is not None:
            monitor.request_retrain(signals, submit)


def _rows(columns: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Store rows: the log's metadata columns, and every other column as the inputs JSON."""
    at = {name: i for i, name in enumerate(columns)}
    inputs = [(name, i) for i, name in enumerate(columns) if name not in META]

    def meta(row: tuple[Any, ...], name: str) -> Any:
        return row[at[name]] if name in at else None

    return [
        (
            meta(row, "ts"),  # aware UTC: the store writes it as naive UTC
            meta(row, "model_version"),
            meta(row, "latency_ms"),
            meta(row, "request_id"),
            None if meta(row, "prediction") is None else str(meta(row, "prediction")),
            meta(row, "probability"),
            json.dumps({name: row[i] for name, i in inputs}, default=str),
        )
        for row in rows
    ]
