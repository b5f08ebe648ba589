"""Events of some kinds from the log: read once, then kept up to date from the live feed.

Quarantine reasons and drift reports travel as events; a panel reads the log from the
start once and afterwards only what is new (from its cursor), so a long-lived panel does
not re-read the whole log on every refresh.
"""

from __future__ import annotations

import threading

from workbench.api import WorkbenchApi
from workbench.core.records import EventRecord

PAGE = 200
"""Events asked for per call (the interface's default page)."""


class EventHistory:
    """The matching events seen so far and the id to resume from; thread-safe."""

    def __init__(self, prefixes: tuple[str, ...], after_id: int = 0) -> None:
        self.prefixes = prefixes
        """Kind prefixes kept."""
        self.cursor = after_id
        """Id of the last event read."""
        self.events: list[EventRecord] = []
        """Matching events, oldest first."""
        self._lock = threading.Lock()

    def read(self, api: WorkbenchApi, limit: int = 10_000) -> list[EventRecord]:
        """Read what is new in the log (at most ``limit`` events); returns every match so far."""
        with self._lock:
            read = 0
            while read < limit:
                page = api.events(self.cursor, min(PAGE, limit - read))
                if not page:
                    break
                self.events.extend(e for e in page if e.kind.startswith(self.prefixes))
                self.cursor = page[-1].id
                read += len(page)
            return list(self.events)
