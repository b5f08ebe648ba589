"""The online side: the latest feature row per entity, and the request-time join.

A snapshot is one Parquet file per view, written by the engine after each
materialisation into the content-addressed artifact store, and read by the scoring
server (which never opens DuckDB). :class:`OnlineFeatures` holds the snapshots of the
served model's views with a key index, so a request for a few entities picks their rows
in microseconds and then goes through :func:`join_features`, the training join.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from workbench.core.errors import FeatureError
from workbench.features.join import join_features
from workbench.features.plan import JoinedView, JoinPlan


@dataclass(frozen=True)
class Snapshot:
    """One view's latest row per entity, indexed by key."""

    view: str
    """The view's name."""
    sha256: str
    """Hash of the Parquet file it was read from (what ``/health`` reports)."""
    frame: pl.DataFrame
    """Key, event timestamp and features: one row per entity."""
    index: Mapping[Any, int]
    """Entity key to row number in ``frame``."""

    @classmethod
    def read(cls, view: JoinedView, path: Path, sha256: str) -> Snapshot:
        """Read and verify a snapshot file.

        Raises:
            FeatureError: The file is missing, its hash differs, or it lacks a column the
                view needs.
        """
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FeatureError(f"feature snapshot of view '{view.name}' unreadable: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise FeatureError(f"feature snapshot of view '{view.name}' does not match its hash")
        frame = pl.read_parquet(data)
        return cls.of(view, frame, sha256)

    @classmethod
    def of(cls, view: JoinedView, frame: pl.DataFrame, sha256: str = "") -> Snapshot:
        """A snapshot of an in-memory frame (tests, the benchmark)."""
        needed = [view.key, view.timestamp, *view.columns]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise FeatureError(
                f"feature snapshot of view '{view.name}' lacks column(s) {', '.join(missing)}"
            )
        frame = frame.select(needed)
        keys = frame.get_column(view.key).to_list()
        return cls(view.name, sha256, frame, {k: i for i, k in enumerate(keys)})

    def rows_for(self, keys: list[Any]) -> pl.DataFrame:
        """The snapshot rows of the given keys (unknown keys have none)."""
        found = [i for k in dict.fromkeys(keys) if (i := self.index.get(k)) is not None]
        return self.frame[found] if found else self.frame.clear()


@dataclass(frozen=True)
class OnlineFeatures:
    """The served model's join plan and one snapshot per view it reads."""

    plan: JoinPlan
    """How training joined features; serving joins the same way."""
    snapshots: Mapping[str, Snapshot]
    """View name to its snapshot."""

    def enrich(
        self, rows: pl.DataFrame, now: datetime | None = None
    ) -> tuple[pl.DataFrame, list[tuple[str, ...]]]:
        """Request rows with their entities' features joined in, as training did.

        Returns:
            The rows with the feature columns, and per row the defaulted features.

        Raises:
            FeatureError: A row lacks an entity key column.
        """
        tables = {}
        for view in self.plan.views:
            if view.key not in rows.columns:
                raise FeatureError(
                    f"the request has no entity key column '{view.key}' (feature view "
                    f"'{view.name}' is looked up by it)"
                )
            keys = rows.get_column(view.key).to_list()
            tables[view.name] = self.snapshots[view.name].rows_for(keys)
        when = now or datetime.now(UTC).replace(tzinfo=None)
        return join_features(rows, tables, self.plan, now=when)
