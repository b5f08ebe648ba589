"""The Events screen follows the engine live and can show only the alerts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.events import EventsScreen

from .pilot import open_screen, settle, wait_until

pytestmark = pytest.mark.anyio


def kinds(table: DataTable[object]) -> list[str]:
    return [str(table.get_row_at(i)[3]) for i in range(table.row_count)]


def levels(table: DataTable[object]) -> set[str]:
    return {str(table.get_row_at(i)[2]) for i in range(table.row_count)}


async def test_events_from_another_thread_appear_live(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.event_log) == len(api.events()), "the replay")
        screen = await open_screen(pilot, "7", EventsScreen)
        before = screen.table.row_count
        assert before == len(api.events())
        await asyncio.to_thread(api.reject, 1, "from another client")
        await wait_until(
            pilot, lambda: "model.rejected" in kinds(screen.table), "the rejection event"
        )
        assert screen.table.row_count == before + 1
        assert screen.table.cursor_row == screen.table.row_count - 1, "the log follows"
        await settle(pilot)


async def test_alerts_only_hides_info_events(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.event_log) == len(api.events()), "the replay")
        await pilot.press("7", "f")
        screen = app.screen
        assert isinstance(screen, EventsScreen)
        alerts = [e for e in api.events() if e.level in ("warning", "error")]
        assert alerts, "the template's pending approvals are warnings"
        assert screen.table.row_count == len(alerts)
        assert levels(screen.table) <= {"warning", "error"}
        await pilot.press("f")
        assert screen.table.row_count == len(api.events())
        await settle(pilot)


class ToastRecordingApp(WorkbenchApp):
    """The app, remembering each toast it raised (title, severity)."""

    toasts: list[tuple[str, str]]

    def notify(
        self, message: str, *, title: str = "", severity: Any = "information", **kw: Any
    ) -> None:
        self.toasts.append((title, str(severity)))
        super().notify(message, title=title, severity=severity, **kw)


async def test_a_quarantined_file_raises_an_error_toast_but_a_decision_does_not(
    api: WorkbenchApi, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    app = ToastRecordingApp(api)
    app.toasts = []
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_until(pilot, lambda: len(app.event_log) == len(api.events()), "the replay")
        assert app.toasts == [], "replayed history must not toast"
        await asyncio.to_thread(api.reject, 1, "not good enough")
        await asyncio.to_thread(api.ingest, str(bad), False)
        await wait_until(pilot, lambda: bool(app.toasts), "a toast")
        await settle(pilot)
    assert app.toasts == [("dataset.quarantined", "error")]
