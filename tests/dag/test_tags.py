"""Tags set inside a task reach the run's hooks, on threads and in the recorded replay."""

from __future__ import annotations

import pytest

from workbench.dag import Pipeline, RunHooks, TaskContext, ThreadExecutor, task
from workbench.dag.remote import RemoteContext, replay, run_remote


class Tags(RunHooks):
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []

    def on_tags(self, run_id: str, task_name: str, tags: dict[str, str]) -> None:
        self.seen.append((task_name, tags))


@task
def tuned(ctx: TaskContext) -> int:
    ctx.set_tags({"stage": "tuning", "fold": 3})
    return 1


def test_set_tags_reaches_the_hooks_with_string_values() -> None:
    hooks = Tags()
    outcome = ThreadExecutor().run(Pipeline("p", tuned), run_id="r", hooks=hooks)
    assert str(outcome.status) == "success"
    assert hooks.seen == [("tuned", {"stage": "tuning", "fold": "3"})]


def test_tags_are_recorded_for_replay_on_a_remote_worker() -> None:
    context = RemoteContext(run_id="r", task="tuned", attempt=1, params={}, cancel=None)
    result = run_remote(tuned.fn, {}, context)
    hooks = Tags()
    replay(hooks, result.calls)
    assert hooks.seen == [("tuned", {"stage": "tuning", "fold": "3"})]


@pytest.mark.parametrize("bad", [{"": "x"}, {1: "x"}, ["stage"]])
def test_set_tags_refuses_keys_that_are_not_names(bad: object) -> None:
    @task
    def wrong(ctx: TaskContext) -> None:
        ctx.set_tags(bad)  # type: ignore[arg-type]

    outcome = ThreadExecutor().run(Pipeline("p", wrong), run_id="r")
    assert "set_tags needs a mapping with string keys" in (outcome.tasks["wrong"].error or "")
