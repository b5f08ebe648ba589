"""The Runs screen: the live table, filter and sort, and one run opened with Enter."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run_detail import RunDetailScreen, metric_grid
from workbench.tui.screens.runs import COLUMNS, RunsScreen
from workbench.tui.widgets.task_timeline import TaskTimeline

from .pilot import open_screen, settle, wait_until

pytestmark = pytest.mark.anyio


async def open_runs(pilot: Pilot[None]) -> RunsScreen:
    return await open_screen(pilot, "2", RunsScreen)


def row_keys(table: DataTable[object]) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def test_filter_narrows_the_table_and_escape_clears_it(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_runs(pilot)
        assert row_keys(screen.table) == ["2", "1"]
        await pilot.press("slash", "2")
        assert row_keys(screen.table) == ["2"]
        await pilot.press("backspace", "x", "y", "z")
        assert row_keys(screen.table) == []
        await pilot.press("escape")
        assert row_keys(screen.table) == ["2", "1"]
        assert screen.table.has_focus
        await settle(pilot)


async def test_sort_key_cycles_through_the_columns(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_runs(pilot)
        seen = []
        for _ in COLUMNS:
            await pilot.press("s")
            seen.append(screen.sort_key)
            assert f"sorted by {screen.sort_key}" in str(screen.table.border_title)
        assert seen == [*COLUMNS[1:], "run"]
        assert row_keys(screen.table) == ["2", "1"]
        await settle(pilot)


async def test_enter_opens_the_run_with_tasks_metrics_and_models(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runs(pilot)
        await pilot.press("down", "enter")
        detail = app.screen
        assert isinstance(detail, RunDetailScreen) and detail.run_id == 1
        await wait_until(pilot, lambda: detail.loads > 0, "the run to load")
        tasks = {t.task: t for t in detail.query_one(TaskTimeline).tasks}
        assert {"validate", "split", "evaluate", "gate", "register"} <= set(tasks)
        assert tasks["validate"].status == "success"
        metrics = detail.query_one("#run-metrics", DataTable)
        assert "roc_auc" in [
            str(row[0]) for row in (metrics.get_row_at(i) for i in range(metrics.row_count))
        ]
        assert detail.query_one("#run-models", DataTable).row_count == 1
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, RunDetailScreen)
        await pilot.press("2")
        assert isinstance(app.screen, RunsScreen), "the screen's key goes back to its table"
        await settle(pilot)


async def test_a_run_started_from_the_tui_shows_up_live(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_runs(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: "3" in row_keys(screen.table), "run 3 in the table")
        await pilot.press("up", "enter")
        detail = app.screen
        assert isinstance(detail, RunDetailScreen) and detail.run_id == 3
        await wait_until(
            pilot,
            lambda: detail.detail is not None and detail.detail.run.status == "success",
            "run 3 to finish on the open detail screen",
        )
        await wait_until(
            pilot, lambda: len(detail.query_one(TaskTimeline).tasks) >= 9, "every task drawn"
        )
        await settle(pilot)
    assert api.runs()[0].id == 3


def test_metric_grid_puts_each_candidate_in_its_own_column() -> None:
    columns, rows = metric_grid(
        {"rf.roc_auc": 0.9, "rf.f1": 0.5, "lr.roc_auc": 0.8, "lr.f1": 0.4, "gate.value": 0.9}
    )
    assert columns == ["lr", "rf", "run"]
    assert dict(rows)["roc_auc"] == {"rf": 0.9, "lr": 0.8}
    assert dict(rows)["gate.value"] == {"run": 0.9}
