"""The append-only event log."""

from __future__ import annotations

import json
from typing import Any

from workbench.core.records import EventRecord
from workbench.store.db import Database, as_utc, loads, utcnow


class EventRepo:
    """Events in id order; clients resume from the last id they saw."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def append(
        self, kind: str, message: str, payload: dict[str, Any], level: str = "info"
    ) -> EventRecord:
        """Record an event and return it with its id and timestamp."""
        now = utcnow()
        rows = self._db.execute(
            "INSERT INTO events (ts, kind, level, message, payload) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id",
            [now, kind, level, message, json.dumps(payload, default=str)],
        )
        return EventRecord(int(rows[0][0]), as_utc(now), kind, message, payload, level)  # type: ignore[arg-type]

    def since(
        self, after_id: int = 0, limit: int = 1000, kind: str | None = None
    ) -> list[EventRecord]:
        """Events with id greater than ``after_id``, oldest first."""
        where, params = ("AND kind LIKE ?", [kind + "%"]) if kind else ("", [])
        rows = self._db.execute(
            f"SELECT id, ts, kind, message, payload, level FROM events WHERE id > ? {where} "
            "ORDER BY id LIMIT ?",
            [after_id, *params, limit],
        )
        return [EventRecord(r[0], as_utc(r[1]), r[2], r[3], loads(r[4]), r[5]) for r in rows]  # type: ignore[arg-type]

    def recent(self, limit: int = 50) -> list[EventRecord]:
        """The newest events, oldest of them first."""
        rows = self._db.execute(
            "SELECT id, ts, kind, message, payload, level FROM events ORDER BY id DESC LIMIT ?",
            [limit],
        )
        return [
            EventRecord(r[0], as_utc(r[1]), r[2], r[3], loads(r[4]), r[5])  # type: ignore[arg-type]
            for r in reversed(rows)
        ]
