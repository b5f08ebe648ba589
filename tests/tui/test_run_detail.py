"""The run detail screen: a metric's history by step, tags, cached tasks, a failed task's
log in the Logs tab, the inputs' validation reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from workbench.api import WorkbenchApi
from workbench.core.records import MetricRecord
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run_detail import RunDetailScreen
from workbench.tui.screens.runs import RunsScreen
from workbench.tui.widgets.history_plot import HistoryPlot, series_of, y_limits
from workbench.tui.widgets.task_logs import TaskLogs
from workbench.tui.widgets.task_timeline import TaskTimeline
from workbench.tui.widgets.validation_report import ValidationReports

from .fixed_api import NOW, FixedApi
from .pilot import open_screen, plain, settle, wait_until

pytestmark = pytest.mark.anyio


async def open_run(pilot: Pilot[None], run_id: int) -> RunDetailScreen:
    """Open the Runs screen, put the cursor on ``run_id`` and press Enter."""
    runs = await open_screen(pilot, "2", RunsScreen)
    runs.table.move_cursor(row=runs.table.get_row_index(str(run_id)))
    await pilot.press("enter")
    detail = pilot.app.screen
    assert isinstance(detail, RunDetailScreen) and detail.run_id == run_id
    await wait_until(pilot, lambda: detail.loads > 0, f"run {run_id} to load")
    return detail


def shown_log(logs: TaskLogs) -> str:
    return "\n".join(logs.text.lines)


async def test_the_logs_tab_opens_on_the_failed_task_and_shows_its_traceback(
    failed_run: WorkbenchApi,
) -> None:
    app = WorkbenchApp(failed_run)
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await open_run(pilot, 3)
        await pilot.press("l")
        assert detail.query_one("#run-tabs", TabbedContent).active == "tab-logs"
        logs = detail.query_one(TaskLogs)
        assert logs.selected == "explode", "the failed task comes first"
        await wait_until(
            pilot, lambda: "ValueError: boom after 3000 rows" in shown_log(logs), "the traceback"
        )
        assert "Traceback (most recent call last)" in shown_log(logs)
        assert logs.table.has_focus, "l puts the cursor in the task list"
        await pilot.press("up")
        assert logs.selected == "count_rows"
        await wait_until(
            pilot, lambda: "count_rows has no log" in shown_log(logs), "the other task's log"
        )
        assert ".workbench/logs/run-3/count_rows.log" in shown_log(logs)
        await settle(pilot)


async def test_the_validation_tab_shows_each_input_verdict_and_its_warned_checks(
    failed_run: WorkbenchApi,
) -> None:
    app = WorkbenchApp(failed_run)
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await open_run(pilot, 3)
        await pilot.press("v")
        assert detail.query_one("#run-tabs", TabbedContent).active == "tab-validation"
        reports = detail.query_one(ValidationReports)
        assert [v.dataset_id for v in reports.items] == [2]
        text = plain(reports)
        assert "dataset 2  january_warned.csv  passed with 1 warning(s)  3,000 rows" in text
        assert "1 warned, 0 failed" in text
        row = next(line for line in text.splitlines() if "amount in range" in line)
        assert "warn" in row and " 2 " in row, "severity and failing-row count"
        assert "row 5: 99999.0, row 10: 99999.0" in row, "example rows, numbered from 1"
        await pilot.press("escape")
        detail = await open_run(pilot, 1)
        await pilot.press("v")
        text = plain(detail.query_one(ValidationReports))
        assert "dataset 1  january_3k.csv  passed  3,000 rows" in text
        assert "0 warned, 0 failed" in text and "check" not in text.split("\n", 2)[2]
        await settle(pilot)


async def test_a_running_tasks_list_keeps_the_selection_across_reloads(
    failed_run: WorkbenchApi,
) -> None:
    app = WorkbenchApp(failed_run)
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await open_run(pilot, 3)
        await pilot.press("l", "up")
        logs = detail.query_one(TaskLogs)
        assert logs.selected == "count_rows"
        loads = detail.loads
        await pilot.press("f5")
        await wait_until(pilot, lambda: detail.loads > loads, "the reload")
        table = logs.query_one(DataTable)
        assert logs.selected == "count_rows" and table.cursor_row == 0
        await settle(pilot)


def table_rows(table: DataTable[object]) -> list[tuple[str, ...]]:
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_the_metrics_tab_plots_the_learning_curve_of_the_metric_under_the_cursor(
    curve_runs: WorkbenchApi,
) -> None:
    app = WorkbenchApp(curve_runs)
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await open_run(pilot, 3)
        plot = detail.query_one(HistoryPlot)
        await wait_until(pilot, lambda: plot.metric == "roc_auc", "the key metric plotted")
        curve = curve_runs.metric_history(3, "curve.roc_auc")
        assert plot.points("curve.roc_auc") == [(p.step, p.value) for p in curve]
        assert [step for step, _ in plot.points("curve.roc_auc")] == [0, 1, 2, 3]
        assert len(plot.points("roc_auc")) == 1, "train logs the final model's score once"
        assert plot.title == "roc_auc by step (run: one point)"
        await pilot.press("m")
        table = detail.query_one("#run-metrics", DataTable)
        assert table.has_focus, "m puts the cursor in the metrics"
        await pilot.press("up")
        await wait_until(pilot, lambda: plot.metric == "recall", "the row above plotted")
        assert [step for step, _ in plot.points("curve.recall")] == [0, 1, 2, 3]
        loads = detail.loads
        await pilot.press("f5")
        await wait_until(pilot, lambda: detail.loads > loads, "the reload")
        await settle(pilot)
        assert detail.metric_row == "recall" and plot.metric == "recall", "kept across reloads"
        assert str(table.get_row_at(table.cursor_row)[0]) == "recall"


async def test_the_tags_tab_lists_the_runs_tags_then_each_tasks(curve_runs: WorkbenchApi) -> None:
    app = WorkbenchApp(curve_runs)
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await open_run(pilot, 3)
        await pilot.press("a")
        assert detail.query_one("#run-tabs", TabbedContent).active == "tab-tags"
        rows = table_rows(detail.query_one("#run-tags", DataTable))
        scopes = [scope for scope, _, _ in rows]
        assert scopes == sorted(scopes, key=lambda s: s != "run"), "the run's own tags first"
        assert ("run", "workbench.user") in [(s, k) for s, k, _ in rows]
        assert ("learning_curve", "curve.model", "logistic_regression") in rows
        assert ("learning_curve", "curve.shares", "0.1,0.25,0.5,1.0") in rows
        await settle(pilot)


async def test_a_cached_task_says_which_run_its_result_came_from(
    curve_runs: WorkbenchApi,
) -> None:
    app = WorkbenchApp(curve_runs)
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await open_run(pilot, 4)
        timeline = detail.query_one(TaskTimeline)
        tasks = {t.task: t for t in timeline.tasks}
        assert tasks["learning_curve"].status == "cached"
        assert tasks["learning_curve"].cached_from == 3, "the store says where it came from"
        row = next(line for line in plain(timeline).splitlines() if "learning_curve" in line)
        assert "cached" in row and "from run 3" in row
        assert "from run" not in plain(timeline).replace(row, ""), "only the cached task"
        plot = detail.query_one(HistoryPlot)
        await wait_until(pilot, lambda: plot.metric == "roc_auc", "the key metric plotted")
        assert len(plot.points("curve.roc_auc")) == 4, "a cache hit copies the curve it logged"
        await settle(pilot)


async def test_a_metric_logged_once_is_drawn_as_one_point_and_says_so() -> None:
    app = WorkbenchApp(FixedApi(), clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await open_run(pilot, 1)
        plot = detail.query_one(HistoryPlot)
        await wait_until(pilot, lambda: plot.metric == "roc_auc", "the key metric plotted")
        assert [s.label for s in plot.series] == ["logistic_regression", "random_forest"]
        assert plot.points("random_forest.roc_auc") == [(0, 0.8412)]
        assert plot.title == "roc_auc: one point each, step 0"
        await settle(pilot)


async def test_a_run_without_metrics_says_so_in_the_plot(failed_run: WorkbenchApi) -> None:
    app = WorkbenchApp(failed_run)
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await open_run(pilot, 3)
        plot = detail.query_one(HistoryPlot)
        assert detail.query_one("#run-metrics", DataTable).row_count == 0
        assert plot.metric is None and plot.title == "no metrics logged yet"
        await settle(pilot)


def test_a_series_is_in_step_order_and_a_repeated_step_in_time_order() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    points = [
        MetricRecord(1, "fit", "loss", 0.5, 2, t0),
        MetricRecord(1, "fit", "loss", 0.9, 0, t0 + timedelta(seconds=2)),
        MetricRecord(1, "fit", "loss", 0.7, 0, t0 + timedelta(seconds=1)),
    ]
    series = series_of("loss", "run", points)
    assert (series.steps, series.values) == ((0, 0, 2), (0.7, 0.9, 0.5))


def test_the_y_range_leaves_the_legend_rows_above_the_highest_point() -> None:
    low, high = y_limits([0.7, 0.8], legend_rows=2, plot_rows=12)
    rows_above = (high - 0.8) / (high - low) * 12
    assert low < 0.7 and rows_above >= 3, "two legend lines and a blank one"
    assert y_limits([0.5], legend_rows=0, plot_rows=10) == pytest.approx((0.475, 0.525))
