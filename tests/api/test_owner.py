"""connect() in one process: become the owner, publish engine.json, replace stale files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import workbench
from workbench.api import OwnerApi, connect
from workbench.api.remote import RemoteApi
from workbench.core.errors import WorkspaceError
from workbench.core.workspace import open_workspace


def _engine_file(root: Path) -> Path:
    return open_workspace(root).engine_file


def _owner(root: Path) -> dict[str, object]:
    return dict(json.loads(_engine_file(root).read_text(encoding="utf-8")))


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def test_connect_without_an_owner_opens_the_engine_here_and_publishes_its_api(
    trained: Path,
) -> None:
    with connect(trained) as api:
        assert isinstance(api, OwnerApi)
        owner = _owner(trained)
        assert owner["pid"] == os.getpid()
        assert owner["port"] == api.control.port
        assert stat.S_IMODE(_engine_file(trained).stat().st_mode) == 0o600
        response = httpx.get(
            f"http://127.0.0.1:{owner['port']}/api/status",
            headers={"Authorization": f"Bearer {owner['token']}"},
        )
        assert response.status_code == 200
        assert response.json()["root"] == str(trained)


def test_a_second_connect_attaches_to_the_running_owner(trained: Path) -> None:
    with connect(trained) as owner, connect(trained) as attached:
        assert isinstance(attached, RemoteApi)
        attached.approve(2, "from the second client")
        assert owner.models("approved")[0].version == 2
        assert owner.status() == attached.status()


def test_closing_the_owner_stops_its_api_and_removes_engine_json(trained: Path) -> None:
    api = connect(trained)
    assert isinstance(api, OwnerApi)
    url = api.control.url
    api.close()
    assert not _engine_file(trained).exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/status")


def test_engine_json_of_a_dead_process_is_replaced(trained: Path, free_port: int) -> None:
    stale = {"pid": _dead_pid(), "port": free_port, "token": "old", "command": "workbench watch"}
    _engine_file(trained).write_text(json.dumps(stale), encoding="utf-8")
    with connect(trained) as api:
        assert isinstance(api, OwnerApi)
        owner = _owner(trained)
        assert owner["pid"] == os.getpid()
        assert owner["token"] == api.control.token != "old"


def test_engine_json_whose_port_does_not_answer_is_replaced(trained: Path, free_port: int) -> None:
    alive_but_silent = {"pid": os.getpid(), "port": free_port, "token": "old"}
    _engine_file(trained).write_text(json.dumps(alive_but_silent), encoding="utf-8")
    with connect(trained, wait=1.0) as api:
        assert isinstance(api, OwnerApi)
        assert _owner(trained)["port"] == api.control.port != free_port


def test_an_engine_json_copied_from_another_workspace_is_not_followed(
    trained: Path, tmp_path: Path
) -> None:
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(trained, twin)
    with connect(trained):
        shutil.copy2(_engine_file(trained), _engine_file(twin))  # a live engine, wrong folder
        with connect(twin) as api:
            assert isinstance(api, OwnerApi)
            assert api.status().root == str(twin)


def test_workbench_connect_is_the_notebook_entry_point(trained: Path) -> None:
    with workbench.connect(trained) as api:
        assert api.status().root == str(trained)


def test_connect_to_a_folder_that_is_not_a_workspace_says_so(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a workspace"):
        connect(tmp_path)
