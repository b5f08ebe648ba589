"""Pipelines as code through the engine: custom pipeline.py, code triggers, search,
tracking, reproduce and compare."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import tomlkit

from workbench.core.errors import WorkbenchError
from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from .helpers import set_config, wait_for

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_pipeline" / "pipeline.py"


def test_the_example_custom_pipeline_runs_logs_a_curve_and_registers_a_model(
    workspace: Workspace, small_sample: Path
) -> None:
    shutil.copy(EXAMPLE, workspace.root / "pipeline.py")
    set_config(workspace, "pipeline", path="pipeline.py")
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        assert run.status == "success", run.error
        tasks = {t.task: t.status for t in engine.store.runs.tasks(run.id)}
        assert tasks == {n: "success" for n in ("clean", "split", "learning_curve", "train")}
        curve = engine.store.runs.metric_history(run.id, "curve.roc_auc")
        assert [p.step for p in curve] == [0, 1, 2, 3]
        assert engine.store.registry.list()[0].candidate == "hist_gradient_boosting"
        repro = engine.store.runs.repro(run.id)
        assert repro is not None and repro["pipeline"].endswith("pipeline.py")
        assert repro["datasets"] == [{"id": dataset.id, "sha256": dataset.sha256}]


def test_a_pipeline_file_that_fails_to_import_fails_the_run_naming_file_and_line(
    workspace: Workspace, small_sample: Path
) -> None:
    (workspace.root / "pipeline.py").write_text("import polars\n\nthis is not python\n")
    set_config(workspace, "pipeline", path="pipeline.py")
    with Engine(workspace) as engine:
        engine.ingest(small_sample, move=False)
        run = engine.run()
        assert run.status == "failed"
        assert "pipeline.py, line 3" in (run.error or "")


def test_a_pipeline_path_outside_the_workspace_is_refused(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "pipeline", path="../elsewhere.py")
    with Engine(workspace) as engine:
        engine.ingest(small_sample, move=False)
        assert "outside the workspace" in (engine.run().error or "")


def test_saving_the_pipeline_file_starts_a_code_run_and_a_broken_save_starts_none(
    workspace: Workspace, small_sample: Path
) -> None:
    target = workspace.root / "pipeline.py"
    shutil.copy(EXAMPLE, target)
    set_config(workspace, "pipeline", path="pipeline.py", on_code_change=True)
    with Engine(workspace) as engine, engine.bus.listen() as inbox:
        engine.ingest(small_sample, move=False)
        service = engine.watch()
        assert service.queue.wait_idle(120)  # the recovered run over the ingested file
        runs_before = len(engine.store.runs.list())
        target.write_text(target.read_text() + "\n# tweak\n")
        wait_for(inbox, "pipeline.changed")
        started = wait_for(inbox, "run.started")
        assert started.payload["trigger"] == "code"
        assert service.queue.wait_idle(120)
        target.write_text("def broken(:\n")
        error = wait_for(inbox, "pipeline.error")
        assert "pipeline.py" in error.message
        time.sleep(1.5)  # a bounded look for a run that must not start
        assert service.queue.wait_idle(5)
        assert len(engine.store.runs.list()) == runs_before + 1


def test_a_grid_search_runs_each_trial_as_a_task_and_records_the_space(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression"])
    doc = tomlkit.parse(workspace.config_path.read_text())
    search = tomlkit.table(is_super_table=True)
    search["logistic_regression"] = {"strategy": "grid", "params": {"C": [0.1, 1.0, 10.0]}}
    doc["train"]["search"] = search  # type: ignore[index]
    workspace.config_path.write_text(tomlkit.dumps(doc))
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        assert run.status == "success", run.error
        trials = sorted(
            t.task for t in engine.store.runs.tasks(run.id) if t.task.startswith("train")
        )
        assert trials == [f"train_logistic_regression_t{i}" for i in range(3)]
        params = engine.store.runs.params(run.id)
        assert '"C": [0.1, 1.0, 10.0]' in params["search.logistic_regression"]
        assert params["train_logistic_regression_t2.C"] == "10.0"
        metrics = engine.store.runs.metrics(run.id)
        assert {f"logistic_regression_t{i}.val_roc_auc" for i in range(3)} <= set(metrics)


def test_reproduce_gives_identical_metrics_and_compare_lines_runs_up(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression", "random_forest"])
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        first = engine.run([dataset.id])
        result = engine.reproduce(first.id)
        assert result.identical, [m for m in result.metrics if not m.equal]
        assert not result.code_changed
        assert result.rerun.trigger == f"reproduce:{first.id}"
        comparison = engine.compare([first.id, result.rerun.id])
        assert (
            comparison.metrics["random_forest.val_roc_auc"][0]
            == comparison.metrics["random_forest.val_roc_auc"][1]
        )
        for key in ("test_average_precision", "gate.low", "gate.high", "threshold"):
            assert comparison.metrics[key][0] == comparison.metrics[key][1], key
        with pytest.raises(WorkbenchError, match="no run 99"):
            engine.compare([first.id, 99])


def test_many_metric_points_are_written_in_batches(workspace: Workspace) -> None:
    with Engine(workspace) as engine:
        run = engine.store.runs.create("custom", "manual")
        start = time.perf_counter()
        for step in range(20_000):
            engine.store.runs.log_metric(run.id, "loss", 1.0 / (step + 1), step)
        history = engine.store.runs.metric_history(run.id, "loss")
        assert len(history) == 20_000
        assert time.perf_counter() - start < 60  # a bound that catches a write per point
