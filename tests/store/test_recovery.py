"""Opening the store after faults: unclean stops, a broken log, a creation race."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from workbench.store import SCHEMA_VERSION, Store

WRITE_THEN_DIE = """
import os, signal, sys
from pathlib import Path
from workbench.store import Store
root = Path(sys.argv[1])
store = Store(root / "workbench.duckdb", root / "artifacts")
store.events.append("before.crash", "committed before the crash", {})
store.flush()  # committed: queued rows are written within a quarter second anyway
store.events.append("queued.only", "queued, not yet written", {})
os.kill(os.getpid(), signal.SIGKILL)
"""


def _crash(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WRITE_THEN_DIE, str(root)], timeout=120, check=False
    )
    assert done.returncode == -signal.SIGKILL


def test_after_kill_9_committed_rows_are_there_and_a_backup_was_taken(tmp_path: Path) -> None:
    _crash(tmp_path)
    assert (tmp_path / "workbench.duckdb.wal").exists()
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        assert [e.kind for e in store.events.since(0)] == ["before.crash"]
        assert any("not closed cleanly" in line for line in store.db.recovery)
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    assert {p.name for p in backups[0].iterdir()} == {"workbench.duckdb", "workbench.duckdb.wal"}


def test_a_garbage_write_ahead_log_does_not_stop_the_store_from_opening(tmp_path: Path) -> None:
    _crash(tmp_path)
    wal = tmp_path / "workbench.duckdb.wal"
    data = wal.read_bytes()
    wal.write_bytes(data[: len(data) // 3] + os.urandom(512))
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        assert store.db.schema_version == SCHEMA_VERSION
        assert store.db.recovery, "the repair is reported, never silent"
        store.events.append("after.repair", "the store takes writes again", {})
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        assert store.events.since(0)[-1].kind == "after.repair"
        assert not store.db.recovery, "a clean close leaves nothing to repair"


OPEN_AND_CLOSE = """
import sys
from pathlib import Path
from workbench.store import Store
root = Path(sys.argv[1])
Store(root / "workbench.duckdb", root / "artifacts").close()
"""


def test_two_processes_creating_one_store_apply_the_migrations_exactly_once(
    tmp_path: Path,
) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AND_CLOSE, str(tmp_path)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        versions = [r[0] for r in store.db.execute("SELECT version FROM schema_version")]
    assert sorted(versions) == list(range(1, SCHEMA_VERSION + 1))
