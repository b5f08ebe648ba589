"""Watching as a front end that owns the workspace does: on open, paused, resumed, closed."""

from __future__ import annotations

import socket
from pathlib import Path

import tomlkit

from workbench.api import connect
from workbench.api.local import LocalApi
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace, open_workspace
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


def test_a_busy_serving_port_is_an_error_event_not_a_failed_open(workspace_copy: Path) -> None:
    with connect(workspace_copy) as api:
        api.approve(1, "production for the test")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = workspace_copy / "workbench.toml"
        document = tomlkit.parse(config.read_text())
        document["serve"]["port"] = taken.getsockname()[1]  # type: ignore[index]
        config.write_text(tomlkit.dumps(document))
        with LocalApi(Engine(open_workspace(workspace_copy))) as api:
            assert api.watch_on_open() is True
            failed = [e for e in api.events() if e.kind == "serving.error"]
            assert failed and "in use" in failed[0].message and failed[0].level == "error"
            assert "watching and training go on" in failed[0].message
            assert "watch.started" in kinds(api)
