"""The dashboard's serving panel follows the server process, not the event log."""

from __future__ import annotations

import os
import signal

import pytest
from textual.widgets import Static

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dashboard import DashboardScreen

from .pilot import open_screen, plain, settle, wait_until

pytestmark = pytest.mark.anyio


async def test_the_serving_panel_shows_a_server_that_stopped_as_stopped(
    api: WorkbenchApi, free_port: int
) -> None:
    api.approve(1, "serve it")
    server = api.serve(port=free_port)
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "1", DashboardScreen)
        panel = screen.query_one("#panel-serving", Static)
        text = plain(panel)
        assert f"● {server.url}" in text and "version 1" in text
        assert screen.serving is not None and screen.serving.state == "running"
        os.kill(server.pid, signal.SIGTERM)
        await wait_until(
            pilot,
            lambda: screen.serving is not None and screen.serving.state == "stopped",
            "the next poll to find the process gone, without a key press",
        )
        text = plain(panel)
        assert "● stopped" in text and server.url in text
        assert f"version 1, process {server.pid} exited" in text
        assert "press w" in text
        await settle(pilot)


async def test_the_serving_panel_says_when_nothing_was_ever_served(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "1", DashboardScreen)
        assert screen.serving is not None and screen.serving.state == "not_serving"
        assert "not serving" in plain(screen.query_one("#panel-serving", Static))
        await settle(pilot)
