"""Retries with backoff, per-task timeouts and cancellation, on real threads."""

from __future__ import annotations

import itertools
import threading
import time

from workbench.dag import Pipeline, TaskContext, ThreadExecutor, task

from .conftest import WAIT_S, RecordingHooks


def test_retries_count_attempts_and_wait_with_backoff(hooks: RecordingHooks) -> None:
    starts: list[float] = []

    @task(retries=2, retry_delay=0.02, backoff=3.0)
    def flaky(ctx: TaskContext) -> str:
        starts.append(time.monotonic())
        if ctx.attempt < 3:
            raise ConnectionError(f"try {ctx.attempt}")
        return "ok"

    outcome = ThreadExecutor(2).run(Pipeline("p", flaky), run_id="r1", hooks=hooks)
    record = outcome.tasks["flaky"]
    assert (record.status, record.attempts, outcome.values["flaky"]) == ("success", 3, "ok")
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert gaps[0] >= 0.02 and gaps[1] >= 0.06  # retry_delay, then retry_delay * backoff
    assert hooks.named("on_task_retry") == [
        ("r1", "flaky", 1, "ConnectionError: try 1"),
        ("r1", "flaky", 2, "ConnectionError: try 2"),
    ]
    assert [c[2] for c in hooks.named("on_task_start")] == [1, 2, 3]


def test_a_task_failing_every_attempt_keeps_the_last_error() -> None:
    @task(retries=1)
    def hopeless(ctx: TaskContext) -> None:
        raise RuntimeError(f"attempt {ctx.attempt} failed")

    record = ThreadExecutor(1).run(Pipeline("p", hopeless), run_id="r1").tasks["hopeless"]
    assert (record.status, record.attempts) == ("failed", 2)
    assert record.error == "RuntimeError: attempt 2 failed"


def test_a_timed_out_task_fails_is_told_to_stop_and_is_not_awaited() -> None:
    saw_cancel = threading.Event()

    @task(timeout=0.1)
    def stuck(ctx: TaskContext) -> None:
        if ctx.wait(WAIT_S):
            saw_cancel.set()

    @task(trigger="all_done")
    def after() -> str:
        return "ran"

    started = time.monotonic()
    outcome = ThreadExecutor(2).run(Pipeline("p", stuck >> after), run_id="r1")
    elapsed = time.monotonic() - started
    record = outcome.tasks["stuck"]
    assert record.status == "failed" and record.attempts == 1
    assert record.error is not None and record.error.startswith("TimeoutError: task 'stuck'")
    assert "0.1 s" in record.error
    assert outcome.values["after"] == "ran"
    assert elapsed < WAIT_S / 2
    assert saw_cancel.wait(WAIT_S)


def test_a_timed_out_attempt_is_retried_and_its_worker_replaced() -> None:
    release = threading.Event()

    @task(timeout=0.1, retries=1)
    def slow_first(ctx: TaskContext) -> str:
        if ctx.attempt == 1:
            release.wait(WAIT_S)  # ignores ctx.cancelled: its worker stays busy
        return f"attempt {ctx.attempt}"

    @task
    def independent() -> str:
        return "ran"

    try:
        outcome = ThreadExecutor(max_workers=1).run(
            Pipeline("p", slow_first, independent), run_id="r1"
        )
    finally:
        release.set()
    assert outcome.values == {"slow_first": "attempt 2", "independent": "ran"}
    assert outcome.tasks["slow_first"].attempts == 2


def test_cancel_mid_run_stops_new_tasks_and_tells_running_ones() -> None:
    cancel = threading.Event()
    running = threading.Event()
    later_ran = threading.Event()

    @task
    def long(ctx: TaskContext) -> None:
        running.set()
        if ctx.wait(WAIT_S):
            raise InterruptedError("stopped on request")

    @task
    def later(long: None) -> None:
        later_ran.set()

    def cancel_once_running() -> None:
        if running.wait(WAIT_S):
            cancel.set()

    canceller = threading.Thread(target=cancel_once_running)
    canceller.start()
    outcome = ThreadExecutor(2).run(Pipeline("p", long >> later), run_id="r1", cancel=cancel)
    canceller.join(WAIT_S)
    assert outcome.status == "cancelled"
    assert outcome.tasks["long"].status == "cancelled"
    assert outcome.tasks["long"].error == (
        "cancelled while running: InterruptedError: stopped on request"
    )
    assert outcome.tasks["later"].status == "cancelled"
    assert outcome.tasks["later"].attempts == 0 and outcome.tasks["later"].started_at is None
    assert not later_ran.is_set()


def test_a_run_cancelled_before_it_starts_runs_nothing(hooks: RecordingHooks) -> None:
    cancel = threading.Event()
    cancel.set()
    ran = threading.Event()

    @task
    def anything() -> None:
        ran.set()

    outcome = ThreadExecutor(2).run(
        Pipeline("p", anything), run_id="r1", cancel=cancel, hooks=hooks
    )
    assert outcome.status == "cancelled" and outcome.tasks["anything"].status == "cancelled"
    assert not ran.is_set()
    assert [c[1].status for c in hooks.named("on_task_end")] == ["cancelled"]


def test_cancel_during_a_retry_wait_cancels_the_task() -> None:
    cancel = threading.Event()

    class CancelOnRetry(RecordingHooks):
        def on_task_retry(self, run_id: str, task_name: str, attempt: int, error: str) -> None:
            cancel.set()

    @task(retries=1, retry_delay=WAIT_S)
    def flaky() -> None:
        raise ConnectionError("down")

    started = time.monotonic()
    outcome = ThreadExecutor(1).run(
        Pipeline("p", flaky), run_id="r1", cancel=cancel, hooks=CancelOnRetry()
    )
    assert time.monotonic() - started < WAIT_S / 2
    assert outcome.tasks["flaky"].status == "cancelled"
    assert outcome.tasks["flaky"].error == (
        "run cancelled while waiting to retry after: ConnectionError: down"
    )
