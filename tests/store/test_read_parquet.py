"""The store reads a Parquet file (the prediction log) with DuckDB: rows as Python values."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from workbench.store.db import Database


def test_aware_times_come_back_in_utc_whatever_the_local_time_zone(tmp_path: Path) -> None:
    seen = datetime(2024, 1, 1, 12, 30, tzinfo=UTC)
    file = tmp_path / "log.parquet"
    pl.DataFrame({"n": [1, 2], "seen": [seen, None]}).write_parquet(file)
    db = Database(tmp_path / "w.duckdb")
    try:
        db.execute("SET TimeZone = 'America/New_York'")  # DuckDB answers in the local zone
        columns, rows = db.read_parquet(file)
    finally:
        db.close()
    assert columns == ["n", "seen"]
    assert rows == [(1, seen), (2, None)]
    assert rows[0][1].utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert str(rows[0][1]) == "2024-01-01 12:30:00+00:00"  # what the inputs JSON keeps
