"""The offline feature store: source rows, one table per view version, and their registry.

Views are materialised into DuckDB tables named after the view and its code hash
(``feature_view__NAME__HASH16``), so an edit to features.py writes a new table while
models trained on the old code keep theirs. The accepted datasets' rows (label removed)
are kept in ``feature_input`` so an incremental update reads only the entities and time
range a new file touches, instead of every file again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.core.errors import StoreError
from workbench.core.records import FeatureViewRecord
from workbench.store.db import Database, as_utc, utcnow

if TYPE_CHECKING:  # polars loads with the first feature write, not when the store opens
    import polars as pl

INPUT_TABLE = "feature_input"
DATASET_COLUMN = "__dataset_id"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_HISTORY_LIMIT = 500


def quoted(name: str) -> str:
    """A column or table name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def view_table(name: str, code_hash: str) -> str:
    """The table holding one version of a view.

    Raises:
        StoreError: The view's name is not a Python identifier (it is a function's name).
    """
    if not _NAME.fullmatch(name) or not re.fullmatch(r"[0-9a-f]{16,64}", code_hash):
        raise StoreError(f"feature view name {name!r} cannot name a table")
    return f"feature_view__{name}__{code_hash[:16]}"


class FeatureRepo:
    """Source rows, view tables and the ``feature_views`` registry."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # source rows ------------------------------------------------------------------------

    def append_input(self, dataset_id: int, frame: pl.DataFrame) -> None:
        """Keep a dataset's rows (label already removed) as source rows of the views.

        New columns are added to the table (earlier rows read them as null), so a file
        with an extra column does not stop materialisation.
        """
        import polars as pl

        frame = frame.with_columns(pl.lit(dataset_id, dtype=pl.Int64).alias(DATASET_COLUMN))
        with self._db.transaction():
            con = self._db.connection
            con.register("_feature_rows", frame)
            try:
                if not self._exists(INPUT_TABLE):
                    con.execute(
                        f"CREATE TABLE {INPUT_TABLE} AS SELECT * FROM _feature_rows LIMIT 0"
                    )
                have = set(self.input_schema())
                for name in frame.columns:
                    if name not in have:
                        sql_type = self._sql_type(con, name)
                        con.execute(
                            f"ALTER TABLE {INPUT_TABLE} ADD COLUMN {quoted(name)} {sql_type}"
                        )
                con.execute(f"DELETE FROM {INPUT_TABLE} WHERE {DATASET_COLUMN} = ?", [dataset_id])
                con.execute(f"INSERT INTO {INPUT_TABLE} BY NAME SELECT * FROM _feature_rows")
            finally:
                con.unregister("_feature_rows")

    @staticmethod
    def _sql_type(con: Any, name: str) -> str:
        row = con.execute(f"SELECT typeof({quoted(name)}) FROM _feature_rows LIMIT 1").fetchone()
        return str(row[0]) if row and row[0] != "NULL" else "VARCHAR"

    def input_schema(self) -> list[str]:
        """Column names of the stored source rows (empty before the first dataset)."""
        if not self._exists(INPUT_TABLE):
            return []
        rows = self._db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [INPUT_TABLE],
        )
        return [r[0] for r in rows]

    def input_schema_polars(self) -> pl.Schema:
        """The stored source rows' polars schema (what a view's check runs against)."""
        columns = ", ".join(quoted(c) for c in self.input_schema() if c != DATASET_COLUMN)
        return self._frame(f"SELECT {columns} FROM {INPUT_TABLE} LIMIT 0").schema

    def input_rows(
        self,
        key: str,
        timestamp: str,
        entities: Sequence[Any] | None = None,
        since: datetime | None = None,
    ) -> pl.DataFrame:
        """Source rows (of some entities, from some time on), sorted by key and time."""
        if not self._exists(INPUT_TABLE):
            import polars as pl

            return pl.DataFrame()
        return self._select(INPUT_TABLE, key, timestamp, entities, since, drop=DATASET_COLUMN)

    def input_count(self) -> int:
        """How many source rows are stored."""
        if not self._exists(INPUT_TABLE):
            return 0
        return int(self._db.scalar(f"SELECT count(*) FROM {INPUT_TABLE}") or 0)

    # view tables ------------------------------------------------------------------------

    def has_version(self, name: str, code_hash: str) -> bool:
        """Whether this version of the view was materialised."""
        return bool(
            self._db.scalar(
                "SELECT count(*) FROM feature_views WHERE name = ? AND code_hash = ?",
                [name, code_hash],
            )
        )

    def replace_view(
        self, view: FeatureViewRecord, frame: pl.DataFrame, *, make_current: bool = True
    ) -> None:
        """Write a whole view version (a full rebuild) and record it."""
        table = view_table(view.name, view.code_hash)
        with self._db.transaction():
            con = self._db.connection
            con.register("_view_rows", frame)
            try:
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _view_rows")
            finally:
                con.unregister("_view_rows")
            self._record(view, make_current)

    def update_view(
        self,
        view: FeatureViewRecord,
        frame: pl.DataFrame,
        entities: Sequence[Any],
        since: datetime,
    ) -> None:
        """Replace the rows of ``entities`` from ``since`` on with ``frame`` (incremental)."""
        import polars as pl

        table = view_table(view.name, view.code_hash)
        key, ts = quoted(view.key), quoted(view.timestamp)
        with self._db.transaction():
            con = self._db.connection
            con.register("_view_rows", frame)
            con.register("_view_keys", pl.DataFrame({"k": list(entities)}))
            try:
                con.execute(
                    f"DELETE FROM {table} WHERE {ts} >= ? AND {key} IN (SELECT k FROM _view_keys)",
                    [since],
                )
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _view_rows")
            finally:
                con.unregister("_view_rows")
                con.unregister("_view_keys")
            self._record(view, True)

    def make_current(self, name: str, code_hash: str) -> None:
        """Mark an existing version as the one features.py defines now."""
        with self._db.transaction():
            self._db.execute("UPDATE feature_views SET current = false WHERE name = ?", [name])
            self._db.execute(
                "UPDATE feature_views SET current = true WHERE name = ? AND code_hash = ?",
                [name, code_hash],
            )

    def _record(self, view: FeatureViewRecord, make_current: bool) -> None:
        table = view_table(view.name, view.code_hash)
        rows = int(self._db.scalar(f"SELECT count(*) FROM {table}") or 0)
        if make_current:
            self._db.execute("UPDATE feature_views SET current = false WHERE name = ?", [view.name])
        self._db.execute(
            "INSERT OR REPLACE INTO feature_views VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                view.name,
                view.code_hash,
                view.entity,
                view.key,
                view.timestamp,
                view.ttl_s,
                json.dumps(list(view.columns)),
                make_current or view.current,
                rows,
                utcnow(),
                utcnow(),
            ],
        )

    def view_rows(
        self,
        name: str,
        code_hash: str,
        entities: Sequence[Any] | None = None,
        since: datetime | None = None,
    ) -> pl.DataFrame:
        """A view version's rows (of some entities, from some time on), sorted."""
        record = self.get(name, code_hash)
        if record is None:
            raise StoreError(f"feature view {name} ({code_hash[:12]}) is not materialised")
        return self._select(
            view_table(name, code_hash), record.key, record.timestamp, entities, since
        )

    def latest(self, name: str, code_hash: str) -> pl.DataFrame:
        """The newest row of every entity: what the online snapshot serves."""
        record = self.get(name, code_hash)
        if record is None:
            raise StoreError(f"feature view {name} ({code_hash[:12]}) is not materialised")
        table = view_table(name, code_hash)
        key, ts = quoted(record.key), quoted(record.timestamp)
        return self._frame(
            f"SELECT * FROM {table} QUALIFY row_number() OVER "
            f"(PARTITION BY {key} ORDER BY {ts} DESC) = 1 ORDER BY {key}"
        )

    def history(self, name: str, code_hash: str, key_value: str) -> pl.DataFrame:
        """One entity's rows, oldest first (the newest :data:`_HISTORY_LIMIT`)."""
        record = self.get(name, code_hash)
        if record is None:
            raise StoreError(f"feature view {name} ({code_hash[:12]}) is not materialised")
        table = view_table(name, code_hash)
        key, ts = quoted(record.key), quoted(record.timestamp)
        return self._frame(
            f"SELECT * FROM (SELECT * FROM {table} WHERE CAST({key} AS VARCHAR) = ? "
            f"ORDER BY {ts} DESC LIMIT {_HISTORY_LIMIT}) ORDER BY {ts}",
            [key_value],
        )

    # the registry -----------------------------------------------------------------------

    def get(self, name: str, code_hash: str | None = None) -> FeatureViewRecord | None:
        """A view version (default: the current one), with its statistics."""
        found = [
            r
            for r in self.list(all_versions=True)
            if r.name == name and (r.code_hash == code_hash if code_hash else r.current)
        ]
        return found[0] if found else None

    def list(self, *, all_versions: bool = False) -> list[FeatureViewRecord]:
        """Views (current versions unless ``all_versions``), by name."""
        rows = self._db.execute(
            "SELECT name, code_hash, entity, key, timestamp, ttl_s, columns, current, rows, "
            "materialized_at FROM feature_views"
            + ("" if all_versions else " WHERE current")
            + " ORDER BY name, created_at DESC"
        )
        return [self._stats(row) for row in rows]

    def _stats(self, row: tuple[Any, ...]) -> FeatureViewRecord:
        name, code_hash, entity, key, ts, ttl_s, columns, current, rows, materialized = row
        names = tuple(json.loads(columns))
        table = view_table(name, code_hash)
        nulls = ", ".join(f"avg(({quoted(c)} IS NULL)::DOUBLE)" for c in names)
        extra = f", {nulls}" if nulls else ""
        stats = self._db.execute(
            f"SELECT count(DISTINCT {quoted(key)}), max({quoted(ts)}){extra} FROM {table}"
        )[0]
        return FeatureViewRecord(
            name=name,
            code_hash=code_hash,
            entity=entity,
            key=key,
            timestamp=ts,
            ttl_s=ttl_s,
            columns=names,
            current=bool(current),
            rows=int(rows),
            entities=int(stats[0] or 0),
            newest=stats[1],
            materialized_at=as_utc(materialized),
            null_shares={c: float(v or 0.0) for c, v in zip(names, stats[2:], strict=True)},
        )

    # helpers ----------------------------------------------------------------------------

    def _exists(self, table: str) -> bool:
        return bool(
            self._db.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
            )
        )

    def _select(
        self,
        table: str,
        key: str,
        timestamp: str,
        entities: Sequence[Any] | None,
        since: datetime | None,
        drop: str | None = None,
    ) -> pl.DataFrame:
        where, params = [], []
        if since is not None:
            where.append(f"{quoted(timestamp)} >= ?")
            params.append(since)
        if entities is not None:
            where.append(f"{quoted(key)} IN (SELECT k FROM _wanted_keys)")
        columns = f"* EXCLUDE ({quoted(drop)})" if drop else "*"
        sql = (
            f"SELECT {columns} FROM {table}"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + f" ORDER BY {quoted(key)}, {quoted(timestamp)}"
        )
        if entities is None:
            return self._frame(sql, params)
        import polars as pl

        with self._db.locked():
            con = self._db.connection
            con.register("_wanted_keys", pl.DataFrame({"k": list(entities)}))
            try:
                return self._frame(sql, params)
            finally:
                con.unregister("_wanted_keys")

    def _frame(self, sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
        return self._db.frame(sql, params)
