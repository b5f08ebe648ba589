"""Code changes trigger runs, as data does: the pipeline file is watched by content hash
(and ``features.py`` too, with the feature stage's own check).

A save that changes the bytes of ``[pipeline] path`` is imported and checked first: a
file that fails to import (or builds no valid pipeline) gives an error event and no run;
a good one queues a run with trigger ``code``. Saving the same bytes again does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.errors import WorkbenchError
from workbench.engine.runs.pipelines import file_hash, load_pipeline

if TYPE_CHECKING:
    from workbench.engine.engine import Engine


class CodeWatcher:
    """Polls one file's stat cheaply and hashes it only when the stat changed."""

    def __init__(
        self,
        engine: Engine,
        path: Path,
        submit: Callable[[str], object],
        interval: float = 0.5,
        *,
        on_change: Callable[[str], bool] | None = None,
    ) -> None:
        self._engine = engine
        self._on_change = on_change
        """Checks a changed file and says whether to run (default: the pipeline's check)."""
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
        if self._on_change is not None:
            if self._on_change(digest):
                self._submit("code")
            return
        engine = self._engine
        try:
            load_pipeline(engine.workspace, engine.config, None)
        except WorkbenchError as exc:
            engine.emit(
                "pipeline.error",
                f"{self._path.name} changed but cannot be used: {exc}",
                level="error",
                file=self._path.name,
                code_hash=digest,
            )
            return
        engine.emit(
            "pipeline.changed",
            f"{self._path.name} changed (sha256 {digest[:12]}); queueing a run",
            file=self._path.name,
            code_hash=digest,
        )
        self._submit("code")
