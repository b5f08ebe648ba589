"""Helpers for pilot tests: wait for the app with a bound, read what a widget shows."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any, TypeVar

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerFailed, WorkerState

from workbench.tui.screens.base import WorkbenchScreen

S = TypeVar("S", bound=WorkbenchScreen)

WAIT_S = 60.0
"""Upper bound for anything a test waits on: a run trains in a few seconds, but a busy
2-core machine running other tests beside it can take several times that."""


async def wait_until(pilot: Pilot[Any], predicate: Callable[[], bool], what: str) -> None:
    """Let the app work until ``predicate`` holds; fail after :data:`WAIT_S`."""
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the engine calls in flight and the messages they post.

    A screen's reload is an exclusive worker: an event arriving mid-load cancels the load
    and starts a fresh one, so a cancelled worker is expected here and not an error (a
    failed one is). Textual's ``wait_for_complete`` raises ``WorkerCancelled`` for those.
    """
    deadline = time.monotonic() + WAIT_S
    while busy := [w for w in pilot.app.workers if not w.is_finished]:
        started = [w for w in busy if w.state != WorkerState.PENDING]
        results = await asyncio.gather(*(w.wait() for w in started), return_exceptions=True)
        failed = [r for r in results if isinstance(r, WorkerFailed)]
        if failed:
            raise failed[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"workers still busy after {WAIT_S:g} s: {busy}")
        await pilot.pause(0.01)
    await pilot.pause()


def plain(widget: Static) -> str:
    """What a Static shows, as plain text (whatever renderable it holds)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


async def open_screen(pilot: Pilot[Any], key: str, kind: type[S]) -> S:
    """Press ``key`` (none if empty), check a ``kind`` screen is up, wait for its data."""
    if key:
        await pilot.press(key)
    screen = pilot.app.screen
    assert isinstance(screen, kind), f"{key} opened {screen!r}"
    await wait_until(pilot, lambda: screen.loads > 0, f"{kind.__name__} to load")
    return screen
