"""Secondary indexes: only those the tracking benchmark shows paying off (migration 9).

The benchmark (``benchmarks/tracking.py --indexes``) found none of the 13 earlier ones
faster at 100,000 runs than DuckDB's own min-max pruning, so a store has none; and with
no index on them, later migrations can drop or rename columns.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from workbench.store import Store
from workbench.store.migrations import MIGRATIONS, SCHEMA_VERSION

OLD_INDEXES = {
    "runs_status",
    "runs_trigger",
    "runs_created",
    "params_run",
    "metrics_run",
    "metrics_key",
    "lineage_dst",
    "lineage_src",
    "model_versions_run",
    "run_datasets_dataset",
    "predictions_ts",
    "task_cache_task",
    "tags_key",
}


DROPPING = next(i for i, sql in enumerate(MIGRATIONS) if "DROP INDEX" in sql)


def index_names(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {row[0] for row in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}


def test_a_new_store_has_no_secondary_index(tmp_path: Path) -> None:
    with Store(tmp_path / "wb.duckdb", tmp_path / "artifacts"):
        pass
    assert index_names(tmp_path / "wb.duckdb") == set()


def test_a_store_from_before_the_migration_loses_its_indexes_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wb.duckdb"
    with duckdb.connect(str(path)) as con:  # the schema as Workbench wrote it before
        con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
        for version, sql in enumerate(MIGRATIONS[:DROPPING], start=1):
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, datetime.now()])
        con.execute(
            "INSERT INTO runs (id, pipeline, trigger, status, created_at) "
            "VALUES (1, 'tabular', 'file', 'success', now())"
        )
    assert index_names(path) == OLD_INDEXES
    with Store(path, tmp_path / "artifacts") as store:
        assert store.db.schema_version == SCHEMA_VERSION
        assert store.runs.get(1) is not None
    assert index_names(path) == set()


def test_with_no_index_a_later_migration_can_drop_and_rename_columns(tmp_path: Path) -> None:
    with Store(tmp_path / "wb.duckdb", tmp_path / "artifacts"):
        pass
    with duckdb.connect(str(tmp_path / "wb.duckdb")) as con:
        con.execute("ALTER TABLE runs RENAME COLUMN trigger TO started_by")
        con.execute("ALTER TABLE metrics DROP COLUMN key")
        con.execute("ALTER TABLE lineage_edges DROP COLUMN dst_kind")
