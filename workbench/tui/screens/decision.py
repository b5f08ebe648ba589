"""The modal that asks for a comment before a candidate is approved or rejected."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class DecisionScreen(ModalScreen[str | None]):
    """Returns the comment typed, or None when cancelled.

    A rejection must say why (the next person reads the comment in the approval
    history); an approval may leave it empty.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, verb: str, version: int, summary: str = "") -> None:
        super().__init__()
        self.verb = verb
        """approve | reject."""
        self.version = version
        """The version decided on."""
        self.summary = summary
        """One line about the version (its key metric), shown above the comment box."""

    @property
    def comment_required(self) -> bool:
        """Whether the box may be left empty."""
        return self.verb == "reject"

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-dialog", classes="dialog"):
            yield Label(f"{self.verb.title()} model version {self.version}", classes="dialog-title")
            if self.summary:
                yield Static(self.summary)
            hint = "why (required)" if self.comment_required else "comment (optional)"
            yield Input(placeholder=hint, id="decision-comment")
            yield Static("", id="decision-problem", classes="problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    self.verb.title(),
                    id="decision-ok",
                    variant="error" if self.verb == "reject" else "success",
                )
                yield Button("Cancel", id="decision-cancel")

    def on_mount(self) -> None:
        self.query_one("#decision-comment", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "decision-ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        comment = self.query_one("#decision-comment", Input).value.strip()
        if self.comment_required and not comment:
            self.query_one("#decision-problem", Static).update(
                "Say why it is rejected: the comment is kept with the decision."
            )
            return
        self.dismiss(comment)

    def action_cancel(self) -> None:
        """Close without deciding."""
        self.dismiss(None)
