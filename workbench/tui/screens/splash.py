"""The first frame: painted at once while the workspace opens in a worker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static


class SplashScreen(Screen[None]):
    """ "Opening the workspace…" until the api is connected."""

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static("Workbench\n\nopening the workspace…", id="splash-text")
