"""engine.json: which process owns a workspace, so others can say who (and later attach).

Written (mode 0600) when an engine opens a workspace and removed when it closes; a file
left by a killed engine is stale and simply replaced by the next owner, because holding
the DuckDB lock is what proves ownership.

Likewise ``.workbench/serving/server.json`` names the scoring server an engine started;
one left by a dead engine lets the next find the server (if it still runs) and stop it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.core.workspace import Workspace


def write_owner(workspace: Workspace, **extra: Any) -> None:
    """Record this process as the owner."""
    info = {
        "pid": os.getpid(),
        "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv)),
        "started_at": datetime.now(UTC).isoformat(),
        **extra,
    }
    path = workspace.engine_file
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.replace(tmp, path)


def read_owner(workspace: Workspace) -> dict[str, Any] | None:
    """The recorded owner, or None when there is no readable file."""
    try:
        data = json.loads(workspace.engine_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def live_owner(workspace: Workspace) -> bool:
    """Whether the recorded owner is a live process other than this one (it may still
    be starting; ``api.owner.connect`` then waits for it)."""
    owner = read_owner(workspace)
    pid = owner.get("pid") if owner else None
    return isinstance(pid, int) and pid != os.getpid() and _alive(pid)


def clear_owner(workspace: Workspace) -> None:
    """Remove the file if this process wrote it."""
    owner = read_owner(workspace)
    if owner is not None and owner.get("pid") == os.getpid():
        workspace.engine_file.unlink(missing_ok=True)


def describe_owner(workspace: Workspace) -> str:
    """'``workbench watch`` (pid 123)' for lock errors, or '' if unknown."""
    owner = read_owner(workspace)
    if not owner:
        return ""
    return f"`{owner.get('command', '?')}` (pid {owner.get('pid', '?')})"


# the scoring server's record ---------------------------------------------------------

ORPHAN_STOP_S = 10.0
"""Seconds a server left by a dead engine gets to stop on SIGTERM before SIGKILL."""


def server_record_path(workspace: Workspace) -> Path:
    """``.workbench/serving/server.json``: pid and URL of the server this engine started."""
    return workspace.state / "serving" / "server.json"


def record_server(path: Path, pid: int, url: str, marker: Path) -> None:
    """Note a started server, so the next engine can stop it if this one dies first.

    ``marker`` is a path on the server's command line that only this workspace's server
    has (its prediction log folder): what tells it from a process that got its pid.
    """
    info = {
        "pid": pid,
        "engine_pid": os.getpid(),
        "url": url,
        "marker": str(marker),
        "started_at": datetime.now(UTC).isoformat(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.replace(tmp, path)


def clear_server_record(path: Path, pid: int) -> None:
    """Remove the record if it is still the one of server ``pid``."""
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
            path.unlink(missing_ok=True)
    except (OSError, ValueError, AttributeError):
        return


def stop_orphaned_server(workspace: Workspace) -> str | None:
    """Stop a scoring server a dead engine of this workspace left running.

    This engine holds the workspace (the store's lock), so an engine named in the record
    that is not this process is gone; its server, if still alive, serves a model nobody
    supervises and holds the port. It is recognised by its command line (it must be
    ``workbench.serving`` with the recorded marker, this workspace's prediction log
    folder, or the manifest file a record of an older version names; never another
    process that got the pid), asked to stop, then killed.

    Returns:
        What was done, for an event; None when there was nothing to do.
    """
    path = server_record_path(workspace)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        pid, engine_pid = int(info["pid"]), int(info["engine_pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if engine_pid == os.getpid():
        return None
    path.unlink(missing_ok=True)
    marker = str(info.get("marker") or info.get("manifest") or "")
    if not marker or not _is_our_server(pid, marker):
        return None  # it exited already (or the pid is another process's now)
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + ORPHAN_STOP_S
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:
        return f"a scoring server left by engine pid {engine_pid} (pid {pid}) cannot be stopped"
    return (
        f"stopped the scoring server (pid {pid}, {info.get('url')}) left running by engine "
        f"pid {engine_pid}, which is gone"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:  # a zombie is dead: only its parent's wait is missing
        return (
            stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[0] != "Z"
        )
    except (OSError, IndexError):
        return True


def _is_our_server(pid: int, marker: str) -> bool:
    """Whether ``pid`` runs ``workbench.serving`` with ``marker`` among its arguments
    (Linux: /proc; elsewhere a pid cannot be verified, and an unverified process is
    never killed)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"workbench.serving" in argv and marker.encode() in argv and _alive(pid)
