"""Benchmark: the same work on threads, an in-process Dask cluster and a 2-process one,
and the peak memory of ingesting a file 3x larger than a child process's memory limit.

Executors (each figure the median of ``--repeat`` interleaved runs):

* ``threads``: ``ThreadExecutor(2)``;
* ``dask_local``: ``make_executor("dask:local", 2)`` (two in-process workers);
* ``dask_processes``: a ``DaskExecutor`` on a ``LocalCluster(processes=True,
  n_workers=2, threads_per_worker=1)`` on 127.0.0.1 (started once, warmed up with one
  run so worker imports are not counted; a real cluster pays them once per worker).

On each, two measurements:

* ``overhead``: ``--tasks`` no-op tasks in 10 independent chains; ``per_task_ms`` is the
  wall time divided by the task count (the cost of handing a task over and back);
* ``pipeline``: the default tabular pipeline through the engine (ingest once, then
  ``engine.run`` with the task cache off) on ``--rows`` sample rows and two candidates;
  ``wall_s`` per run, and the tasks' own seconds to tell the executor's share.

Memory (``--memory-mb``, default 256): a child process caps its address space with
``RLIMIT_AS`` at what it uses after its imports plus the limit, then ingests a CSV 3x
the limit into a fresh workspace (``Engine.ingest``: hash, validate, profile, file),
after ingesting a 2,000-row file first so thread pools, allocators and DuckDB are
warm and only the data counts against the limit.
Reported: whether it passed, the error if not, the child's peak RSS (``ru_maxrss``);
then the same file without a cap, for its real peak RSS; and both again for a control
file at a third of the limit. ``RLIMIT_AS`` counts address space, not memory: polars'
CSV reader maps the whole file and reserves buffers per thread, so today even the
control fails under the cap, and the uncapped peak RSS against the file size is the
figure to watch. Streaming ingest is another branch's work; this is how it will be
judged (the lead reruns it after merging).

    python benchmarks/cluster.py [--repeat 3] [--tasks 100] [--rows 4000] [--memory-mb 256]

One JSON object is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace
from workbench.dag import Executor, Pipeline, ThreadExecutor, make_executor, task
from workbench.dag.dask_backend import DaskExecutor
from workbench.engine.engine import Engine

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "transactions_2026_01.csv"
CHAINS = 10


def _noop_pipeline(n_tasks: int) -> Pipeline:
    """``n_tasks`` no-op tasks in ``CHAINS`` chains (each takes the one before)."""
    per_chain = max(1, n_tasks // CHAINS)
    flows: list[Any] = []
    for c in range(CHAINS):
        prev = task(_zero, name=f"c{c}_t0")
        flow: Any = prev
        for i in range(1, per_chain):
            nxt = _after(prev.name, f"c{c}_t{i}")
            flow = flow >> nxt
            prev = nxt
        flows.append(flow)
    return Pipeline("overhead", *flows)


def _zero() -> int:
    return 0


def _after(upstream: str, name: str) -> Any:
    """A task taking the result of ``upstream`` (its parameter is named after it)."""
    namespace: dict[str, Any] = {}
    exec(f"def {name}({upstream}):\n    return {upstream} + 1", namespace)
    return task(namespace[name])


def _overhead(executor: Executor, pipeline: Pipeline) -> float:
    started = time.perf_counter()
    outcome = executor.run(pipeline, run_id="bench")
    took = time.perf_counter() - started
    if outcome.status != "success":
        raise SystemExit(f"overhead run failed: {outcome.tasks}")
    return took


def _engine(root: Path, spec: str, rows: int) -> tuple[Engine, int]:
    settings = with_overrides(WorkbenchConfig(), "gate", threshold=0.0)
    settings = with_overrides(
        settings,
        "train",
        executor=spec,
        candidates=["logistic_regression", "random_forest"],
        cache_max_mb=0.0,
    )
    workspace = init_workspace(root, target="is_fraud", config=settings)
    data = root.parent / f"{root.name}.csv"
    pl.read_csv(SAMPLE, n_rows=rows).write_csv(data)
    engine = Engine(workspace)
    dataset = engine.ingest(data, move=False).dataset
    assert dataset is not None
    return engine, dataset.id


def _pipeline_run(engine: Engine, dataset_id: int) -> tuple[float, float]:
    started = time.perf_counter()
    run = engine.run([dataset_id])
    took = time.perf_counter() - started
    if run.status != "success":
        raise SystemExit(f"pipeline run failed: {run.error}")
    tasks_s = sum(t.duration_s or 0.0 for t in engine.store.runs.tasks(run.id))
    return took, tasks_s


def _executors(cluster_address: str) -> dict[str, Callable[[], Executor]]:
    return {
        "threads": lambda: ThreadExecutor(2),
        "dask_local": lambda: make_executor("dask:local", 2),
        "dask_processes": lambda: DaskExecutor(cluster_address),
    }


def bench_executors(repeat: int, n_tasks: int, rows: int) -> dict[str, Any]:
    import distributed

    pipeline = _noop_pipeline(n_tasks)
    out: dict[str, Any] = {}
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        tempfile.TemporaryDirectory() as tmp,
    ):
        spec_of = {
            "threads": "threads",
            "dask_local": "dask:local",
            "dask_processes": "dask://" + cluster.scheduler_address.removeprefix("tcp://"),
        }
        makers = _executors(cluster.scheduler_address)
        engines = {n: _engine(Path(tmp) / n, spec_of[n], rows) for n in makers}
        for name, make in makers.items():  # warm-up: imports on the workers, first connects
            with make() as executor:
                _overhead(executor, pipeline)
            _pipeline_run(*engines[name])
        samples: dict[str, dict[str, list[float]]] = {
            n: {"overhead_s": [], "wall_s": [], "tasks_s": []} for n in makers
        }
        for _ in range(repeat):
            for name, make in makers.items():
                with make() as executor:
                    samples[name]["overhead_s"].append(_overhead(executor, pipeline))
                wall, tasks_s = _pipeline_run(*engines[name])
                samples[name]["wall_s"].append(wall)
                samples[name]["tasks_s"].append(tasks_s)
        for engine, _ in engines.values():
            engine.close()
    n = len(pipeline.tasks)
    for name, got in samples.items():
        overhead = statistics.median(got["overhead_s"])
        out[name] = {
            "overhead": {
                "tasks": n,
                "wall_s": round(overhead, 4),
                "per_task_ms": round(1000 * overhead / n, 3),
            },
            "pipeline": {
                "rows": rows,
                "wall_s": round(statistics.median(got["wall_s"]), 3),
                "tasks_own_s": round(statistics.median(got["tasks_s"]), 3),
            },
        }
    return out


CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine
import polars as pl  # noqa: F401 - imported before the cap, as a real engine has it

def vm_bytes():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0

limit_mb, data, root = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
workspace = init_workspace(root, target="is_fraud")
engine = Engine(workspace)
warm = root.parent / (root.name + "-warm.csv")  # thread pools, allocators, DuckDB: warm
pl.read_csv(data, n_rows=2000).write_csv(warm)
engine.ingest(warm, move=False)
if limit_mb > 0:
    cap = vm_bytes() + limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
started = time.perf_counter()
result = {"limit_mb": limit_mb, "file_mb": round(data.stat().st_size / 2**20, 1)}
try:
    outcome = engine.ingest(data, move=False)
    result["passed"] = outcome.status == "accepted"
    result["status"] = outcome.status
    result["message"] = outcome.message[:300]
except BaseException as exc:
    result["passed"] = False
    result["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
result["seconds"] = round(time.perf_counter() - started, 2)
result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(result))
os._exit(0)
"""


def _csv_of(path: Path, target_mb: float) -> Path:
    """A CSV of about ``target_mb`` MiB made of the sample's rows repeated."""
    base = pl.read_csv(SAMPLE)
    per_row = SAMPLE.stat().st_size / base.height
    rows = int(target_mb * 2**20 / per_row)
    times = rows // base.height + 1
    frame = pl.concat([base] * times).head(rows)
    unique_ids = pl.format("tx-{}", pl.int_range(pl.len())).alias("transaction_id")
    frame.with_columns(unique_ids).write_csv(path)  # ids stay unique, as the contract wants
    return path


def _ingest_child(limit_mb: int, data: Path, root: Path) -> dict[str, Any]:
    """Ingest ``data`` in a child capped at ``limit_mb`` MiB above its warm size (0: no cap)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(limit_mb), str(data), str(root)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if lines:
        result: dict[str, Any] = json.loads(lines[-1])
        return result
    return {  # killed outright (a native abort): no JSON line
        "passed": False,
        "returncode": done.returncode,
        "error": (done.stderr.strip().splitlines() or [""])[0][:300],
    }


def bench_memory(limit_mb: int) -> dict[str, Any]:
    """Each file ingested under the cap, then without one (its real peak RSS)."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, factor in (("control_third", 1 / 3), ("three_times", 3.0)):
            data = _csv_of(Path(tmp) / f"{label}.csv", limit_mb * factor)
            out[label] = {
                "capped": _ingest_child(limit_mb, data, Path(tmp) / f"{label}-capped"),
                "uncapped": _ingest_child(0, data, Path(tmp) / f"{label}-free"),
            }
            data.unlink()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--memory-mb", type=int, default=256)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-executors", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "repeat": args.repeat,
    }
    if not args.skip_executors:
        report["executors"] = bench_executors(args.repeat, args.tasks, args.rows)
    if not args.skip_memory:
        report["ingest_memory"] = bench_memory(args.memory_mb)
    report["peak_rss_parent_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
