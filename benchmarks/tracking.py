"""Tracking throughput and query latency of the DuckDB store.

- metric points per second through single ``log_metric`` calls and through batches;
- runs created per second, each with 10 params and 10 metrics;
- latency of the runs list and of best-run-by-metric at N runs (default 100,000).

Goals (issue 5) against MLflow 3.17 with its default sqlite store on this machine kind:
80 single calls/s, 2,300 metrics/s in batches of 1,000, 17 runs/s, and 260 ms to list
200 runs: at least 100x, 20x, 20x, and under 50 ms at 100,000 runs. Prints one JSON
object with medians of --repeat runs.

    python benchmarks/tracking.py [--repeat 3] [--runs 100000]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=100_000)
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
    print(
        json.dumps(
            {
                "benchmark": "tracking",
                "repeat": args.repeat,
                **medians,
                **latency,
                "runs_in_store": args.runs,
                "vs_mlflow": {k: round(medians[k] / MLFLOW[k], 1) for k in medians},
                "goals": {"single_x": 100, "batch_x": 20, "runs_x": 20, "query_ms": 50},
                "machine": f"{platform.machine()} {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
