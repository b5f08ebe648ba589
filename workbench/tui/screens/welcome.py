"""Welcome: there is no workspace here yet; create one, or open the demo."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from workbench.core.errors import WorkbenchError
from workbench.tui.messages import ActionFailed, ApiConnected

DEMO_FOLDER = "workbench-demo"
"""Subfolder the demo workspace is created in."""


class WelcomeScreen(Screen[None]):
    """Offers ``init`` (asks for the target column) and the demo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "demo", "Open the demo", tooltip="Create a demo workspace and train"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        from workbench.tui.app import WorkbenchApp

        folder = cast(WorkbenchApp, self.app).folder
        yield Header()
        with VerticalScroll(id="welcome"):
            yield Label("No workspace here yet", classes="dialog-title")
            yield Static(f"{folder} has no workbench.toml.", id="welcome-folder")
            with Vertical(classes="panel", id="welcome-init") as init:
                init.border_title = "Create a workspace here"
                yield Static("Which column should the models predict?")
                with Horizontal(classes="welcome-row"):
                    yield Input(placeholder="target column, e.g. is_fraud", id="welcome-target")
                    yield Button("Create", id="welcome-create", variant="primary")
                yield Static("", id="welcome-problem", classes="problem")
            with Vertical(classes="panel", id="welcome-demo") as demo:
                demo.border_title = "Or try the demo"
                yield Static(
                    f"Creates ./{DEMO_FOLDER} with card transactions, trains candidates and "
                    "approves the best under the auto policy; then press w to serve it."
                )
                yield Button("Open the demo", id="welcome-demo-button")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#welcome-target", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "welcome-create":
            self._create()
        elif event.button.id == "welcome-demo-button":
            self.action_demo()

    def _create(self) -> None:
        target = self.query_one("#welcome-target", Input).value.strip()
        if not target:
            self.query_one("#welcome-problem", Static).update("Type the target column first.")
            return
        folder = self._folder()
        if self._busy():
            return
        self.run_worker(
            lambda: self._open(folder, target, demo=False),
            thread=True,
            group="welcome",
            exit_on_error=False,
            name="init",
        )

    def action_demo(self) -> None:
        """Create the demo workspace and train on the bundled sample."""
        folder = self._folder() / DEMO_FOLDER
        if self._busy():
            return
        self.run_worker(
            lambda: self._open(folder, "", demo=True),
            thread=True,
            group="welcome",
            exit_on_error=False,
            name="demo",
        )

    def _busy(self) -> bool:
        """True when a workspace is already being opened (a second press is ignored)."""
        if any(w.group == "welcome" and not w.is_finished for w in self.workers):
            return True
        self.query_one("#welcome-problem", Static).update("opening the workspace…")
        return False

    def _folder(self) -> Path:
        from workbench.tui.app import WorkbenchApp

        return cast(WorkbenchApp, self.app).folder

    def _open(self, folder: Path, target: str, demo: bool) -> None:
        """Create the workspace and connect (worker thread: posts, never touches widgets)."""
        from workbench.tui.launch import create_demo_workspace, create_workspace

        try:
            if demo:
                api, data = create_demo_workspace(folder)
                self.app.post_message(ApiConnected(api, train_on=str(data)))
            else:
                self.app.post_message(ApiConnected(create_workspace(folder, target)))
        except WorkbenchError as exc:
            self.app.post_message(ActionFailed("creating the workspace", str(exc)))
        except OSError as exc:
            self.app.post_message(ActionFailed("creating the workspace", f"{folder}: {exc}"))
