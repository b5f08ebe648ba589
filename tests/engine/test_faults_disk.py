"""Disk full for real: a size-limited tmpfs mounted over part of a workspace, then filled.

Over ``.workbench/artifacts``: the engine trains, tries to store the model, and the
kernel answers ENOSPC. The run must fail saying "disk full" and where, leave no
half-written artifact, and the engine must keep working; once space is freed, a reopened
store has everything committed and the next run succeeds. Over the whole ``.workbench``:
a DuckDB commit (and the contract file) hits ENOSPC; the error says so and names the
file, nothing half-recorded survives, and the store reopens cleanly. Mounting needs root
(CAP_SYS_ADMIN); elsewhere the tests skip.
"""

from __future__ import annotations

import errno
import os
import queue
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.errors import StoreError
from workbench.core.records import EventRecord
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine
from workbench.store.artifacts import ArtifactStore, DiskFullError

from .helpers import wait_for

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "transactions_2026_01.csv"
FILLER = ".filler"


@contextmanager
def small_disk(folder: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted over ``folder`` (mode 0700) for the block's duration."""
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("mount(8) is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)  # never leave it


def fill(folder: Path) -> int:
    """Write zeros into ``folder/.filler`` until the kernel says ENOSPC; bytes written."""
    written = 0
    block = bytes(64 * 1024)
    with (folder / FILLER).open("wb", buffering=0) as handle:
        while True:
            try:
                written += handle.write(block) or 0
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                return written


def _workspace(tmp_path: Path, root: Path | None = None, **watch: int) -> Workspace:
    """One quick candidate, a low gate; ``watch`` overrides [watch] (quiet period, ...)."""
    settings = WorkbenchConfig()  # the default gate: beat the baseline
    settings = with_overrides(settings, "train", candidates=["logistic_regression"])
    if watch:
        settings = with_overrides(settings, "watch", **watch)
    return init_workspace(root or tmp_path / "ws", target="is_fraud", config=settings)


def _data(tmp_path: Path, name: str, offset: int) -> Path:
    path = tmp_path / name
    pl.read_csv(SAMPLE, n_rows=offset + 3000).slice(offset, 3000).write_csv(path)
    return path


@pytest.mark.slow
def test_a_full_artifact_disk_fails_the_run_with_disk_full_and_loses_nothing(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path)
    with small_disk(ws.artifacts):
        with Engine(ws) as engine, engine.bus.listen() as inbox:
            first = engine.ingest(_data(tmp_path, "jan.csv", 0), move=False)
            assert first.dataset is not None
            assert fill(ws.artifacts) > 0
            run = engine.run([first.dataset.id])

            assert run.status == "failed"
            assert run.error is not None and "disk full" in run.error, run.error
            assert str(ws.artifacts) in run.error and "artifact" in run.error
            tasks = {t.task: t for t in engine.store.runs.tasks(run.id)}
            assert tasks["register"].status == "failed"
            assert "disk full" in (tasks["register"].error or "")
            finished = [e for e in _drain(inbox) if e.kind == "run.finished"]
            assert finished and finished[-1].payload["status"] == "failed"
            assert "disk full" in finished[-1].message
            assert sorted(p.name for p in ws.artifacts.iterdir()) == [FILLER], "no partial file"
            assert engine.store.registry.list() == [], "no version without its artifact"

            second = engine.ingest(_data(tmp_path, "feb.csv", 3000), move=False)
            assert second.status == "accepted", "the engine keeps going"

        (ws.artifacts / FILLER).unlink()  # space freed on the same (still small) disk
        with Engine(ws) as engine:
            assert sorted(d.name for d in engine.store.datasets.list()) == ["feb.csv", "jan.csv"]
            runs = engine.store.runs.list()
            assert [(r.id, r.status) for r in runs] == [(1, "failed")]
            assert "disk full" in (runs[0].error or "")
            kinds = [e.kind for e in engine.store.events.since(0)]
            assert kinds.count("dataset.ingested") == 2 and "run.finished" in kinds

            again = engine.run(None)
            assert again.status == "success", again.error
            (model,) = engine.store.registry.list()
            assert engine.store.artifacts.read(model.artifact_sha256)
            assert (ws.artifacts / model.artifact_sha256).stat().st_mode & 0o777 == 0o600


def _drain(inbox: queue.Queue[EventRecord]) -> list[EventRecord]:
    """Every event already waiting in ``inbox``."""
    seen = []
    while True:
        try:
            seen.append(inbox.get_nowait())
        except queue.Empty:
            return seen


def test_the_artifact_store_names_disk_full_and_keeps_no_temp_file(tmp_path: Path) -> None:
    with small_disk(tmp_path / "artifacts", "64k") as folder:
        store = ArtifactStore(folder)
        kept = store.put(b"small and early")
        with pytest.raises(DiskFullError, match=r"disk full: cannot write artifact \w{12}"):
            store.put(os.urandom(256 * 1024))
        assert sorted(p.name for p in folder.iterdir()) == [kept]
        assert store.read(kept) == b"small and early"


def test_a_full_store_disk_refuses_the_commit_clearly_and_reopens_with_every_committed_row(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    with small_disk(root / ".workbench", "16m") as state:
        ws = _workspace(tmp_path, root)
        incoming = ws.root / "incoming"
        jan, feb = _data(tmp_path, "jan.csv", 0), _data(tmp_path, "feb.csv", 3000)
        with Engine(ws) as engine:
            assert engine.ingest(jan, move=False).status == "accepted"
            engine.store.flush()
            assert fill(state) > 0
            os.replace(feb, incoming / "feb.csv")
            with pytest.raises(DiskFullError) as caught:
                engine.ingest(incoming / "feb.csv", move=True)
            message = str(caught.value)
            assert message.startswith("disk full: "), message
            assert "No space left on device" in message and str(ws.db_path) in message, message
            assert (incoming / "feb.csv").is_file(), "the file waits in incoming/: nothing lost"
            assert [d.name for d in engine.store.datasets.list()] == ["jan.csv"]

        (state / FILLER).unlink()
        with Engine(ws) as engine:
            assert [d.name for d in engine.store.datasets.list()] == ["jan.csv"]
            assert engine.ingest(incoming / "feb.csv", move=True).status == "accepted"
            run = engine.run(None)
            assert run.status == "success", run.error
            accepted = {d.id for d in engine.store.datasets.list()}
            assert len(accepted) == 2 and set(run.dataset_ids) == accepted


def test_a_full_disk_while_pinning_the_contract_says_disk_full_and_keeps_the_file(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    with small_disk(root / ".workbench", "16m") as state:
        ws = init_workspace(root, target="is_fraud")
        dropped = ws.root / "incoming" / "jan.csv"
        os.replace(_data(tmp_path, "jan.csv", 0), dropped)
        with Engine(ws) as engine:
            engine.store.flush()
            assert fill(state) > 0
            with pytest.raises(DiskFullError, match="disk full") as caught:
                engine.ingest(dropped, move=True)
            assert str(ws.contract_path) in str(caught.value)
            assert dropped.is_file() and not ws.contract_path.exists()
            assert not list(ws.processed.iterdir())
        (state / FILLER).unlink()
        with Engine(ws) as engine:
            assert engine.ingest(dropped, move=True).status == "accepted"
            assert ws.contract_path.is_file()


def test_queued_events_and_metrics_survive_a_flush_that_hits_a_full_disk(tmp_path: Path) -> None:
    from workbench.store import Store

    folder = tmp_path / "state"
    with small_disk(folder, "16m"):
        store = Store(folder / "s.duckdb", folder / "artifacts")
        try:
            run = store.runs.create("p", "manual")
            store.flush()
            filler = fill(folder)
            assert filler > 0
            # Enough rows that the log needs new pages (a few bytes fit in a page it has).
            for i in range(2000):
                store.events.append("note", f"written while the disk is full {i}", {"i": i})
            store.runs.log_metrics(run.id, [("loss", 1 / (s + 1), s) for s in range(999)])
            with pytest.raises(StoreError):
                store.events.flush()
            with pytest.raises(StoreError):
                store.runs.flush()
            (folder / FILLER).unlink()
            store.flush()  # the same rows, now that there is room
            messages = [e.message for e in store.events.since(0, limit=5000)]
            assert messages == [f"written while the disk is full {i}" for i in range(2000)]
            assert len(store.runs.metric_history(run.id, "loss")) == 999
        finally:
            store.close()


def test_a_watched_file_refused_for_space_is_taken_once_space_is_back_without_a_restart(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    with small_disk(root / ".workbench", "16m") as state:
        ws = _workspace(tmp_path, root, quiet_period_ms=100, batch_window_ms=0)
        jan, feb = _data(tmp_path, "jan.csv", 0), _data(tmp_path, "feb.csv", 3000)
        with Engine(ws) as engine, engine.bus.listen() as inbox:
            assert engine.ingest(jan, move=False).status == "accepted"
            engine.store.flush()
            service = engine.watch()
            assert fill(state) > 0
            os.replace(feb, ws.root / "incoming" / "feb.csv")
            refused = wait_for(inbox, "dataset.error")
            assert "disk full" in refused.message and "tried again" in refused.message
            assert (ws.root / "incoming" / "feb.csv").is_file()
            (state / FILLER).unlink()
            service.watcher.rescan()  # what the periodic reconciling scan does
            ingested = wait_for(inbox, "dataset.ingested")
            assert ingested.payload["file"] == "feb.csv"
            assert sorted(d.name for d in engine.store.datasets.list()) == ["feb.csv", "jan.csv"]
