"""Failures, trigger rules, branches and how they decide the run's status."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from workbench.dag import Flow, Pipeline, RunOutcome, Task, ThreadExecutor, task


@task
def extract() -> int:
    return 1


@task
def broken(extract: int) -> int:
    raise ValueError(f"column 'age' is empty\n(row {extract})")


@task
def train(broken: int) -> str:
    return "model"


@task
def publish(train: str) -> str:
    return train


@task(trigger="one_failed")
def alert_if_fail() -> str:
    return "alerted"


@task(trigger="all_done")
def cleanup() -> str:
    return "clean"


def run(*parts: Task | Flow) -> RunOutcome:
    return ThreadExecutor(max_workers=4).run(Pipeline("p", *parts), run_id="r1")


def test_a_failure_marks_every_downstream_task_upstream_failed() -> None:
    outcome = run(extract >> broken >> train >> publish)
    statuses = {name: o.status for name, o in outcome.tasks.items()}
    assert statuses == {
        "extract": "success",
        "broken": "failed",
        "train": "upstream_failed",
        "publish": "upstream_failed",
    }
    failed = outcome.tasks["broken"]
    assert failed.error == "ValueError: column 'age' is empty (row 1)"
    assert failed.traceback is not None and "Traceback" in failed.traceback
    assert outcome.tasks["train"].error == "upstream task 'broken' failed"
    assert outcome.status == "failed"
    assert "broken" not in outcome.values


def test_one_failed_runs_only_when_an_upstream_failed() -> None:
    failing = run(extract >> broken >> [train, alert_if_fail])
    assert failing.tasks["alert_if_fail"].status == "success"
    assert failing.values["alert_if_fail"] == "alerted"

    @task
    def fine(extract: int) -> int:
        return extract

    passing = run(extract >> fine >> alert_if_fail)
    assert passing.tasks["alert_if_fail"].status == "skipped"
    assert passing.status == "success"


def test_one_failed_also_fires_on_upstream_failed() -> None:
    outcome = run(extract >> broken >> train >> alert_if_fail)
    assert outcome.tasks["train"].status == "upstream_failed"
    assert outcome.tasks["alert_if_fail"].status == "success"


def test_all_done_runs_after_failure_and_after_success() -> None:
    after_failure = run(extract >> broken >> cleanup)
    assert after_failure.tasks["cleanup"].status == "success"

    @task
    def fine(extract: int) -> int:
        return extract

    after_success = run(extract >> fine >> cleanup)
    assert after_success.tasks["cleanup"].status == "success"


def test_an_upstream_that_did_not_succeed_passes_none() -> None:
    @task(trigger="all_done")
    def report(broken: object, extract: int) -> tuple[object, int]:
        return broken, extract

    outcome = run(extract >> broken >> report)
    assert outcome.values["report"] == (None, 1)


@pytest.mark.parametrize(
    ("build", "status"),
    [
        (lambda: extract >> broken >> alert_if_fail, "failed"),  # an alert does not un-fail
        (lambda: extract >> broken >> cleanup, "failed"),  # nor does a cleanup
        (lambda: extract >> broken >> cleanup >> alert_if_fail, "failed"),  # looked through twice
        (lambda: extract >> [alert_if_fail, cleanup], "success"),  # skipped alert is fine
    ],
)
def test_run_status_is_decided_by_the_leaves_looking_through_alerts_and_cleanups(
    build: Callable[[], Flow], status: str
) -> None:
    assert run(build()).status == status


def test_a_failing_cleanup_fails_the_run() -> None:
    @task(trigger="all_done")
    def bad_cleanup() -> None:
        raise OSError("disk full")

    assert run(extract >> bad_cleanup).status == "failed"


def test_branch_follows_one_path_and_skips_the_other_with_its_descendants() -> None:
    @task(branch=True)
    def choose(extract: int) -> str:
        return "small" if extract < 10 else "large"

    @task
    def small() -> str:
        return "small model"

    @task
    def large() -> str:
        return "large model"

    @task
    def tune_large(large: str) -> str:
        return large

    @task(trigger="none_failed")
    def join(small: str | None, large: str | None) -> str | None:
        return small or large

    outcome = run(extract >> choose >> [small, large], large >> tune_large, [small, large] >> join)
    statuses = {name: o.status for name, o in outcome.tasks.items()}
    assert statuses == {
        "extract": "success",
        "choose": "success",
        "small": "success",
        "large": "skipped",
        "tune_large": "skipped",
        "join": "success",
    }
    assert outcome.values["join"] == "small model"
    assert outcome.status == "success"


def test_a_skipped_upstream_skips_an_all_success_task_but_not_all_done() -> None:
    @task(branch=True)
    def choose() -> list[str]:
        return []

    @task
    def a() -> None: ...

    @task
    def after_a() -> None: ...

    @task(trigger="all_done")
    def always() -> str:
        return "ran"

    outcome = run(choose >> a >> [after_a, always])
    assert outcome.with_status("skipped") == ("a", "after_a")
    assert outcome.values["always"] == "ran"


def test_a_branch_returning_an_unknown_task_fails_with_the_choices() -> None:
    @task(branch=True)
    def choose() -> str:
        return "nowhere"

    @task
    def a() -> None: ...

    outcome = run(choose >> a)
    assert outcome.tasks["choose"].status == "failed"
    error = outcome.tasks["choose"].error or ""
    assert "returned 'nowhere'" in error and "downstream tasks: a" in error
    assert outcome.tasks["a"].status == "upstream_failed"
