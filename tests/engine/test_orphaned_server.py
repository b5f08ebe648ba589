"""A scoring server never outlives its engine, and an engine restarts one that died.

Real processes throughout: a real ``workbench watch`` child killed with SIGKILL, a real
server process left by a (simulated) older engine, a real server killed under a running
engine. Every wait is bounded and ends on an event, a line or a process exit.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.children import Child
from workbench.core.records import EventRecord
from workbench.core.workspace import open_workspace
from workbench.engine.engine import Engine
from workbench.engine.ownership import server_record_path

from .helpers import wait_for

pytestmark = pytest.mark.slow
EXIT_S = 30.0


def _exits(pid: int, timeout: float = EXIT_S) -> bool:
    """Whether ``pid`` is gone (or a zombie) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (ProcessLookupError, FileNotFoundError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def _watch(root: Path, port: int) -> Child:
    return Child(
        [sys.executable, "-m", "workbench.cli.main", "watch", "-w", str(root), "--port", str(port)]
    )


def _health(url: str) -> int:
    return httpx.get(f"{url}/health", timeout=10).json()["model_version"]


def test_kill_9_of_watch_takes_its_server_down_and_a_new_watch_serves_on_the_same_port(
    production: Path, free_port: int
) -> None:
    first = _watch(production, free_port)
    try:
        first.wait_for("serving model version 1")
        record = json.loads(server_record_path(open_workspace(production)).read_text())
        assert _health(record["url"]) == 1
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(EXIT_S)
        assert _exits(record["pid"]), "the server outlived its engine"
    finally:
        first.stop(signal.SIGKILL)
    second = _watch(production, free_port)
    try:
        second.wait_for("serving model version 1")
        assert _health(f"http://127.0.0.1:{free_port}") == 1
    finally:
        assert second.stop() == 0


def test_an_engine_that_starts_stops_a_server_left_by_a_dead_engine(
    production: Path, free_port: int
) -> None:
    ws = open_workspace(production)
    with Engine(ws) as engine:
        manifest = engine.serving_manifest()
    manifest_path = ws.state / "serving" / "manifest.json"
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(manifest.to_json())
    # A server as an older engine left it: no parent pipe, and an engine pid that is gone.
    left = Child(
        [
            sys.executable,
            "-m",
            "workbench.serving",
            "--manifest",
            str(manifest_path),
            "--port",
            str(free_port),
        ]
    )
    left.wait_for("serving model")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    record = {
        "pid": left.proc.pid,
        "engine_pid": int(gone.stdout),
        "url": "",
        "manifest": str(manifest_path),
    }
    server_record_path(ws).write_text(json.dumps(record))
    try:
        with Engine(ws) as engine:
            stopped = [
                e for e in engine.store.events.since(0) if e.kind == "serving.orphan_stopped"
            ]
            assert stopped and f"pid {left.proc.pid}" in stopped[0].message
            assert left.proc.wait(EXIT_S) is not None
            info = engine.serve(port=free_port)  # the port is free again
            assert _health(info.url) == 1
    finally:
        left.stop(signal.SIGKILL)


def test_a_server_that_dies_on_its_own_is_restarted_on_the_same_port(
    production: Path, free_port: int
) -> None:
    with Engine(open_workspace(production)) as engine, engine.bus.listen() as inbox:
        info = engine.serve_when_ready(port=free_port)
        assert info is not None, [e.message for e in engine.store.events.recent(5)]
        os.kill(info.pid, signal.SIGKILL)
        died = wait_for(inbox, "serving.died", timeout=EXIT_S)
        assert "attempt 1 of 3" in died.message
        started = wait_for(inbox, "serving.started", timeout=EXIT_S)
        assert started.payload["url"] == info.url
        assert _health(info.url) == 1
        assert engine.server is not None and engine.server.info is not None
        assert engine.server.info.pid != info.pid


def test_a_corrupt_production_artifact_keeps_watch_running_without_serving(
    production: Path, free_port: int
) -> None:
    ws = open_workspace(production)
    with Engine(ws) as engine:
        artifact = Path(engine.serving_manifest().artifact_path)
    artifact.chmod(0o600)
    artifact.write_bytes(artifact.read_bytes()[:-10] + b"corrupted!")
    (ws.logs / "serving.log").write_text("a stale line from an earlier start\n")
    with Engine(ws) as engine, engine.bus.listen() as inbox:
        engine.watch()
        assert engine.serve_when_ready(port=free_port) is None
        error = _next(inbox, "serving.error")
        assert "\n" not in error.message, error.message  # one line; the detail has the rest
        assert "not serving" in error.message and "does not match" in error.message
        assert "stale line" not in error.payload["detail"]
        assert engine.run_queue() is not None  # still watching
        engine.serve_when_ready(port=free_port)
        again = _next(inbox, "serving.error")
        assert again.payload["detail"].count("does not match") == 1  # this start's lines only
        assert "Fatal Python error" not in again.payload["detail"]


def _next(inbox: queue.Queue[EventRecord], kind: str) -> EventRecord:
    return wait_for(inbox, kind, timeout=EXIT_S)
