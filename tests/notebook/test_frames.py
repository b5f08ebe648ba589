"""Api results as polars DataFrames: fixed schemas, real values, empty frames too."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workbench.api import WorkbenchApi
from workbench.notebook import (
    approvals_frame,
    datasets_frame,
    drift_columns_frame,
    drift_frame,
    events_frame,
    metrics_frame,
    models_frame,
    performance_frame,
    runs_frame,
    tasks_frame,
)
from workbench.notebook.views.frames import RUNS_SCHEMA


def test_runs_frame_lists_runs_newest_first_with_durations(api: WorkbenchApi) -> None:
    runs = runs_frame(api)
    assert runs.schema == pl.Schema(RUNS_SCHEMA)
    assert runs["id"].to_list() == [2, 1]
    assert runs["status"].to_list() == ["success", "success"]
    assert runs["dataset_ids"].to_list() == [[1], [1]]
    assert (runs["duration_s"] > 0).all()


def test_tasks_and_metrics_frames_hold_a_runs_dag_and_every_metric_point(
    api: WorkbenchApi,
) -> None:
    tasks = tasks_frame(api, 1)
    assert "train_logistic_regression" in tasks["task"].to_list()
    assert set(tasks["status"]) <= {"success", "skipped"}
    metrics = metrics_frame(api, 1)
    detail = api.run_detail(1)
    assert set(metrics["key"]) == set(detail.metrics)
    auc = metrics.filter(pl.col("key") == "logistic_regression.val_roc_auc")
    assert auc["value"].to_list() == [detail.metrics["logistic_regression.val_roc_auc"]]
    assert metrics_frame(api, 1, key="test_roc_auc").height == 1


def test_models_frame_has_one_column_per_metric(api: WorkbenchApi) -> None:
    api.approve(1, "first")
    models = models_frame(api)
    assert models["version"].to_list() == [2, 1]
    assert models["aliases"].to_list() == [[], ["production"]]
    assert models.schema["roc_auc"] == pl.Float64
    assert models["roc_auc"].to_list() == [m.metrics["roc_auc"] for m in api.models()]


def test_datasets_approvals_and_events_frames(api: WorkbenchApi) -> None:
    api.reject(2, "not better")
    assert datasets_frame(api)["rows"].to_list() == [3000]
    decisions = approvals_frame(api)
    assert decisions.select("version", "decision", "comment").rows() == [
        (2, "reject", "not better")
    ]
    events = events_frame(api, kind="model.rejected")
    assert events["kind"].to_list() == ["model.rejected"]


def test_drift_and_performance_frames_are_typed_before_any_report(api: WorkbenchApi) -> None:
    assert drift_frame(api).height == 0
    assert drift_frame(api).schema["drifted_columns"] == pl.List(pl.String)
    assert performance_frame(api).columns == ["ts", "version", "dataset_id", "metric", "value"]


def test_drift_frames_of_a_drifted_month(api: WorkbenchApi, drifted_csv: Path) -> None:
    api.approve(1)
    api.ingest(str(drifted_csv), move=False)
    reports = drift_frame(api)
    assert reports.height == 1 and "amount" in reports["drifted_columns"][0]
    columns = drift_columns_frame(api)
    amount = columns.filter(pl.col("column") == "amount").row(0, named=True)
    assert amount["drifted"] is True and amount["role"] == "feature"
    assert set(performance_frame(api)["version"]) == {1}
