"""Datasets and their validation reports."""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable
from typing import Any

from workbench.core.records import DatasetRecord
from workbench.core.vocabulary import DatasetStatus
from workbench.store.db import Database, as_utc, loads, utcnow

_COLUMNS = "id, sha256, name, path, rows, status, ingested_at, columns"


def _record(row: tuple[Any, ...]) -> DatasetRecord:
    return DatasetRecord(
        id=row[0],
        sha256=row[1],
        name=row[2],
        path=row[3],
        rows=row[4],
        status=DatasetStatus(row[5]),
        ingested_at=as_utc(row[6]),  # type: ignore[arg-type]
        columns=loads(row[7]),
    )


class DatasetRepo:
    """Ingested files, addressed by number or content hash."""

    def __init__(self, db: Database, flush_runs: Callable[[], None] = lambda: None) -> None:
        self._db = db
        self._flush_runs = flush_runs

    def add(
        self,
        *,
        sha256: str,
        name: str,
        path: str,
        rows: int,
        status: DatasetStatus,
        columns: dict[str, str],
        profile: dict[str, Any] | None,
    ) -> DatasetRecord:
        """Record an ingested file (the hash must be new: check :meth:`by_hash` first)."""
        self._db.execute(
            "INSERT INTO datasets (sha256, name, path, rows, status, columns, profile, "
            "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sha256,
                name,
                path,
                rows,
                status,
                json.dumps(columns),
                json.dumps(profile) if profile is not None else None,
                utcnow(),
            ],
        )
        found = self.by_hash(sha256)
        assert found is not None
        return found

    def by_hash(self, sha256: str) -> DatasetRecord | None:
        """The dataset with these bytes, if they were ingested before."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM datasets WHERE sha256 = ?", [sha256])
        return _record(rows[0]) if rows else None

    def get(self, dataset_id: int) -> DatasetRecord | None:
        """One dataset by number."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM datasets WHERE id = ?", [dataset_id])
        return _record(rows[0]) if rows else None

    def list(self, status: str | None = None, limit: int = 1000) -> builtins.list[DatasetRecord]:
        """Newest first, optionally only ``accepted`` or ``quarantined`` ones."""
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM datasets {where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
        return [_record(r) for r in rows]

    def untrained(self) -> builtins.list[DatasetRecord]:
        """Accepted datasets no run has read yet (e.g. ingested just before a crash)."""
        self._flush_runs()  # a queued run's inputs count
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM datasets WHERE status = 'accepted' AND id NOT IN "
            "(SELECT dataset_id FROM run_datasets) ORDER BY id"
        )
        return [_record(r) for r in rows]

    def profile(self, dataset_id: int) -> dict[str, Any] | None:
        """The per-column profile computed at validation."""
        profile: dict[str, Any] | None = loads(
            self._db.scalar("SELECT profile FROM datasets WHERE id = ?", [dataset_id])
        )
        return profile

    def add_report(
        self, dataset_sha256: str, run_id: int | None, passed: bool, summary: str, report: Any
    ) -> int:
        """Store a validation report (JSON-ready dict) and return its id."""
        rows = self._db.execute(
            "INSERT INTO validation_reports (dataset_sha256, run_id, passed, summary, report, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [dataset_sha256, run_id, passed, summary, json.dumps(report), utcnow()],
        )
        return int(rows[0][0])

    def reports(self, dataset_sha256: str) -> builtins.list[dict[str, Any]]:
        """Every validation report of a dataset, newest first."""
        rows = self._db.execute(
            "SELECT report FROM validation_reports WHERE dataset_sha256 = ? ORDER BY id DESC",
            [dataset_sha256],
        )
        return [loads(r[0]) for r in rows]
