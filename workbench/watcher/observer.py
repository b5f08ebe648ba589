"""Starting a watchdog observer on the folder, falling back to polling when inotify is full.

Linux limits inotify per user (``fs.inotify.max_user_watches`` and
``fs.inotify.max_user_instances``); IDEs, Dropbox and container runtimes often use them
up. Then starting an observer fails with ENOSPC or EMFILE, and instead of refusing to
watch we say which sysctl to raise and poll the folder meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from workbench.watcher.errors import WatchError
from workbench.watcher.overflow import QueueOverflowEvent, overflow_observer

logger = logging.getLogger(__name__)

WatchMode = Literal["events", "poll"]
"""events: OS notifications (inotify, FSEvents, ReadDirectoryChangesW); poll: compare
directory listings every ``poll_interval`` (network filesystems deliver no events)."""

ObserverFactory = Callable[[], BaseObserver]
"""Builds an unstarted observer for events mode."""

EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileAttribEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
    QueueOverflowEvent,
]
"""The events the watcher uses; opens and read-only closes (our own engine reading a
file) are not even asked for."""

_LIMITS = {
    errno.ENOSPC: "fs.inotify.max_user_watches",
    errno.EMFILE: "fs.inotify.max_user_instances",
}


def events_observer() -> BaseObserver:
    """The platform's native observer; on Linux one that reports unpaired moves as moves.

    With ``generate_full_events`` a file renamed into the folder from outside arrives as a
    move (never written here, so never waiting for a close) rather than as a creation;
    and a kernel queue overflow arrives as a ``QueueOverflowEvent`` (see ``overflow``).
    """
    try:
        from watchdog.observers.inotify import InotifyObserver
    except Exception:  # not Linux, or a libc without inotify
        return Observer()
    if Observer is InotifyObserver:
        return overflow_observer() or InotifyObserver(generate_full_events=True)
    return Observer()


def reports_closes(observer: BaseObserver) -> bool:
    """True when ``observer`` emits close-after-write events (Linux inotify only)."""
    try:
        from watchdog.observers.inotify import InotifyObserver
    except Exception:
        return False
    return isinstance(observer, InotifyObserver)


def start_observer(
    folder: Path,
    handler: FileSystemEventHandler,
    recursive: bool,
    mode: WatchMode,
    *,
    poll_interval: float = 1.0,
    observer_factory: ObserverFactory | None = None,
) -> tuple[BaseObserver, WatchMode, str]:
    """Schedule ``handler`` on ``folder`` and start the observer.

    Args:
        folder: The folder to watch (must exist).
        handler: Receives watchdog's events on the observer's thread.
        recursive: Also watch sub-folders.
        mode: "events" for OS notifications, "poll" for a PollingObserver.
        poll_interval: Seconds between listings in poll mode (and after a fallback).
        observer_factory: Builds the events-mode observer; defaults to the platform's.

    Returns:
        The running observer, the mode actually used, and a message for a person when
        it differs from the one asked for ("" otherwise).

    Raises:
        WatchError: The folder cannot be watched at all (missing, permission denied).
    """

    def poller() -> BaseObserver:
        return PollingObserver(timeout=poll_interval)

    try:
        if mode == "poll":
            return _started(poller, folder, handler, recursive), "poll", ""
        try:
            factory = observer_factory or events_observer
            return _started(factory, folder, handler, recursive), "events", ""
        except OSError as exc:
            if exc.errno not in _LIMITS:
                raise
            message = limit_message(folder, exc, poll_interval)
        logger.warning(message)
        return _started(poller, folder, handler, recursive), "poll", message
    except OSError as exc:
        raise WatchError(f"cannot watch {folder}: {exc}") from exc


def limit_message(folder: Path, exc: OSError, poll_interval: float) -> str:
    """What went wrong and which sysctl to raise, for the log and the UIs."""
    code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
    setting = _LIMITS.get(exc.errno or 0, "fs.inotify.max_user_watches")
    return (
        f"cannot watch {folder} with OS file events: {exc.strerror or exc} ({code}); "
        f"the per-user inotify limit {setting} is used up. Raise it, e.g. "
        f"`sudo sysctl fs.inotify.max_user_watches=524288` and "
        f"`sudo sysctl fs.inotify.max_user_instances=1024` (persist in /etc/sysctl.d/). "
        f"Falling back to polling the folder every {poll_interval:g} s."
    )


def _started(
    factory: ObserverFactory, folder: Path, handler: FileSystemEventHandler, recursive: bool
) -> BaseObserver:
    observer = factory()  # inotify_init fails here with EMFILE
    try:
        observer.schedule(handler, str(folder), recursive=recursive, event_filter=EVENT_FILTER)
        observer.start()  # inotify_add_watch fails here with ENOSPC
    except BaseException:
        with contextlib.suppress(Exception):
            observer.stop()  # releases the inotify descriptor of a half-started observer
        raise
    return observer


def native_reports_closes() -> bool:
    """True when the platform's default observer emits close-after-write events."""
    try:
        from watchdog.observers.inotify import InotifyObserver
    except Exception:
        return False
    return Observer is InotifyObserver
