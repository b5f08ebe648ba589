"""ThreadExecutor scheduling: order, parallelism, bounded workers, data passing."""

from __future__ import annotations

import threading
import time
from datetime import UTC
from typing import Any

import pytest

from workbench.core.errors import PipelineError
from workbench.dag import Flow, Pipeline, Task, TaskContext, ThreadExecutor, task

from .conftest import WAIT_S


def test_a_task_starts_only_after_all_its_upstreams_finished(executor: ThreadExecutor) -> None:
    log: list[str] = []
    lock = threading.Lock()

    def step(name: str) -> Any:
        def body() -> str:
            with lock:
                log.append(name)
            return name

        return task(body, name=name)

    a, b, c, d = (step(n) for n in "abcd")
    outcome = executor.run(Pipeline("diamond", a >> [b, c] >> d), run_id="r1")
    assert outcome.status == "success"
    assert log[0] == "a" and log[-1] == "d" and sorted(log[1:3]) == ["b", "c"]
    assert outcome.tasks["d"].started_at >= outcome.tasks["b"].finished_at  # type: ignore[operator]
    assert outcome.tasks["d"].started_at >= outcome.tasks["c"].finished_at  # type: ignore[operator]


def test_independent_tasks_run_at_the_same_time() -> None:
    barrier = threading.Barrier(2, timeout=WAIT_S)  # breaks (and fails both) if run one by one

    @task
    def left() -> str:
        barrier.wait()
        return "left"

    @task
    def right() -> str:
        barrier.wait()
        return "right"

    outcome = ThreadExecutor(max_workers=2).run(Pipeline("p", left, right), run_id="r1")
    assert outcome.status == "success", outcome.tasks
    lt, rt = outcome.tasks["left"], outcome.tasks["right"]
    assert lt.started_at < rt.finished_at and rt.started_at < lt.finished_at  # type: ignore[operator]


def test_no_more_tasks_run_at_once_than_max_workers() -> None:
    pairs = threading.Barrier(2, timeout=WAIT_S)
    lock = threading.Lock()
    active, peak = [0], [0]

    def body() -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        pairs.wait()  # two at a time must meet here
        with lock:
            active[0] -= 1

    tasks = [task(body, name=f"t{i}") for i in range(6)]
    outcome = ThreadExecutor(max_workers=2).run(Pipeline("p", *tasks), run_id="r1")
    assert outcome.status == "success", outcome.tasks
    assert peak[0] == 2


def test_parameters_get_upstream_values_inputs_ctx_and_defaults(
    executor: ThreadExecutor,
) -> None:
    @task
    def load(dataset: str) -> list[int]:
        return [int(x) for x in dataset.split(",")]

    @task
    def scale(load: list[int], factor: int = 10) -> list[int]:
        return [x * factor for x in load]

    @task
    def summary(scale: list[int], load: list[int], ctx: TaskContext) -> dict[str, Any]:
        return {"sum": sum(scale), "n": len(load), "run": ctx.run_id, "p": ctx.params["p"]}

    pipeline = Pipeline("p", load >> scale >> summary, inputs=("dataset",))
    outcome = executor.run(pipeline, run_id="r7", inputs={"dataset": "1,2,3"}, params={"p": 0.5})
    assert outcome.values == {
        "load": [1, 2, 3],
        "scale": [10, 20, 30],
        "summary": {"sum": 60, "n": 3, "run": "r7", "p": 0.5},
    }


def test_records_are_utc_and_timed(executor: ThreadExecutor) -> None:
    @task
    def one() -> int:
        return 1

    outcome = executor.run(Pipeline("p", one), run_id="r1")
    record = outcome.tasks["one"]
    assert record.started_at is not None and record.started_at.tzinfo is UTC
    assert record.finished_at >= record.started_at
    assert record.duration_s >= 0 and record.attempts == 1 and record.error is None
    assert outcome.started_at <= record.started_at and outcome.finished_at >= record.finished_at


def test_ctx_params_are_read_only(executor: ThreadExecutor) -> None:
    @task
    def meddle(ctx: TaskContext) -> None:
        ctx.params["lr"] = 1.0  # type: ignore[index]

    outcome = executor.run(Pipeline("p", meddle), run_id="r1", params={"lr": 0.1})
    assert outcome.tasks["meddle"].status == "failed"
    assert (outcome.tasks["meddle"].error or "").startswith("TypeError")


def test_one_executor_serves_concurrent_runs() -> None:
    gate = threading.Barrier(2, timeout=WAIT_S)

    @task
    def meet(tag: str) -> str:
        gate.wait()
        return tag

    pipeline = Pipeline("p", meet, inputs=("tag",))
    executor = ThreadExecutor(max_workers=1)
    results: dict[str, Any] = {}
    other = threading.Thread(
        target=lambda: results.update(b=executor.run(pipeline, run_id="b", inputs={"tag": "b"}))
    )
    other.start()
    results["a"] = executor.run(pipeline, run_id="a", inputs={"tag": "a"})
    other.join(WAIT_S)
    assert results["a"].values == {"meet": "a"} and results["b"].values == {"meet": "b"}


def test_max_workers_must_be_positive() -> None:
    with pytest.raises(PipelineError, match="max_workers"):
        ThreadExecutor(max_workers=0)


def test_scheduling_overhead_per_task_is_small() -> None:
    tasks = [task(lambda: None, name=f"t{i}") for i in range(400)]
    chain: Task | Flow = tasks[0]
    for t in tasks[1:]:
        chain = chain >> t
    pipeline = Pipeline("chain", chain)
    executor = ThreadExecutor(max_workers=2)
    best = min(_timed(lambda: executor.run(pipeline, run_id="r")) for _ in range(3))
    per_task_us = best / len(tasks) * 1e6
    # ~50-200 us on 2 busy cores (mostly thread wake-ups); a polling scheduler would take ms
    assert per_task_us < 2500, f"{per_task_us:.0f} us per task"


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
