"""kill -9 of a watching engine mid-ingest: restart loses nothing, processes nothing twice."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine

from ..eventually import eventually

pytestmark = pytest.mark.slow
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "transactions_2026_01.csv"


def _watch(ws: Workspace) -> tuple[subprocess.Popen[str], list[str], threading.Event]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli.main", "watch", "--no-serve", "-w", str(ws.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    ingested = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "dataset.ingested" in line:
                ingested.set()

    threading.Thread(target=read, daemon=True).start()
    return proc, lines, ingested


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_kill_9_mid_ingest_then_restart_loses_nothing_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    settings = with_overrides(WorkbenchConfig(), "train", candidates=["logistic_regression"])
    settings = with_overrides(settings, "watch", quiet_period_ms=100, batch_window_ms=0)
    ws = init_workspace(tmp_path / "ws", target="is_fraud", config=settings)
    frame = pl.read_csv(SAMPLE, n_rows=12_000)
    staging = tmp_path / "staging"
    staging.mkdir()
    for i in range(6):
        frame.slice(i * 2000, 2000).write_csv(staging / f"part-{i}.csv")
    hashes = {_digest(p) for p in staging.iterdir()}

    proc, lines, ingested = _watch(ws)
    try:
        for path in sorted(staging.iterdir()):
            os.replace(path, ws.root / "incoming" / path.name)
        assert ingested.wait(120), "".join(lines)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    proc, lines, _ = _watch(ws)
    try:
        eventually(
            lambda: (
                not any((ws.root / "incoming").iterdir())
                and any("run.finished" in line for line in lines[-50:])
            ),
            180,
            "every file is ingested and a run finishes",
            interval=0.2,
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)

    with Engine(ws) as engine:
        accepted = engine.store.datasets.list("accepted")
        assert sorted(d.sha256 for d in accepted) == sorted(hashes), "each file once"
        assert all((ws.root / d.path).is_file() for d in accepted)
        runs = engine.store.runs.list()
        assert all(r.status in ("success", "crashed") for r in runs)
        assert runs[0].status == "success"
        assert set(runs[0].dataset_ids) == {d.id for d in accepted}
    stored = {_digest(p) for p in ws.processed.iterdir()}
    assert hashes <= stored, "every file's bytes are in processed/"
    assert not list((ws.root / "incoming").iterdir())


def test_kill_9_mid_training_marks_the_run_crashed_and_requeues_its_input_once(
    tmp_path: Path,
) -> None:
    settings = with_overrides(WorkbenchConfig(), "watch", quiet_period_ms=100, batch_window_ms=0)
    ws = init_workspace(tmp_path / "ws", target="is_fraud", config=settings)
    pl.read_csv(SAMPLE, n_rows=6000).write_csv(tmp_path / "jan.csv")
    proc, lines, _ = _watch(ws)
    try:
        os.replace(tmp_path / "jan.csv", ws.root / "incoming" / "jan.csv")
        eventually(
            lambda: any("train_random_forest started" in line for line in lines),
            120,
            "training starts",
        )
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    proc, lines, _ = _watch(ws)
    try:
        eventually(lambda: any("run 2 success" in line for line in lines), 180, "run 2 succeeds")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    with Engine(ws) as engine:
        runs = {r.id: r for r in engine.store.runs.list()}
        assert runs[1].status == "crashed"
        assert runs[2].status == "success" and runs[2].trigger == "recovered"
        assert len(runs) == 2, "re-queued exactly once"
        assert len(engine.store.datasets.list()) == 1
