"""Turning watchdog's events into touches of the settle tracker.

Runs on watchdog's dispatcher thread, so it only classifies and notes: no reading, no
callbacks into the engine. Moves matter most: ``data.csv.part -> data.csv`` is a file
arriving, ``data.csv -> ../processed/`` is a file leaving (the engine filed it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from workbench.watcher.filters import folder_ignore_reason, ignore_reason
from workbench.watcher.overflow import OVERFLOW
from workbench.watcher.settle import SettleTracker, TouchKind

_FILE_KINDS: dict[str, TouchKind] = {
    "created": "created",
    "modified": "modified",
    "closed": "closed",
    "attrib": "attrib",
}


class EventRouter(FileSystemEventHandler):
    """Routes each event for the watched folder to the tracker, or reports it ignored."""

    def __init__(
        self,
        folder: Path,
        recursive: bool,
        tracker: SettleTracker,
        *,
        on_ignored: Callable[[Path, str], None],
        on_gone: Callable[[Path], None],
        on_directory: Callable[[Path], None],
        on_error: Callable[[str], None],
        on_overflow: Callable[[], None] | None = None,
    ) -> None:
        """Wire the router.

        Args:
            folder: The watched folder (absolute, as given to the observer).
            recursive: Whether sub-folders are watched.
            tracker: Where candidate files are touched.
            on_ignored: A file or folder that is not a data file, with the reason.
            on_gone: A path left the folder (deleted or moved away).
            on_directory: A sub-folder arrived while watching recursively: scan it, since
                files already inside it produce no events of their own.
            on_error: Something went wrong handling an event (the watcher keeps going).
            on_overflow: The OS dropped events (its queue overflowed): the folder must be
                listed again. Called on the dispatcher thread, after every event read
                before the overflow.
        """
        self._folder = folder
        self._recursive = recursive
        self._tracker = tracker
        self._on_ignored = on_ignored
        self._on_gone = on_gone
        self._on_directory = on_directory
        self._on_error = on_error
        self._on_overflow = on_overflow

    def dispatch(self, event: FileSystemEvent) -> None:
        """Handle one watchdog event; never raises into watchdog's thread."""
        try:
            self._route(event)
        except Exception as exc:
            self._on_error(f"could not handle {event.event_type} of {event.src_path!r}: {exc}")

    def arrived(self, path: Path, is_dir: bool, kind: TouchKind) -> bool:
        """A path appeared or changed in the folder (from an event or a scan).

        Returns:
            True when a data file started being tracked.
        """
        if is_dir:
            self._directory(path)
            return False
        reason = ignore_reason(path, self._folder)
        if reason is not None:
            self._on_ignored(path, reason)
            return False
        return self._tracker.touch(path, kind)

    def _route(self, event: FileSystemEvent) -> None:
        src, dest = _as_path(event.src_path), _as_path(event.dest_path)
        if event.event_type == OVERFLOW:
            if self._on_overflow is not None:
                self._on_overflow()
            return
        if event.event_type == "moved":
            if src is not None and self._inside(src):
                self._gone(src)
            if dest is not None and self._inside(dest):
                self.arrived(dest, event.is_directory, "moved")
            return
        if src is None:
            return
        if event.is_directory:
            if event.event_type == "created" and self._inside(src):
                self._directory(src)
            elif event.event_type == "deleted" and src == self._folder:
                self._on_error(f"the watched folder {src} was deleted; watching has stopped")
            return
        if not self._inside(src):
            return
        if event.event_type == "deleted":
            self._gone(src)
        elif event.event_type in _FILE_KINDS:
            kind = _FILE_KINDS[event.event_type]
            if event.is_synthetic:
                # watchdog's stand-in for a file inside a folder moved in: nobody wrote it
                # here, so no close event will follow.
                kind = "moved"
            self.arrived(src, False, kind)

    def _directory(self, path: Path) -> None:
        if not self._recursive:
            self._on_ignored(path, "a folder: sub-folders are not watched (recursive is off)")
        elif reason := folder_ignore_reason(path, self._folder):
            self._on_ignored(path, reason)
        else:
            self._on_directory(path)

    def _gone(self, path: Path) -> None:
        self._tracker.forget(path)
        self._on_gone(path)

    def _inside(self, path: Path) -> bool:
        if self._recursive:
            return self._folder in path.parents
        return path.parent == self._folder


def _as_path(raw: bytes | str) -> Path | None:
    return Path(os.fsdecode(raw)) if raw else None
