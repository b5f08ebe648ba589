"""In-process publish/subscribe for events: the spine the UIs follow.

The engine appends every event to the store (so it survives and can be replayed from an
id) and then publishes it here; subscribers (the TUI, notebook panels, the control API's
event stream, tests) get it without polling anybody's internals.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from workbench.core.records import EventRecord

Subscriber = Callable[[EventRecord], None]


class EventBus:
    """Fan-out of events to subscribers; thread-safe, never blocks the publisher on errors."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` for every later event; returns the function that unsubscribes.

        Callbacks run on the publisher's thread: they must be quick (post a message, put
        on a queue) and must not raise; an exception is swallowed so one bad subscriber
        cannot stop the engine.
        """
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: EventRecord) -> None:
        """Deliver ``event`` to every subscriber."""
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            with suppress(Exception):  # a subscriber's bug must not stop the engine
                callback(event)

    @contextmanager
    def listen(self) -> Iterator[queue.Queue[EventRecord]]:
        """A queue receiving every event published while the block runs (tests, streams)."""
        inbox: queue.Queue[EventRecord] = queue.Queue()
        unsubscribe = self.subscribe(inbox.put)
        try:
            yield inbox
        finally:
            unsubscribe()
