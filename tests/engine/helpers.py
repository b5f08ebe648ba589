"""Small shared helpers for engine tests: edit workbench.toml, wait for an event."""

from __future__ import annotations

import queue
import time

import tomlkit

from workbench.core.records import EventRecord
from workbench.core.workspace import Workspace


def set_config(ws: Workspace, section: str, **values: object) -> None:
    """Set keys of one section of the workspace's workbench.toml (as a person would)."""
    doc = tomlkit.parse(ws.config_path.read_text())
    for key, value in values.items():
        doc[section][key] = value  # type: ignore[index]
    ws.config_path.write_text(tomlkit.dumps(doc))


def wait_for(inbox: queue.Queue[EventRecord], kind: str, timeout: float = 120) -> EventRecord:
    """The next event of ``kind`` from ``inbox``; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = inbox.get(timeout=left)
        except queue.Empty:
            break
        seen.append(event.kind)
        if event.kind == kind:
            return event
    raise AssertionError(f"no {kind} event within {timeout}s; saw {seen[-30:]}")
