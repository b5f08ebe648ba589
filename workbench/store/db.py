"""The one DuckDB connection of a workspace, its lock, and schema migrations.

DuckDB lets exactly one process open the file; the owner holds this connection and is
the only writer. All access is serialised through one re-entrant lock, so the executor's
worker threads, the watcher and the UI workers can share it safely.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import polars as pl

from workbench.core.errors import DiskFullError, StoreError, WorkspaceLockedError
from workbench.store.migrations import MIGRATIONS, SCHEMA_VERSION

_DISK_FULL = ("No space left on device", "Disk quota exceeded")
"""What DuckDB's messages say when the operating system refused a write for space."""

CREATE_RACE_SECONDS = 10.0
"""How long a process creating a workspace waits for another one creating it too."""

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


SMALL_INSERT_ROWS = 64
"""Batches up to this many rows are inserted as parameters (see ``insert_rows``)."""


def naive_utc(moment: datetime) -> datetime:
    """The store keeps naive UTC timestamps; an aware time is converted first (DuckDB
    would store it in the machine's local time zone: 09:30Z as 04:30 in New York)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _stored(value: Any) -> Any:
    """A value as the store writes it: aware times as naive UTC, numpy scalars as their
    Python values (DuckDB's parameters refuse ``np.int64`` and ``np.bool_``)."""
    if isinstance(value, datetime):
        return naive_utc(value)
    return value.item() if type(value).__module__ == "numpy" else value


def _stored_column(values: list[Any]) -> list[Any]:
    """A column for the Arrow path, converted only when its values need it (judged by
    the first one that is not None: a column holds one type, and 100,000 rows of plain
    values should not pay a Python call each)."""
    first = next((v for v in values if v is not None), None)
    if isinstance(first, datetime) or type(first).__module__ == "numpy":
        return [_stored(v) for v in values]
    return values


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored naive UTC timestamp as an aware datetime for records."""
    return value.replace(tzinfo=UTC) if value is not None else None


def loads(value: str | None) -> Any:
    """A JSON column's value (DuckDB returns JSON as text)."""
    return json.loads(value) if value is not None else None


@contextmanager
def _interrupt_kept() -> Iterator[None]:
    """Give a Ctrl-C back as the KeyboardInterrupt it was.

    DuckDB notices Python's pending signal while it runs a statement and ends it with a
    ``RuntimeError("Query interrupted")`` of its own, dropping the KeyboardInterrupt: a
    command stopped with Ctrl-C then died with a traceback and status 1 instead of
    stopping as on any other Ctrl-C (seen: ``workbench serve`` interrupted while it
    looked up its example request).
    """
    try:
        yield
    except RuntimeError as exc:
        if "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from exc
        raise


class Database:
    """A locked, migrated DuckDB connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self.recovery: list[str] = []
        """What opening had to repair (the engine turns each line into a loud event)."""
        self._con = self._connect()
        try:
            self._migrate()
        except BaseException:
            self._con.close()
            raise

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """Open the file; after an unclean stop, back up first and set a bad log aside."""
        wal = self.path.with_name(self.path.name + ".wal")
        backup: Path | None = None
        if wal.exists():
            backup = self._backup(wal)
            self.recovery.append(
                f"the store was not closed cleanly; its write-ahead log is replayed "
                f"(database and log backed up to {backup})"
            )
        try:
            return self._open()
        except StoreError:
            if backup is None or not wal.exists():
                raise
        bad = backup / (wal.name + ".bad")
        shutil.move(str(wal), bad)
        self.recovery.append(
            f"the write-ahead log could not be replayed and was set aside as {bad}; the "
            "store opened at its last checkpoint (backup beside it)"
        )
        return self._open()

    def _backup(self, wal: Path) -> Path:
        folder = self.path.parent / "backups" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        folder.mkdir(parents=True, exist_ok=True)
        for source in (self.path, wal):
            if source.exists():
                shutil.copy2(source, folder / source.name)
        return folder

    def _open(self) -> duckdb.DuckDBPyConnection:
        """Connect; while another process is creating a fresh store, wait for it briefly.

        A store file younger than ``CREATE_RACE_SECONDS`` (or none at all) means a
        workspace being created right now: two ``workbench init``/first opens at once
        then queue up, and exactly one of them applies the migrations.
        """
        try:
            fresh = time.time() - self.path.stat().st_ctime < CREATE_RACE_SECONDS
        except FileNotFoundError:
            fresh = True
        deadline = time.monotonic() + CREATE_RACE_SECONDS
        while True:
            try:
                return self._open_once()
            except WorkspaceLockedError:
                if not fresh or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _open_once(self) -> duckdb.DuckDBPyConnection:
        path = self.path
        try:
            return duckdb.connect(str(path))
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

    def _migrate(self) -> None:
        with self._lock, _interrupt_kept():
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
        with self._lock, _interrupt_kept():
            self._con.execute("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            try:
                self._con.execute("COMMIT")
            except duckdb.Error as exc:
                with suppress(duckdb.Error):  # a failed commit has usually rolled back already
                    self._con.execute("ROLLBACK")
                raise self._failure("commit failed", exc) from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement and return all rows."""
        with self._lock, _interrupt_kept():
            try:
                return self._con.execute(sql, list(params)).fetchall()
            except duckdb.Error as exc:
                raise self._failure("store query failed", exc) from exc

    def read_parquet(self, path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
        """A Parquet file's column names and rows, read by DuckDB (no polars or pyarrow
        in the process that asks).

        DuckDB hands time-zone-aware values back in the machine's zone (and cannot be
        told otherwise without its ICU extension); they are given back in UTC, as polars
        reads them, so what is stored does not depend on where the engine runs.

        Raises:
            StoreError: The file cannot be read as Parquet; the message says why.
        """
        with self._lock, _interrupt_kept():
            try:
                result = self._con.execute("SELECT * FROM read_parquet(?)", [str(path)])
                description = result.description or []
                rows = result.fetchall()
            except duckdb.Error as exc:
                raise self._failure(f"cannot read {path.name}", exc) from exc
        aware = [i for i, d in enumerate(description) if str(d[1]) == "TIMESTAMP WITH TIME ZONE"]
        if aware:
            rows = [_in_utc(row, aware) for row in rows]
        return [d[0] for d in description], rows

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        replace: bool = False,
    ) -> None:
        """Append many rows in one statement: a few as parameters, many through Arrow.

        DuckDB's ``executemany`` runs one statement per row (milliseconds each); one
        Arrow insert writes 100,000 rows in tens of milliseconds, which is what lets
        tracking log metrics in bulk without dominating a run. Up to
        :data:`SMALL_INSERT_ROWS` rows (events, a task's status) go as one multi-row
        ``VALUES`` statement instead: faster at that size (3 ms against 20 for 10
        rows), and a process that only ever writes such batches (``workbench serve``
        at rest) never loads pyarrow and pandas, about 50 MiB.
        """
        if not rows:
            return
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        into = f"{verb} INTO {table} ({', '.join(columns)})"
        if len(rows) <= SMALL_INSERT_ROWS:
            one = "(" + ", ".join("?" * len(columns)) + ")"
            values = [_stored(value) for row in rows for value in row]
            with self._lock, _interrupt_kept():
                try:
                    self._con.execute(f"{into} VALUES {', '.join([one] * len(rows))}", values)
                except duckdb.Error as exc:
                    raise self._failure(f"store write to {table} failed", exc) from exc
            return
        import pyarrow as pa  # 0.15 s to import: opening and reading the store never need it

        data = pa.table(
            {name: _stored_column([r[i] for r in rows]) for i, name in enumerate(columns)}
        )
        with self._lock, _interrupt_kept():
            self._con.register("_incoming_rows", data)
            try:
                self._con.execute(f"{into} SELECT {', '.join(columns)} FROM _incoming_rows")
            except duckdb.Error as exc:
                raise self._failure(f"store write to {table} failed", exc) from exc
            finally:
                self._con.unregister("_incoming_rows")

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The raw connection, for a repo that registers frames; use it inside
        :meth:`locked` or :meth:`transaction`."""
        return self._con

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the connection's lock (several statements with a registered frame)."""
        with self._lock, _interrupt_kept():
            yield

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
        """Run one query and return its rows as a polars DataFrame.

        The rows cross as an Arrow C stream (``pl.DataFrame(relation)``), not through
        DuckDB's ``.pl()``, which imports pyarrow to build a table first: a process that
        only reads frames need not map pyarrow's 25 MiB.
        """
        import polars as pl  # loads with the first feature query, not when the store opens

        with self._lock, _interrupt_kept():
            try:
                relation = self._con.sql(sql, params=list(params) or None)
                frame = pl.DataFrame(relation) if relation is not None else pl.DataFrame()
            except duckdb.Error as exc:
                raise self._failure("store query failed", exc) from exc
        assert isinstance(frame, pl.DataFrame)
        return frame

    def _failure(self, what: str, exc: duckdb.Error) -> StoreError:
        """The error to raise for a failed statement: "disk full" said plainly when it is."""
        text = str(exc)
        if any(sign in text for sign in _DISK_FULL):
            return DiskFullError(f"disk full: {what} on {self.path}: {text}")
        return StoreError(f"{what}: {text}")

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    def close(self) -> None:
        """Checkpoint and release the file so another process may open it."""
        with self._lock, _interrupt_kept():
            self._con.close()


def _in_utc(row: tuple[Any, ...], aware: list[int]) -> tuple[Any, ...]:
    """``row`` with its values at the ``aware`` positions moved to UTC (None kept)."""
    values = list(row)
    for i in aware:
        if values[i] is not None:
            values[i] = values[i].astimezone(UTC)
    return tuple(values)
