"""Lineage: which data and which run made a model, and what became of it.

Edges are recorded as the loop runs (dataset -> run "input", run -> model_version
"trained", dataset -> validation report "validated"); :meth:`LineageRepo.walk` turns them
plus the registry tables into a tree a person can read from a model version back to the
dataset hashes and forward to approvals and aliases.
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.core.records import LineageNode
from workbench.store.db import Database, utcnow


class LineageRepo:
    """Edges between datasets, runs, reports and model versions."""

    def __init__(self, db: Database, flush: Callable[[], None] = lambda: None) -> None:
        self._db = db
        self._flush = flush

    def link(self, src: tuple[str, object], dst: tuple[str, object], relation: str) -> None:
        """Record that ``src`` fed ``dst`` (kinds: dataset, feature_view, run, report,
        model_version)."""
        self._db.execute(
            "INSERT INTO lineage_edges VALUES (?, ?, ?, ?, ?, ?)",
            [src[0], str(src[1]), dst[0], str(dst[1]), relation, utcnow()],
        )

    def upstream(self, kind: str, key: object) -> list[tuple[str, str, str]]:
        """(kind, id, relation) of everything with an edge into ``(kind, key)``."""
        rows = self._db.execute(
            "SELECT src_kind, src_id, relation FROM lineage_edges "
            "WHERE dst_kind = ? AND dst_id = ? ORDER BY src_kind, src_id",
            [kind, str(key)],
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def walk(self, version: int) -> LineageNode | None:
        """The lineage tree of a model version, or None if there is no such version."""
        model = self._db.execute(
            "SELECT version, candidate, artifact_sha256, status, run_id FROM model_versions "
            "WHERE version = ?",
            [version],
        )
        if not model:
            return None
        self._flush()  # queued metric points belong in the tree
        _, candidate, sha, status, run_id = model[0]
        children = [self._run_node(int(run_id))]
        children += self._decisions(version)
        return LineageNode(
            "model_version",
            str(version),
            f"model version {version} ({candidate}, {status}) artifact {sha[:12]}",
            tuple(children),
        )

    def _run_node(self, run_id: int) -> LineageNode:
        run = self._db.execute("SELECT pipeline, trigger, status FROM runs WHERE id = ?", [run_id])[
            0
        ]
        datasets = [
            LineageNode("dataset", r[1], f"dataset {r[0]} {r[2]} sha256 {r[1][:12]} ({r[3]} rows)")
            for r in self._db.execute(
                "SELECT d.id, d.sha256, d.name, d.rows FROM lineage_edges e "
                "JOIN datasets d ON e.src_kind = 'dataset' AND e.src_id = CAST(d.id AS VARCHAR) "
                "WHERE e.dst_kind = 'run' AND e.dst_id = ? ORDER BY d.id",
                [str(run_id)],
            )
        ]
        features = [
            LineageNode("feature_view", r[0], f"feature view {r[0].replace('@', ' code ')[:40]}")
            for (r) in self._db.execute(
                "SELECT src_id FROM lineage_edges WHERE src_kind = 'feature_view' "
                "AND dst_kind = 'run' AND dst_id = ? ORDER BY src_id",
                [str(run_id)],
            )
        ]
        tasks = [
            LineageNode("task_run", f"{run_id}/{r[0]}", f"task {r[0]}: {r[1]} ({r[2]} attempt(s))")
            for r in self._db.execute(
                "SELECT task, status, attempts FROM task_runs WHERE run_id = ? "
                "ORDER BY started_at NULLS LAST",
                [run_id],
            )
        ]
        params = [
            LineageNode("param", f"{run_id}/{k}", f"param {k} = {v}")
            for k, v in self._db.execute(
                "SELECT coalesce(task || '.', '') || key, value FROM params WHERE run_id = ? "
                "ORDER BY 1",
                [run_id],
            )
        ]
        metrics = [
            LineageNode("metric", f"{run_id}/{k}", f"metric {k} = {v:.4g}")
            for k, v in self._db.execute(
                "SELECT key, arg_max(value, step) FROM metrics WHERE run_id = ? GROUP BY key "
                "ORDER BY key",
                [run_id],
            )
        ]
        return LineageNode(
            "run",
            str(run_id),
            f"run {run_id} ({run[0]}, trigger {run[1]}, {run[2]})",
            tuple(datasets + features + tasks + params + metrics),
        )

    def _decisions(self, version: int) -> list[LineageNode]:
        nodes = [
            LineageNode(
                "approval",
                f"{version}/{r[3]}",
                f"{r[0]} by {r[1]} at {r[3]:%Y-%m-%d %H:%M:%S}" + (f": {r[2]}" if r[2] else ""),
            )
            for r in self._db.execute(
                "SELECT decision, actor, comment, decided_at FROM approvals WHERE version = ? "
                "ORDER BY decided_at",
                [version],
            )
        ]
        nodes += [
            LineageNode(
                "alias",
                f"{r[0]}/{r[1]}",
                f"alias {r[0]} from {r[1]:%Y-%m-%d %H:%M:%S}"
                + (f" to {r[2]:%Y-%m-%d %H:%M:%S}" if r[2] else " (current)")
                + f" by {r[3]}",
            )
            for r in self._db.execute(
                "SELECT alias, started_at, ended_at, actor FROM deployments WHERE version = ? "
                "ORDER BY started_at",
                [version],
            )
        ]
        return nodes
