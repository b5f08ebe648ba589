"""Starting the TUI: on a workspace, or on the welcome screen when there is none.

The CLI calls :func:`run_tui` for ``workbench`` with no arguments. Opening the engine
(DuckDB, the store) is the slow part of start-up, so it happens in a worker after the
first frame has painted: nothing here imports the api package at module level, and the
engine's control API is published by the app once the dashboard has painted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.config import CONFIG_FILE
from workbench.core.workspace import init_workspace

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi


def connect_api(folder: Path) -> WorkbenchApi:
    """The api on ``folder``, its control API not yet published (the app publishes it).

    Imports the engine on first use: it is the slow import, done in the app's worker.
    """
    from workbench.api import connect

    return connect(folder, publish=False)


def create_workspace(folder: Path, target: str) -> WorkbenchApi:
    """``workbench init`` from the welcome screen: create the workspace and open it."""
    init_workspace(folder, target=target)
    return connect_api(folder)


def create_demo_workspace(folder: Path) -> tuple[WorkbenchApi, Path]:
    """The demo workspace (auto promotion) opened, and the data file to train on.

    Raises:
        WorkbenchError: The bundled sample data is missing (an install without it).
    """
    from workbench.api import demo  # the api package imports the engine: a worker's job

    workspace, data = demo.create_demo_workspace(folder)
    return connect_api(workspace.root), data


def build_app(workspace: str | Path = ".") -> WorkbenchApp:
    """The app for ``workspace``: connected in a worker if it is one, else the welcome."""
    from workbench.tui.app import WorkbenchApp

    folder = Path(workspace).expanduser().resolve()
    if (folder / CONFIG_FILE).is_file():
        return WorkbenchApp(connector=lambda: connect_api(folder), folder=folder)
    return WorkbenchApp(folder=folder)


def run_tui(workspace: str | Path = ".") -> int:
    """Run the TUI on ``workspace`` until the person quits; returns the exit code."""
    app = build_app(workspace)
    app.run()
    return app.return_code or 0


if TYPE_CHECKING:
    from workbench.tui.app import WorkbenchApp
