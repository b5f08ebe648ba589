"""The one DuckDB connection of a workspace, its lock, and schema migrations.

DuckDB lets exactly one process open the file; the owner holds this connection and is
the only writer. All access is serialised through one re-entrant lock, so the executor's
worker threads, the watcher and the UI workers can share it safely.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from workbench.core.errors import StoreError, WorkspaceLockedError
from workbench.store.migrations import MIGRATIONS, SCHEMA_VERSION

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored naive UTC timestamp as an aware datetime for records."""
    return value.replace(tzinfo=UTC) if value is not None else None


def loads(value: str | None) -> Any:
    """A JSON column's value (DuckDB returns JSON as text)."""
    return json.loads(value) if value is not None else None


class Database:
    """A locked, migrated DuckDB connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            self._con = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            holder = _LOCK_HOLDER.search(str(exc))
            if holder:
                raise WorkspaceLockedError(
                    f"the workspace store {path} is in use by process {holder.group(2)} "
                    f"({Path(holder.group(1)).name}); stop it or run this command through it"
                ) from exc
            raise StoreError(f"cannot open the store {path}: {exc}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the store {path}: {exc}") from exc
        try:
            self._migrate()
        except BaseException:
            self._con.close()
            raise

    def _migrate(self) -> None:
        with self._lock:
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            row = self._con.execute("SELECT max(version) FROM schema_version").fetchone()
            current = (row[0] if row else None) or 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer Workbench (schema {current}, this "
                    f"one knows up to {SCHEMA_VERSION}); upgrade Workbench to open it"
                )
            for version in range(current, SCHEMA_VERSION):
                with self.transaction():
                    self._con.execute(MIGRATIONS[version])
                    self._con.execute(
                        "INSERT INTO schema_version VALUES (?, ?)", [version + 1, utcnow()]
                    )

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        return int(self.scalar("SELECT max(version) FROM schema_version") or 0)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements in the block commit together or not at all."""
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement and return all rows."""
        with self._lock:
            try:
                return self._con.execute(sql, list(params)).fetchall()
            except duckdb.Error as exc:
                raise StoreError(f"store query failed: {exc}") from exc

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Append many rows in one statement through Arrow.

        DuckDB's ``executemany`` runs one statement per row (milliseconds each); one
        Arrow insert writes 100,000 rows in tens of milliseconds, which is what lets
        tracking log metrics in bulk without dominating a run.
        """
        if not rows:
            return
        data = pa.table({name: [r[i] for r in rows] for i, name in enumerate(columns)})
        with self._lock:
            self._con.register("_incoming_rows", data)
            try:
                self._con.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"SELECT {', '.join(columns)} FROM _incoming_rows"
                )
            except duckdb.Error as exc:
                raise StoreError(f"store write to {table} failed: {exc}") from exc
            finally:
                self._con.unregister("_incoming_rows")

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    def close(self) -> None:
        """Checkpoint and release the file so another process may open it."""
        with self._lock:
            self._con.close()
