"""Whole runs on a real multi-process Dask cluster (``executor = "dask://..."``).

The default pipeline, the bundled custom pipeline example, an 8-trial search, and the
command line (``workbench run`` and ``workbench watch`` with a file drop), all on the
session's shared two-process cluster (``tests/dask_cluster.py``). Task runs record
where each attempt ran: a worker address, or ``engine`` for the tasks that write to
the registry.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import tomlkit

from workbench.api import connect
from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run_detail import RunDetailScreen
from workbench.tui.widgets.task_timeline import TaskTimeline

from ..children import Child
from ..dask_cluster import dask_spec
from ..tui.pilot import plain, wait_until
from .helpers import set_config

pytest.importorskip("distributed", reason="the Dask executor needs 'distributed'")
pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_pipeline" / "pipeline.py"
TIMEOUT_S = 180.0
"""Upper bound for a CLI run; reached only when a test fails."""


def _workers(process_cluster: Any) -> set[str]:
    return set(process_cluster.scheduler_info["workers"])


def _placed(engine: Engine, run_id: int) -> dict[str, str | None]:
    return {t.task: t.worker for t in engine.store.runs.tasks(run_id)}


def test_the_default_pipeline_runs_on_the_cluster_and_registers_on_the_engine(
    workspace: Workspace, small_sample: Path, process_cluster: Any
) -> None:
    set_config(
        workspace,
        "train",
        executor=dask_spec(process_cluster),
        candidates=["logistic_regression", "random_forest"],
    )
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        assert run.status == "success", run.error
        placed = _placed(engine, run.id)
        workers = _workers(process_cluster)
        assert placed["train_logistic_regression"] in workers
        assert placed["train_random_forest"] in workers
        assert placed["register"] == "engine"
        assert [m.candidate for m in engine.store.registry.list()]
        tags = engine.store.runs.tags(run.id)[""]
        assert tags["workbench.executor"] == dask_spec(process_cluster)
        assert tags["workbench.dashboard"].startswith("http://127.0.0.1:")


def test_the_custom_pipeline_example_runs_on_the_cluster(
    workspace: Workspace, small_sample: Path, process_cluster: Any
) -> None:
    shutil.copy(EXAMPLE, workspace.root / "pipeline.py")
    set_config(workspace, "pipeline", path="pipeline.py")
    set_config(workspace, "train", executor=dask_spec(process_cluster))
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        assert run.status == "success", run.error
        placed = _placed(engine, run.id)
        workers = _workers(process_cluster)
        assert {placed["clean"], placed["split"], placed["learning_curve"]} <= workers
        assert placed["train"] == "engine"  # it takes the registry sink
        curve = engine.store.runs.metric_history(run.id, "curve.roc_auc")
        assert [p.step for p in curve] == [0, 1, 2, 3]  # replayed from the worker
        assert engine.store.registry.list()[0].candidate == "hist_gradient_boosting"
    summary, timeline = asyncio.run(_run_screen(workspace.root, run.id))
    assert "Dask dashboard: http://127.0.0.1:" in summary
    rows = {line.split()[1]: line for line in timeline.splitlines() if line[:1] in "✔↺"}
    host = placed["clean"].removeprefix("tcp://")  # type: ignore[union-attr]
    assert host in rows["clean"] and "engine" in rows["train"]


async def _run_screen(root: Path, run_id: int) -> tuple[str, str]:
    """The run screen's summary and task timeline, as the TUI shows them."""
    with connect(root) as api:
        app = WorkbenchApp(api)
        async with app.run_test(size=(160, 40)) as pilot:
            screen = RunDetailScreen(run_id)
            await app.push_screen(screen)
            await wait_until(pilot, lambda: screen.loads > 0, "the run to load")
            summary = plain(screen.query_one("#run-summary"))  # type: ignore[arg-type]
            return summary, plain(screen.query_one(TaskTimeline))


def test_eight_search_trials_fan_out_across_both_workers(
    workspace: Workspace, small_sample: Path, process_cluster: Any
) -> None:
    set_config(
        workspace, "train", executor=dask_spec(process_cluster), candidates=["logistic_regression"]
    )
    doc = tomlkit.parse(workspace.config_path.read_text())
    search = tomlkit.table(is_super_table=True)
    grid = {"C": [0.01, 0.1, 1.0, 10.0], "fit_intercept": [True, False]}
    search["logistic_regression"] = {"strategy": "grid", "params": grid}
    doc["train"]["search"] = search  # type: ignore[index]
    workspace.config_path.write_text(tomlkit.dumps(doc))
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        assert run.status == "success", run.error
        trials = {t: w for t, w in _placed(engine, run.id).items() if t.startswith("train_")}
        assert len(trials) == 8
        assert set(trials.values()) == _workers(process_cluster)


def _wb(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
        check=False,
    )


def test_workbench_run_and_watch_from_the_command_line_use_the_cluster(
    tmp_path: Path, small_sample: Path, process_cluster: Any
) -> None:
    root = tmp_path / "proj"
    assert _wb("init", str(root), "--target", "is_fraud").returncode == 0
    workspace = Workspace(root)
    shutil.copy(EXAMPLE, root / "pipeline.py")
    set_config(workspace, "pipeline", path="pipeline.py", on_code_change=False)
    set_config(workspace, "train", executor=dask_spec(process_cluster))
    set_config(workspace, "watch", quiet_period_ms=100, batch_window_ms=0)
    first = tmp_path / "january.csv"
    pl.read_csv(small_sample, n_rows=2000).write_csv(first)  # small: two processes start
    done = _wb("run", "--data", str(first), "-w", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "run 1: success" in done.stdout

    watcher = Child(
        [sys.executable, "-m", "workbench.cli.main", "watch", "--no-serve", "-w", str(root)]
    )
    try:
        watcher.wait_for("watching", timeout=TIMEOUT_S)
        staged = tmp_path / "february.csv"
        pl.read_csv(small_sample).slice(2000, 2000).write_csv(staged)  # other rows
        os.replace(staged, root / "incoming" / "february.csv")
        line = watcher.wait_for("run 2 ", timeout=TIMEOUT_S)
        watcher.wait_for("run.finished", timeout=TIMEOUT_S)
    finally:
        watcher.proc.terminate()
        watcher.proc.wait(60)
    with Engine(workspace) as engine:
        runs = {r.id: r for r in engine.store.runs.list()}
        assert runs[2].status == "success", (line, runs[2].error)
        assert _placed(engine, 2)["split"] in _workers(process_cluster)
