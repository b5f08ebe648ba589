"""Coalescing complete files into batches, delivered on one thread of our own.

A person who drops 100 files at once wants one training run, not 100. The first ready
file opens a window of ``window`` seconds; every file ready before it closes joins the
batch; then the callback gets the whole batch once. The callback runs on the batcher's
delivery thread, never on watchdog's threads, so a slow ingest cannot stall the events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

Batch = tuple[Path, ...]
"""Complete files handed over together, sorted by name."""


class Batcher:
    """Collects ready paths and calls ``deliver`` once per window.

    ``window == 0`` delivers each file on its own. Files that become ready while a batch
    is being delivered are kept and form the next batch, so none is lost.
    """

    def __init__(
        self,
        window: float,
        deliver: Callable[[Batch], None],
        *,
        on_error: Callable[[Batch, Exception], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set up the batcher (call ``start`` to run it).

        Args:
            window: Seconds from the first ready file to delivery of its batch.
            deliver: The batch callback; runs on the delivery thread.
            on_error: Told about an exception raised by ``deliver``; delivery goes on.
            clock: Monotonic seconds.
        """
        self._window = window
        self._deliver = deliver
        self._on_error = on_error
        self._clock = clock
        self._cond = threading.Condition()
        self._items: list[Path] = []
        self._opened_at = 0.0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the delivery thread."""
        self._thread = threading.Thread(
            target=self._run, name="workbench-watch-deliver", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop delivering; waits for a batch in progress (up to ``timeout``).

        Files not yet delivered are dropped: they are still in the folder, and the
        initial scan of the next start hands them over.
        """
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def add(self, path: Path) -> None:
        """A file is complete; it joins the open window (or opens one)."""
        with self._cond:
            if not self._items:
                self._opened_at = self._clock()
            self._items.append(path)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                self._deliver(batch)
            except Exception as exc:  # the callback's failure must not end the watcher
                self._on_error(batch, exc)

    def _next_batch(self) -> Batch | None:
        with self._cond:
            while not self._stopped and not self._items:
                self._cond.wait()
            if self._window > 0:
                closes_at = self._opened_at + self._window
                while not self._stopped and (remaining := closes_at - self._clock()) > 0:
                    self._cond.wait(remaining)
            if self._stopped:
                return None
            if self._window > 0:
                taken, self._items = self._items, []
            else:
                taken = [self._items.pop(0)]
                self._opened_at = self._clock()
            return tuple(sorted(set(taken), key=lambda p: (p.name, str(p))))
