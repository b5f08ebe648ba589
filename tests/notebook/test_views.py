"""The HTML views handed back to Python: data inside, readable HTML outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

from tests.notebook.conftest import DEFECTS
from workbench.api import WorkbenchApi
from workbench.api.interface import ServingStatus, TaskLog
from workbench.core.errors import WorkbenchError
from workbench.core.records import LineageNode, MetricRecord
from workbench.core.vocabulary import ModelStatus
from workbench.notebook import (
    InputReport,
    MetricHistoryView,
    ServingView,
    TaskLogView,
    compare_view,
    drift_view,
    input_reports,
    lineage_view,
    metric_history_view,
    run_view,
    serving_view,
    task_log_view,
    validation_view,
)
from workbench.notebook.views.charts import Bar, line_chart, paired_histogram, timeline
from workbench.notebook.views.frames import METRICS_SCHEMA
from workbench.notebook.views.markup import Safe, esc, table, tree
from workbench.notebook.views.run_details import sorted_points


def test_run_view_shows_every_task_and_a_timeline(api: WorkbenchApi) -> None:
    view = run_view(api, 1)
    html = view._repr_html_()
    assert view.frame.height == len(view.detail.tasks)
    assert view.finished_tasks == len(view.detail.tasks)
    assert "Run 1" in html and "<svg" in html
    assert all(task.task in html for task in view.detail.tasks)


def test_validation_view_of_a_quarantined_file_names_the_failed_checks(
    api: WorkbenchApi,
) -> None:
    outcome = api.ingest(str(DEFECTS), move=False)
    view = validation_view(outcome)
    html = view._repr_html_()
    assert outcome.status == "quarantined"
    assert "Failed checks" in html and "amount not null" in html
    failed = view.checks.filter(~view.checks["passed"])
    assert "amount not null" in failed["name"].to_list()
    assert "amount" in view.profile["name"].to_list()


def test_validation_view_of_an_unreadable_file_shows_the_error(
    api: WorkbenchApi, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02 not a csv")
    outcome = api.ingest(str(garbage), move=False)
    assert outcome.status == "quarantined"
    assert "Error" in validation_view(outcome)._repr_html_()


def test_compare_view_puts_a_candidate_beside_production(api: WorkbenchApi) -> None:
    api.approve(1)
    view = compare_view(api)
    assert (view.candidate.version, view.production.version) == (2, 1)  # type: ignore[union-attr]
    row = view.frame.filter(view.frame["metric"] == "roc_auc").row(0, named=True)
    assert row["delta"] == row["candidate"] - row["production"]
    assert "production v1" in view._repr_html_()


def test_lineage_view_flattens_the_tree_with_parents(api: WorkbenchApi) -> None:
    view = lineage_view(api, 1)
    frame = view.frame
    assert frame.row(0, named=True)["kind"] == "model_version"
    assert "run" in frame["kind"].to_list()
    assert (frame.filter(frame["depth"] > 0)["parent"].is_not_null()).all()
    assert "model version 1" in view._repr_html_()


def test_user_text_is_escaped_everywhere() -> None:
    evil = "<script>alert(1)</script>"
    assert "<script>" not in table(["name"], [(evil,)])
    assert "<script>" not in tree(LineageNode("dataset", "x", evil))
    assert "<script>" not in line_chart([(evil, 1.0), ("b", 2.0)], title=evil)
    assert esc(Safe("<b>kept</b>")) == "<b>kept</b>"


def test_charts_draw_one_mark_per_value() -> None:
    chart = line_chart([("v1", 0.8), ("v2", 0.85), ("v3", 0.83)], title="auc", highlight=[1])
    assert chart.count("<circle") == 3 and chart.count('stroke-width="2"><title>') == 1
    bars = paired_histogram(["a", "b"], [1.0, 2.0], [2.0, 1.0], title="h")
    assert bars.count("<rect") == 4
    assert paired_histogram(["a"], [1.0, 2.0], [1.0], title="mismatched") == ""
    assert line_chart([], title="nothing") == ""


def test_drift_view_tables_every_column_and_draws_the_drifted_ones(
    api: WorkbenchApi, drifted_csv: Path
) -> None:
    with pytest.raises(WorkbenchError, match="no drift report yet"):
        drift_view(api)
    api.approve(1)
    api.ingest(str(drifted_csv), move=False)

    view = drift_view(api)

    drifted = view.frame.filter(pl.col("drifted"))["column"].to_list()
    assert "amount" in drifted
    html = view._repr_html_()
    assert "<svg" in html and "amount (drifted)" in html
    assert "amount" in repr(view)


def test_charts_are_well_formed_svg() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    charts = [
        line_chart([("v1", 0.8), ("v2", 0.8)], title="flat line"),
        paired_histogram(["a & b", "c"], [0.5, 0.5], [0.2, 0.8], title="<h>"),
        timeline(
            [
                Bar("validate", "success", start, start + timedelta(seconds=1)),
                Bar("train", "running", start + timedelta(seconds=1), None),
                Bar("alert", "skipped", None, None),
            ],
            title="tasks",
        ),
    ]
    for chart in charts:
        assert ElementTree.fromstring(chart).tag.endswith("svg")


def test_metric_history_view_of_a_curve_keeps_its_steps_in_order(curve_run: WorkbenchApi) -> None:
    view = metric_history_view(curve_run, 3, "curve.roc_auc")
    assert view.frame.schema == pl.Schema(METRICS_SCHEMA)
    assert view.frame["step"].to_list() == [0, 1, 2, 3]
    assert view.frame["task"].unique().to_list() == ["learning_curve"]
    html = view._repr_html_()
    assert html.count("<circle") == 4 and "4 points, steps 0 to 3" in html
    assert ElementTree.fromstring(html[html.index("<svg") : html.index("</svg>") + 6]) is not None
    once = metric_history_view(curve_run, 3, "roc_auc")
    assert len(once.points) == 1 and "one point, at step 0" in once._repr_html_()
    assert "logged no nothing" in metric_history_view(curve_run, 3, "nothing")._repr_html_()


def test_metric_history_view_orders_points_by_step_then_time() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    points = [
        MetricRecord(1, "fit", "loss", 0.5, 2, t0),
        MetricRecord(1, "fit", "loss", 0.9, 0, t0 + timedelta(seconds=2)),
        MetricRecord(1, "fit", "loss", 0.7, 0, t0 + timedelta(seconds=1)),
    ]
    view = MetricHistoryView(1, "loss", sorted_points(points))
    assert view.frame["value"].to_list() == [0.7, 0.9, 0.5]


def test_task_log_views_show_the_text_escaped_and_say_when_it_is_cut_or_missing(
    failed_run: WorkbenchApi,
) -> None:
    view = task_log_view(failed_run, 3, "explode")
    assert "ValueError: boom after 3000 rows" in view.text
    assert "boom after 3000 rows" in view._repr_html_()
    assert "has no log" in task_log_view(failed_run, 3, "count_rows")._repr_html_()
    with pytest.raises(WorkbenchError, match="no task 'nope'"):
        task_log_view(failed_run, 3, "nope")
    cut = TaskLogView(TaskLog(3, "t", ".workbench/logs/run-3/t.log", "<b>end</b>\n", 9999, True))
    html = cut._repr_html_()
    assert "the end of a 9,999-byte log" in html and "<b>end</b>" not in html


def test_input_reports_say_why_a_report_is_missing(api: WorkbenchApi) -> None:
    found, missing = input_reports(api, [1, 99])
    assert found.report is not None and found.report.rows == 3000
    assert "Dataset 1: january_3k.csv" in found._repr_html_()
    assert missing.report is None and "99" in missing.problem
    assert "Error" in missing._repr_html_()
    assert repr(InputReport(7, None, "gone")) == "<InputReport dataset 7: no report>"


def test_serving_view_says_up_stopped_or_never_started(api: WorkbenchApi) -> None:
    assert "not serving" in serving_view(api)._repr_html_()
    up = ServingStatus("running", "http://127.0.0.1:8000", 3, 42, 12.5, 0.0087, 30.0, 5210)
    html = ServingView(up)._repr_html_()
    assert "serving v3" in html and "http://127.0.0.1:8000" in html
    assert "12.5 req/s" in html and "p99 8.7ms" in html and "5,210 request(s)" in html
    gone = ServingStatus(
        "stopped", "http://127.0.0.1:8000", 3, 42, None, None, 0.0, None, "it <exited>"
    )
    html = ServingView(gone)._repr_html_()
    assert "server stopped" in html and "it &lt;exited&gt;" in html


def test_run_view_lists_the_run_and_task_tags(curve_run: WorkbenchApi) -> None:
    html = run_view(curve_run, 3)._repr_html_()
    assert "Tags" in html and "workbench.user" in html
    assert "curve.model" in html and "logistic_regression" in html


def test_a_long_line_labels_a_dozen_steps_first_and_last_included() -> None:
    chart = line_chart([(str(i), float(i)) for i in range(100)], title="loss")
    texts = ElementTree.fromstring(chart).iter("{http://www.w3.org/2000/svg}text")
    labels = [int(t.text or "") for t in texts if t.get("text-anchor") == "middle"]
    assert len(labels) == 12 and labels[0] == 0 and labels[-1] == 99
    assert labels == sorted(set(labels))


def test_the_compare_view_says_whether_the_improvement_over_production_is_significant() -> None:
    from workbench.core.records import ModelVersionRecord
    from workbench.notebook.views.results import CompareView

    def version(n: int, low: float) -> ModelVersionRecord:
        compared = {"metric": "roc_auc", "delta": 0.01, "low": low, "high": 0.03, "margin": 0.0}
        champion = {"version": 1, "metrics": {"roc_auc": 0.8}, "comparison": compared}
        return ModelVersionRecord(
            n,
            n,
            "rf",
            "a" * 64,
            ModelStatus.CANDIDATE,
            {"roc_auc": 0.81, "val_roc_auc": 0.83},
            {"task": "binary"},
            True,
            datetime(2026, 12, 1, tzinfo=UTC),
            champion=champion if n > 1 else None,
            threshold=0.3,
        )

    production = version(1, 0.0)
    straddles = CompareView(version(2, -0.01), production)
    assert straddles.interval_line().endswith("+0.0100 [-0.0100, +0.0300] not significant")
    assert "not significant" in str(straddles.html())
    clears = CompareView(version(3, 0.005), production).interval_line()
    assert clears.endswith("roc_auc +0.0100 [+0.0050, +0.0300]")
