"""The TUI's copy of the recent event log, kept on the UI thread.

The app fills it from the store at start-up and from the engine's live events after;
events can arrive twice (once live, once in the replay), so they are merged by id.
Screens read it for alerts, the last drift result, the serving URL and quarantine
reasons, which the engine reports only as events.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from workbench.core.event_kinds import quarantine_reasons
from workbench.core.records import EventRecord
from workbench.core.vocabulary import Level

ALERT_LEVELS: frozenset[str] = frozenset({Level.WARNING, Level.ERROR})
"""Levels that make an event an alert."""


class EventLog:
    """The newest ``capacity`` events, ordered by id, without duplicates."""

    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self._events: dict[int, EventRecord] = {}

    def add(self, event: EventRecord) -> bool:
        """Keep ``event``; returns False when it was already known."""
        if event.id in self._events:
            return False
        self._events[event.id] = event
        if len(self._events) > self.capacity:
            for stale in sorted(self._events)[: len(self._events) - self.capacity]:
                del self._events[stale]
        return True

    def merge(self, events: Iterable[EventRecord]) -> list[EventRecord]:
        """Keep several events; returns the ones that were new, oldest first."""
        return [e for e in sorted(events, key=lambda e: e.id) if self.add(e)]

    def all(self) -> list[EventRecord]:
        """Every kept event, oldest first."""
        return [self._events[i] for i in sorted(self._events)]

    def alerts(self, limit: int = 5) -> list[EventRecord]:
        """The newest warnings and errors, newest first."""
        found = [e for e in reversed(self.all()) if e.level in ALERT_LEVELS]
        return found[:limit]

    def latest(self, *prefixes: str) -> EventRecord | None:
        """The newest event whose kind starts with one of ``prefixes``."""
        for event in reversed(self.all()):
            if event.kind.startswith(prefixes):
                return event
        return None

    def of_kind(self, *prefixes: str) -> list[EventRecord]:
        """Events whose kind starts with one of ``prefixes``, oldest first."""
        return [e for e in self.all() if e.kind.startswith(prefixes)]

    def quarantine_reasons(self) -> dict[int, str]:
        """Dataset id -> why it was quarantined, from ``dataset.quarantined`` events."""
        return quarantine_reasons(self.all())

    def waiting_files(self) -> list[str]:
        """Names of files the watcher has seen but that were not ingested or dropped yet."""
        waiting: dict[str, None] = {}
        for event in self.all():
            if event.kind in ("watch.seen", "watch.waiting"):
                waiting[PurePath(str(event.payload.get("path", ""))).name] = None
            elif event.kind in ("watch.vanished", "watch.ignored"):
                waiting.pop(PurePath(str(event.payload.get("path", ""))).name, None)
            elif event.kind.startswith("dataset."):
                waiting.pop(str(event.payload.get("file", "")), None)
        return list(waiting)

    def __len__(self) -> int:
        return len(self._events)


def toast_for(event: EventRecord) -> str | None:
    """The toast severity a live event deserves, or None for no toast.

    New runs, failures, drift, quarantines and pending approvals are worth interrupting
    a person for; task progress and the user's own decisions are not.
    """
    if event.level == Level.ERROR:
        return "error"
    if event.kind.startswith("drift") or event.kind == "model.pending_approval":
        return "warning"
    if event.kind in ("run.started", "run.finished"):
        return "information"
    if event.level == Level.WARNING:
        return "warning"
    return None
