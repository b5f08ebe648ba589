"""What every panel shares: load from the api, show, follow events, act, close.

A panel is an ipywidgets ``VBox`` (so it displays itself) built from three steps a
subclass fills in: :meth:`Panel.build` makes the widgets once, :meth:`Panel.load` asks
the api (and nothing else) for what to show, :meth:`Panel.show` puts it in the widgets.
Refreshes come from the live feed's thread and from button clicks on the kernel's
thread; a lock makes them take turns. A :class:`WorkbenchError` is shown in the panel's
message line, never raised out of a callback (that would vanish into the kernel log).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

import ipywidgets as widgets
import traitlets

from workbench.api import WorkbenchApi
from workbench.core.errors import WorkbenchError
from workbench.core.records import EventRecord
from workbench.notebook.panels.live import LiveFeed
from workbench.notebook.views import markup

T = TypeVar("T")


class RecordTable(widgets.HTML):
    """An HTML table whose rows a test (or a program) can read back as ``row_keys``."""

    row_keys = traitlets.Tuple(help="Identity of each row shown, top to bottom.")

    def show(
        self,
        headers: list[str],
        rows: list[tuple[Any, tuple[object, ...]]],
        *,
        right: Iterable[int] = (),
        empty: str = "nothing yet",
    ) -> None:
        """Show ``(key, cells)`` rows under ``headers``."""
        html = markup.table(headers, [cells for _, cells in rows], right=right, empty=empty)
        with self.hold_sync():
            self.value = markup.block(html)
            self.row_keys = tuple(key for key, _ in rows)


class Panel(widgets.VBox):
    """A live view of one part of the workspace.

    Args:
        api: The api to read from and act through (in-process or remote).
        live: Follow the api's events and refresh by itself; a tabbed panel passes
            False to its tabs and feeds them from its own subscription.
        closable: Show a Close button (standalone panels do).
    """

    TITLE: ClassVar[str] = ""
    """Tab title and heading."""
    RELOAD_ON: ClassVar[tuple[str, ...]] = ()
    """Event kind prefixes that make the panel refresh."""

    def __init__(self, api: WorkbenchApi, *, live: bool = True, closable: bool = True) -> None:
        self.api = api
        """The api this panel reads from and acts through."""
        self.message = widgets.HTML()
        """Last confirmation or error."""
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.close_button = widgets.Button(description="Close", icon="times")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.close_button.on_click(lambda _: self.close())
        self.closed = False
        """True once closed: later events and clicks do nothing."""
        self.filling = False
        """True while :meth:`fill` runs: a picker's observer then knows no person picked."""
        self._load_failed = False
        self._lock = threading.RLock()
        tools = [self.refresh_button] + ([self.close_button] if closable else [])
        toolbar = widgets.HBox([widgets.HTML(markup.heading(self.TITLE)), *tools])
        self.feed: LiveFeed | None = None
        """The subscription of a live standalone panel."""
        super().__init__(children=[toolbar, *self.build(), self.message])
        if live:  # subscribe before the first load, so nothing falls between the two
            self.feed = LiveFeed(api, self.events_arrived, f"workbench-{self.TITLE}").start()
        self.refresh()

    def build(self) -> list[widgets.Widget]:
        """Create the panel's widgets (called once, before the first refresh)."""
        raise NotImplementedError

    def load(self) -> Any:
        """Ask the api for everything :meth:`show` needs (runs on any thread)."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Put what :meth:`load` returned into the widgets."""
        raise NotImplementedError

    @contextmanager
    def fill(self) -> Iterator[None]:
        """Set pickers' options and values in :meth:`show` without their observers
        taking it for a person's pick (they check :attr:`filling`)."""
        self.filling = True
        try:
            yield
        finally:
            self.filling = False

    def refresh(self) -> bool:
        """Load and show again; False when the panel is closed or the api refused."""
        with self._lock:
            if self.closed:
                return False
            try:
                data = self.load()
            except WorkbenchError as exc:
                self.message.value = markup.error(str(exc))
                self._load_failed = True
                return False
            self.show(data)
            if self._load_failed:  # the api answers again: the old error is stale
                self.message.value = ""
                self._load_failed = False
            return True

    def wants(self, events: list[EventRecord]) -> bool:
        """Whether any of ``events`` changes what this panel shows."""
        return any(e.kind.startswith(self.RELOAD_ON) for e in events)

    def events_arrived(self, events: list[EventRecord]) -> None:
        """New events from the live feed (on its thread): refresh if they matter here."""
        if not self.closed and self.wants(events):
            self.refresh()

    def act(self, action: Callable[[], T], done: Callable[[T], str]) -> T | None:
        """Run an api action for a button: show what happened (or why not) and refresh."""
        with self._lock:
            if self.closed:
                return None
            try:
                result = action()
            except WorkbenchError as exc:
                self.message.value = markup.error(str(exc))
                return None
            self.refresh()
            self.message.value = markup.message(done(result))
            return result

    def close(self) -> None:
        """Stop following events and close every widget of the panel."""
        with self._lock:
            self.closed = True
        if self.feed is not None:
            self.feed.stop()
            self.feed = None
        for child in _descendants(self):
            child.close()
        super().close()


def _descendants(box: widgets.Widget) -> list[widgets.Widget]:
    found: list[widgets.Widget] = []
    for child in getattr(box, "children", ()):
        found.extend(_descendants(child))
        found.append(child)
    return found
