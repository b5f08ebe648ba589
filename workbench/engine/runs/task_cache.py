"""The task cache engine runs use: results stored as artifacts, indexed in the store.

A task declared ``cache=True`` is skipped when its code, inputs and params are the same
as in an earlier run: its result is read back from the artifact store (verified by
sha256, decoded without pickle, see :mod:`workbench.dag.results`), what it logged in that
run is copied into this one, and the run shows the task as ``cached``. It survives
restarts, unlike :class:`workbench.dag.MemoryCache`.

The key the DAG computes covers the task's own code; the versions of Workbench,
scikit-learn and Python are mixed in here too, because a task's result also depends on
the library code it calls, and an upgrade must not serve a result the new code would
not produce.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.dag.results import NotStorable, decode_result, encode_result
from workbench.engine.context import Emit
from workbench.store import Store
from workbench.store.artifacts import ArtifactStore


def _salt() -> str:
    """Library versions a cached result depends on beyond the task's own code."""
    versions = []
    for name in ("workbench", "scikit-learn", "polars", "numpy"):
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=none")
    return ";".join([*versions, f"python={platform.python_version()}"])


def remove_unused(artifacts: ArtifactStore, shas: list[str]) -> int:
    """Delete the files of results nothing refers to any more; the bytes freed."""
    freed = 0
    for sha in shas:
        path = artifacts.path(sha)
        freed += path.stat().st_size if path.exists() else 0
        artifacts.remove(sha)
    return freed


class ArtifactCache:
    """One run's view of the workspace's task cache (thread-safe: the store serialises).

    Args:
        store: The workspace's store: the cache's index and the artifacts holding results.
        emit: Says what the cache did (hits, evictions, entries it could not use).
        max_mb: ``[train] cache_max_mb``: past it the least recently used results go.
        run_id: The run asking; stored results name it, and hits copy tracking into it.
    """

    def __init__(self, store: Store, emit: Emit, max_mb: float, run_id: int) -> None:
        self._store = store
        self._emit = emit
        self._max_mb = max_mb
        self._run_id = run_id
        self._salt = _salt()
        self.sources: dict[str, int | None] = {}
        """Task -> the run whose result it reused, for the tasks this run found cached."""

    def _key(self, key: str) -> str:
        return hashlib.blake2b(f"{self._salt}|{key}".encode(), digest_size=32).hexdigest()

    def get(self, key: str, task: str = "") -> tuple[bool, Any]:
        """The stored result for ``key``, or a miss; a damaged entry is a miss, reported."""
        store = self._store
        entry = store.task_cache.get(self._key(key))
        if entry is None:
            return False, None
        try:
            value = decode_result(store.artifacts.read(entry.sha256))
        except WorkbenchError as exc:
            self._emit(
                "task.cache_unreadable",
                f"run {self._run_id}: cached result of {task} cannot be used ({exc}); running it",
                level="warning",
                run_id=self._run_id,
                task=task,
            )
            return False, None
        store.task_cache.hit(entry.key)
        self.sources[task] = entry.run_id
        if entry.run_id is not None:
            store.runs.copy_task_tracking(entry.run_id, entry.task, self._run_id)
        self._emit(
            "task.cached",
            f"run {self._run_id}: {task} reused its result from run {entry.run_id}",
            run_id=self._run_id,
            task=task,
            source_run=entry.run_id,
        )
        return True, value

    def put(self, key: str, value: Any, task: str = "") -> None:
        """Store ``value`` as an artifact under ``key``; a value with no safe format is skipped."""
        store = self._store
        try:
            data = encode_result(value)
        except NotStorable as exc:
            self._emit(
                "task.not_cached",
                f"run {self._run_id}: {task}'s result is not cached: {exc}",
                level="warning",
                run_id=self._run_id,
                task=task,
            )
            return
        try:
            sha = store.artifacts.put(data)
            store.task_cache.put(self._key(key), task, self._run_id, sha, len(data))
        except (WorkbenchError, OSError) as exc:
            # A cache is an optimisation: a full disk skips it with one line (the event
            # carries the detail), never a traceback, and the run goes on.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self._emit(
                "task.not_cached",
                f"run {self._run_id}: {task}'s result is not cached: {first}",
                level="warning",
                run_id=self._run_id,
                task=task,
                detail=str(exc),
            )
            return
        limit = int(self._max_mb * 1024 * 1024)
        if store.task_cache.size() > limit:
            count, unused = store.task_cache.evict(limit)
            freed = remove_unused(self._store.artifacts, unused)
            self._emit(
                "cache.evicted",
                f"task cache past train.cache_max_mb: {count} least recently used result(s) "
                f"forgotten, {freed / 1e6:.1f} MB freed",
                count=count,
                freed_bytes=freed,
            )
