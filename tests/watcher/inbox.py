"""Collecting what a watcher hands over, with bounded waits instead of sleeps."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from workbench.watcher import Batch, WatchEvent

TIMEOUT = 10.0
"""Upper bound for any single wait; a passing test never gets near it."""


class Inbox:
    """What a watcher handed over, with bounded waits instead of sleeps."""

    def __init__(self) -> None:
        self.batches: queue.Queue[Batch] = queue.Queue()
        self.events: queue.Queue[WatchEvent] = queue.Queue()
        self.seen_events: list[WatchEvent] = []
        self.sizes: dict[Path, list[int]] = {}
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def on_batch(self, batch: Batch) -> None:
        """Record the batch, the thread it came on and each file's size at hand-over."""
        with self._lock:
            self.threads.add(threading.current_thread().name)
            for path in batch:
                self.sizes.setdefault(path, []).append(path.stat().st_size)
        self.batches.put(batch)

    def on_event(self, event: WatchEvent) -> None:
        self.events.put(event)

    def next_batch(self, timeout: float = TIMEOUT) -> Batch:
        return self.batches.get(timeout=timeout)

    def files(self, count: int, timeout: float = TIMEOUT) -> list[Batch]:
        """Batches until ``count`` files in all have been handed over."""
        batches: list[Batch] = []
        while sum(len(b) for b in batches) < count:
            batches.append(self.batches.get(timeout=timeout))
        return batches

    def event(self, kind: str, name: str, timeout: float = TIMEOUT) -> WatchEvent:
        """The next event of ``kind`` about a file called ``name`` (earlier ones are kept)."""
        for event in self.seen_events:
            if event.kind == kind and Path(event.path).name == name:
                self.seen_events.remove(event)
                return event
        while True:
            event = self.events.get(timeout=timeout)
            if event.kind == kind and Path(event.path).name == name:
                return event
            self.seen_events.append(event)

    def kinds(self, name: str) -> list[str]:
        """Every event kind received so far for ``name``, draining the queue."""
        while True:
            try:
                self.seen_events.append(self.events.get_nowait())
            except queue.Empty:
                break
        return [e.kind for e in self.seen_events if Path(e.path).name == name]
