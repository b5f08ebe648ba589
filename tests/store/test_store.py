"""The DuckDB store: migrations, the single-process lock, records round-trip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from workbench.core.errors import StoreError
from workbench.core.vocabulary import (
    DatasetStatus,
    Decision,
    Level,
    ModelStatus,
    RunState,
    TaskState,
)
from workbench.store import SCHEMA_VERSION, Store


def _store(tmp_path: Path) -> Store:
    return Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts")


def test_new_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        assert store.db.schema_version == SCHEMA_VERSION
        tables = {r[0] for r in store.db.execute("SELECT table_name FROM duckdb_tables()")}
    expected = {"datasets", "runs", "task_runs", "params", "metrics", "artifacts"}
    expected |= {"model_versions", "approvals", "aliases", "events", "lineage_edges"}
    assert expected <= tables


def test_reopening_an_existing_file_keeps_rows_and_applies_no_migration_twice(
    tmp_path: Path,
) -> None:
    with _store(tmp_path) as store:
        store.events.append("test.one", "first", {})
    with _store(tmp_path) as store:
        assert [e.kind for e in store.events.since(0)] == ["test.one"]
        count = store.db.scalar("SELECT count(*) FROM schema_version")
    assert count == SCHEMA_VERSION


def test_a_file_from_an_older_schema_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "workbench.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
    con.close()
    with _store(tmp_path) as store:
        assert store.db.schema_version == SCHEMA_VERSION


def test_a_file_written_by_a_newer_schema_is_refused_not_migrated_down(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        store.db.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION + 5])
    with pytest.raises(StoreError, match="newer Workbench"):
        _store(tmp_path)


def test_a_second_process_gets_a_one_line_lock_error_naming_the_owner(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from workbench.store import Store\n"
        "from workbench.core.errors import WorkspaceLockedError\n"
        f"root = Path({str(tmp_path)!r})\n"
        "try:\n    Store(root / 'workbench.duckdb', root / 'a')\n"
        "except WorkspaceLockedError as e:\n    print(e); sys.exit(3)\n"
    )
    with _store(tmp_path):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 3, result.stderr
    assert f"in use by process {os.getpid()}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_artifacts_are_content_addressed_and_verified_on_read(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        sha = store.artifacts.put(b"model bytes")
        assert store.artifacts.put(b"model bytes") == sha
        path = store.artifacts.path(sha)
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert store.artifacts.read(sha) == b"model bytes"
        path.write_bytes(b"model bytez")
        with pytest.raises(StoreError, match="changed on disk"):
            store.artifacts.read(sha)
        with pytest.raises(StoreError, match="not a sha256"):
            store.artifacts.path("../../etc/passwd")


def test_model_versions_are_numbered_per_workspace_and_decisions_move_aliases(
    tmp_path: Path,
) -> None:
    with _store(tmp_path) as store:
        run = store.runs.create("tabular", "manual")
        versions = [
            store.registry.register(
                run_id=run.id,
                candidate=name,
                artifact_sha256="0" * 64,
                metrics={"roc_auc": 0.8},
                signature={},
                gate_passed=True,
                sklearn_version="1",
            ).version
            for name in ("a", "b")
        ]
        assert versions == [1, 2]
        store.registry.decide(1, "approve", "alice", "looks good", {"production": 1})
        store.registry.decide(2, "reject", "bob", "worse")
        assert store.registry.get(1).status == "approved"  # type: ignore[union-attr]
        assert store.registry.get(1).aliases == ("production",)  # type: ignore[union-attr]
        assert store.registry.get(2).status == "rejected"  # type: ignore[union-attr]
        decisions = store.registry.approvals()
        assert [(a.version, a.actor, a.comment) for a in decisions] == [
            (1, "alice", "looks good"),
            (2, "bob", "worse"),
        ]
        assert decisions[0].metrics == {"roc_auc": 0.8}


def test_metrics_keep_every_step_and_report_the_latest(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        run = store.runs.create("tabular", "manual")
        store.runs.log_metrics(run.id, [("loss", 1.0 / (s + 1), s) for s in range(5)])
        assert store.runs.metrics(run.id) == {"loss": pytest.approx(0.2)}
        assert [p.step for p in store.runs.metric_history(run.id, "loss")] == [0, 1, 2, 3, 4]


def test_records_read_back_carry_the_vocabulary_members_not_bare_strings(
    tmp_path: Path,
) -> None:
    with _store(tmp_path) as store:
        queued = store.runs.create("tabular", "file+drift")
        assert queued.status is RunState.QUEUED
        store.runs.start(queued.id)
        store.runs.record_task(queued.id, "fit", TaskState.TIMED_OUT, 1, None, None, None, "slow")
        store.runs.finish(queued.id, RunState.FAILED, "fit timed out")
        run = store.runs.get(queued.id)
        assert run is not None and run.status is RunState.FAILED
        assert run.trigger == "file+drift"  # merged requests: plain text, not one word
        assert [t.status for t in store.runs.tasks(run.id)] == [TaskState.TIMED_OUT]
        assert type(store.runs.tasks(run.id)[0].status) is TaskState
        dataset = store.datasets.add(
            sha256="0" * 64,
            name="a.csv",
            path="processed/a.csv",
            rows=1,
            status=DatasetStatus.ACCEPTED,
            columns={},
            profile=None,
        )
        assert dataset.status is DatasetStatus.ACCEPTED
        version = store.registry.register(
            run_id=run.id,
            candidate="a",
            artifact_sha256="0" * 64,
            metrics={},
            signature={},
            gate_passed=True,
            sklearn_version="1",
        ).version
        assert store.registry.get(version).status is ModelStatus.CANDIDATE  # type: ignore[union-attr]
        store.registry.decide(version, Decision.APPROVE, "alice", "")
        store.registry.set_status(version, ModelStatus.ARCHIVED, "bob", "old")
        assert [a.decision for a in store.registry.approvals()] == [
            Decision.APPROVE,
            Decision.ARCHIVE,
        ]
        assert all(type(a.decision) is Decision for a in store.registry.approvals())
        store.events.append("run.finished", "run 1 failed", {}, level="error")
        assert [type(e.level) for e in store.events.since()] == [Level]
        # the column holds the plain word, as before the records were typed
        word = store.db.execute("SELECT status FROM runs WHERE id = ?", [run.id])[0][0]
        assert type(word) is str and word == "failed"
