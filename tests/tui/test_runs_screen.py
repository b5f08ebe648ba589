"""The Runs screen: the live table, filter and sort, and one run opened with Enter."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run_detail import RunDetailScreen, metric_grid
from workbench.tui.screens.runs import COLUMNS, RunFilter, RunsScreen, parse_filter, with_field
from workbench.tui.widgets.task_timeline import TaskTimeline

from .fixed_api import NOW, FixedApi
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


async def test_g_narrows_the_table_to_one_trigger_at_a_time_then_shows_all_again() -> None:
    app = WorkbenchApp(FixedApi(), clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_runs(pilot)
        box = screen.query_one("#runs-filter", Input)
        assert row_keys(screen.table) == ["3", "2", "1"]
        seen = []
        for _ in range(4):
            await pilot.press("g")
            await pilot.pause()
            seen.append((box.value, row_keys(screen.table)))
        assert seen == [
            ("trigger:drift", ["2"]),
            ("trigger:file", ["3"]),
            ("trigger:manual", ["1"]),
            ("", ["3", "2", "1"]),
        ]
        assert screen.table.has_focus, "the cursor stays in the table"
        await settle(pilot)


async def test_fields_and_words_in_the_filter_box_all_have_to_match() -> None:
    app = WorkbenchApp(FixedApi(), clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_runs(pilot)
        await pilot.press("slash", *"status:succ")
        assert row_keys(screen.table) == ["2", "1"], "a field matches the start of the value"
        await pilot.press(*" man")
        assert row_keys(screen.table) == ["1"]
        await pilot.press("enter", "g")
        await pilot.pause()
        assert screen.query_one("#runs-filter", Input).value == "status:succ man trigger:drift"
        assert row_keys(screen.table) == []
        assert "0 run(s)" in str(screen.table.border_title)
        await settle(pilot)


async def test_a_tag_in_the_filter_box_asks_the_engine_for_the_runs_tagged_so(
    api: WorkbenchApi,
) -> None:
    api.tag_run(1, {"stage": "baseline"})
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_runs(pilot)
        assert row_keys(screen.table) == ["2", "1"]
        await pilot.press("slash", *"stage=baseline")
        await wait_until(pilot, lambda: screen.data.tag == "stage=baseline", "the tagged runs")
        assert row_keys(screen.table) == ["1"]
        assert "1 run(s) tagged stage=baseline" in str(screen.table.border_title)
        await pilot.press("escape")
        await wait_until(pilot, lambda: row_keys(screen.table) == ["2", "1"], "every run again")
        await settle(pilot)


def test_parse_filter_tells_words_fields_and_a_tag_apart() -> None:
    parsed = parse_filter("Trigger:Drift 12 k=v other=x colour:red dataset:3")
    assert parsed == RunFilter(
        ("12", "other=x", "colour:red"), (("trigger", "drift"), ("dataset", "3")), "k=v"
    )
    assert parse_filter("") == RunFilter()
    assert parse_filter("=v trigger:").words == ("=v", "trigger:"), "incomplete: plain words"
    assert with_field("a trigger:file b", "trigger", "drift") == "a b trigger:drift"
    assert with_field("trigger:file", "trigger", None) == ""


async def test_r_reverses_the_sort() -> None:
    app = WorkbenchApp(FixedApi(), clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_runs(pilot)
        await pilot.press("r")
        assert row_keys(screen.table) == ["1", "2", "3"]
        assert "sorted by run ↑" in str(screen.table.border_title)
        await pilot.press("s")
        assert screen.sort_key == "status" and not screen.sort_reverse
        assert row_keys(screen.table) == ["3", "2", "1"], "running before success"
        await pilot.press("r")
        assert row_keys(screen.table) == ["2", "1", "3"]
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
        rows = [str(metrics.get_row_at(i)[0]) for i in range(metrics.row_count)]
        # candidates' validation scores and the chosen model's single test score, apart
        assert {"val_average_precision", "test_average_precision"} <= set(rows)
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
