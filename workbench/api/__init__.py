"""The api layer: the one interface the CLI, TUI and notebook call."""

from __future__ import annotations

from pathlib import Path

from workbench.api.interface import RunDetail, WorkbenchApi, WorkspaceStatus, operations
from workbench.api.local import LocalApi
from workbench.core.workspace import open_workspace
from workbench.engine.engine import Engine


def connect(path: str | Path = ".") -> WorkbenchApi:
    """The api for the workspace at ``path``, with an engine started in this process.

    Raises:
        WorkspaceError: ``path`` is not a workspace.
        WorkspaceLockedError: another process owns it.
    """
    return LocalApi(Engine(open_workspace(path)))


__all__ = ["LocalApi", "RunDetail", "WorkbenchApi", "WorkspaceStatus", "connect", "operations"]
