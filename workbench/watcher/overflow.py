"""An inotify observer that tells its handler when the kernel's event queue overflowed.

While the watching process is paused or busy, the kernel queues at most
``fs.inotify.max_queued_events`` events per inotify instance, drops the rest and leaves
one IN_Q_OVERFLOW marker. watchdog then repairs its own watches but tells no handler, so
files whose events were dropped would wait for the next periodic rescan. The observer
built here turns the marker into a :class:`QueueOverflowEvent` on the handler's queue,
after every event read before it, and the watcher rescans the folder at once.

It leans on watchdog's inotify internals (the watch group and the emitter's hooks);
where they differ (another platform or watchdog release) :func:`overflow_observer`
returns None and the periodic rescan remains the safety net.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from watchdog.events import FileSystemEvent
from watchdog.observers.api import BaseObserver

logger = logging.getLogger(__name__)

OVERFLOW = "overflow"
"""``event_type`` of :class:`QueueOverflowEvent`."""


class QueueOverflowEvent(FileSystemEvent):
    """The OS dropped events for the watched folder (``src_path``): list it again."""

    event_type = OVERFLOW
    is_directory = True


def _never() -> None:
    return None


def _reporting_observer_class() -> Callable[[], BaseObserver] | None:
    """The observer class, built only where watchdog's inotify internals are as expected."""
    try:
        from watchdog.observers.inotify import (
            InotifyFullEmitter,
            InotifyObserver,
            InotifyWatchGroup,
        )
    except Exception:  # not Linux, or a libc without inotify
        return None
    if not hasattr(InotifyWatchGroup, "on_queue_overflow"):
        return None  # a watchdog that does not report overflows at all

    @dataclass
    class ReportingGroup(InotifyWatchGroup):
        """watchdog's watch group, which also calls ``on_overflow`` after its repair."""

        on_overflow: Callable[[], None] = field(default=_never)

        def on_queue_overflow(self) -> None:
            super().on_queue_overflow()
            self.on_overflow()

    class ReportingEmitter(InotifyFullEmitter):
        """Queues a QueueOverflowEvent for its watch when the kernel queue overflowed."""

        def on_thread_start(self) -> None:
            self._inotify = ReportingGroup(
                self._inotify_fd,
                os.fsencode(self.watch.path),
                is_recursive=self.watch.is_recursive,
                event_mask=self.get_event_mask_from_filter(),
                follow_symlink=self.watch.follow_symlink,
                on_overflow=self._overflowed,
            )

        def _overflowed(self) -> None:
            logger.warning("watch: the inotify queue overflowed for %s", self.watch.path)
            self.queue_event(QueueOverflowEvent(self.watch.path))

    class ReportingObserver(InotifyObserver):
        """InotifyObserver (full move events) whose emitters report overflows."""

        def __init__(self) -> None:
            super().__init__(generate_full_events=True)
            self._emitter_class = ReportingEmitter

    return ReportingObserver


_FACTORY = _reporting_observer_class()


def overflow_observer() -> BaseObserver | None:
    """An unstarted inotify observer that reports overflows, or None where it cannot.

    Raises:
        OSError: inotify_init failed (EMFILE when ``fs.inotify.max_user_instances`` is
            used up), as for any inotify observer.
    """
    return _FACTORY() if _FACTORY is not None else None
