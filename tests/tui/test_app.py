"""The shell: screens by key and mouse, the palette, resizing, errors, start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer, Input, Static

from workbench.api import WorkbenchApi, connect
from workbench.api.owner import OwnerApi
from workbench.core.errors import WorkbenchError
from workbench.tui.app import SCREENS, WorkbenchApp
from workbench.tui.launch import build_app
from workbench.tui.messages import DataLoaded
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.dashboard import DashboardScreen
from workbench.tui.screens.error import ErrorScreen
from workbench.tui.screens.models import ModelsScreen
from workbench.tui.screens.welcome import WelcomeScreen

from .pilot import open_screen, plain, settle, wait_until

pytestmark = pytest.mark.anyio


async def test_number_keys_open_every_screen_and_each_fits_80_by_24(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        for mode, key, _ in SCREENS:
            screen = await open_screen(pilot, key, WorkbenchScreen)
            assert app.current_mode == mode == screen.MODE
            footer = screen.query_one(Footer)
            assert (footer.region.y, footer.region.width) == (23, 80), f"{mode} overflows"
        await settle(pilot)


async def test_dashboard_shows_the_pending_candidates_and_the_last_run(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "1", DashboardScreen)
        assert "2 candidate(s) waiting" in plain(screen.query_one("#panel-approvals", Static))
        assert "run 2 success" in plain(screen.query_one("#panel-queue", Static))
        assert "none yet" in plain(screen.query_one("#panel-production", Static))
        await settle(pilot)


async def test_resizing_keeps_the_layout_inside_the_terminal(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_screen(pilot, "4", ModelsScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        compare = screen.query_one("#models-compare")
        assert compare.region.bottom <= 23 and compare.region.right <= 80
        await settle(pilot)


async def test_clicking_a_tab_switches_screen(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.current_mode == "dashboard", "the dashboard")
        await pilot.click("#nav-events")
        await wait_until(pilot, lambda: app.current_mode == "events", "the events screen")
        await settle(pilot)


async def test_command_palette_holds_navigation_and_the_screens_actions(
    api: WorkbenchApi,
) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("4")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Go to Runs", "Go to Lineage", "Theme"} <= titles  # Theme: Textual's own
        assert {"Approve", "Reject", "Promote", "Rollback"} <= titles
        await settle(pilot)


async def test_an_engine_error_is_shown_in_an_error_screen(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.current_mode == "dashboard", "the dashboard")
        app.call_engine(app, lambda a: a.run_detail(999), DataLoaded, "opening run 999")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ErrorScreen) and bool(app.screen.query("#error-reason")),
            "the error screen",
        )
        reason = plain(app.screen.query_one("#error-reason", Static))
        assert "there is no run 999" in reason
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen)


async def test_a_bug_in_an_engine_call_is_an_error_screen_not_a_crash(api: WorkbenchApi) -> None:
    def broken(_: WorkbenchApi) -> None:
        raise KeyError("oops")

    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        app.call_engine(app, broken, DataLoaded, "doing something broken")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
        screen = app.screen
        assert isinstance(screen, ErrorScreen) and screen.bug
        assert app.is_running


async def test_a_folder_that_cannot_be_opened_shows_why_then_exits(tmp_path: Path) -> None:
    def refuse() -> WorkbenchApi:
        raise WorkbenchError(f"{tmp_path} is locked by another process")

    app = WorkbenchApp(connector=refuse, folder=tmp_path)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
        await pilot.press("enter")
    assert app.return_code == 1


async def test_build_app_opens_a_workspace_and_closes_it_on_exit(workspace_copy: Path) -> None:
    app = build_app(workspace_copy)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: app.current_mode == "dashboard", "the dashboard")
        await settle(pilot)
        await pilot.press("q")
    with connect(workspace_copy) as again:  # the app released the DuckDB file
        assert isinstance(again, OwnerApi), "an unreleased workspace would be attached to"
        assert again.status().runs == 2


async def test_without_a_workspace_the_welcome_screen_creates_one(tmp_path: Path) -> None:
    app = build_app(tmp_path / "fresh")
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("2")
        assert isinstance(app.screen, WelcomeScreen), "no screens without a workspace"
        app.screen.query_one("#welcome-target", Input).value = "is_fraud"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.current_mode == "dashboard", "the dashboard")
        await settle(pilot)
        assert app.api is not None and app.api.status().target == "is_fraud"
    assert (tmp_path / "fresh" / "workbench.toml").is_file()
