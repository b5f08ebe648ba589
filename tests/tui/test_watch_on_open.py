"""A TUI that opens a workspace watches it: a dropped file trains with no key press.

Real parts: the engine opened by the app, a real watchdog observer on incoming/, a real
run. ``w`` pauses and resumes; ``[watch] on_open = false`` leaves it to ``w``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
import tomlkit
from textual.widgets import Static

from workbench.core.records import EventRecord
from workbench.tui.app import WorkbenchApp
from workbench.tui.launch import build_app
from workbench.tui.screens.dashboard import DashboardScreen

from .conftest import JANUARY
from .pilot import open_screen, plain, settle, wait_until

pytestmark = pytest.mark.anyio


def session_events(app: WorkbenchApp, kind: str, after: int) -> list[EventRecord]:
    """Events of ``kind`` newer than id ``after`` (this session's, not the template's)."""
    return [e for e in app.event_log.of_kind(kind) if e.id > after and e.kind == kind]


def newest_id(workspace: Path) -> int:
    """The newest event id in the workspace before the app opens it."""
    from workbench.api import connect

    with connect(workspace) as api:
        events = api.events(limit=1, newest=True)
    return events[-1].id if events else 0


def drop(rows: pl.DataFrame, incoming: Path, name: str) -> None:
    """Write a CSV beside incoming/ and rename it in, as a careful writer does."""
    staged = incoming.parent / f".{name}.part"
    rows.write_csv(staged)
    shutil.move(staged, incoming / name)


def folder_panel(screen: DashboardScreen) -> str:
    return plain(screen.query_one("#panel-folder", Static))


async def test_a_file_dropped_into_a_freshly_opened_tui_starts_a_run_without_a_key(
    workspace_copy: Path,
) -> None:
    before = newest_id(workspace_copy)
    rows = pl.read_csv(JANUARY, n_rows=9000).tail(3000)
    app = build_app(workspace_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "", DashboardScreen)
        await wait_until(
            pilot, lambda: session_events(app, "watch.started", before), "watching on open"
        )
        await wait_until(pilot, lambda: "watching since" in folder_panel(screen), "the panel")
        drop(rows, workspace_copy / "incoming", "january_more.csv")
        await wait_until(
            pilot, lambda: session_events(app, "run.started", before), "a run from the drop"
        )
        (started,) = session_events(app, "run.started", before)
        assert started.payload["trigger"] == "file"
        await wait_until(pilot, lambda: session_events(app, "run.finished", before), "the run")
        assert (workspace_copy / "processed" / "january_more.csv").is_file()
        await settle(pilot)


async def test_w_pauses_and_resumes_and_the_dashboard_says_which(workspace_copy: Path) -> None:
    before = newest_id(workspace_copy)
    app = build_app(workspace_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "", DashboardScreen)
        await wait_until(pilot, screen.watching, "watching on open")
        await settle(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: session_events(app, "watch.paused", before), "paused")
        await wait_until(pilot, lambda: "paused" in folder_panel(screen), "the paused panel")
        assert "press w to watch again" in folder_panel(screen)
        assert not screen.watching()
        await pilot.press("w")
        await wait_until(
            pilot, lambda: len(session_events(app, "watch.started", before)) == 2, "resumed"
        )
        await wait_until(pilot, lambda: "watching since" in folder_panel(screen), "the panel")
        await settle(pilot)


async def test_on_open_false_leaves_watching_to_w(workspace_copy: Path) -> None:
    config = workspace_copy / "workbench.toml"
    document = tomlkit.parse(config.read_text())
    document["watch"]["on_open"] = False  # type: ignore[index]
    config.write_text(tomlkit.dumps(document))
    before = newest_id(workspace_copy)
    app = build_app(workspace_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "", DashboardScreen)
        await wait_until(pilot, lambda: app._watch_asked, "the app to apply on_open")
        await settle(pilot)
        assert not session_events(app, "watch.started", before)
        assert "not watching: press w to watch and serve" in folder_panel(screen)
        await pilot.press("w")
        await wait_until(
            pilot, lambda: session_events(app, "watch.started", before), "watching after w"
        )
        await settle(pilot)
