"""Benchmark: the same work on threads, an in-process Dask cluster and a 2-process one,
and ingesting a file 3x larger than a child process's memory limit (a cgroup).

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

Memory (``--limit-mb``, default 400; ``--memory-mb``, default 100): a child process in a
memory cgroup of its own limited to ``--limit-mb`` (everything it touches counts: its
imports, DuckDB, its heap; page cache is reclaimed rather than failing) ingests a CSV 3x
the limit into a fresh workspace (``Engine.ingest``: hash, limit scan, contract
inference, validation, profile, file), after a 2,000-row file so thread pools and
DuckDB are warm. Once with ``[watch] memory_mb = --memory-mb``, once with the automatic
default (``memory_mb = 0``: a quarter of the cgroup's limit), once with ``memory_mb``
the machine's RAM (what polars assumes by default) for the contrast, then once without
a limit for the real peak RSS. Reported: passed or not (the kernel kills a process
over its limit: return code -9), seconds, the child's peak RSS (shared libraries
included) and the cgroup's peak charge. Needs a writable memory cgroup (cgroup v1's
memory hierarchy or a v2 subtree with the memory controller, e.g. as root in a
container); without one the limited runs say they were skipped. ``RLIMIT_AS`` is not
used: it counts address space, and polars reserves gigabytes it never touches.

    python benchmarks/cluster.py [--repeat 3] [--tasks 100] [--rows 4000]
                                 [--limit-mb 400] [--memory-mb 100]

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
from workbench.core.machine import ram_bytes
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
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.machine import ram_bytes
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine
import polars as pl  # noqa: F401 - imported before the file, as a real engine has it

memory_mb, data, root = float(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
watch = {"memory_mb": memory_mb, "max_file_mb": 1 << 20}  # the size cap is not the question
workspace = init_workspace(
    root, target="is_fraud", config=with_overrides(WorkbenchConfig(), "watch", **watch)
)
engine = Engine(workspace)
warm = root.parent / (root.name + "-warm.csv")  # thread pools, allocators, DuckDB: warm
pl.read_csv(data, n_rows=2000).write_csv(warm)
engine.ingest(warm, move=False)
started = time.perf_counter()
result = {"memory_mb": memory_mb, "file_mb": round(data.stat().st_size / 2**20, 1)}
outcome = engine.ingest(data, move=False)
result["passed"] = outcome.status == "accepted"
result["message"] = outcome.message[:300]
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


class MemoryCgroup:
    """A child memory cgroup (v1 or v2) of this process's own, limited to ``limit_mb``.

    The kernel charges a process in it with every page it touches from then on (its
    imports, its heap, the page cache of what it reads, which it reclaims rather than
    fail) and kills it when anonymous memory cannot fit: a real memory limit, unlike
    ``RLIMIT_AS``, which counts address space polars reserves and never touches.
    """

    def __init__(self, limit_mb: int) -> None:
        self.path = _own_memory_cgroup() / f"workbench-bench-{os.getpid()}-{limit_mb}"
        self.v2 = (self.path.parent / "cgroup.controllers").exists()
        self.path.mkdir()
        try:
            self._limit(limit_mb)
        except OSError:
            self.path.rmdir()  # e.g. v2 without the memory controller delegated here
            raise

    def _limit(self, limit_mb: int) -> None:
        limit = str(limit_mb * 2**20)
        if self.v2:
            (self.path / "memory.max").write_text(limit)
            (self.path / "memory.swap.max").write_text("0")
        else:
            (self.path / "memory.limit_in_bytes").write_text(limit)
            swap = self.path / "memory.memsw.limit_in_bytes"
            if swap.exists():  # no swapping out of the limit either
                swap.write_text(limit)

    def enter(self) -> None:
        """Move the calling process in (a child's ``preexec_fn``)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def peak_mb(self) -> float | None:
        """The most the group was charged, page cache included (None where the kernel
        does not say)."""
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        peak = self.path / name
        return round(int(peak.read_text()) / 2**20, 1) if peak.exists() else None

    def remove(self) -> None:
        """Remove the group (empty once its child exited)."""
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def _own_memory_cgroup() -> Path:
    """This process's memory cgroup directory (v1's memory hierarchy, else v2's).

    Raises:
        OSError: Neither is mounted where this process may make a child group.
    """
    lines = Path("/proc/self/cgroup").read_text().splitlines()
    for line in lines:
        _, controllers, where = line.split(":", 2)
        if "memory" in controllers.split(","):
            base = Path("/sys/fs/cgroup/memory")
            return base / where.lstrip("/")
    for line in lines:
        if line.startswith("0::"):
            for base in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
                if (base / "cgroup.controllers").exists():
                    return base / line[3:].lstrip("/")
    raise OSError("no memory cgroup this process can make a child of")


def _ingest_child(
    memory_mb: float, data: Path, root: Path, cgroup: MemoryCgroup | None
) -> dict[str, Any]:
    """Ingest ``data`` with ``[watch] memory_mb`` in a child, inside ``cgroup`` if given."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(memory_mb), str(data), str(root)],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},
        preexec_fn=cgroup.enter if cgroup else None,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if lines:
        result: dict[str, Any] = json.loads(lines[-1])
    else:  # killed outright (the kernel's OOM killer: -9): no JSON line
        stderr = done.stderr.strip().splitlines()
        killed = f"killed by signal {-done.returncode}" if done.returncode < 0 else ""
        error = killed or (stderr[-1] if stderr else f"exit code {done.returncode}")
        result = {"passed": False, "returncode": done.returncode, "error": error}
    if cgroup is not None:
        result["cgroup_peak_mb"] = cgroup.peak_mb()
    return result


def bench_memory(limit_mb: int, memory_mb: float) -> dict[str, Any]:
    """A file 3x ``limit_mb`` ingested by a process in a cgroup limited to ``limit_mb``
    (its imports, DuckDB and all): with ``[watch] memory_mb`` set, with the automatic
    default (0: a share of the cgroup's limit), and sized to the RAM as polars' own
    defaults are, for the contrast; then without a limit, for its real peak RSS."""
    out: dict[str, Any] = {"limit_mb": limit_mb}
    with tempfile.TemporaryDirectory() as tmp:
        data = _csv_of(Path(tmp) / "three_times.csv", limit_mb * 3.0)
        out["file_mb"] = round(data.stat().st_size / 2**20, 1)
        ram_mb = ram_bytes() / 2**20
        runs = (("bounded", memory_mb), ("automatic", 0.0), ("sized_to_ram", ram_mb))
        for label, bound in runs:
            try:
                cgroup = MemoryCgroup(limit_mb)
            except OSError as exc:
                out[label] = {"skipped": f"no memory cgroup to limit the child with: {exc}"}
                continue
            try:
                out[label] = _ingest_child(bound, data, Path(tmp) / f"{label}-ws", cgroup)
            finally:
                cgroup.remove()
        out["unlimited"] = _ingest_child(memory_mb, data, Path(tmp) / "unlimited-ws", None)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--limit-mb", type=int, default=400)
    parser.add_argument("--memory-mb", type=float, default=100)
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
        report["ingest_memory"] = bench_memory(args.limit_mb, args.memory_mb)
    report["peak_rss_parent_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
