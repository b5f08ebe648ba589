"""engine.json: which process owns a workspace, so others can say who (and later attach).

Written (mode 0600) when an engine opens a workspace and removed when it closes; a file
left by a killed engine is stale and simply replaced by the next owner, because holding
the DuckDB lock is what proves ownership.
"""

from __future__ import annotations

import json
import os
import sys
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
