"""Hooks hear about the run, every task, and what tasks track through ctx."""

from __future__ import annotations

import logging

import pytest

from workbench.dag import Pipeline, RunHooks, TaskContext, TaskOutcome, ThreadExecutor, task

from .conftest import RecordingHooks


def test_hooks_receive_metrics_params_and_artifacts(hooks: RecordingHooks) -> None:
    @task
    def train(ctx: TaskContext) -> None:
        ctx.log_params({"max_depth": 3, "criterion": "gini"})
        for step, loss in enumerate([0.9, 0.5]):
            ctx.log_metric("loss", loss, step=step)
        ctx.log_metric("accuracy", 0.93)
        ctx.log_artifact("model.skops", b"\x00model")

    ThreadExecutor(2).run(Pipeline("p", train), run_id="r1", hooks=hooks)
    assert hooks.named("on_params") == [("r1", "train", {"max_depth": 3, "criterion": "gini"})]
    assert hooks.named("on_metric") == [
        ("r1", "train", "loss", 0.9, 0),
        ("r1", "train", "loss", 0.5, 1),
        ("r1", "train", "accuracy", 0.93, None),
    ]
    assert hooks.named("on_artifact") == [("r1", "train", "model.skops", b"\x00model")]


def test_every_task_ends_exactly_once_between_run_start_and_run_end(
    hooks: RecordingHooks,
) -> None:
    @task
    def a() -> None: ...

    @task
    def b(a: None) -> None:
        raise ValueError("nope")

    @task
    def c(b: None) -> None: ...

    outcome = ThreadExecutor(2).run(Pipeline("p", a >> b >> c), run_id="r1", hooks=hooks)
    methods = [call[0] for call in hooks.calls]
    assert methods[0] == "on_run_start" and methods[-1] == "on_run_end"
    ends: list[TaskOutcome] = [call[1] for call in hooks.named("on_task_end")]
    assert [(o.task, o.status) for o in ends] == [
        ("a", "success"),
        ("b", "failed"),
        ("c", "upstream_failed"),
    ]
    assert hooks.named("on_run_end") == [("r1", outcome)]
    assert [c[1] for c in hooks.named("on_task_start")] == ["a", "b"]


def test_a_broken_hook_is_logged_and_the_run_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(RunHooks):
        def on_task_end(self, run_id: str, outcome: TaskOutcome) -> None:
            raise RuntimeError("store is down")

    @task
    def a() -> int:
        return 1

    @task
    def b(a: int) -> int:
        return a + 1

    with caplog.at_level(logging.ERROR, logger="workbench.dag"):
        outcome = ThreadExecutor(2).run(Pipeline("p", a >> b), run_id="r1", hooks=Broken())
    assert outcome.status == "success" and outcome.values["b"] == 2
    assert "store is down" in caplog.text


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda ctx: ctx.log_metric("acc", "high"), "metric 'acc' must be a number, got str"),
        (lambda ctx: ctx.log_metric("", 1.0), "metric key must be a non-empty string"),
        (lambda ctx: ctx.log_metric("acc", 1.0, step=1.5), "step must be an int"),
        (lambda ctx: ctx.log_params(["lr"]), "log_params needs a mapping"),
        (lambda ctx: ctx.log_artifact("model", "text"), "artifact 'model' must be bytes"),
    ],
)
def test_bad_tracking_calls_fail_the_task_with_a_clear_error(call: object, fragment: str) -> None:
    @task
    def track(ctx: TaskContext) -> None:
        call(ctx)  # type: ignore[operator]

    record = ThreadExecutor(1).run(Pipeline("p", track), run_id="r1").tasks["track"]
    assert record.status == "failed"
    assert record.error is not None and record.error.startswith("PipelineError")
    assert fragment in record.error


def test_task_logs_carry_run_task_and_attempt(caplog: pytest.LogCaptureFixture) -> None:
    @task
    def talk(ctx: TaskContext) -> None:
        ctx.log.info("hello from %s", ctx.task)

    with caplog.at_level(logging.INFO, logger="workbench.dag.tasks"):
        ThreadExecutor(1).run(Pipeline("p", talk), run_id="r9", hooks=RecordingHooks())
    (record,) = [r for r in caplog.records if r.name == "workbench.dag.tasks.talk"]
    assert record.getMessage() == "hello from talk"
    assert (record.run_id, record.task, record.attempt) == ("r9", "talk", 1)  # type: ignore[attr-defined]
