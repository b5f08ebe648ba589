"""Both ways ``insert_rows`` writes (parameters for a few rows, Arrow for many) store the
same values, and a serving engine at rest never loads pyarrow."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workbench.core.vocabulary import Level
from workbench.store.db import SMALL_INSERT_ROWS, Database

COLUMNS = ("id", "ts", "kind", "level", "message", "payload")


def _rows(count: int, first: int) -> list[tuple[object, ...]]:
    return [
        (
            first + i,
            datetime(2026, 12, 3, 9, 30, i % 60, 123456),  # naive UTC, as the store keeps
            "serving.started",
            Level.WARNING if i % 2 else Level.INFO,
            f"message {i} with 'quotes' and ünicode",
            json.dumps({"n": i, "x": None, "f": 0.1 + i}),
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [1, SMALL_INSERT_ROWS, SMALL_INSERT_ROWS + 1, 500])
def test_rows_read_back_as_written_whichever_way_they_were_inserted(
    tmp_path: Path, count: int
) -> None:
    db = Database(tmp_path / "w.duckdb")
    try:
        rows = _rows(count, 1)
        db.insert_rows("events", COLUMNS, rows)
        stored = db.execute(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY id")
    finally:
        db.close()
    assert [tuple(r) for r in stored] == [
        (i, ts, kind, str(level), message, payload) for i, ts, kind, level, message, payload in rows
    ]


@pytest.mark.parametrize("count", [2, SMALL_INSERT_ROWS + 1])
def test_replace_overwrites_rows_with_the_same_key_either_way(tmp_path: Path, count: int) -> None:
    db = Database(tmp_path / "w.duckdb")
    try:
        db.insert_rows("events", COLUMNS, _rows(count, 1))
        changed = [(*row[:4], "rewritten", row[5]) for row in _rows(count, 1)]
        db.insert_rows("events", COLUMNS, changed, replace=True)
        messages = db.execute("SELECT DISTINCT message FROM events")
        total = db.execute("SELECT count(*) FROM events")
    finally:
        db.close()
    assert messages == [("rewritten",)] and total[0][0] == count


SERVE_AT_REST = """
import sys
from pathlib import Path
from workbench.store.db import Database
db = Database(Path(sys.argv[1]))
db.insert_rows("events", {columns!r}, {rows!r})
db.close()
print(sorted(m for m in ("pyarrow", "pandas") if m in sys.modules))
"""


def test_small_batches_never_load_pyarrow_or_pandas(tmp_path: Path) -> None:
    rows = [(1, "2026-12-03 09:30:00", "k", "info", "m", "{}")]
    script = SERVE_AT_REST.format(columns=COLUMNS, rows=rows)
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("count", [2, SMALL_INSERT_ROWS + 1])
def test_numpy_scalars_are_stored_as_their_values_either_way(tmp_path: Path, count: int) -> None:
    import numpy as np

    db = Database(tmp_path / "w.duckdb")
    try:
        rows = [(np.int64(i + 1), np.float32(0.5), np.bool_(i % 2 == 0)) for i in range(count)]
        db.execute("CREATE TABLE numbers (n BIGINT, x DOUBLE, b BOOLEAN)")
        db.insert_rows("numbers", ("n", "x", "b"), rows)
        stored = db.execute("SELECT n, x, b FROM numbers ORDER BY n")
    finally:
        db.close()
    assert stored == [(i + 1, 0.5, i % 2 == 0) for i in range(count)]


@pytest.mark.parametrize("count", [2, SMALL_INSERT_ROWS + 1])
def test_aware_times_are_stored_as_utc_whatever_the_local_time_zone(
    tmp_path: Path, count: int
) -> None:
    new_york = timezone(timedelta(hours=-5))
    db = Database(tmp_path / "w.duckdb")
    try:
        db.execute("SET TimeZone = 'America/New_York'")
        rows = _rows(count, 1)
        aware = [(r[0], r[1].replace(tzinfo=UTC).astimezone(new_york), *r[2:]) for r in rows]
        db.insert_rows("events", COLUMNS, aware)
        stored = db.execute("SELECT ts FROM events ORDER BY id")
    finally:
        db.close()
    assert [s[0] for s in stored] == [r[1] for r in rows]  # 09:30 UTC, not 04:30
