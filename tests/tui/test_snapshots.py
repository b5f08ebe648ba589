"""How the main screens look at 100x30, on fixed records and a frozen clock.

Update after an intended change with ``pytest tests/tui --snapshot-update`` and look at
the SVGs in ``__snapshots__`` before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.base import WorkbenchScreen

from .fixed_api import NOW, FixedApi
from .pilot import open_screen, settle, wait_until

SIZE = (100, 30)


def app() -> WorkbenchApp:
    return WorkbenchApp(FixedApi(), clock=lambda: NOW)


def after(*keys: str) -> Callable[[Pilot[None]], object]:
    """Press ``keys`` (each may open a screen) and wait until the screen shows its data."""

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, WorkbenchApp)
        await wait_until(pilot, lambda: len(app.event_log) > 0, "the event replay")
        for key in keys:
            await pilot.press(key)
            if isinstance(app.screen, WorkbenchScreen):
                await open_screen(pilot, "", WorkbenchScreen)
        await settle(pilot)
        await pilot.pause(0.05)  # a load that posts a message may start one more (the
        await settle(pilot)  # data screen's columns for the highlighted row)
        steady_cursors(pilot)

    return run_before


def steady_cursors(pilot: Pilot[None]) -> None:
    """Stop text fields' cursors blinking: a snapshot taken mid-blink would differ."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param(("1",), id="dashboard"),
        pytest.param(("2",), id="runs"),
        pytest.param(("2", "down", "enter"), id="run_detail"),
        pytest.param(("2", "enter", "l"), id="run_logs"),
        pytest.param(("2", "down", "enter", "v"), id="run_validation"),
        pytest.param(("2", "down", "enter", "a"), id="run_tags"),
        pytest.param(("4", "down"), id="models"),
        pytest.param(("4", "r"), id="model_report"),
        pytest.param(("4", "r", "i"), id="model_report_importance"),
        pytest.param(("7",), id="events"),
        pytest.param(("3",), id="data"),
        pytest.param(("5",), id="drift"),
        pytest.param(("6",), id="lineage"),
        pytest.param(("8",), id="features"),
        pytest.param(("4", "a"), id="decision"),
        pytest.param(("4", "a", "n", "o", "enter"), id="error"),
    ],
)
def test_screen_looks_as_approved(snap_compare: Callable[..., bool], keys: tuple[str, ...]) -> None:
    assert snap_compare(app(), terminal_size=SIZE, run_before=after(*keys))


def test_the_welcome_screen_looks_as_approved(snap_compare: Callable[..., bool]) -> None:
    """No workspace in the folder: the welcome screen offers init and the demo."""
    welcome = WorkbenchApp(None, folder=Path("/home/ana/fraud"), clock=lambda: NOW)

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: pilot.app.current_mode == "welcome", "the welcome")
        steady_cursors(pilot)
        await pilot.pause()

    assert snap_compare(welcome, terminal_size=SIZE, run_before=run_before)
