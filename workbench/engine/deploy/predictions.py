"""The prediction log: batches the scoring server writes, ingested by the engine.

The server writes sampled predictions as Parquet files off its request path; this
thread moves them into DuckDB (the engine is the only writer), removes the ingested
files, and every ``monitor.prediction_window`` new predictions compares the window with
production's training data: features as feature drift, predictions as target drift.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench.core.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.engine.engine import Engine

META = ("ts", "model_version", "latency_ms", "request_id", "prediction", "probability")


class PredictionIngester:
    """Polls the log folder; never blocks serving, never raises into the engine."""

    def __init__(self, engine: Engine, folder: Path, interval: float = 1.0) -> None:
        self._engine = engine
        self._folder = folder
        self._interval = interval
        self._stop = threading.Event()
        self._checked = engine.store.monitoring.prediction_count()
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
                frame = pl.read_parquet(path)
            except (OSError, pl.exceptions.PolarsError) as exc:
                self._engine.emit(
                    "predictions.error", f"{path.name} unreadable: {exc}", level="warning"
                )
                path.rename(path.with_suffix(".bad"))
                continue
            self._engine.store.monitoring.add_predictions(_rows(frame))
            path.unlink()
            total += frame.height
            self._check_skew(frame)
        if total:
            self._maybe_check_drift()
        return total

    def _check_skew(self, frame: pl.DataFrame) -> None:
        """Served features vs the offline store, for a sample of this batch (never fatal)."""
        try:
            self._engine.features.check_skew(frame)
        except (WorkbenchError, pl.exceptions.PolarsError) as exc:
            self._engine.emit("features.skew_error", f"skew check failed: {exc}", "warning")

    def _maybe_check_drift(self) -> None:
        window = self._engine.config.monitor.prediction_window
        count = self._engine.store.monitoring.prediction_count()
        if window <= 0 or count - self._checked < window:
            return
        self._checked = count
        rows = self._engine.store.monitoring.recent_predictions(window)
        target = self._engine.config.target.column
        current = pl.DataFrame([{**r["inputs"], target: r["prediction"]} for r in rows])
        try:
            reference = self._engine.monitor.reference()
            if reference is not None and target in reference[1].columns:
                current = current.with_columns(
                    pl.col(target).cast(reference[1][target].dtype, strict=False)
                )
            record, report = self._engine.monitor.compare(current, "predictions", None)
        except (WorkbenchError, pl.exceptions.PolarsError) as exc:
            self._engine.emit(
                "drift.error", f"prediction drift check failed: {exc}", level="warning"
            )
            return
        signals = []
        if record.dataset_drift or (report.target is not None and report.target.drifted):
            signals.append("prediction_drift")
        queue = self._engine.run_queue()
        if signals and queue is not None:
            self._engine.monitor.request_retrain(signals, queue.submit)


def _rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    inputs = frame.drop([c for c in META if c in frame.columns])
    decoded = inputs.to_dicts()
    get = {c: frame[c].to_list() if c in frame.columns else [None] * frame.height for c in META}
    return [
        (
            get["ts"][i],
            get["model_version"][i],
            get["latency_ms"][i],
            get["request_id"][i],
            None if get["prediction"][i] is None else str(get["prediction"][i]),
            get["probability"][i],
            json.dumps(decoded[i], default=str),
        )
        for i in range(frame.height)
    ]
