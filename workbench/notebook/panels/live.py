"""Following the engine's events from a panel, without the user re-running the cell.

The api calls the subscription callback on an engine thread (a DAG worker, the watcher,
the control API's stream reader), and that thread must not wait for a panel to query
the api and redraw. So the callback only puts the event on a queue; one feed thread per
panel takes what has arrived, in a batch, and hands it to the panel, which updates its
widgets (ipykernel sends widget updates from any thread). Events that arrive while the
panel redraws are handled together in the next batch, so a burst of task events costs
one or two redraws, not one per event.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from workbench.api import WorkbenchApi
from workbench.core.records import EventRecord

log = logging.getLogger(__name__)

Consumer = Callable[[list[EventRecord]], None]
"""What a feed hands each batch of events to (on the feed thread)."""

_STOP = object()


class LiveFeed:
    """The api's events, delivered in batches to ``consumer`` on a thread of their own.

    Args:
        api: The api to subscribe to.
        consumer: Called with each batch, oldest event first; its exceptions are logged
            and the feed goes on.
        name: Thread name, to tell feeds apart in a debugger.
    """

    def __init__(
        self, api: WorkbenchApi, consumer: Consumer, name: str = "workbench-panel"
    ) -> None:
        self._api = api
        self._consumer = consumer
        self._name = name
        self._inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.received = 0
        """Events the subscription delivered so far (counted on the engine's thread)."""
        self.batches = 0
        """Batches handed to the consumer so far."""

    @property
    def running(self) -> bool:
        """Whether the feed is subscribed and its thread alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> LiveFeed:
        """Subscribe and start the feed thread (a second call does nothing)."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
        self._thread.start()
        self._unsubscribe = self._api.subscribe(self._arrived)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Unsubscribe, then let the thread finish the batch in hand and end.

        Safe to call twice, and from the consumer itself (it then does not wait).
        """
        if self._unsubscribe is not None:
            try:
                self._unsubscribe()
            except Exception:  # a remote api that lost its engine: nothing left to stop
                log.debug("unsubscribe failed", exc_info=True)
            self._unsubscribe = None
        thread = self._thread
        if thread is None:
            return
        self._inbox.put(_STOP)
        if thread is not threading.current_thread():
            thread.join(timeout)

    def _arrived(self, event: EventRecord) -> None:
        """The subscription callback: runs on the engine's thread, never blocks or raises."""
        try:
            self.received += 1
            self._inbox.put(event)
        except Exception:  # never let a panel disturb the engine
            log.debug("event dropped", exc_info=True)

    def _loop(self) -> None:
        while True:
            item = self._inbox.get()
            batch: list[EventRecord] = []
            stop = item is _STOP
            if not stop:
                batch.append(item)  # type: ignore[arg-type]
            while not stop:
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                else:
                    batch.append(item)  # type: ignore[arg-type]
            if batch and not stop:
                self._deliver(batch)
            if stop:
                return

    def _deliver(self, batch: list[EventRecord]) -> None:
        try:
            self._consumer(batch)
        except Exception:
            log.exception("a notebook panel failed to handle %d event(s)", len(batch))
        finally:
            self.batches += 1
