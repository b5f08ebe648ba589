"""The watched folder: decides which complete data files are ready and hands them over.

It does not hash, validate or train: ``FolderWatcher`` calls ``on_batch`` with the paths
of files that are complete (quiet, closed, not temp or hidden), and the engine does the
rest. watchdog is used only inside this package.
"""

from __future__ import annotations

from workbench.watcher.batcher import Batch, Batcher
from workbench.watcher.errors import WatchError
from workbench.watcher.events import WatchEvent, WatchEventKind
from workbench.watcher.filters import SUPPORTED_SUFFIXES, ignore_reason, is_candidate
from workbench.watcher.observer import ObserverFactory, WatchMode, limit_message, start_observer
from workbench.watcher.settle import FileStamp, SettleTracker
from workbench.watcher.watcher import FolderWatcher

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Batch",
    "Batcher",
    "FileStamp",
    "FolderWatcher",
    "ObserverFactory",
    "SettleTracker",
    "WatchError",
    "WatchEvent",
    "WatchEventKind",
    "WatchMode",
    "ignore_reason",
    "is_candidate",
    "limit_message",
    "start_observer",
]
