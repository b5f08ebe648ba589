"""Deciding when a file is complete: quiet stat, and no writer still holding it open.

A file is handed over only after its size, mtime, ctime and inode have stayed the same
for ``quiet_period`` seconds. Where the platform reports close-after-write (inotify's
``IN_CLOSE_WRITE``, watchdog's ``FileClosedEvent``), a file that was written and not yet
closed is held even when it looks quiet, so a writer pausing mid-file is not cut short;
``open_timeout`` bounds that hold in case a close event was lost.

One scheduler thread keeps a heap of deadlines and sleeps on a condition variable until
the nearest one: no thread per file and no busy polling, so a thousand files cost a
thousand heap entries.
"""

from __future__ import annotations

import heapq
import itertools
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.watcher.events import WatchEvent

TouchKind = Literal["created", "modified", "closed", "moved", "attrib", "scan"]
"""Why a path is looked at: an OS event (created, modified, closed, moved in, attrib) or a
folder scan. created/modified mean a writer is at work; closed means it finished."""

_WROTE: frozenset[str] = frozenset({"created", "modified"})


@dataclass(frozen=True)
class FileStamp:
    """What ``stat`` said about a file; any difference means it was written or replaced."""

    size: int
    """Bytes."""
    mtime_ns: int
    """Last content change, as the writer's clock (or ``touch``) set it."""
    ctime_ns: int
    """Last inode change; unlike mtime no tool can set it back, so a copy with a preserved
    mtime still counts as new."""
    inode: int
    """Which file this is: a rename into place gives a different inode."""

    @classmethod
    def of(cls, result: os.stat_result) -> FileStamp:
        """The stamp of one ``os.stat`` result."""
        return cls(result.st_size, result.st_mtime_ns, result.st_ctime_ns, result.st_ino)


@dataclass
class _Pending:
    stamp: FileStamp
    changed_at: float
    writing: bool
    deadline: float
    note: str = ""


class SettleTracker:
    """Turns a stream of "this path was touched" notes into "this file is complete" calls.

    Thread-safe: ``touch`` and ``forget`` may be called from any thread (the watchdog
    dispatcher, a scan). ``on_ready`` runs on the tracker's scheduler thread. ``report``
    is called with the tracker's lock held, so a file's steps arrive in order: it must
    only hand the event on (put it on a queue), never block or call the tracker.

    A released file is remembered by its stamp: touching it again without a change does
    nothing (a periodic rescan does not hand the same file over twice), while a changed
    file (a 0-byte file later filled in, a file overwritten in place) is released again.
    """

    def __init__(
        self,
        quiet_period: float,
        *,
        on_ready: Callable[[Path], None],
        report: Callable[[WatchEvent], None],
        close_events: bool = False,
        open_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set up the tracker (call ``start`` to run it).

        Args:
            quiet_period: Seconds a file's stamp must stay unchanged before release.
            on_ready: Called once per release with the complete file's path.
            report: Receives the seen / waiting / ready / vanished steps.
            close_events: True when the caller passes ``closed`` touches (inotify); only
                then does a write mark the file as held open until it is closed.
            open_timeout: Seconds a quiet file that was written but never reported closed
                is held before it is released anyway (a lost close event must not pin a
                file forever).
            clock: Monotonic seconds; injectable so the scheduling can be reasoned about.
        """
        self._quiet = quiet_period
        self._open_timeout = max(open_timeout, quiet_period)
        self._on_ready = on_ready
        self._report = report
        self._close_events = close_events
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: dict[Path, _Pending] = {}
        self._released: dict[Path, FileStamp] = {}
        self._heap: list[tuple[float, int, Path]] = []
        self._seq = itertools.count()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the scheduler thread."""
        self._thread = threading.Thread(
            target=self._run, name="workbench-watch-settle", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop scheduling; files still waiting are dropped (a later scan finds them)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def close_events(self) -> bool:
        """Whether ``closed`` touches arrive, so a written file is held until closed."""
        with self._cond:
            return self._close_events

    @close_events.setter
    def close_events(self, value: bool) -> None:
        with self._cond:
            self._close_events = value

    @property
    def pending(self) -> int:
        """How many files are waiting to become complete."""
        with self._cond:
            return len(self._pending)

    def touch(self, path: Path, kind: TouchKind) -> bool:
        """Note that ``path`` may have changed; it is released once complete.

        Returns:
            True when this started tracking a file (new, or changed since its release).
        """
        try:
            result = os.lstat(path)  # a link is judged as a link (ingest decides)
        except FileNotFoundError:
            self.forget(path)
            return False
        except OSError:
            return False  # unreadable metadata now; a later event or scan retries
        if not (stat.S_ISREG(result.st_mode) or stat.S_ISLNK(result.st_mode)):
            return False
        stamp = FileStamp.of(result)
        now = self._clock()
        with self._cond:
            if self._stopped:
                return False
            entry = self._pending.get(path)
            if entry is None:
                if self._released.get(path) == stamp:
                    return False
                entry = _Pending(stamp, now, self._writing(kind, False, stamp), now + self._quiet)
                self._pending[path] = entry
                self._report(WatchEvent("seen", str(path), _SEEN[kind]))
                self._note(path, entry, f"waiting for {self._quiet:g} s without changes")
                self._schedule(path, entry)
                return True
            if stamp != entry.stamp or kind in _WROTE:
                entry.stamp = stamp
                entry.changed_at = now
            entry.writing = self._writing(kind, entry.writing, stamp)
            deadline = entry.changed_at + self._quiet
            if deadline != entry.deadline:
                entry.deadline = deadline
                self._schedule(path, entry)
            return False

    def forget(self, path: Path) -> None:
        """``path`` was deleted or moved away: a waiting file vanished, a released one is done.

        Forgetting the released stamp lets a new file under the same name (even a copy
        with the same size and mtime) be handed over again.
        """
        with self._cond:
            self._released.pop(path, None)
            entry = self._pending.pop(path, None)
            if entry is not None:
                self._report(WatchEvent("vanished", str(path), "removed before it was complete"))

    def prune(self, present: Iterable[Path]) -> None:
        """Drop released stamps of files no longer in the folder (events can be missed)."""
        keep = set(present)
        with self._cond:
            for path in [p for p in self._released if p not in keep]:
                del self._released[path]

    def _writing(self, kind: TouchKind, current: bool, stamp: FileStamp) -> bool:
        """Whether a writer holds the file open, as far as the events tell.

        A write (IN_MODIFY) is always followed by a close event, so it marks the file
        open. A creation only does while the file is still empty: watchdog also reports
        files found inside a newly created folder as "created", long after their writer
        closed them, and no close event follows those.
        """
        if kind in ("closed", "moved"):
            return False
        wrote = kind == "modified" or (kind == "created" and stamp.size == 0)
        return True if wrote and self._close_events else current

    def _schedule(self, path: Path, entry: _Pending) -> None:
        heapq.heappush(self._heap, (entry.deadline, next(self._seq), path))
        self._cond.notify()

    def _note(self, path: Path, entry: _Pending, note: str) -> None:
        if note != entry.note:
            entry.note = note
            self._report(WatchEvent("waiting", str(path), note))

    def _run(self) -> None:
        while True:
            due = self._next_due()
            if due is None:
                return
            self._check(*due)

    def _next_due(self) -> tuple[Path, float] | None:
        """Sleep until the nearest live deadline; None once stopped."""
        with self._cond:
            while not self._stopped:
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, _, path = self._heap[0]
                delay = deadline - self._clock()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                entry = self._pending.get(path)
                if entry is not None and entry.deadline == deadline:
                    return path, deadline
            return None

    def _check(self, path: Path, deadline: float) -> None:
        """Release ``path`` if it stayed quiet (and closed); otherwise wait again."""
        try:
            stamp: FileStamp | None = FileStamp.of(os.lstat(path))
        except FileNotFoundError:
            stamp = None
        except OSError as exc:
            with self._cond:
                entry = self._pending.get(path)
                if entry is not None and entry.deadline == deadline:
                    entry.deadline = self._clock() + self._quiet
                    self._note(path, entry, f"cannot read its size yet ({exc.strerror or exc})")
                    self._schedule(path, entry)
            return
        now = self._clock()
        with self._cond:
            entry = self._pending.get(path)
            if entry is None or entry.deadline != deadline or self._stopped:
                return  # touched again (or forgotten) while we were stat-ing
            if stamp is None:
                del self._pending[path]
                self._report(WatchEvent("vanished", str(path), "removed before it was complete"))
                return
            if stamp != entry.stamp:
                entry.stamp, entry.changed_at = stamp, now
                entry.deadline = now + self._quiet
                self._note(path, entry, "still changing")
                self._schedule(path, entry)
                return
            if entry.writing and now - entry.changed_at < self._open_timeout:
                entry.deadline = entry.changed_at + self._open_timeout
                self._note(path, entry, "quiet, but the writer still has it open")
                self._schedule(path, entry)
                return
            del self._pending[path]
            self._released[path] = stamp
            message = f"complete: {stamp.size} bytes, quiet for {now - entry.changed_at:.2f} s"
            if entry.writing:
                message += " (no close event seen; released on quiet size alone)"
            self._report(WatchEvent("ready", str(path), message))
        self._on_ready(path)


_SEEN: dict[str, str] = {
    "created": "created",
    "modified": "modified",
    "closed": "closed after writing",
    "moved": "moved or renamed into the folder",
    "attrib": "metadata changed",
    "scan": "found by a folder scan",
}
