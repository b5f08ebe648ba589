"""Watching as a front end that owns the workspace does: on open, paused, resumed, closed."""

from __future__ import annotations

from pathlib import Path

from workbench.api.local import LocalApi
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine


def kinds(api: LocalApi) -> list[str]:
    return [e.kind for e in api.events() if e.kind.startswith("watch.")]


def test_watch_on_open_watches_then_unwatch_pauses_and_watch_resumes(
    workspace: Workspace,
) -> None:
    with LocalApi(Engine(workspace)) as api:
        assert api.watch_on_open() is True
        assert api.unwatch() is True
        assert api.unwatch() is False  # paused already
        assert api.watch(serve=False) is None
        assert kinds(api) == ["watch.started", "watch.paused", "watch.started"]
        paused = next(e for e in api.events() if e.kind == "watch.paused")
        assert paused.payload["folder"] == str(workspace.root / "incoming")
    with LocalApi(Engine(workspace)) as api:  # closing while watching said so
        assert kinds(api)[-1] == "watch.stopped"


def test_on_open_false_leaves_the_folder_unwatched(tmp_path: Path) -> None:
    settings = with_overrides(WorkbenchConfig(), "watch", on_open=False)
    workspace = init_workspace(tmp_path / "ws", target="is_fraud", config=settings)
    assert "on_open = false" in (workspace.root / "workbench.toml").read_text()
    with LocalApi(Engine(workspace)) as api:
        assert api.watch_on_open() is False
        assert kinds(api) == []
