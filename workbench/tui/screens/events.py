"""Events: the live event log, alerts highlighted, optionally only the alerts."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from workbench.core.records import EventRecord
from workbench.core.vocabulary import Level
from workbench.tui.event_log import ALERT_LEVELS
from workbench.tui.formatting import level_text, stamp
from workbench.tui.messages import EventArrived
from workbench.tui.screens.base import WorkbenchScreen


class EventsScreen(WorkbenchScreen):
    """Everything that happened, newest at the bottom, following new events live."""

    MODE = "events"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_alerts", "Alerts only", tooltip="Show only warnings and errors"),
        Binding("end", "follow", "Follow", tooltip="Jump to the newest event"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.alerts_only = False
        """Whether info events are hidden."""

    def compose_body(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(id="events-table", cursor_type="row")
        table.add_column("#", key="id")
        table.add_column("When (UTC)", key="ts")
        table.add_column("Level", key="level")
        table.add_column("Kind", key="kind")
        table.add_column("Message", key="message")
        yield table

    def on_mount(self) -> None:
        self.table.focus()

    @property
    def table(self) -> DataTable[Any]:
        """The event table."""
        return self.query_one("#events-table", DataTable)

    def reload(self) -> None:
        """The app keeps the log; no engine call needed, just redraw it."""
        self._fill()

    def _fill(self) -> None:
        table = self.table
        table.clear()
        for event in self.workbench.event_log.all():
            self._add(event)
        self._title()
        self.action_follow()
        self.loads += 1

    def _wanted(self, event: EventRecord) -> bool:
        return not self.alerts_only or event.level in ALERT_LEVELS

    def _add(self, event: EventRecord) -> None:
        if not self._wanted(event) or str(event.id) in self.table.rows:
            return
        style = (
            "bold red"
            if event.level == Level.ERROR
            else ("yellow" if event.level == Level.WARNING else "")
        )
        self.table.add_row(
            Text(str(event.id), justify="right"),
            stamp(event.ts),
            level_text(event.level),
            Text(event.kind, style=style),
            Text(event.message, style=style),
            key=str(event.id),
        )

    def _title(self) -> None:
        shown = "alerts" if self.alerts_only else "events"
        self.table.border_title = f"{self.table.row_count} {shown} (f: toggle alerts only)"

    def log_replayed(self) -> None:
        self._fill()

    def event_arrived(self, message: EventArrived) -> None:
        at_end = self.table.cursor_row >= self.table.row_count - 1
        self._add(message.event)
        self._title()
        if at_end:
            self.action_follow()

    def action_toggle_alerts(self) -> None:
        """Show only warnings and errors, or everything again."""
        self.alerts_only = not self.alerts_only
        self._fill()

    def action_follow(self) -> None:
        """Move the cursor to the newest event."""
        if self.table.row_count:
            self.table.move_cursor(row=self.table.row_count - 1)
