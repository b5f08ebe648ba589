"""The append-only event log."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

from workbench.core.records import EventRecord
from workbench.core.vocabulary import Level
from workbench.store.db import Database, as_utc, loads, utcnow


def _event(row: tuple[Any, ...]) -> EventRecord:
    return EventRecord(row[0], as_utc(row[1]), row[2], row[3], loads(row[4]), Level(row[5]))  # type: ignore[arg-type]


class EventRepo:
    """Events in id order; clients resume from the last id they saw."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._pending: list[tuple[int, datetime, str, str, str, str]] = []
        self._next_id = int(db.scalar("SELECT coalesce(max(id), 0) FROM events")) + 1

    def append(
        self, kind: str, message: str, payload: dict[str, Any], level: str = Level.INFO
    ) -> EventRecord:
        """Record an event and return it with its id and timestamp.

        Ids are assigned here (the engine is the only writer) and rows are written in
        batches by :meth:`flush` (on reads, and every fraction of a second from the
        store's flusher), so emitting an event costs microseconds, not a commit.
        """
        now = utcnow()
        word = Level(level)  # a word outside the vocabulary is a bug in the emitter
        text = json.dumps(payload, default=str)
        with self._lock:
            event_id = self._next_id
            self._next_id += 1
            self._pending.append((event_id, now, kind, word, message, text))
        return EventRecord(event_id, as_utc(now), kind, message, payload, word)  # type: ignore[arg-type]

    def flush(self) -> None:
        """Write queued events now; if the write fails (disk full) they stay queued.

        Raises:
            StoreError: The write failed; the events are kept for the next flush.
        """
        with self._lock:
            batch, self._pending = self._pending, []
            try:
                self._db.insert_rows(
                    "events", ("id", "ts", "kind", "level", "message", "payload"), batch
                )
            except BaseException:
                self._pending[:0] = batch  # ahead of anything queued meanwhile
                raise

    def since(
        self, after_id: int = 0, limit: int = 1000, kind: str | None = None
    ) -> list[EventRecord]:
        """Events with id greater than ``after_id``, oldest first."""
        self.flush()
        where, params = ("AND kind LIKE ?", [kind + "%"]) if kind else ("", [])
        rows = self._db.execute(
            f"SELECT id, ts, kind, message, payload, level FROM events WHERE id > ? {where} "
            "ORDER BY id LIMIT ?",
            [after_id, *params, limit],
        )
        return [_event(r) for r in rows]

    def recent(self, limit: int = 50) -> list[EventRecord]:
        """The newest events, oldest of them first."""
        self.flush()
        rows = self._db.execute(
            "SELECT id, ts, kind, message, payload, level FROM events ORDER BY id DESC LIMIT ?",
            [limit],
        )
        return [_event(r) for r in reversed(rows)]
