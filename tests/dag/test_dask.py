"""The Dask executor on a real distributed.LocalCluster (2 in-process workers).

Task functions and their arguments really are pickled into the cluster's task graph, so
tasks here signal the test through ``distributed.Event`` (named, cluster-wide) rather
than through threading primitives, which do not pickle.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

distributed = pytest.importorskip(
    "distributed", reason="the Dask executor needs the optional 'distributed' package"
)

from workbench.core.errors import PipelineError  # noqa: E402
from workbench.dag import (  # noqa: E402
    DaskExecutor,
    Executor,
    MemoryCache,
    Pipeline,
    RunHooks,
    TaskContext,
    ThreadExecutor,
    make_executor,
    task,
)

from .conftest import WAIT_S, RecordingHooks  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0"
    ) as local:
        yield local


@pytest.fixture(scope="module")
def dask(cluster: Any) -> Iterator[DaskExecutor]:
    with DaskExecutor(cluster.scheduler_address) as executor:
        yield executor


def signal(dask: DaskExecutor) -> tuple[str, Any]:
    """A fresh cluster-wide event: its name for tasks, and the test's handle on it."""
    name = f"test-{uuid.uuid4().hex}"
    return name, distributed.Event(name, client=dask.client)


def test_tasks_run_on_the_cluster_workers_and_pass_values(dask: DaskExecutor) -> None:
    @task
    def load(rows: int) -> tuple[list[int], str]:
        return list(range(rows)), distributed.get_worker().address

    @task
    def total(load: tuple[list[int], str]) -> tuple[int, str]:
        return sum(load[0]), distributed.get_worker().address

    pipeline = Pipeline("p", load >> total, inputs=("rows",))
    outcome = dask.run(pipeline, run_id="r1", inputs={"rows": 5})
    assert outcome.status == "success", outcome.tasks
    assert outcome.values["total"][0] == 10
    workers = set(dask.client.nthreads())
    assert {outcome.values["load"][1], outcome.values["total"][1]} <= workers
    assert outcome.tasks["load"].started_at < outcome.tasks["total"].started_at  # type: ignore[operator]


def test_tracking_calls_reach_local_hooks_in_order(
    dask: DaskExecutor, hooks: RecordingHooks
) -> None:
    @task
    def train(ctx: TaskContext) -> str:
        ctx.log_params({"max_depth": 3})
        for step, loss in enumerate([0.9, 0.5]):
            ctx.log_metric("loss", loss, step=step)
        ctx.log_artifact("model.skops", b"\x00model")
        return ctx.run_id

    outcome = dask.run(Pipeline("p", train), run_id="r1", hooks=hooks, params={"seed": 1})
    assert outcome.values == {"train": "r1"}
    assert [call[0] for call in hooks.calls] == [
        "on_run_start",
        "on_task_start",
        "on_params",
        "on_metric",
        "on_metric",
        "on_artifact",
        "on_task_end",
        "on_run_end",
    ]
    assert hooks.named("on_metric") == [
        ("r1", "train", "loss", 0.9, 0),
        ("r1", "train", "loss", 0.5, 1),
    ]
    assert hooks.named("on_artifact") == [("r1", "train", "model.skops", b"\x00model")]


def test_retries_count_attempts_as_on_threads(dask: DaskExecutor, hooks: RecordingHooks) -> None:
    @task(retries=2, retry_delay=0.01)
    def flaky(ctx: TaskContext) -> str:
        if ctx.attempt < 3:
            raise ConnectionError(f"try {ctx.attempt}")
        return "ok"

    outcome = dask.run(Pipeline("p", flaky), run_id="r1", hooks=hooks)
    record = outcome.tasks["flaky"]
    assert (record.status, record.attempts, outcome.values["flaky"]) == ("success", 3, "ok")
    assert hooks.named("on_task_retry") == [
        ("r1", "flaky", 1, "ConnectionError: try 1"),
        ("r1", "flaky", 2, "ConnectionError: try 2"),
    ]


def _rules_pipeline() -> Pipeline:
    """Failure, upstream_failed, an alert, a cleanup, a branch and a join."""

    @task
    def extract() -> int:
        return 1

    @task
    def broken(extract: int) -> int:
        raise ValueError(f"column 'age' is empty (row {extract})")

    @task
    def train(broken: int) -> str:
        return "model"

    @task(trigger="one_failed")
    def alert() -> str:
        return "alerted"

    @task(trigger="all_done")
    def cleanup(train: str | None) -> str:
        return f"clean after {train}"

    @task(branch=True)
    def choose(extract: int) -> str:
        return "small" if extract < 10 else "large"

    @task
    def small() -> str:
        return "small model"

    @task
    def large() -> str:
        return "large model"

    @task(trigger="none_failed")
    def join(small: str | None, large: str | None) -> str | None:
        return small or large

    return Pipeline(
        "rules",
        extract >> broken >> train >> [alert, cleanup],
        extract >> choose >> [small, large] >> join,
    )


def _summary(executor: Executor) -> tuple[Any, ...]:
    outcome = executor.run(_rules_pipeline(), run_id="r1")
    tasks = {n: (o.status, o.attempts, o.error) for n, o in outcome.tasks.items()}
    return outcome.status, tasks, dict(outcome.values)


def test_trigger_rules_and_branches_end_exactly_as_on_threads(dask: DaskExecutor) -> None:
    on_dask = _summary(dask)
    assert on_dask == _summary(ThreadExecutor(max_workers=2))
    status, tasks, values = on_dask
    assert status == "failed" and tasks["train"][0] == "upstream_failed"
    assert tasks["broken"][2] == "ValueError: column 'age' is empty (row 1)"
    assert values["alert"] == "alerted" and values["join"] == "small model"
    assert tasks["large"][0] == "skipped"


def test_a_timed_out_task_fails_and_its_ctx_is_cancelled(dask: DaskExecutor) -> None:
    name, saw_cancel = signal(dask)

    @task(timeout=0.3)
    def stuck(ctx: TaskContext) -> None:
        if ctx.wait(WAIT_S):
            distributed.Event(name).set()

    @task(trigger="all_done")
    def after() -> str:
        return "ran"

    outcome = dask.run(Pipeline("p", stuck >> after), run_id="r1")
    record = outcome.tasks["stuck"]
    assert record.status == "failed" and record.attempts == 1
    assert (record.error or "").startswith("TimeoutError: task 'stuck' did not finish within 0.3 s")
    assert outcome.values["after"] == "ran"
    assert saw_cancel.wait(WAIT_S)


def test_cancel_mid_run_stops_new_tasks_and_tells_running_ones(dask: DaskExecutor) -> None:
    name, running = signal(dask)
    cancel = threading.Event()

    @task
    def long(ctx: TaskContext) -> None:
        distributed.Event(name).set()
        if ctx.wait(WAIT_S):
            raise InterruptedError("stopped on request")

    @task
    def later(long: None) -> str:
        return "should not run"

    def cancel_once_running() -> None:
        if running.wait(WAIT_S):
            cancel.set()

    canceller = threading.Thread(target=cancel_once_running)
    canceller.start()
    outcome = dask.run(Pipeline("p", long >> later), run_id="r1", cancel=cancel)
    canceller.join(WAIT_S)
    assert outcome.status == "cancelled"
    assert outcome.tasks["long"].error == (
        "cancelled while running: InterruptedError: stopped on request"
    )
    assert outcome.tasks["later"].status == "cancelled"
    assert outcome.tasks["later"].attempts == 0


def test_a_hook_raising_on_replay_fails_the_attempt(dask: DaskExecutor) -> None:
    class Refusing(RunHooks):
        def on_metric(self, *args: Any) -> None:
            raise ValueError("metric store is read-only")

    @task
    def train(ctx: TaskContext) -> str:
        ctx.log_metric("accuracy", 0.9)
        return "model"

    outcome = dask.run(Pipeline("p", train), run_id="r1", hooks=Refusing())
    assert outcome.tasks["train"].status == "failed"
    assert outcome.tasks["train"].error == "ValueError: metric store is read-only"


def test_an_argument_that_does_not_pickle_fails_naming_the_parameter(
    dask: DaskExecutor,
) -> None:
    @task
    def use(lock: Any) -> None: ...

    pipeline = Pipeline("p", use, inputs=("lock",))
    outcome = dask.run(pipeline, run_id="r1", inputs={"lock": threading.Lock()})
    record = outcome.tasks["use"]
    assert record.status == "failed"
    assert (record.error or "").startswith(
        "task 'use': parameter 'lock' (lock) cannot be sent to the Dask cluster"
    )


def test_a_local_task_runs_in_this_process_with_arguments_that_do_not_pickle(
    dask: DaskExecutor, hooks: RecordingHooks
) -> None:
    @task
    def train() -> str:
        return "model"

    @task(local=True)
    def register(train: str, lock: Any, ctx: TaskContext) -> str:
        with lock:  # a lock cannot travel to a worker
            ctx.log_metric("registered", 1.0)
            return f"{train} on {threading.current_thread().name}"

    pipeline = Pipeline("p", train >> register, inputs=("lock",))
    outcome = dask.run(pipeline, run_id="r1", inputs={"lock": threading.Lock()}, hooks=hooks)
    assert outcome.status == "success", outcome.tasks
    assert outcome.values["register"] == "model on dag-local-register"
    assert hooks.named("on_metric") == [("r1", "register", "registered", 1.0, None)]


def test_a_cache_hit_is_served_locally_without_reaching_the_cluster(
    dask: DaskExecutor, hooks: RecordingHooks
) -> None:
    @task(cache=True)
    def expensive(n: int) -> int:
        return n * 2

    pipeline = Pipeline("p", expensive, inputs=("n",))
    cache = MemoryCache()
    first = dask.run(pipeline, run_id="r1", inputs={"n": 4}, cache=cache)
    second = dask.run(pipeline, run_id="r2", inputs={"n": 4}, cache=cache, hooks=hooks)
    assert first.tasks["expensive"].status == "success" and first.values["expensive"] == 8
    assert second.tasks["expensive"].status == "cached" and second.values["expensive"] == 8
    assert hooks.named("on_task_start") == []


def test_dask_local_runs_a_pipeline_and_shuts_its_cluster_down_on_close() -> None:
    @task
    def where() -> str:
        return str(distributed.get_worker().address)

    with make_executor("dask:local", 2) as executor:
        assert isinstance(executor, DaskExecutor) and executor.cluster is not None
        workers = executor.client.nthreads()
        assert len(workers) == 2
        outcome = executor.run(Pipeline("p", where), run_id="r1")
        assert outcome.values["where"] in workers
    assert executor.client.status == "closed"
    assert executor.cluster.status.name == "closed"
    with pytest.raises(PipelineError, match="is closed"):
        executor.run(Pipeline("p", where), run_id="r2")


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        PipelineError, match=rf"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:{port}'"
    ):
        DaskExecutor(f"tcp://127.0.0.1:{port}", connect_timeout=0.5)
