"""Wide files: refused from the header, and one that killed an engine is not read again.

A real 10,000-column file, ingested by a real child process whose memory is bounded
(RLIMIT_AS, see :mod:`tests.engine.bounded_ingest`); the test process is never bounded.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from .helpers import set_config, wait_for

REPO = Path(__file__).resolve().parents[2]


def _wide_csv(path: Path, columns: int, rows: int = 20) -> Path:
    rng = random.Random(7)
    with path.open("w", encoding="ascii") as out:
        out.write(",".join(f"c{i}" for i in range(columns - 1)) + ",is_fraud\n")
        for r in range(rows):
            out.write(",".join(str(rng.randint(0, 9)) for _ in range(columns - 1)))
            out.write(f",{r % 2}\n")
    return path


def _bounded_ingest(
    ws: Workspace, file: Path, headroom_mb: int
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "MALLOC_ARENA_MAX": "2",  # steadier address space: fewer per-thread malloc arenas
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.engine.bounded_ingest",
            str(ws.root),
            str(file),
            str(headroom_mb),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )


def _outcome(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_10000_column_file_is_quarantined_from_its_header_in_bounded_memory(
    workspace: Workspace,
) -> None:
    wide = _wide_csv(workspace.root / "incoming" / "wide.csv", 10_000)
    outcome = _outcome(_bounded_ingest(workspace, wide, headroom_mb=256))
    assert outcome["status"] == "quarantined"
    assert "10,000 columns" in outcome["message"]
    assert "watch.max_columns (2,000)" in outcome["message"]
    assert (workspace.quarantine / "wide.csv").exists()
    report = json.loads((workspace.quarantine / "wide.csv.report.json").read_text())
    assert report["former_path"] == "incoming/wide.csv"  # relative, not the absolute path


def test_a_wide_file_within_the_limit_validates_in_bounded_memory(workspace: Workspace) -> None:
    wide = _wide_csv(workspace.root / "incoming" / "wide.csv", 1_000)
    outcome = _outcome(_bounded_ingest(workspace, wide, headroom_mb=1024))
    assert outcome["status"] == "accepted", outcome["message"]


def test_a_file_that_killed_the_engine_is_quarantined_unread_at_the_next_start(
    workspace: Workspace,
) -> None:
    set_config(workspace, "watch", max_columns=20_000)
    wide = _wide_csv(workspace.root / "incoming" / "wide.csv", 10_000)
    died = _bounded_ingest(workspace, wide, headroom_mb=192)
    assert died.returncode != 0, "the bounded ingest was expected to run out of memory"
    assert "bounded" in died.stdout  # it died reading the file, not before
    assert wide.exists() and list(workspace.ingesting.iterdir())
    set_config(workspace, "watch", quiet_period_ms=100, batch_window_ms=0)
    with Engine(workspace) as engine, engine.bus.listen() as inbox:
        engine.watch()  # the start-up scan finds the file still in incoming/
        event = wait_for(inbox, "dataset.quarantined", timeout=60)
    assert event.payload["file"] == "wide.csv"
    assert "the engine stopped while reading this file" in event.message
    assert (workspace.quarantine / "wide.csv").exists()
    assert not list(workspace.ingesting.iterdir())


@pytest.mark.parametrize("columns", [3])
def test_an_ingest_that_finishes_leaves_no_marker(workspace: Workspace, columns: int) -> None:
    small = _wide_csv(workspace.root / "incoming" / "small.csv", columns)
    with Engine(workspace) as engine:
        assert engine.ingest(small, move=True).status == "accepted"
    assert not list(workspace.ingesting.iterdir())
