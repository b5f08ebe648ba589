"""Starting the TUI: on a workspace, or on the welcome screen when there is none.

The CLI calls :func:`run_tui` for ``workbench`` with no arguments. Opening the engine
(DuckDB, the model libraries) is the slow part of start-up, so it happens in a worker
after the first frame has painted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import workbench
from workbench.core.config import CONFIG_FILE, WorkbenchConfig, with_overrides
from workbench.core.errors import WorkbenchError
from workbench.core.workspace import init_workspace

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi

DEMO_DATA = (
    Path(workbench.__file__).resolve().parents[1] / "sample_data" / "transactions_2026_01.csv"
)
"""The bundled card transactions the demo trains on."""

DEMO_TARGET = "is_fraud"
"""The column the demo predicts."""


def connect_api(folder: Path) -> WorkbenchApi:
    """The api on ``folder``; imports the engine on first use (it is the slow import)."""
    from workbench.api import connect

    return connect(folder)


def create_workspace(folder: Path, target: str) -> WorkbenchApi:
    """``workbench init`` from the welcome screen: create the workspace and open it."""
    init_workspace(folder, target=target)
    return connect_api(folder)


def create_demo_workspace(folder: Path) -> tuple[WorkbenchApi, Path]:
    """The demo workspace (auto promotion) opened, and the data file to train on.

    Raises:
        WorkbenchError: The bundled sample data is missing (an install without it).
    """
    if not DEMO_DATA.is_file():
        raise WorkbenchError(f"demo data {DEMO_DATA} not found; run workbench demo --data FILE")
    settings = with_overrides(WorkbenchConfig(), "promotion", policy="auto")
    settings = with_overrides(settings, "gate", threshold=0.7)
    init_workspace(folder, target=DEMO_TARGET, config=settings)
    return connect_api(folder), DEMO_DATA


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
