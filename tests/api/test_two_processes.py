"""An engine owner and a remote client in two processes on one workspace."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workbench.api import OwnerApi, connect
from workbench.api.owner import STARTUP_WAIT_S
from workbench.api.remote import RemoteApi
from workbench.core.errors import WorkspaceLockedError
from workbench.core.records import EventRecord
from workbench.core.workspace import open_workspace

from ..children import Child


@pytest.fixture
def owner(trained: Path) -> Iterator[Child]:
    """``workbench watch --no-serve`` owning the trained workspace in another process."""
    child = Child(
        [sys.executable, "-m", "workbench.cli.main", "watch", "--no-serve", "-w", str(trained)]
    )
    try:
        child.wait_for("watching")
        yield child
    finally:
        child.stop()


def test_approve_from_a_client_process_shows_in_the_owner_and_its_store(
    trained: Path, owner: Child
) -> None:
    received: list[EventRecord] = []
    decided = threading.Event()

    def follow(event: EventRecord) -> None:
        received.append(event)
        if event.kind == "model.rejected":
            decided.set()

    with connect(trained) as api:
        assert isinstance(api, RemoteApi)
        unsubscribe = api.subscribe(follow)
        approved = api.approve(1, comment="from another process")
        api.approve(2)
        api.reject(3, comment="worse")
        assert decided.wait(10), received
        unsubscribe()
        assert approved.status == "approved" and "production" in approved.aliases
        assert api.status().production == 2
        assert [a.comment for a in api.approvals(1)] == ["from another process"]
        logged = api.events(after_id=received[0].id - 1)
    kinds = [e.kind for e in received]
    assert kinds == ["model.approved", "model.approved", "model.rejected"]
    assert [e.id for e in received] == [e.id for e in logged[:3]]
    owner.wait_for("model version 1 approved", timeout=10)  # the owner's console saw it at once

    assert owner.stop() == 0
    assert not open_workspace(trained).engine_file.exists()
    with connect(trained) as api:  # nobody owns it now: an in-process engine opens
        assert isinstance(api, OwnerApi)
        decisions = sorted((a.version, a.decision) for a in api.approvals())
        assert decisions == [(1, "approve"), (2, "approve"), (3, "reject")]


def test_kill_9_of_the_owner_leaves_a_stale_engine_json_the_next_connect_replaces(
    trained: Path, owner: Child
) -> None:
    engine_file = open_workspace(trained).engine_file
    with connect(trained) as api:
        assert isinstance(api, RemoteApi)
    os.kill(owner.proc.pid, signal.SIGKILL)
    owner.proc.wait(timeout=30)
    stale = json.loads(engine_file.read_text(encoding="utf-8"))
    assert stale["pid"] == owner.proc.pid  # the killed engine could not clean up
    with connect(trained) as api:
        assert isinstance(api, OwnerApi)
        assert json.loads(engine_file.read_text(encoding="utf-8"))["pid"] == os.getpid()
        assert api.status().pending_approvals == 3


def test_a_lock_holder_without_a_control_api_gets_a_clear_error(trained: Path) -> None:
    script = (  # the store alone: the lock without an engine (a light process to start)
        "import sys\n"
        "from workbench.core.workspace import open_workspace\n"
        "from workbench.store import Store\n"
        "ws = open_workspace(sys.argv[1])\n"
        "store = Store(ws.db_path, ws.artifacts)\n"
        "print('holding', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = Child([sys.executable, "-c", script, str(trained)])
    try:
        holder.wait_for("holding")
        with pytest.raises(WorkspaceLockedError, match="does not answer on a control API"):
            connect(trained, wait=0.5)
        long_ago = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        record = {"pid": holder.proc.pid, "command": "python -c", "started_at": long_ago}
        open_workspace(trained).engine_file.write_text(json.dumps(record), encoding="utf-8")
        began = time.monotonic()
        with pytest.raises(WorkspaceLockedError, match=rf"\(pid {holder.proc.pid}\)"):
            connect(trained, wait=STARTUP_WAIT_S)
        assert time.monotonic() - began < STARTUP_WAIT_S / 2  # no point waiting for it
    finally:
        assert holder.proc.stdin is not None
        holder.proc.stdin.close()
        holder.proc.wait(timeout=30)
