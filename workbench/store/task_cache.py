"""The persistent task cache's index: which artifact holds the result for a cache key.

The results themselves are artifacts (content-addressed, hash-verified files); this table
maps a task's cache key to one, and remembers which run produced it so a run served from
the cache can say where its result came from.
"""

from __future__ import annotations

import builtins

from workbench.core.records import CachedResult
from workbench.store.db import Database, as_utc, utcnow

_COLUMNS = "key, task, run_id, sha256, size, created_at, hits"


class TaskCacheRepo:
    """Cache keys to stored results."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> CachedResult | None:
        """The entry for ``key``, if any."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM task_cache WHERE key = ?", [key])
        return self._records(rows)[0] if rows else None

    def put(self, key: str, task: str, run_id: int | None, sha256: str, size: int) -> None:
        """Remember that ``key``'s result is the artifact ``sha256`` (replacing any entry)."""
        self._db.execute(
            "INSERT OR REPLACE INTO task_cache (key, task, run_id, sha256, size, created_at, hits) "
            "VALUES (?, ?, ?, ?, ?, ?, 0)",
            [key, task, run_id, sha256, size, utcnow()],
        )

    def hit(self, key: str) -> None:
        """Count a reuse of ``key``'s result."""
        self._db.execute(
            "UPDATE task_cache SET hits = hits + 1, last_hit_at = ? WHERE key = ?",
            [utcnow(), key],
        )

    def list(self, task: str | None = None) -> builtins.list[CachedResult]:
        """Entries, newest first, optionally of one task."""
        where, params = ("WHERE task = ?", [task]) if task else ("", [])
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM task_cache {where} ORDER BY created_at DESC", params
        )
        return self._records(rows)

    def clear(self, task: str | None = None) -> tuple[int, builtins.list[str]]:
        """Forget entries (all, or one task's).

        Returns:
            How many entries went, and the artifacts only they used (no model version,
            no other entry): the caller may delete those files.
        """
        where, params = ("WHERE task = ?", [task]) if task else ("", [])
        keys = [str(r[0]) for r in self._db.execute(f"SELECT key FROM task_cache {where}", params)]
        return len(keys), self._forget(keys)

    def size(self) -> int:
        """Bytes of all cached results (as stored, before any sharing of artifacts)."""
        return int(self._db.scalar("SELECT coalesce(sum(size), 0) FROM task_cache"))

    def evict(self, max_bytes: int) -> tuple[int, builtins.list[str]]:
        """Forget the least recently used entries until the rest fit in ``max_bytes``.

        Returns:
            How many entries went, and the artifacts only they used.
        """
        rows = self._db.execute(
            "SELECT key, size FROM task_cache ORDER BY coalesce(last_hit_at, created_at) DESC"
        )
        kept, going = 0, []
        for key, size in rows:
            if kept + int(size) <= max_bytes:
                kept += int(size)
            else:
                going.append(str(key))
        return len(going), self._forget(going)

    def _forget(self, keys: builtins.list[str]) -> builtins.list[str]:
        """Delete these entries; the artifacts nothing else uses any more, sorted."""
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        with self._db.transaction():
            shas = {
                str(r[0])
                for r in self._db.execute(
                    f"SELECT sha256 FROM task_cache WHERE key IN ({marks})", keys
                )
            }
            self._db.execute(f"DELETE FROM task_cache WHERE key IN ({marks})", keys)
            still_used = {
                str(r[0])
                for r in self._db.execute(
                    "SELECT sha256 FROM task_cache UNION SELECT artifact_sha256 FROM model_versions"
                )
            }
        return sorted(shas - still_used)

    @staticmethod
    def _records(rows: builtins.list[tuple[object, ...]]) -> builtins.list[CachedResult]:
        return [
            CachedResult(
                key=str(r[0]),
                task=str(r[1]),
                run_id=None if r[2] is None else int(r[2]),  # type: ignore[call-overload]
                sha256=str(r[3]),
                size=int(r[4]),  # type: ignore[call-overload]
                created_at=as_utc(r[5]),  # type: ignore[arg-type]
                hits=int(r[6]),  # type: ignore[call-overload]
            )
            for r in rows
        ]
