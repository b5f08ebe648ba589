"""The watched folder through the engine: a real observer, real files, real runs."""

from __future__ import annotations

import gzip
import os
import queue
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.records import EventRecord
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine

from .helpers import wait_for

WAIT = 90.0


@pytest.fixture
def fast_workspace(tmp_path: Path) -> Workspace:
    """One quick candidate, a short quiet period and batch window."""
    settings = WorkbenchConfig()  # the default gate: beat the baseline
    settings = with_overrides(settings, "train", candidates=["logistic_regression"])
    settings = with_overrides(settings, "watch", quiet_period_ms=200, batch_window_ms=400)
    return init_workspace(tmp_path / "ws", target="is_fraud", config=settings)


@pytest.fixture
def watching(fast_workspace: Workspace) -> Iterator[tuple[Engine, queue.Queue[EventRecord]]]:
    """An engine watching incoming/, and a queue of every event it emits."""
    with Engine(fast_workspace) as engine, engine.bus.listen() as inbox:
        engine.watch()
        yield engine, inbox


def rows(n: int, offset: int = 0) -> pl.DataFrame:
    """``n`` sample rows starting at ``offset``: distinct slices have distinct bytes."""
    return pl.read_csv(
        Path(__file__).resolve().parents[2] / "sample_data" / "transactions_2026_01.csv",
        n_rows=n + offset,
    ).slice(offset, n)


def test_a_dropped_file_is_ingested_moved_and_trained_on(
    watching: tuple[Engine, queue.Queue[EventRecord]],
) -> None:
    engine, inbox = watching
    rows(1500).write_csv(engine.workspace.root / "incoming" / "jan.csv")
    ingested = wait_for(inbox, "dataset.ingested")
    assert ingested.payload["file"] == "jan.csv"
    started = wait_for(inbox, "run.started")
    assert started.payload["trigger"] == "file"
    finished = wait_for(inbox, "run.finished")
    assert finished.payload["status"] == "success"
    assert (engine.workspace.processed / "jan.csv").exists()
    assert not (engine.workspace.root / "incoming" / "jan.csv").exists()


def test_a_slow_writer_is_read_only_after_it_finished(
    watching: tuple[Engine, queue.Queue[EventRecord]], tmp_path: Path
) -> None:
    engine, inbox = watching
    source = tmp_path / "full.csv"
    rows(1500).write_csv(source)
    data = source.read_bytes()
    chunks = [data[i : i + len(data) // 8 + 1] for i in range(0, len(data), len(data) // 8 + 1)]

    def writer() -> None:
        with (engine.workspace.root / "incoming" / "slow.csv").open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                handle.flush()
                time.sleep(0.1)

    thread = threading.Thread(target=writer)
    thread.start()
    ingested = wait_for(inbox, "dataset.ingested")
    thread.join()
    assert ingested.payload["rows"] == 1500


def test_the_same_bytes_twice_record_a_duplicate_and_start_no_second_run(
    watching: tuple[Engine, queue.Queue[EventRecord]],
) -> None:
    engine, inbox = watching
    incoming = engine.workspace.root / "incoming"
    rows(800).write_csv(incoming / "a.csv")
    wait_for(inbox, "run.finished")
    shutil.copy(engine.workspace.processed / "a.csv", incoming / "a-copy.csv")
    duplicate = wait_for(inbox, "dataset.duplicate")
    assert duplicate.payload["file"] == "a-copy.csv"
    assert engine.watch().queue.wait_idle(WAIT)
    assert len(engine.store.runs.list()) == 1
    assert (engine.workspace.processed / "a-copy.csv").exists()


def test_a_burst_of_files_starts_a_few_runs_and_loses_none(
    watching: tuple[Engine, queue.Queue[EventRecord]], tmp_path: Path
) -> None:
    engine, inbox = watching
    rows(3000).write_csv(engine.workspace.root / "incoming" / "reference.csv")
    wait_for(inbox, "run.finished")
    staging = tmp_path / "staging"
    staging.mkdir()
    for i in range(30):
        rows(100, offset=3000 + i * 100).write_csv(staging / f"part-{i:02}.csv")
    for path in sorted(staging.iterdir()):
        os.replace(path, engine.workspace.root / "incoming" / path.name)
    for _ in range(30):
        wait_for(inbox, "dataset.ingested")
    deadline = time.monotonic() + WAIT  # every accepted file trained on: none is lost
    while engine.store.datasets.untrained() and time.monotonic() < deadline:
        wait_for(inbox, "run.finished", timeout=max(1.0, deadline - time.monotonic()))
    assert engine.watch().queue.wait_idle(WAIT)
    assert len(engine.store.datasets.list("accepted")) == 31
    runs = engine.store.runs.list()
    assert 2 <= len(runs) <= 5, "one run for the reference, few for the burst"
    assert set(runs[0].dataset_ids) == {d.id for d in engine.store.datasets.list()}
    assert not list((engine.workspace.root / "incoming").iterdir())


def _bad_files(folder: Path, good: pl.DataFrame) -> dict[str, str]:
    """Write each kind of bad file; returns name -> a word its reason must contain."""
    (folder / "empty.csv").write_bytes(b"")
    (folder / "header_only.csv").write_text(",".join(good.columns) + "\n")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 50)
    latin = good.head(50).write_csv().replace("grocery", "caf\xe9")
    (folder / "latin1.csv").write_bytes(latin.encode("latin-1"))
    good.head(200).write_parquet(folder / "whole.parquet")
    data = (folder / "whole.parquet").read_bytes()
    (folder / "whole.parquet").unlink()
    (folder / "truncated.parquet").write_bytes(data[: len(data) // 2])
    good.head(200).rename({"amount": "amt"}).write_csv(folder / "other_schema.csv")
    return {
        "empty.csv": "empty",
        "header_only.csv": "row",
        "binary.csv": "",
        "latin1.csv": "utf-8",
        "truncated.parquet": "",
        "other_schema.csv": "amount",
    }


def test_bad_files_are_quarantined_with_a_reason_and_watching_goes_on(
    watching: tuple[Engine, queue.Queue[EventRecord]], tmp_path: Path
) -> None:
    engine, inbox = watching
    good = rows(600)
    good.write_csv(engine.workspace.root / "incoming" / "first.csv")
    wait_for(inbox, "run.finished")
    staging = tmp_path / "bad"
    staging.mkdir()
    expected = _bad_files(staging, good)
    for path in staging.iterdir():
        os.replace(path, engine.workspace.root / "incoming" / path.name)
    reasons = {}
    while len(reasons) < len(expected):
        event = wait_for(inbox, "dataset.quarantined")
        reasons[event.payload["file"]] = event.payload["reason"]
    for name, word in expected.items():
        assert word.lower() in reasons[name].lower(), (name, reasons[name])
        assert (engine.workspace.quarantine / name).exists()
        assert (engine.workspace.quarantine / f"{name}.report.json").exists()
    rows(300, offset=5000).write_csv(engine.workspace.root / "incoming" / "after.csv")
    assert wait_for(inbox, "dataset.ingested").payload["file"] == "after.csv"


def test_a_compressed_csv_is_accepted(
    watching: tuple[Engine, queue.Queue[EventRecord]],
) -> None:
    engine, inbox = watching
    data = rows(700).write_csv().encode()
    (engine.workspace.root / "incoming" / "jan.csv.gz").write_bytes(gzip.compress(data))
    assert wait_for(inbox, "dataset.ingested").payload["rows"] == 700


def test_files_dropped_while_the_engine_was_down_are_processed_once_on_start(
    fast_workspace: Workspace,
) -> None:
    rows(700).write_csv(fast_workspace.root / "incoming" / "offline.csv")
    with Engine(fast_workspace) as engine, engine.bus.listen() as inbox:
        engine.watch()
        wait_for(inbox, "run.finished")
        assert len(engine.store.datasets.list()) == 1
    with Engine(fast_workspace) as engine:
        engine.watch()
        assert engine.watch().queue.wait_idle(WAIT)
        assert len(engine.store.runs.list()) == 1, "nothing new: no second run"


def test_another_process_is_told_which_command_owns_the_workspace(
    watching: tuple[Engine, queue.Queue[EventRecord]],
) -> None:
    import subprocess
    import sys

    engine, _ = watching
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli.main", "models", "-w", str(engine.workspace.root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"pid {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr
