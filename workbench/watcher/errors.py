"""The watcher's own error: the folder cannot be watched at all."""

from __future__ import annotations

from workbench.core.errors import WorkbenchError


class WatchError(WorkbenchError):
    """The watched folder is missing, not a folder, or the OS refuses to watch it."""
