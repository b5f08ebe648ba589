"""Drift reports and the production model's performance over time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.core.records import DriftRecord, PerformanceRecord
from workbench.core.vocabulary import DriftSource
from workbench.store.db import Database, as_utc, loads, utcnow

_DRIFT = (
    "id, created_at, source, dataset_id, reference_version, dataset_drift, share_drifted, "
    "drifted_columns"
)


def _drift(row: tuple[Any, ...]) -> DriftRecord:
    return DriftRecord(
        id=row[0],
        created_at=as_utc(row[1]),  # type: ignore[arg-type]
        source=DriftSource(row[2]),
        dataset_id=row[3],
        reference_version=row[4],
        dataset_drift=row[5],
        share_drifted=row[6],
        drifted_columns=tuple(loads(row[7])),
    )


class MonitoringRepo:
    """What the drift monitor found and how production performed on labelled data."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_drift(
        self,
        *,
        source: DriftSource,
        dataset_id: int | None,
        reference_version: int | None,
        report: dict[str, Any],
    ) -> DriftRecord:
        """Store a drift report (``report`` is DriftReport.to_dict(), histograms included)."""
        rows = self._db.execute(
            "INSERT INTO drift_reports (created_at, source, dataset_id, reference_version, "
            "dataset_drift, share_drifted, drifted_columns, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + _DRIFT,
            [
                utcnow(),
                source,
                dataset_id,
                reference_version,
                bool(report["dataset_drift"]),
                float(report["share_drifted"]),
                json.dumps(list(report["drifted_columns"])),
                json.dumps(report),
            ],
        )
        return _drift(rows[0])

    def drift_reports(self, limit: int = 50) -> list[DriftRecord]:
        """Newest first."""
        rows = self._db.execute(
            f"SELECT {_DRIFT} FROM drift_reports ORDER BY id DESC LIMIT ?", [limit]
        )
        return [_drift(r) for r in rows]

    def drift_report(self, report_id: int) -> dict[str, Any] | None:
        """The full report (per-column statistics and histograms)."""
        report: dict[str, Any] | None = loads(
            self._db.scalar("SELECT report FROM drift_reports WHERE id = ?", [report_id])
        )
        return report

    def add_predictions(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append logged predictions: (ts, model_version, latency_ms, request_id,
        prediction, probability, inputs JSON)."""
        self._db.insert_rows(
            "predictions",
            (
                "ts",
                "model_version",
                "latency_ms",
                "request_id",
                "prediction",
                "probability",
                "inputs",
            ),
            rows,
        )

    def read_prediction_file(self, path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The columns and rows of a prediction log file the scoring server wrote
        (Parquet), read by DuckDB: taking in predictions loads no polars.

        Raises:
            StoreError: The file is not readable Parquet.
        """
        return self._db.read_parquet(path)

    def prediction_count(self) -> int:
        """How many predictions were logged so far."""
        return int(self._db.scalar("SELECT count(*) FROM predictions"))

    def recent_predictions(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` logged predictions, oldest first, inputs decoded."""
        rows = self._db.execute(
            "SELECT ts, model_version, prediction, probability, inputs FROM predictions "
            "ORDER BY ts DESC LIMIT ?",
            [limit],
        )
        return [
            {
                "ts": r[0],
                "model_version": r[1],
                "prediction": r[2],
                "probability": r[3],
                "inputs": loads(r[4]),
            }
            for r in reversed(rows)
        ]

    def add_performance(
        self, version: int, dataset_id: int | None, metrics: dict[str, float]
    ) -> None:
        """Production's metrics on newly labelled data: the trend that shows decay."""
        self._db.execute(
            "INSERT INTO performance VALUES (?, ?, ?, ?)",
            [utcnow(), version, dataset_id, json.dumps(metrics)],
        )

    def performance(self, limit: int = 200) -> list[PerformanceRecord]:
        """Oldest first, the latest ``limit`` points."""
        rows = self._db.execute(
            "SELECT ts, version, dataset_id, metrics FROM performance ORDER BY ts DESC LIMIT ?",
            [limit],
        )
        return [
            PerformanceRecord(as_utc(r[0]), r[1], r[2], loads(r[3]))  # type: ignore[arg-type]
            for r in reversed(rows)
        ]
