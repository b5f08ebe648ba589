"""A notebook that owns its workspace watches it, as the TUI does."""

from __future__ import annotations

from workbench.core.workspace import Workspace
from workbench.notebook.session import connect


def watch_events(wb: object) -> list[str]:
    return [e.kind for e in wb.events() if e.kind.startswith("watch.")]  # type: ignore[attr-defined]


def test_connect_owning_the_workspace_watches_it(workspace: Workspace) -> None:
    with connect(workspace.root) as wb:
        assert watch_events(wb) == ["watch.started"]
        assert wb.unwatch() is True


def test_connect_with_watch_false_does_not(workspace: Workspace) -> None:
    with connect(workspace.root, watch=False) as wb:
        assert watch_events(wb) == []
