"""Code changes trigger runs, as data does: the pipeline file is watched by content hash
(and ``features.py`` too, with the feature stage's own check).

A save that changes the bytes of ``[pipeline] path`` is imported and checked first: a
file that fails to import (or builds no valid pipeline) gives an error event and no run;
a good one queues a run with trigger ``code``. Saving the same bytes again does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.workspace import Workspace
from workbench.engine.context import CurrentConfig, Emit
from workbench.engine.runs.pipelines import file_hash, load_pipeline


class CodeWatcher:
    """Polls one file's stat cheaply and hashes it only when the stat changed.

    Args:
        path: The file watched.
        submit: Queues a run with a trigger (``code``).
        on_change: Checks the file, saved with new bytes (its sha256 given), and says
            whether to run.
        interval: Seconds between two looks at the file's stat.
    """

    def __init__(
        self,
        path: Path,
        submit: Callable[[str], object],
        on_change: Callable[[str], bool],
        interval: float = 0.5,
    ) -> None:
        self._on_change = on_change
        self._path = path
        self._submit = submit
        self._interval = interval
        self._stop = threading.Event()
        self._stat: tuple[int, int] | None = self._stat_of()
        self._hash = file_hash(path) if self._stat else None
        self._thread = threading.Thread(target=self._loop, name="workbench-code", daemon=True)

    def start(self) -> None:
        """Begin watching."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _stat_of(self) -> tuple[int, int] | None:
        try:
            info = self._path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            stat = self._stat_of()
            if stat is None or stat == self._stat:
                continue
            self._stat = stat
            try:
                digest = file_hash(self._path)
            except OSError:
                continue
            if digest != self._hash:
                self._hash = digest
                self._changed(digest)

    def _changed(self, digest: str) -> None:
        if self._on_change(digest):
            self._submit("code")


@dataclass(frozen=True)
class PipelineCheck:
    """The pipeline file's check on a save: it must load as a valid pipeline to run."""

    workspace: Workspace
    """Where the pipeline file is."""
    config: CurrentConfig
    """The settings now (``[pipeline]``, and what the pipeline is built from)."""
    emit: Emit
    """Says whether the change queues a run or cannot be used."""
    path: Path
    """The pipeline file (``[pipeline] path``), named in the events."""

    def __call__(self, digest: str) -> bool:
        """Whether the file saved with sha256 ``digest`` builds a pipeline (then: run)."""
        try:
            load_pipeline(self.workspace, self.config(), None)
        except WorkbenchError as exc:
            self.emit(
                "pipeline.error",
                f"{self.path.name} changed but cannot be used: {exc}",
                level="error",
                file=self.path.name,
                code_hash=digest,
            )
            return False
        self.emit(
            "pipeline.changed",
            f"{self.path.name} changed (sha256 {digest[:12]}); queueing a run",
            file=self.path.name,
            code_hash=digest,
        )
        return True
