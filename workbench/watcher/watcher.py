"""The watched folder: which complete data files are ready, handed over in batches.

``FolderWatcher`` wires the parts: a watchdog observer (OS events, or polling) feeds an
``EventRouter``; the router touches the ``SettleTracker``, which releases a file once it
is quiet and closed; released files are coalesced by the ``Batcher`` and handed to
``on_batch`` on the watcher's own delivery thread. An initial scan at start, a
reconciling rescan whenever the OS reports its event queue overflowed, and a periodic
rescan find what events missed. The watcher knows nothing about
hashing, validation or training: the engine does that with each batch.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from workbench.core.config import WatchConfig
from workbench.core.errors import ConfigError
from workbench.watcher.batcher import Batch, Batcher
from workbench.watcher.errors import WatchError
from workbench.watcher.events import WatchEvent
from workbench.watcher.handler import EventRouter
from workbench.watcher.observer import (
    ObserverFactory,
    WatchMode,
    native_reports_closes,
    reports_closes,
    start_observer,
)
from workbench.watcher.scan import scan_folder
from workbench.watcher.settle import SettleTracker

if TYPE_CHECKING:
    from watchdog.observers.api import BaseObserver

logger = logging.getLogger(__name__)

_STOP = object()


class FolderWatcher:
    """Watches a folder and hands complete data files to ``on_batch``, a batch at a time.

    ``on_batch`` runs on the watcher's delivery thread; an exception in it is reported
    as an ``error`` event and watching goes on. ``on_event`` receives every step (seen,
    waiting, ready, ignored, vanished, error, fallback, overflow) in order on a notifier
    thread of its own, so a slow UI never delays the watching. The same path can be handed over
    again later when its contents changed; files the engine moves away are forgotten.
    """

    def __init__(
        self,
        folder: Path | str,
        on_batch: Callable[[Batch], None],
        *,
        on_event: Callable[[WatchEvent], None] | None = None,
        recursive: bool = False,
        mode: WatchMode = "events",
        quiet_period: float = 0.3,
        batch_window: float = 1.0,
        rescan_interval: float = 30.0,
        poll_interval: float = 1.0,
        open_timeout: float = 30.0,
        observer_factory: ObserverFactory | None = None,
    ) -> None:
        """Configure the watcher (``start`` begins watching).

        Args:
            folder: The folder to watch; paths handed over are below its resolved path.
            on_batch: Called with each batch of complete files, sorted by name.
            on_event: Called with every step, for live display and the event log.
            recursive: Also watch sub-folders (hidden ones excepted).
            mode: "events" (OS notifications) or "poll" (network filesystems).
            quiet_period: Seconds a file's size and mtime must stay unchanged.
            batch_window: Seconds from the first ready file to delivery of its batch;
                0 hands over each file on its own.
            rescan_interval: Seconds between reconciling scans; 0 turns them off.
            poll_interval: Seconds between listings in poll mode (or after a fallback).
            open_timeout: Seconds a quiet file whose writer never reported closing it is
                held before it is handed over anyway (only where close events exist).
            observer_factory: Builds the events-mode observer (default: the platform's).

        Raises:
            ConfigError: A setting is out of range.
        """
        if mode not in ("events", "poll"):
            raise ConfigError(f"watch mode must be 'events' or 'poll', got {mode!r}")
        for name, value in (
            ("quiet_period", quiet_period),
            ("batch_window", batch_window),
            ("rescan_interval", rescan_interval),
            ("open_timeout", open_timeout),
        ):
            if value < 0:
                raise ConfigError(f"watch {name} must be 0 or more seconds, got {value!r}")
        if poll_interval <= 0:
            raise ConfigError(f"watch poll_interval must be above 0 s, got {poll_interval!r}")
        self._folder = Path(folder).resolve()
        self._on_batch = on_batch
        self._on_event = on_event
        self._recursive = recursive
        self._mode: WatchMode = mode
        self._quiet = quiet_period
        self._window = batch_window
        self._rescan_interval = rescan_interval
        self._poll_interval = poll_interval
        self._open_timeout = open_timeout
        self._factory = observer_factory
        self._lock = threading.Lock()
        self._ignored: set[Path] = set()
        self._running = False
        self._mode_used: WatchMode | None = None
        self._threads: list[threading.Thread] = []
        self._observer: BaseObserver | None = None
        self._events: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._halt = threading.Event()
        self._tracker: SettleTracker | None = None
        self._batcher: Batcher | None = None
        self._router: EventRouter | None = None

    @classmethod
    def from_config(
        cls,
        folder: Path,
        config: WatchConfig,
        on_batch: Callable[[Batch], None],
        *,
        on_event: Callable[[WatchEvent], None] | None = None,
    ) -> FolderWatcher:
        """A watcher set up from the ``[watch]`` section of workbench.toml."""
        return cls(
            folder,
            on_batch,
            on_event=on_event,
            recursive=config.recursive,
            mode="poll" if config.mode == "poll" else "events",
            quiet_period=config.quiet_period_ms / 1000,
            batch_window=config.batch_window_ms / 1000,
        )

    @property
    def folder(self) -> Path:
        """The watched folder (resolved)."""
        return self._folder

    @property
    def mode_used(self) -> WatchMode | None:
        """ "events" or "poll" once started ("poll" after an inotify fallback)."""
        return self._mode_used

    @property
    def running(self) -> bool:
        """True between ``start`` and ``stop``."""
        return self._running

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Begin watching: observer, initial scan of files already there, periodic rescans.

        Raises:
            WatchError: The folder does not exist or cannot be watched.
        """
        if self._running:
            return
        if not self._folder.is_dir():
            raise WatchError(
                f"the watched folder {self._folder} does not exist or is not a folder; "
                "create it or point [watch] path at an existing folder"
            )
        self._halt = threading.Event()
        self._events = queue.SimpleQueue()
        with self._lock:
            self._ignored.clear()
        self._running = True
        try:
            self._start_parts()
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching; files not yet handed over are found again by the next start."""
        if not self._running:
            return
        self._running = False
        self._halt.set()
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive() and observer is not threading.current_thread():
                observer.join(timeout)
        if self._tracker is not None:
            self._tracker.stop(timeout)
        if self._batcher is not None:
            self._batcher.stop(timeout)
        self._events.put(_STOP)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads = []

    def rescan(self) -> int:
        """Scan the folder now and take in files that events missed.

        Returns:
            How many files started being tracked (new, or changed since handed over).

        Raises:
            WatchError: The watcher is not running, or the folder cannot be listed.
        """
        router, tracker = self._router, self._tracker
        if not self._running or router is None or tracker is None:
            raise WatchError(f"the watcher of {self._folder} is not running; start it first")
        try:
            return self._scan(self._folder, router, tracker, prune=True)
        except OSError as exc:
            raise WatchError(f"cannot scan the watched folder {self._folder}: {exc}") from exc

    def retry(self, path: Path) -> None:
        """Hand ``path`` over again at the next scan, though it has not changed.

        For a file the consumer could not take for a reason that may pass (the disk was
        full, the store was busy): it stays where it is and the next reconciling scan
        (periodic, or :meth:`rescan`) offers it again, so nothing waits for a restart.
        """
        tracker = self._tracker
        if tracker is not None:
            tracker.forget(path)

    def _start_parts(self) -> None:
        close_events = self._mode == "events" and self._factory is None and native_reports_closes()
        tracker = SettleTracker(
            self._quiet,
            on_ready=self._ready,
            report=self._emit,
            close_events=close_events,
            open_timeout=self._open_timeout,
        )
        self._tracker = tracker
        self._batcher = Batcher(self._window, self._deliver, on_error=self._delivery_failed)
        self._router = EventRouter(
            self._folder,
            self._recursive,
            tracker,
            on_ignored=self._ignore,
            on_gone=self._gone,
            on_directory=self._directory_arrived,
            on_error=self._error,
            on_overflow=self._overflowed,
        )
        if self._on_event is not None:
            self._spawn(self._notify, "workbench-watch-events")
        tracker.start()
        self._batcher.start()
        observer, used, message = start_observer(
            self._folder,
            self._router,
            self._recursive,
            self._mode,
            poll_interval=self._poll_interval,
            observer_factory=self._factory,
        )
        self._observer, self._mode_used = observer, used
        tracker.close_events = reports_closes(observer)
        if message:
            self._emit(WatchEvent("fallback", str(self._folder), message))
        self.rescan()
        if self._rescan_interval > 0:
            self._spawn(self._rescan_periodically, "workbench-watch-rescan")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _scan(self, root: Path, router: EventRouter, tracker: SettleTracker, prune: bool) -> int:
        taken = 0
        present: list[Path] = []
        for path, is_dir in scan_folder(root, self._recursive):
            if not is_dir:
                present.append(path)
            taken += router.arrived(path, is_dir, "scan")
        if prune:
            tracker.prune(present)
        return taken

    def _rescan_periodically(self) -> None:
        while not self._halt.wait(self._rescan_interval):
            try:
                self.rescan()
            except WatchError as exc:
                self._error(str(exc))

    def _directory_arrived(self, path: Path) -> None:
        router, tracker = self._router, self._tracker
        if router is None or tracker is None:
            return
        with contextlib.suppress(OSError):  # moved away again already, files and all
            self._scan(path, router, tracker, prune=False)

    def _overflowed(self) -> None:
        """Events were dropped by the OS: list the folder now rather than at the next rescan."""
        self._emit(
            WatchEvent(
                "overflow",
                str(self._folder),
                f"the OS dropped file events for {self._folder} (its queue, "
                "fs.inotify.max_queued_events, overflowed while the watcher was paused or "
                "busy); rescanning the folder so no file is missed",
            )
        )
        try:
            self.rescan()
        except WatchError as exc:
            self._error(str(exc))

    def _ready(self, path: Path) -> None:
        batcher = self._batcher
        if batcher is not None:
            batcher.add(path)

    def _deliver(self, batch: Batch) -> None:
        if self._running:
            self._on_batch(batch)

    def _delivery_failed(self, batch: Batch, exc: Exception) -> None:
        logger.error("watch: batch callback failed for %d file(s)", len(batch), exc_info=exc)
        names = ", ".join(p.name for p in batch[:5]) + (", ..." if len(batch) > 5 else "")
        self._error(
            f"handing over {len(batch)} file(s) ({names}) failed: {type(exc).__name__}: {exc}; "
            "watching goes on"
        )

    def _ignore(self, path: Path, reason: str) -> None:
        with self._lock:
            if path in self._ignored:
                return
            self._ignored.add(path)
        self._emit(WatchEvent("ignored", str(path), reason))

    def _gone(self, path: Path) -> None:
        with self._lock:
            self._ignored.discard(path)

    def _error(self, message: str) -> None:
        self._emit(WatchEvent("error", str(self._folder), message))

    def _emit(self, event: WatchEvent) -> None:
        logger.debug("watch %s %s: %s", event.kind, event.path, event.message)
        if self._on_event is not None:
            self._events.put(event)

    def _notify(self) -> None:
        events, on_event = self._events, self._on_event
        while (event := events.get()) is not _STOP:
            if on_event is None or not isinstance(event, WatchEvent):
                continue
            try:
                on_event(event)
            except Exception:
                logger.exception("watch: the on_event callback failed on %s", event)
