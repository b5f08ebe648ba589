"""Seconds from `workbench run` on the sample data to a registered candidate, by task.

Floor: the same work done bare in one process (polars read, the same three candidates
fitted in parallel threads, scored on the same split) with no store, DAG or events.
Prints one JSON object; quote medians, the machine is shared and noisy.

    python benchmarks/end_to_end.py [--repeat 3] [--rows 25000]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine
from workbench.training import (
    detect_task,
    evaluate,
    fit_candidate,
    plan_features,
    split_frame,
)

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "transactions_2026_01.csv"
TARGET = "is_fraud"
CANDIDATES = ("logistic_regression", "random_forest", "hist_gradient_boosting")


def workbench_once(data: Path) -> tuple[float, dict[str, float]]:
    """One full ingest + run in a fresh workspace; total seconds and seconds per task."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = with_overrides(WorkbenchConfig(), "gate", threshold=0.5)
        ws = init_workspace(Path(tmp) / "ws", target=TARGET, config=settings)
        start = time.perf_counter()
        with Engine(ws) as engine:
            outcome = engine.ingest(data, move=False)
            assert outcome.dataset is not None, outcome.message
            ingest_s = time.perf_counter() - start
            run = engine.run([outcome.dataset.id])
            total = time.perf_counter() - start
            assert run.status == "success", run.error
            tasks = {t.task: t.duration_s or 0.0 for t in engine.store.runs.tasks(run.id)}
        tasks["ingest"] = ingest_s
        return total, tasks


def floor_once(data: Path) -> float:
    """The same training done bare: the floor the engine is compared against."""
    start = time.perf_counter()
    frame = pl.read_csv(data, try_parse_dates=True)
    task = detect_task(frame[TARGET])
    train, test = split_frame(frame, TARGET, task, 0.2, 0)
    plan = plan_features(train, TARGET)

    def fit(name: str) -> dict[str, float]:
        model = fit_candidate(name, task, plan, train, TARGET, {}, 0)
        return evaluate(model.estimator, test, TARGET, task)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(fit, CANDIDATES))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=25_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "sample.csv"
        pl.read_csv(SAMPLE, n_rows=args.rows).write_csv(data)
        totals, per_task, floors = [], [], []
        for _ in range(args.repeat):
            total, tasks = workbench_once(data)
            totals.append(total)
            per_task.append(tasks)
            floors.append(floor_once(data))
    names = sorted({k for t in per_task for k in t})
    median = statistics.median(totals)
    floor = statistics.median(floors)
    print(
        json.dumps(
            {
                "benchmark": "end_to_end",
                "rows": args.rows,
                "repeat": args.repeat,
                "workbench_seconds_median": round(median, 3),
                "floor_seconds_median": round(floor, 3),
                "ratio": round(median / floor, 3),
                "task_seconds_median": {
                    n: round(statistics.median(t.get(n, 0.0) for t in per_task), 3) for n in names
                },
                "machine": f"{platform.machine()} {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
