"""Who runs the engine: attach to the process that owns a workspace, or become its owner.

One process owns a workspace (DuckDB lets only one open the file). The owner publishes
its control API on 127.0.0.1 and records ``pid``, ``port`` and ``token`` in
``.workbench/engine.json`` (mode 0600); every later process attaches through that API.
A file left by a dead engine (killed, crashed) is stale: its pid is gone or its port
does not answer with its token. It is simply replaced, because holding the DuckDB lock
is what proves ownership.

The TUI opens the engine with ``publish=False`` and publishes once its first dashboard
has painted: the control API (starlette, uvicorn) is not needed to show the workspace,
and a process that attaches meanwhile waits for it (see :func:`connect`).
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.api.local import LocalApi
from workbench.core.errors import WorkbenchError, WorkspaceLockedError
from workbench.core.workspace import Workspace, open_workspace
from workbench.engine.engine import Engine
from workbench.engine.ownership import describe_owner, read_owner, write_owner

if TYPE_CHECKING:
    from workbench.api.control import ControlServer
    from workbench.api.interface import WorkbenchApi
    from workbench.api.remote import RemoteApi
    from workbench.engine.deploy.launch import LaunchedServer

PROBE_TIMEOUT_S = 5.0
"""How long a recorded owner may take to answer ``GET /api/status`` before it is stale."""

STARTUP_WAIT_S = 15.0
"""How long to wait for an owner that holds the lock but has not published its API yet."""

PUBLISH_GRACE_S = 5.0
"""An owner recorded longer ago than this without a port is not going to publish one."""


class OwnerApi(LocalApi):
    """The in-process engine plus the control API through which others attach."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._control: ControlServer | None = None
        self._closed = False
        self._lock = threading.Lock()

    @property
    def control(self) -> ControlServer:
        """The running control API (its ``url`` and ``token`` are in engine.json).

        Publishes it first if :meth:`publish` has not been called yet.
        """
        return self.publish()

    def publish(self) -> ControlServer:
        """Start the control API and record its port and token in engine.json (idempotent).

        Raises:
            ServingError: The control API could not start.
            WorkbenchError: The api is closed, or engine.json could not be written.
        """
        with self._lock:
            if self._closed:
                raise WorkbenchError("the workspace is closed: its control API is not published")
            if self._control is None:
                self._control = _publish(self.engine.workspace, LocalApi(self.engine))
            return self._control

    def close(self) -> None:
        """Stop the control API (attached clients lose the engine), then the engine."""
        with self._lock:
            self._closed = True
            if self._control is not None:
                self._control.stop()
        super().close()


def connect(
    path: str | Path = ".",
    *,
    wait: float = STARTUP_WAIT_S,
    publish: bool = True,
    launched: LaunchedServer | None = None,
) -> WorkbenchApi:
    """The api for the workspace at ``path``: attached if an engine runs, else in-process.

    Args:
        path: The workspace folder (the one holding workbench.toml).
        wait: Seconds to wait for an owner that is still starting up.
        publish: Publish the control API before returning when the engine opens here;
            with False the caller calls :meth:`OwnerApi.publish` soon (within
            ``PUBLISH_GRACE_S``, or processes that attach meanwhile give up waiting).
        launched: A scoring server started for this workspace before connecting
            (``engine.deploy.launch.launch_early``): the engine that opens here adopts
            it; attached to another engine, it is discarded before returning (that
            engine serves, and may need the port).

    Raises:
        WorkspaceError: ``path`` is not a workspace.
        WorkspaceLockedError: Another process holds the workspace but never published
            a control API (an engine without one, or one that hangs).
    """
    try:
        workspace = open_workspace(path)
    except BaseException:
        if launched is not None:
            launched.discard()
        raise
    deadline = time.monotonic() + wait
    while True:
        remote = attach(workspace)
        if remote is not None:
            if launched is not None:
                launched.discard()
            return remote
        try:
            return own(workspace, publish=publish, launched=launched)
        except WorkspaceLockedError as exc:
            launched = None  # the engine that failed to open stopped it
            if time.monotonic() >= deadline or _never_publishes(workspace):
                owner = describe_owner(workspace) or "another process"
                raise WorkspaceLockedError(
                    f"workspace {workspace.root} is held by {owner}, which does not answer "
                    "on a control API (an engine opened without connect(), or a hung one); "
                    "stop that process or run this through it"
                ) from exc
        time.sleep(0.1)  # the owner is between opening the store and publishing its API


def attach(workspace: Workspace) -> RemoteApi | None:
    """A client of the engine recorded in engine.json, or None if it is not answering."""
    owner = read_owner(workspace)
    if owner is None or not _published(owner) or not pid_alive(owner["pid"]):
        return None
    from workbench.api.remote import RemoteApi

    remote = RemoteApi.attach(f"http://127.0.0.1:{owner['port']}", owner["token"])
    if _answers_for(remote, workspace):
        return remote
    remote.close()
    return None


def _never_publishes(workspace: Workspace) -> bool:
    """A live owner that has been up a while without publishing a port never will."""
    owner = read_owner(workspace)
    pid = owner.get("pid") if owner else None
    if owner is None or "port" in owner or not isinstance(pid, int) or not pid_alive(pid):
        return False
    try:
        started = datetime.fromisoformat(str(owner["started_at"]))
    except (KeyError, ValueError):
        return False
    return (datetime.now(UTC) - started).total_seconds() > PUBLISH_GRACE_S


def _published(owner: dict[str, Any]) -> bool:
    return (
        isinstance(owner.get("pid"), int)
        and isinstance(owner.get("port"), int)
        and isinstance(owner.get("token"), str)
    )


def _answers_for(remote: RemoteApi, workspace: Workspace) -> bool:
    """Whether ``remote`` answers with the token and owns this very workspace."""
    status = remote.probe(PROBE_TIMEOUT_S)
    return status is not None and Path(status.root) == workspace.root


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists (another user's counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def own(
    workspace: Workspace, *, publish: bool = True, launched: LaunchedServer | None = None
) -> OwnerApi:
    """Open the engine in this process and (unless ``publish`` is False) publish its API.

    ``launched`` is handed to the engine (see :func:`connect`), which stops it if it
    cannot open.

    Raises:
        WorkspaceLockedError: Another process holds the store.
        ServingError: The control API could not start.
    """
    # takes the DuckDB lock; a stale engine.json is overwritten
    engine = Engine(workspace, launched_server=launched)
    api = OwnerApi(engine)
    if publish:
        try:
            api.publish()
        except BaseException:
            api.close()
            raise
    return api


def _publish(workspace: Workspace, api: LocalApi) -> ControlServer:
    """Start the control API on ``api`` and record it in engine.json (mode 0600)."""
    from workbench.api.control import ControlServer  # starlette, uvicorn: once published

    control = ControlServer(api).start()
    try:
        write_owner(workspace, port=control.port, token=control.token, url=control.url)
        os.chmod(workspace.engine_file, 0o600)  # the token must stay private to this user
    except (OSError, WorkbenchError):
        control.stop()
        raise
    return control
