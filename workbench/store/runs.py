"""Runs, task runs, params and metrics (the tracking store).

Like MLflow's tracking store, single-point logging delegates to the batch path, so a
task that logs many points pays for one write per batch, not one per point.
"""

from __future__ import annotations

import builtins
import json
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from workbench.core.records import MetricRecord, RunRecord, TaskRunRecord
from workbench.core.vocabulary import RunState, TaskState
from workbench.store.db import Database, as_utc, loads, naive_utc, utcnow

HEARTBEAT_SECONDS = 5.0


_TASK_COLUMNS = (
    "run_id",
    "task",
    "status",
    "attempts",
    "started_at",
    "finished_at",
    "duration_s",
    "error",
    "cached_from",
    "worker",
)
_RUN = "id, pipeline, trigger, status, created_at, started_at, finished_at, error"
_RUN_INSERT = (
    "id",
    "pipeline",
    "trigger",
    "status",
    "created_at",
    "config_hash",
    "code_hash",
    "repro",
)


class RunRepo:
    """Pipeline runs and everything logged in them."""

    def __init__(self, db: Database, flush_at: int = 1000) -> None:
        self._db = db
        self._flush_at = flush_at
        self._pending: builtins.list[tuple[int, str | None, str, float, int, datetime]] = []
        self._pending_params: builtins.list[tuple[int, str | None, str, str]] = []
        self._pending_tasks: dict[tuple[int, str], tuple[Any, ...]] = {}
        self._pending_runs: builtins.list[tuple[Any, ...]] = []
        self._pending_inputs: builtins.list[tuple[int, int]] = []
        self._next_id: int | None = None
        self._pending_lock = threading.Lock()
        self._beats: dict[int, float] = {}

    def create(
        self,
        pipeline: str,
        trigger: str,
        dataset_ids: Sequence[int] = (),
        config_hash: str | None = None,
        code_hash: str | None = None,
        repro: dict[str, Any] | None = None,
    ) -> RunRecord:
        """Queue a run over ``dataset_ids`` (recorded as its input lineage).

        ``repro`` is the reproducibility record (data hashes, code and config hashes,
        versions, seeds) that ``workbench reproduce`` replays.

        The row is written with the next flush (every read flushes first, and so does
        every change to the run), not committed on its own: a DuckDB commit costs
        milliseconds, and a client creating runs in a loop should pay one per batch.
        Ids are handed out here: this process is the store's only writer.
        """
        created = utcnow()
        with self._pending_lock:  # written with the next flush, before anything refers to it
            if self._next_id is None:
                self._next_id = int(self._db.scalar("SELECT coalesce(max(id), 0) FROM runs")) + 1
            run_id, self._next_id = self._next_id, self._next_id + 1
            self._pending_runs.append(
                (
                    run_id,
                    pipeline,
                    trigger,
                    RunState.QUEUED,
                    created,
                    config_hash,
                    code_hash,
                    json.dumps(repro) if repro is not None else None,
                )
            )
            self._pending_inputs.extend((run_id, d) for d in dataset_ids)
        return RunRecord(
            id=run_id,
            pipeline=pipeline,
            trigger=trigger,
            status=RunState.QUEUED,
            created_at=as_utc(created),  # type: ignore[arg-type]
            started_at=None,
            finished_at=None,
            error=None,
            dataset_ids=tuple(sorted(dataset_ids)),
        )

    def set_repro(self, run_id: int, repro: dict[str, Any]) -> None:
        """Attach the reproducibility record once the pipeline's code hash is known."""
        self.flush()  # the run may still be queued
        self._db.execute(
            "UPDATE runs SET repro = ?, code_hash = ? WHERE id = ?",
            [json.dumps(repro, default=str), repro.get("code_hash"), run_id],
        )

    def repro(self, run_id: int) -> dict[str, Any] | None:
        """The reproducibility record of a run."""
        self.flush()  # the run may still be queued
        record: dict[str, Any] | None = loads(
            self._db.scalar("SELECT repro FROM runs WHERE id = ?", [run_id])
        )
        return record

    def best(
        self, metric: str, direction: str = "max", limit: int = 10
    ) -> builtins.list[tuple[int, float]]:
        """(run id, value) of the runs with the best latest value of ``metric``."""
        self.flush()
        order = "DESC" if direction == "max" else "ASC"
        rows = self._db.execute(
            "SELECT run_id, arg_max(value, step) AS v FROM metrics WHERE key = ? "
            f"GROUP BY run_id ORDER BY v {order} LIMIT ?",
            [metric, limit],
        )
        return [(int(r[0]), float(r[1])) for r in rows]

    def start(self, run_id: int) -> None:
        """Mark the run running (its first task is about to start)."""
        self.flush()  # the run may still be queued
        now = utcnow()
        self._db.execute(
            "UPDATE runs SET status = ?, started_at = ?, heartbeat_at = ? WHERE id = ?",
            [RunState.RUNNING, now, now, run_id],
        )

    def heartbeat(self, run_id: int) -> None:
        """Say the run is alive (at most every few seconds: it is a commit)."""
        now = time.monotonic()
        if now - self._beats.get(run_id, 0.0) < HEARTBEAT_SECONDS:
            return
        self._beats[run_id] = now
        self.flush()  # the run may still be queued
        self._db.execute("UPDATE runs SET heartbeat_at = ? WHERE id = ?", [utcnow(), run_id])

    def finish(self, run_id: int, status: RunState, error: str | None = None) -> None:
        """Record how the run ended."""
        self.flush()  # the run may still be queued
        self._db.execute(
            "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
            [status, utcnow(), error, run_id],
        )

    def get(self, run_id: int) -> RunRecord | None:
        """One run with its input datasets."""
        self.flush()  # the run may still be queued
        rows = self._db.execute(f"SELECT {_RUN} FROM runs WHERE id = ?", [run_id])
        return self._records(rows)[0] if rows else None

    def list(
        self,
        status: str | None = None,
        trigger: str | None = None,
        limit: int = 100,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        tag: tuple[str, str] | None = None,
    ) -> builtins.list[RunRecord]:
        """Newest first, filtered by status, trigger, creation time and a run tag.

        Args:
            status: Only runs in this status.
            trigger: Only runs started this way (``file``, ``manual``, ``code``, ...).
            limit: At most this many.
            since: Only runs created at or after this time.
            until: Only runs created before this time.
            tag: ``(key, value)``: only runs tagged so (the run's own tags).
        """
        self.flush()  # the run may still be queued
        clauses: builtins.list[str] = []
        params: builtins.list[object] = []
        for column, value in (("status", status), ("trigger", trigger)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(naive_utc(since))
        if until is not None:
            clauses.append("created_at < ?")
            params.append(naive_utc(until))
        if tag is not None:
            clauses.append(
                "id IN (SELECT run_id FROM tags WHERE task = '' AND key = ? AND value = ?)"
            )
            params.extend(tag)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._db.execute(
            f"SELECT {_RUN} FROM runs {where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
        return self._records(rows)

    def count(self) -> int:
        """How many runs there are (a count, not a listing: the dashboard asks at start-up)."""
        self.flush()  # the run may still be queued
        return int(self._db.scalar("SELECT count(*) FROM runs"))

    def _records(self, rows: builtins.list[tuple[Any, ...]]) -> builtins.list[RunRecord]:
        if not rows:
            return []
        ids = [r[0] for r in rows]
        links = self._db.execute(
            "SELECT run_id, dataset_id FROM run_datasets WHERE run_id IN "
            f"({', '.join('?' * len(ids))}) ORDER BY dataset_id",
            ids,
        )
        inputs: dict[int, builtins.list[int]] = {}
        for run_id, dataset_id in links:
            inputs.setdefault(run_id, []).append(dataset_id)
        return [
            RunRecord(
                id=r[0],
                pipeline=r[1],
                trigger=r[2],
                status=RunState(r[3]),
                created_at=as_utc(r[4]),  # type: ignore[arg-type]
                started_at=as_utc(r[5]),
                finished_at=as_utc(r[6]),
                error=r[7],
                dataset_ids=tuple(inputs.get(r[0], ())),
            )
            for r in rows
        ]

    def record_task(
        self,
        run_id: int,
        task: str,
        status: TaskState,
        attempts: int,
        started_at: datetime | None,
        finished_at: datetime | None,
        duration_s: float | None,
        error: str | None,
        cached_from: int | None = None,
        worker: str | None = None,
    ) -> None:
        """Insert or update one task run (queued; written with the next flush).

        ``worker`` says where its attempts ran on a Dask executor, in attempt order.
        """
        naive = [naive_utc(t) if t else None for t in (started_at, finished_at)]
        with self._pending_lock:
            self._pending_tasks[(run_id, task)] = (
                run_id,
                task,
                status,
                attempts,
                *naive,
                duration_s,
                error,
                cached_from,
                worker,
            )

    def tasks(self, run_id: int) -> builtins.list[TaskRunRecord]:
        """The run's task runs in start order."""
        self.flush()
        rows = self._db.execute(
            f"SELECT {', '.join(_TASK_COLUMNS)} "
            "FROM task_runs WHERE run_id = ? ORDER BY started_at NULLS LAST, task",
            [run_id],
        )
        return [
            TaskRunRecord(
                r[0],
                r[1],
                TaskState(r[2]),
                r[3],
                as_utc(r[4]),
                as_utc(r[5]),
                r[6],
                r[7],
                r[8],
                r[9],
            )
            for r in rows
        ]

    def log_params(self, run_id: int, params: dict[str, Any], task: str | None = None) -> None:
        """Record parameters (values kept as text, as MLflow does); written with metrics."""
        with self._pending_lock:
            self._pending_params.extend((run_id, task, k, str(v)) for k, v in params.items())

    def params(self, run_id: int) -> dict[str, str]:
        """The run's parameters; task-level ones are prefixed ``task.``."""
        self.flush()
        rows = self._db.execute(
            "SELECT task, key, value FROM params WHERE run_id = ? ORDER BY task, key", [run_id]
        )
        return {(f"{t}.{k}" if t else k): v for t, k, v in rows}

    def log_metric(
        self, run_id: int, key: str, value: float, step: int = 0, task: str | None = None
    ) -> None:
        """One metric point (delegates to :meth:`log_metrics`)."""
        self.log_metrics(run_id, [(key, value, step)], task)

    def log_metrics(
        self, run_id: int, points: Iterable[tuple[str, float, int]], task: str | None = None
    ) -> None:
        """Queue metric points; they are written in batches of ``flush_at`` (or on flush).

        Reads flush first, so a caller always sees what it logged; a crash loses at
        most the points of the current batch, never a committed one.
        """
        now = utcnow()
        with self._pending_lock:
            self._pending.extend((run_id, task, k, float(v), int(s), now) for k, v, s in points)
            full = len(self._pending) >= self._flush_at
        if full:
            self.flush()

    def flush(self) -> None:
        """Write every queued param and metric point now (one Arrow insert each).

        Runs under the queue's lock so a reader that flushes sees every earlier write.
        """
        with self._pending_lock:  # a failed write (disk full) leaves its rows queued
            if self._pending_runs:  # first: everything else refers to the runs
                self._db.insert_rows("runs", _RUN_INSERT, self._pending_runs)
                self._pending_runs = []
            if self._pending_inputs:
                self._db.insert_rows("run_datasets", ("run_id", "dataset_id"), self._pending_inputs)
                self._pending_inputs = []
            if self._pending_params:
                self._db.insert_rows(
                    "params", ("run_id", "task", "key", "value"), self._pending_params
                )
                self._pending_params = []
            if self._pending_tasks:
                rows = list(self._pending_tasks.values())
                self._db.insert_rows("task_runs", _TASK_COLUMNS, rows, replace=True)
                self._pending_tasks = {}
            if self._pending:
                self._db.insert_rows(
                    "metrics", ("run_id", "task", "key", "value", "step", "ts"), self._pending
                )
                self._pending = []

    def metrics(self, run_id: int) -> dict[str, float]:
        """The latest value of each metric in the run."""
        self.flush()
        rows = self._db.execute(
            "SELECT key, arg_max(value, step) FROM metrics WHERE run_id = ? GROUP BY key "
            "ORDER BY key",
            [run_id],
        )
        return {k: v for k, v in rows}

    def metric_history(self, run_id: int, key: str) -> builtins.list[MetricRecord]:
        """Every point of one metric, by step (for learning curves)."""
        self.flush()
        rows = self._db.execute(
            "SELECT run_id, task, key, value, step, ts FROM metrics "
            "WHERE run_id = ? AND key = ? ORDER BY step, ts",
            [run_id, key],
        )
        return [MetricRecord(r[0], r[1], r[2], r[3], r[4], as_utc(r[5])) for r in rows]  # type: ignore[arg-type]

    def set_tags(self, run_id: int, tags: dict[str, str], task: str | None = None) -> None:
        """Label the run (or one of its task runs); a key set again keeps the new value."""
        self.flush()  # the run may still be queued
        rows = [(run_id, task or "", str(k), str(v)) for k, v in tags.items()]
        self._db.insert_rows("tags", ("run_id", "task", "key", "value"), rows, replace=True)

    def tags(self, run_id: int) -> dict[str, dict[str, str]]:
        """Tags by task run (``""`` holds the run's own), each ``{key: value}``."""
        self.flush()  # the run may still be queued
        out: dict[str, dict[str, str]] = {}
        for task, key, value in self._db.execute(
            "SELECT task, key, value FROM tags WHERE run_id = ? ORDER BY task, key", [run_id]
        ):
            out.setdefault(task, {})[key] = value
        return out

    def copy_task_tracking(self, source_run: int, task: str, target_run: int) -> int:
        """Copy what ``task`` logged in ``source_run`` (params, metric points) into ``target_run``.

        A task served from the cache did not run, so it logged nothing; copying what it
        logged when it did run keeps the new run's params, metrics and tags complete. Metric
        points keep their steps and timestamps. Returns the number of rows copied.
        """
        self.flush()
        with self._db.transaction():
            params = self._db.execute(
                "INSERT INTO params SELECT ?, task, key, value FROM params "
                "WHERE run_id = ? AND task = ?",
                [target_run, source_run, task],
            )
            points = self._db.execute(
                "INSERT INTO metrics SELECT ?, task, key, value, step, ts FROM metrics "
                "WHERE run_id = ? AND task = ?",
                [target_run, source_run, task],
            )
            tags = self._db.execute(
                "INSERT OR REPLACE INTO tags SELECT ?, task, key, value FROM tags "
                "WHERE run_id = ? AND task = ?",
                [target_run, source_run, task],
            )
        return int(params[0][0]) + int(points[0][0]) + int(tags[0][0])

    def link_artifact(self, run_id: int, name: str, sha256: str, task: str | None = None) -> None:
        """Say the run (or one of its tasks) produced an artifact."""
        self.flush()  # the run may still be queued
        self._db.execute(
            "INSERT INTO run_artifacts VALUES (?, ?, ?, ?)", [run_id, task, name, sha256]
        )

    def artifacts(self, run_id: int) -> builtins.list[tuple[str | None, str, str]]:
        """(task, name, sha256) of each artifact the run produced."""
        self.flush()  # the run may still be queued
        return [
            (r[0], r[1], r[2])
            for r in self._db.execute(
                "SELECT task, name, sha256 FROM run_artifacts WHERE run_id = ? ORDER BY name",
                [run_id],
            )
        ]
