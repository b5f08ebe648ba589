"""The HTML views handed back to Python: data inside, readable HTML outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

from tests.notebook.conftest import DEFECTS
from workbench.api import WorkbenchApi
from workbench.core.errors import WorkbenchError
from workbench.core.records import LineageNode
from workbench.notebook import (
    compare_view,
    drift_view,
    lineage_view,
    run_view,
    validation_view,
)
from workbench.notebook.charts import Bar, line_chart, paired_histogram, timeline
from workbench.notebook.markup import Safe, esc, table, tree


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
