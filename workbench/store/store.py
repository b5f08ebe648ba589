"""The store facade: one object per workspace holding the database and the artifacts."""

from __future__ import annotations

import threading
from pathlib import Path

from workbench.store.artifacts import ArtifactStore
from workbench.store.datasets import DatasetRepo
from workbench.store.db import Database
from workbench.store.events import EventRepo
from workbench.store.features import FeatureRepo
from workbench.store.lineage import LineageRepo
from workbench.store.monitoring import MonitoringRepo
from workbench.store.quality import QualityRepo
from workbench.store.registry import RegistryRepo
from workbench.store.runs import RunRepo
from workbench.store.task_cache import TaskCacheRepo

FLUSH_SECONDS = 0.25
"""How long a queued event or task-run row may wait before it is written."""


class Store:
    """Everything persisted for a workspace, grouped by area.

    Opening it takes the DuckDB file's lock (one process per workspace) and applies
    pending migrations; :meth:`close` releases it.
    """

    __engine_side__ = True  # a Dask executor runs a task taking the store on the engine

    def __init__(self, db_path: Path, artifacts_path: Path) -> None:
        self.db = Database(db_path)
        self.artifacts = ArtifactStore(artifacts_path)
        self.runs = RunRepo(self.db)
        self.datasets = DatasetRepo(self.db, flush_runs=self.runs.flush)
        self.registry = RegistryRepo(self.db)
        self.events = EventRepo(self.db)
        self.monitoring = MonitoringRepo(self.db)
        self.lineage = LineageRepo(self.db, flush=self.runs.flush)
        self.task_cache = TaskCacheRepo(self.db)
        self.quality = QualityRepo(self.db)
        self.features = FeatureRepo(self.db)

        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name="store-flush", daemon=True)
        self._flusher.start()

    def flush(self) -> None:
        """Write every queued row (events, task runs, params, metrics) now."""
        self.events.flush()
        self.runs.flush()

    def _flush_loop(self) -> None:
        """Queued rows reach the file within ``FLUSH_SECONDS`` even if nobody reads them."""
        while not self._stop.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:
                continue

    def close(self) -> None:
        """Write queued rows and release the database file."""
        self._stop.set()
        self._flusher.join(timeout=5)
        self.flush()
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
