"""Seconds from `workbench run` on the sample data to a registered candidate, by task,
and the cost of honest selection.

Floor: the same work done bare in one process (polars read, the same three candidates
fitted in parallel threads) with no store, DAG or events, for two protocols: the old one
(fit on the training rows, pick and report on the test rows) and holdout (fit on the
rest, pick on validation, refit the winner on train + validation, test it once), so the
difference is what honest selection costs without engine noise. Workbench itself runs
with ``train.selection = "holdout"`` (the default) and ``"cv"`` (5 folds).
Prints one JSON object; quote medians, the machine is shared and noisy.

    python benchmarks/end_to_end.py [--repeat 3] [--rows 25000] [--no-cv]
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


def workbench_once(data: Path, **train: object) -> tuple[float, dict[str, float]]:
    """One full ingest + run in a fresh workspace; total seconds and seconds per task."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = with_overrides(WorkbenchConfig(), "train", **train)
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


def floor_once(data: Path, protocol: str = "old") -> float:
    """The same training done bare: the floor the engine is compared against.

    ``old``: candidates fit on the training rows and are scored (and picked) on the test
    rows. ``holdout``: candidates fit on 80% of the training rows and are picked on the
    other 20%; the winner is refitted on all training rows and scored once on the test.
    """
    start = time.perf_counter()
    frame = pl.read_csv(data, try_parse_dates=True)
    task = detect_task(frame[TARGET])
    develop, test = split_frame(frame, TARGET, task, 0.2, 0)
    train, valid = (develop, test) if protocol == "old" else split_frame(develop, TARGET, task)
    plan = plan_features(develop, TARGET)

    def fit(name: str) -> tuple[float, str]:
        model = fit_candidate(name, task, plan, train, TARGET, {}, 0)
        return evaluate(model.estimator, valid, TARGET, task)["roc_auc"], name

    with ThreadPoolExecutor(2) as pool:
        _, best = max(pool.map(fit, CANDIDATES))
    if protocol == "holdout":
        winner = fit_candidate(best, task, plan, develop, TARGET, {}, 0)
        evaluate(winner.estimator, test, TARGET, task)
    return time.perf_counter() - start


def _median_tasks(per_task: list[dict[str, float]]) -> dict[str, float]:
    names = sorted({k for t in per_task for k in t})
    return {n: round(statistics.median(t.get(n, 0.0) for t in per_task), 3) for n in names}


def _selection(per_task: list[dict[str, float]], totals: list[float]) -> dict[str, float]:
    """Where a mode's time goes: candidates (sum of train_* tasks), refit, test, total."""
    return {
        "total_seconds_median": round(statistics.median(totals), 3),
        "candidates_seconds_median": round(
            statistics.median(
                sum(v for k, v in t.items() if k.startswith("train_")) for t in per_task
            ),
            3,
        ),
        "refit_seconds_median": round(statistics.median(t.get("refit", 0.0) for t in per_task), 3),
        "test_seconds_median": round(statistics.median(t.get("test", 0.0) for t in per_task), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=25_000)
    parser.add_argument("--no-cv", action="store_true", help="skip the 5-fold cv runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "sample.csv"
        pl.read_csv(SAMPLE, n_rows=args.rows).write_csv(data)
        totals, per_task, floors, holdout_floors = [], [], [], []
        cv_totals, cv_tasks = [], []
        for _ in range(args.repeat):
            total, tasks = workbench_once(data)
            totals.append(total)
            per_task.append(tasks)
            floors.append(floor_once(data, "old"))
            holdout_floors.append(floor_once(data, "holdout"))
            if not args.no_cv:
                total, tasks = workbench_once(data, selection="cv", cv_folds=5)
                cv_totals.append(total)
                cv_tasks.append(tasks)
    median = statistics.median(totals)
    floor = statistics.median(floors)
    honest_floor = statistics.median(holdout_floors)
    selection = {"holdout": _selection(per_task, totals)}
    if cv_totals:
        selection["cv5"] = _selection(cv_tasks, cv_totals)
    print(
        json.dumps(
            {
                "benchmark": "end_to_end",
                "rows": args.rows,
                "repeat": args.repeat,
                "workbench_seconds_median": round(median, 3),
                "floor_seconds_median": round(floor, 3),
                "ratio": round(median / floor, 3),
                "task_seconds_median": _median_tasks(per_task),
                "selection": selection,
                "floor_old_protocol_seconds_median": round(floor, 3),
                "floor_holdout_protocol_seconds_median": round(honest_floor, 3),
                "honest_selection_cost_ratio": round(honest_floor / floor, 3),
                "machine": f"{platform.machine()} {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
