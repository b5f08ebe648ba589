"""Small shared helpers for engine tests: edit workbench.toml, wait for an event, and
an ``emit`` that keeps what a stage said."""

from __future__ import annotations

import queue
import time
from datetime import UTC, datetime
from typing import Any

import tomlkit

from workbench.core.records import EventRecord
from workbench.core.vocabulary import Level
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


class Emitted:
    """An ``emit`` for a stage built alone: keeps every event, in order."""

    def __init__(self) -> None:
        self.events: list[EventRecord] = []

    def __call__(self, kind: str, message: str, level: str = "info", **payload: Any) -> EventRecord:
        event = EventRecord(
            len(self.events) + 1, datetime.now(UTC), kind, message, payload, Level(level)
        )
        self.events.append(event)
        return event

    def kinds(self) -> list[str]:
        """The kinds emitted so far, in order."""
        return [e.kind for e in self.events]

    def last(self, kind: str) -> EventRecord:
        """The newest event of ``kind`` (fails if there is none)."""
        found = [e for e in self.events if e.kind == kind]
        assert found, f"no {kind} event; saw {self.kinds()}"
        return found[-1]
