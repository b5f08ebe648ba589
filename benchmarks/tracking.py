"""Tracking throughput and query latency of the DuckDB store.

- metric points per second through single ``log_metric`` calls and through batches;
- runs created per second, each with 10 params and 10 metrics;
- latency of the runs list and of best-run-by-metric at N runs (default 100,000).

Goals (issue 5) against MLflow 3.17 with its default sqlite store on this machine kind:
80 single calls/s, 2,300 metrics/s in batches of 1,000, 17 runs/s, and 260 ms to list
200 runs: at least 100x, 20x, 20x, and under 50 ms at 100,000 runs. Prints one JSON
object with medians of --repeat runs.

With ``--indexes`` it also fills a store of N runs with 10 params, 10 metrics, a tag and
two lineage edges per run, and times the lookups the UIs make (a run's detail, the runs
list filtered by status, trigger, time and tag, lineage both ways) with the current schema
and with the 13 secondary indexes Workbench had before migration 9 put back: the figures
that decided which indexes stay. Write throughput is compared by running the script on
both versions.

    python benchmarks/tracking.py [--repeat 3] [--runs 100000] [--indexes]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from workbench.store import Store

MLFLOW = {"single_per_s": 80, "batch_per_s": 2300, "runs_per_s": 17, "list_ms": 260}


def _store(folder: Path) -> Store:
    return Store(folder / "bench.duckdb", folder / "artifacts")


def single_calls(folder: Path, n: int = 20_000) -> float:
    """Metric points per second through one log_metric call each (flush included)."""
    with _store(folder) as store:
        run = store.runs.create("bench", "manual")
        start = time.perf_counter()
        for step in range(n):
            store.runs.log_metric(run.id, "loss", 1.0 / (step + 1), step)
        store.runs.flush()
        return n / (time.perf_counter() - start)


def batches(folder: Path, n_batches: int = 50, size: int = 1000) -> float:
    """Metric points per second in batches of ``size``."""
    with _store(folder) as store:
        run = store.runs.create("bench", "manual")
        start = time.perf_counter()
        for b in range(n_batches):
            store.runs.log_metrics(run.id, [("acc", 0.5, b * size + i) for i in range(size)])
            store.runs.flush()
        return n_batches * size / (time.perf_counter() - start)


def run_creation(folder: Path, n: int = 300) -> float:
    """Runs per second, each with 10 params and 10 metrics, committed."""
    params = {f"p{i}": i for i in range(10)}
    with _store(folder) as store:
        start = time.perf_counter()
        for _ in range(n):
            run = store.runs.create("bench", "manual")
            store.runs.log_params(run.id, params)
            store.runs.log_metrics(run.id, [(f"m{i}", 0.1 * i, 0) for i in range(10)])
        store.runs.flush()
        return n / (time.perf_counter() - start)


def queries(folder: Path, n_runs: int, repeat: int) -> dict[str, float]:
    """Median ms of the runs list (newest 50) and best-by-metric at ``n_runs`` runs."""
    with _store(folder) as store:
        base = datetime(2026, 1, 1)
        store.db.insert_rows(
            "runs",
            ("id", "pipeline", "trigger", "status", "created_at"),
            [
                (i, "tabular", "file", "success", base + timedelta(seconds=i))
                for i in range(1, n_runs + 1)
            ],
        )
        store.db.insert_rows(
            "metrics",
            ("run_id", "task", "key", "value", "step", "ts"),
            [(i, None, "roc_auc", (i * 7919 % 1000) / 1000, 0, base) for i in range(1, n_runs + 1)],
        )
        listing, best = [], []
        for _ in range(repeat * 5):
            start = time.perf_counter()
            store.runs.list(limit=50)
            listing.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            store.runs.best("roc_auc", "max", limit=10)
            best.append((time.perf_counter() - start) * 1000)
        return {
            "runs_list_ms": round(statistics.median(listing), 2),
            "best_by_metric_ms": round(statistics.median(best), 2),
        }


ALL_INDEXES = {
    "runs_status": "runs(status)",
    "runs_trigger": "runs(trigger)",
    "runs_created": "runs(created_at)",
    "params_run": "params(run_id)",
    "metrics_run": "metrics(run_id)",
    "metrics_key": "metrics(key)",
    "lineage_dst": "lineage_edges(dst_kind, dst_id)",
    "lineage_src": "lineage_edges(src_kind, src_id)",
    "model_versions_run": "model_versions(run_id)",
    "run_datasets_dataset": "run_datasets(dataset_id)",
    "predictions_ts": "predictions(ts)",
    "task_cache_task": "task_cache(task)",
    "tags_key": "tags(key, value)",
}
"""The secondary indexes before migration 9, by name (``--indexes`` puts them back)."""


def _fill(store: Store, n_runs: int) -> None:
    """``n_runs`` runs, 10 params and 10 metrics each, a tag, two lineage edges."""
    base = datetime(2026, 1, 1)
    statuses = ("success", "success", "success", "failed", "cancelled")
    triggers = ("file", "file", "manual", "drift", "code")
    ids = range(1, n_runs + 1)
    store.db.insert_rows(
        "runs",
        ("id", "pipeline", "trigger", "status", "created_at"),
        [
            (i, "tabular", triggers[i % 5], statuses[i % 5], base + timedelta(seconds=i))
            for i in ids
        ],
    )
    store.db.insert_rows(
        "params",
        ("run_id", "task", "key", "value"),
        [(i, None, f"p{k}", str(i % 7)) for i in ids for k in range(10)],
    )
    store.db.insert_rows(
        "metrics",
        ("run_id", "task", "key", "value", "step", "ts"),
        [(i, None, f"m{k}", (i * 7919 % 1000) / 1000, 0, base) for i in ids for k in range(10)],
    )
    store.db.insert_rows(
        "tags", ("run_id", "task", "key", "value"), [(i, "", "stage", f"s{i % 50}") for i in ids]
    )
    store.db.insert_rows(
        "lineage_edges",
        ("src_kind", "src_id", "dst_kind", "dst_id", "relation", "created_at"),
        [("dataset", str(i // 3 + 1), "run", str(i), "trained_on", base) for i in ids]
        + [("run", str(i), "model_version", str(i), "produced", base) for i in ids],
    )


def _probes(store: Store, n_runs: int) -> dict[str, Callable[[int], object]]:
    """The UIs' lookups on ``store``, each given a run id."""
    since = datetime(2026, 1, 1) + timedelta(seconds=n_runs - 500)
    return {
        "run_detail_ms": lambda i: (store.runs.metrics(i), store.runs.params(i)),
        "list_failed_ms": lambda i: store.runs.list(status="failed", limit=50),
        "list_drift_ms": lambda i: store.runs.list(trigger="drift", limit=50),
        "list_since_ms": lambda i: store.runs.list(since=since, limit=50),
        "list_tag_ms": lambda i: store.runs.list(tag=("stage", f"s{i % 50}"), limit=50),
        "lineage_upstream_ms": lambda i: store.lineage.upstream("run", i),
        "lineage_downstream_ms": lambda i: store.db.execute(
            "SELECT dst_kind, dst_id FROM lineage_edges WHERE src_kind = ? AND src_id = ?",
            ["run", str(i)],
        ),
    }


def lookups(folder: Path, n_runs: int, repeat: int) -> dict[str, dict[str, float]]:
    """Median ms of the UIs' lookups at ``n_runs`` runs: current schema vs every old index.

    Both stores are filled alike (the old indexes maintained while filling, as in real
    use) and probed in turn, first one then the other, so load falls on both alike.
    """
    (folder / "now").mkdir()
    (folder / "all").mkdir()
    with _store(folder / "now") as now, _store(folder / "all") as every:
        for name, target in ALL_INDEXES.items():  # kept up while filling, as in real use
            every.db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        for store in (now, every):
            _fill(store, n_runs)
        sides = {"current_schema": _probes(now, n_runs), "all_13_indexes": _probes(every, n_runs)}
        times = {side: {name: [] for name in probes} for side, probes in sides.items()}
        for k in range(repeat * 30):
            run_id = 1 + (k * 48_271) % n_runs
            order = list(sides.items()) if k % 2 else list(sides.items())[::-1]
            for side, probes in order:
                for name, probe in probes.items():
                    start = time.perf_counter()
                    probe(run_id)
                    times[side][name].append((time.perf_counter() - start) * 1000)
        return {
            side: {name: round(statistics.median(v), 2) for name, v in figures.items()}
            for side, figures in times.items()
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument(
        "--indexes", action="store_true", help="also time lookups with and without old indexes"
    )
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"single_per_s": [], "batch_per_s": [], "runs_per_s": []}
    for _ in range(args.repeat):
        for name, fn in (
            ("single_per_s", single_calls),
            ("batch_per_s", batches),
            ("runs_per_s", run_creation),
        ):
            with tempfile.TemporaryDirectory() as tmp:
                figures[name].append(fn(Path(tmp)))
    with tempfile.TemporaryDirectory() as tmp:
        latency = queries(Path(tmp), args.runs, args.repeat)
    medians = {k: round(statistics.median(v), 1) for k, v in figures.items()}
    indexes: dict[str, dict[str, float]] = {}
    if args.indexes:
        with tempfile.TemporaryDirectory() as tmp:
            indexes = lookups(Path(tmp), args.runs, args.repeat)
    print(
        json.dumps(
            {
                "benchmark": "tracking",
                "repeat": args.repeat,
                **medians,
                **latency,
                "runs_in_store": args.runs,
                **({"lookups": indexes} if indexes else {}),
                "vs_mlflow": {k: round(medians[k] / MLFLOW[k], 1) for k in medians},
                "goals": {"single_x": 100, "batch_x": 20, "runs_x": 20, "query_ms": 50},
                "machine": f"{platform.machine()} {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
