"""What every main screen shares: the tab bar, loading in a worker, live reloads.

A screen says what to fetch (:meth:`WorkbenchScreen.load`, run on a worker thread with
the api) and how to show it (:meth:`WorkbenchScreen.show`, on the UI thread). It reloads
when it comes back into view and, debounced, when an event it cares about arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from workbench.tui.messages import DataLoaded, EventArrived
from workbench.tui.widgets.nav_bar import NavBar

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi
    from workbench.tui.app import WorkbenchApp

RELOAD_DELAY_S = 0.2
"""Events arrive in bursts (a run's tasks); one reload per burst is enough."""


class WorkbenchScreen(Screen[None]):
    """Base of the main screens."""

    MODE: ClassVar[str] = ""
    """The app mode this screen is the base of (its tab in the nav bar)."""

    RELOAD_ON: ClassVar[tuple[str, ...]] = ()
    """Event kind prefixes that make this screen fetch its data again."""

    def __init__(self) -> None:
        super().__init__()
        self._reload_timer: Timer | None = None
        self.loads = 0
        """How many times data was shown (tests wait on it)."""

    @property
    def workbench(self) -> WorkbenchApp:
        """The app, typed."""
        return cast("WorkbenchApp", self.app)

    def compose(self) -> ComposeResult:
        from workbench.tui.app import SCREENS

        yield NavBar(SCREENS, self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets, between the tab bar and the footer."""
        yield from ()

    # loading ------------------------------------------------------------------------

    def load(self, api: WorkbenchApi) -> Any:
        """Fetch what the screen shows. Runs on a worker thread: no widgets here."""
        return None

    def show(self, data: Any) -> None:
        """Put freshly loaded data on screen (UI thread)."""

    def reload(self) -> None:
        """Fetch and show the data again, dropping any older fetch still running."""
        self.workbench.call_engine(
            self,
            self.load,
            DataLoaded,
            f"loading {self.MODE or 'the screen'}",
            group="load",
            exclusive=True,
        )

    def on_data_loaded(self, message: DataLoaded) -> None:
        message.stop()
        self.show(message.data)
        self.loads += 1

    def on_screen_resume(self) -> None:
        for bar in self.query(NavBar):
            bar.show_home()
        self.reload()

    # live updates -------------------------------------------------------------------

    def on_event_arrived(self, message: EventArrived) -> None:
        message.stop()
        self.event_arrived(message)
        if self.RELOAD_ON and message.event.kind.startswith(self.RELOAD_ON):
            self.schedule_reload()

    def event_arrived(self, message: EventArrived) -> None:
        """React to an event at once (before any reload); the Events screen appends it."""

    def log_replayed(self) -> None:
        """The app's event log was filled from the store (once, at start-up)."""
        if self.loads:
            self.schedule_reload()

    def schedule_reload(self) -> None:
        """Reload soon, once for a burst of events."""
        if self._reload_timer is None:
            self._reload_timer = self.set_timer(RELOAD_DELAY_S, self._reload_now)

    def _reload_now(self) -> None:
        self._reload_timer = None
        self.reload()
