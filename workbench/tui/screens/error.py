"""The error screen: what failed and why, in words, never a traceback."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ErrorScreen(ModalScreen[None]):
    """Shows one failed action; Enter or Escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]
    AUTO_FOCUS = "#error-ok"  # focused once composed (querying in on_mount raced compose)

    def __init__(self, action: str, reason: str, bug: bool = False) -> None:
        super().__init__()
        self.action = action
        """What was being done."""
        self.reason = reason
        """Why it failed."""
        self.bug = bug
        """An unexpected error: ask the person to report it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="error-dialog", classes="dialog"):
            yield Label(f"Could not finish {self.action}", classes="dialog-title")
            yield Static(self.reason, id="error-reason", markup=False)
            if self.bug:
                yield Static(
                    "This is a bug in Workbench, not something you did: the log has the details.",
                    classes="hint",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="error-ok", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        """Close the error."""
        self.dismiss(None)
