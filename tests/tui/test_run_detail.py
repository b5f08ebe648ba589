"""The run detail screen: a failed task's log in the Logs tab, the inputs' validation reports."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run_detail import RunDetailScreen
from workbench.tui.screens.runs import RunsScreen
from workbench.tui.widgets.task_logs import TaskLogs
from workbench.tui.widgets.validation_report import ValidationReports

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
