"""``workbench serve`` starts the scoring server before the engine opens; the engine that
opens adopts it and hands it production's manifest, or stops it.

Real processes throughout: the launched server (``python -m workbench.serving --manifest
-``), an engine on a copy of the trained workspace, ``workbench watch`` owning it from
another process, and ``workbench serve`` itself. Every wait ends on a line or an exit.
"""

from __future__ import annotations

import json
import signal
import sys
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.children import Child, process_state, started_at
from workbench.api import connect
from workbench.api.remote import RemoteApi
from workbench.core.errors import RegistryError, WorkspaceError
from workbench.core.workspace import open_workspace
from workbench.engine.deploy.launch import (
    Launch,
    LaunchedServer,
    ServingPaths,
    launch_early,
    launch_server,
)
from workbench.engine.engine import Engine
from workbench.engine.ownership import server_record_path

pytestmark = pytest.mark.slow
EXIT_S = 30.0
NOT_HANDED = "no model was handed over"


def _health(url: str) -> int:
    return int(httpx.get(f"{url}/health", timeout=10).json()["model_version"])


def _serving_log(root: Path) -> str:
    return ServingPaths.of(open_workspace(root)).log.read_text(encoding="utf-8")


def _exited(launched: LaunchedServer, root: Path) -> int | str:
    """The launched server's exit status; with its log if it is not 0, to say why."""
    code = launched.process.wait(EXIT_S)
    return code if code == 0 else f"exit {code}; serving log:\n{_serving_log(root)}"


def test_the_engine_hands_production_to_the_server_launched_before_it_opened(
    production: Path, free_port: int
) -> None:
    launched = launch_early(production, None, free_port)
    assert launched is not None and launched.process.poll() is None
    with Engine(open_workspace(production), launched_server=launched) as engine:
        info = engine.serve(port=free_port)
        assert info.pid == launched.process.pid  # adopted, not started anew
        assert _health(info.url) == 1
        assert engine.server is not None and engine.server.token == launched.token
    assert launched.process.wait(EXIT_S) == -signal.SIGTERM  # stopped with the engine


def test_a_server_launched_for_another_port_is_stopped_and_a_new_one_serves(
    production: Path, free_port: int
) -> None:
    launched = launch_early(production, None, 0)
    assert launched is not None
    with Engine(open_workspace(production), launched_server=launched) as engine:
        info = engine.serve(port=free_port)
        assert info.pid != launched.process.pid
        assert _exited(launched, production) == 0  # it never had a model: it just exits
        assert _health(info.url) == 1
    assert NOT_HANDED in _serving_log(production)


def test_an_engine_without_production_stops_the_server_launched_for_it(
    workspace_copy: Path, free_port: int
) -> None:
    launched = launch_early(workspace_copy, None, free_port)
    assert launched is not None
    with Engine(open_workspace(workspace_copy), launched_server=launched) as engine:
        with pytest.raises(RegistryError):
            engine.serve(port=free_port)
        assert launched.process.poll() is None  # still the engine's, until it closes
    assert _exited(launched, workspace_copy) == 0
    assert NOT_HANDED in _serving_log(workspace_copy)


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "pool"])
def test_a_server_discarded_the_moment_it_is_launched_exits_0(
    production: Path, free_port: int, workers: int
) -> None:
    """Discarding sends SIGTERM after stdin has closed; not before the server has had
    time to install the handler that makes it mean "no model" (exit 0)."""
    launched = launch_server(
        ServingPaths.of(open_workspace(production)), Launch("127.0.0.1", free_port, workers)
    )
    launched.discard()
    assert _exited(launched, production) == 0


def test_an_engine_that_refuses_to_open_stops_the_server_launched_for_it(
    production: Path, free_port: int
) -> None:
    ws = open_workspace(production)
    ws.config_path.chmod(0o666)  # anyone could change what the engine runs: it refuses
    assert launch_early(production, None, free_port) is None  # so launching does too
    launched = launch_server(ServingPaths.of(ws), Launch("127.0.0.1", free_port, 1))
    with pytest.raises(WorkspaceError, match="writable"):
        Engine(ws, launched_server=launched)
    assert _exited(launched, production) == 0


def test_attaching_to_another_engine_stops_the_launched_server_and_launch_early_declines(
    production: Path, free_port: int
) -> None:
    owner = Child(
        [sys.executable, "-m", "workbench.cli.main", "watch", "--no-serve", "-w", str(production)]
    )
    try:
        owner.wait_for("watching")
        assert launch_early(production, None, free_port) is None  # an engine owns it
        ws = open_workspace(production)
        launched = launch_server(ServingPaths.of(ws), Launch("127.0.0.1", free_port, 1))
        with connect(production, launched=launched) as api:
            assert isinstance(api, RemoteApi)
            assert _exited(launched, production) == 0  # discarded before connect returned
            info = api.serve(port=free_port)  # so the owner can take the port
            assert _health(info.url) == 1
    finally:
        assert owner.stop() == 0


def test_workbench_serve_answers_from_the_server_it_launched_first(
    production: Path, free_port: int
) -> None:
    serve = Child(
        [
            sys.executable,
            "-m",
            "workbench.cli.main",
            "serve",
            "-w",
            str(production),
            "--port",
            str(free_port),
        ]
    )
    try:
        curl = serve.wait_for("curl -s -X POST")
        body = curl.split(" -d ", 1)[1].strip().strip("'")
        url = f"http://127.0.0.1:{free_port}"
        answer = httpx.post(
            f"{url}/invocations", content=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["model_version"] == 1
        record = json.loads(server_record_path(open_workspace(production)).read_text())
        server = int(record["pid"])
        status = Path(f"/proc/{server}/status").read_text()
        assert f"PPid:\t{serve.proc.pid}\n" in status  # the command's own child
        owner = json.loads(open_workspace(production).engine_file.read_text())
        opened = datetime.fromisoformat(owner["started_at"]).timestamp()
        assert started_at(server) < opened  # launched before the engine opened
    finally:
        assert serve.stop() == 0
    assert any("stopping the scoring server" in line for line in serve.lines)
    assert process_state(server) in ("gone", "Z")
