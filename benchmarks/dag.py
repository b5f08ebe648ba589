"""Benchmark: per-task scheduling overhead of the DAG engine against a bare runner.

Two shapes of 1,000 no-op tasks:

* ``layers``: 10 layers x 100; task ``i`` of a layer depends on tasks ``i`` and
  ``i + 1 (mod 100)`` of the layer before, and takes both results as parameters;
* ``chain``: 1,000 tasks, each taking the result of the one before.

Per shape, the runs are interleaved (so a busy machine slows all alike) and each figure
is the median of ``--repeat`` runs:

* ``bare``: a topological runner on ``concurrent.futures.ThreadPoolExecutor`` written
  here (done-callbacks submit the tasks whose upstreams finished): the floor;
* ``workbench``: ``ThreadExecutor(max_workers).run(pipeline)`` with no hooks;
* ``workbench_recorded``: the same with hooks whose ``on_task_end`` writes every task run
  to a real :class:`workbench.store.Store` (one ``record_task`` each, as the engine does);
  the benchmark checks that all 1,000 rows are there after each run;
* ``dask`` (with ``--dask``): ``DaskExecutor`` on an in-process ``LocalCluster``, for
  information only (no goal: a Dask task costs milliseconds, not microseconds).

``ratio`` is workbench / bare and ``ratio_recorded`` workbench_recorded / bare; the goal
is <= 3. ``store_only_s`` is 1,000 ``record_task`` calls with no DAG, to tell the cost of
the store from the cost of the scheduler. One JSON object is printed.

    python benchmarks/dag.py [--repeat 5] [--workers 4] [--dask]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from workbench.dag import Executor, Pipeline, RunHooks, TaskOutcome, ThreadExecutor, task
from workbench.store import Store

Shape = dict[str, tuple[str, ...]]
"""Task name -> names of its upstream tasks, in a topological order."""


def layers_shape(layers: int = 10, width: int = 100) -> Shape:
    """``layers`` x ``width`` tasks, each depending on two tasks of the layer before."""
    shape: Shape = {}
    for layer in range(layers):
        for i in range(width):
            ups = () if layer == 0 else (f"t{layer - 1}_{i}", f"t{layer - 1}_{(i + 1) % width}")
            shape[f"t{layer}_{i}"] = ups
    return shape


def chain_shape(length: int = 1000) -> Shape:
    """``length`` tasks in a line."""
    return {f"t{i}": ((f"t{i - 1}",) if i else ()) for i in range(length)}


def noop_function(params: tuple[str, ...]) -> Callable[..., None]:
    """A do-nothing function whose keyword parameters are named ``params``."""

    def noop(**upstream: Any) -> None:
        return None

    noop.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY) for p in params]
    )
    return noop


def build_pipeline(name: str, shape: Shape) -> Pipeline:
    """The shape as a pipeline: one ``up >> down`` flow per edge, merged once."""
    tasks = {n: task(noop_function(ups), name=n) for n, ups in shape.items()}
    parts = [tasks[up] >> tasks[down] for down, ups in shape.items() for up in ups]
    lone = [tasks[n] for n, ups in shape.items() if not ups]
    return Pipeline(name, *parts, *lone)


def bare_run(shape: Shape, functions: Mapping[str, Callable[..., Any]], workers: int) -> None:
    """Run ``shape`` on a ThreadPoolExecutor: the least a threaded DAG runner must do."""
    downstream: dict[str, list[str]] = {n: [] for n in shape}
    for name, ups in shape.items():
        for up in ups:
            downstream[up].append(name)
    remaining = {n: len(ups) for n, ups in shape.items()}
    values: dict[str, Any] = {}
    left = [len(shape)]
    lock = threading.Lock()
    finished = threading.Event()
    errors: list[BaseException] = []

    with ThreadPoolExecutor(max_workers=workers) as pool:

        def launch(name: str) -> None:
            kwargs = {up: values[up] for up in shape[name]}
            pool.submit(functions[name], **kwargs).add_done_callback(partial(done, name))

        def done(name: str, future: Future[Any]) -> None:
            try:
                value = future.result()
            except BaseException as exc:
                errors.append(exc)
                finished.set()
                return
            ready = []
            with lock:
                values[name] = value
                left[0] -= 1
                for down in downstream[name]:
                    remaining[down] -= 1
                    if remaining[down] == 0:
                        ready.append(down)
                if left[0] == 0:
                    finished.set()
            for down in ready:
                launch(down)

        for name, ups in shape.items():
            if not ups:
                launch(name)
        if not finished.wait(timeout=600):
            raise RuntimeError("the bare runner did not finish in 10 minutes")
    if errors:
        raise errors[0]


class StoreHooks(RunHooks):
    """Writes every task run to the store as it ends, as the engine's hooks do."""

    def __init__(self, store: Store, run_id: int) -> None:
        self.store = store
        self.run_id = run_id

    def on_task_end(self, run_id: str, outcome: TaskOutcome) -> None:
        self.store.runs.record_task(
            self.run_id,
            outcome.task,
            outcome.status.value,
            outcome.attempts,
            outcome.started_at,
            outcome.finished_at,
            outcome.duration_s,
            outcome.error,
        )


def engine_run(executor: Executor, pipeline: Pipeline, hooks: RunHooks | None = None) -> None:
    outcome = executor.run(pipeline, run_id="bench", hooks=hooks)
    if outcome.status != "success":
        raise RuntimeError(f"benchmark run ended {outcome.status}: {outcome.tasks}")


def recorded_run(executor: Executor, pipeline: Pipeline, store: Store) -> float:
    """Seconds for one run that records every task; checks that every row landed."""
    run = store.runs.create(pipeline.name, "manual")
    started = time.perf_counter()
    engine_run(executor, pipeline, StoreHooks(store, run.id))
    elapsed = time.perf_counter() - started
    recorded = len(store.runs.tasks(run.id))
    if recorded != len(pipeline):
        raise RuntimeError(f"{recorded} task runs recorded, expected {len(pipeline)}")
    return elapsed


def store_only(store: Store, names: list[str]) -> float:
    """Seconds for one ``record_task`` per name with no DAG around it."""
    run = store.runs.create("store_only", "manual")
    now = datetime.now(UTC)
    started = time.perf_counter()
    for name in names:
        store.runs.record_task(run.id, name, "success", 1, now, now, 0.0, None)
    return time.perf_counter() - started


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure_shape(
    name: str,
    shape: Shape,
    workers: int,
    repeat: int,
    store: Store,
    dask: Executor | None,
) -> dict[str, Any]:
    build_started = time.perf_counter()
    pipeline = build_pipeline(name, shape)
    build_s = time.perf_counter() - build_started
    functions = {t.name: t.fn for t in pipeline.tasks}
    executor = ThreadExecutor(max_workers=workers)
    samples: dict[str, list[float]] = {"bare": [], "workbench": [], "workbench_recorded": []}
    if dask is not None:
        samples["dask"] = []
    engine_run(executor, pipeline)  # warm up imports and caches
    for _ in range(repeat):
        samples["bare"].append(timed(lambda: bare_run(shape, functions, workers)))
        samples["workbench"].append(timed(lambda: engine_run(executor, pipeline)))
        samples["workbench_recorded"].append(recorded_run(executor, pipeline, store))
        if dask is not None:
            samples["dask"].append(timed(partial(engine_run, dask, pipeline)))
    medians = {k: statistics.median(v) for k, v in samples.items()}
    tasks = len(pipeline)
    result: dict[str, Any] = {f"{k}_s": round(v, 4) for k, v in medians.items()}
    result["build_pipeline_s"] = round(build_s, 4)
    result["per_task_us"] = {k: round(v / tasks * 1e6, 1) for k, v in medians.items()}
    result["ratio"] = round(medians["workbench"] / medians["bare"], 2)
    result["ratio_recorded"] = round(medians["workbench_recorded"] / medians["bare"], 2)
    result["samples_s"] = {k: [round(s, 4) for s in v] for k, v in samples.items()}
    return result


def local_dask_executor(workers: int) -> Executor:
    from workbench.dag import make_executor

    return make_executor("dask:local", workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--dask", action="store_true", help="also time a local Dask cluster")
    args = parser.parse_args()
    shapes = {"layers": layers_shape(), "chain": chain_shape()}
    dask = local_dask_executor(args.workers) if args.dask else None
    report: dict[str, Any] = {
        "tasks": 1000,
        "workers": args.workers,
        "repeat": args.repeat,
        "goal": "ratio and ratio_recorded <= 3",
        "machine": {
            "cpus": os.cpu_count(),
            "load_1min": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
        },
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.duckdb", Path(tmp) / "artifacts")
            try:
                for name, shape in shapes.items():
                    report[name] = measure_shape(
                        name, shape, args.workers, args.repeat, store, dask
                    )
                names = list(shapes["layers"])
                report["store_only_s"] = round(
                    statistics.median(store_only(store, names) for _ in range(args.repeat)), 4
                )
            finally:
                store.close()
    finally:
        if dask is not None:
            dask.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
