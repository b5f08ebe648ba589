"""The engine's own log file: ``.workbench/logs/engine.log``, rotated.

Whatever the engine's blocks log (the watcher falling back to polling, an inotify
overflow, a scoring server restarted) is worth keeping where a person looks after the
fact, whichever front end owns the workspace: a notebook has no stderr to read later and
the TUI's screen hides it. The file rotates so a long-running engine never fills a disk.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOGGER = "workbench"
"""The logger the file follows: every module of the package logs under it."""

FILE_NAME = "engine.log"
"""The file's name under the workspace's logs folder."""

MAX_BYTES = 5 * 1024 * 1024
"""Size at which the file rotates."""

BACKUPS = 3
"""Rotated files kept (``engine.log.1`` ... ``engine.log.3``)."""

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
"""One line per record: time, level, thread, logger, message."""


class EngineLogFile:
    """A rotating file handler on the ``workbench`` logger for one open engine.

    ``INFO`` and above are kept even when nothing configured logging (a notebook): the
    logger's level is lowered to ``INFO`` while the file is attached, and restored after.
    """

    def __init__(self, logs: Path) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.path = logs / FILE_NAME
        """Where the lines go."""
        self._handler = logging.handlers.RotatingFileHandler(
            self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        self._handler.setFormatter(logging.Formatter(FORMAT))
        self._logger = logging.getLogger(LOGGER)
        self._level = self._logger.level
        if self._logger.getEffectiveLevel() > logging.INFO:
            self._logger.setLevel(logging.INFO)
        self._logger.addHandler(self._handler)

    def close(self) -> None:
        """Detach and close the file (the engine is closing)."""
        self._logger.removeHandler(self._handler)
        self._handler.close()
        self._logger.setLevel(self._level)
