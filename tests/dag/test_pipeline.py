"""Pipeline preconditions: a malformed pipeline fails when built, before any task runs."""

from __future__ import annotations

import threading

import pytest

from workbench.core.errors import PipelineError
from workbench.dag import Pipeline, ThreadExecutor, task


@task
def ingest(dataset: str) -> str:
    return dataset


@task
def validate(ingest: str) -> str:
    return ingest


@task
def train(validate: str, seed: int = 0) -> str:
    return validate


def test_tasks_are_listed_upstream_first_with_their_edges() -> None:
    pipeline = Pipeline("p", train << validate, ingest >> validate, inputs=("dataset",))
    assert pipeline.names == ("ingest", "validate", "train")
    assert pipeline.upstream("validate") == ("ingest",)
    assert pipeline.downstream("validate") == ("train",)
    assert "train" in pipeline and len(pipeline) == 3
    assert pipeline.parameter_sources("train") == (("validate", "task"),)


def test_cycle_error_names_the_tasks_in_the_cycle() -> None:
    @task
    def a() -> None: ...

    @task
    def b() -> None: ...

    @task
    def c() -> None: ...

    @task
    def root() -> None: ...

    with pytest.raises(PipelineError, match=r"pipeline 'loop' has a cycle: a -> b -> c -> a"):
        Pipeline("loop", root >> a >> b >> c >> a)


def test_a_task_wired_to_itself_is_a_cycle() -> None:
    @task
    def a() -> None: ...

    with pytest.raises(PipelineError, match="cycle: a -> a"):
        Pipeline("self", a >> a)


def test_two_tasks_with_the_same_name_are_refused() -> None:
    @task(name="validate")
    def other(ingest: str) -> str:
        return ingest

    with pytest.raises(PipelineError, match="two different tasks named 'validate'"):
        Pipeline("p", ingest >> [validate, other], inputs=("dataset",))


def test_a_parameter_with_no_source_names_task_and_parameter() -> None:
    @task
    def report(validate: str, threshold: float) -> None: ...

    with pytest.raises(PipelineError) as caught:
        Pipeline("p", ingest >> validate >> report, inputs=("dataset",))
    message = str(caught.value)
    assert "parameter 'threshold' of task 'report'" in message
    assert "inputs=('threshold',)" in message


def test_a_parameter_naming_a_task_that_is_not_upstream_suggests_the_edge() -> None:
    @task
    def side() -> int:
        return 1

    @task
    def report(side: int) -> None: ...

    with pytest.raises(PipelineError, match=r"names task 'side'.*add `side >> report`"):
        Pipeline("p", side, report)


def test_a_branch_task_needs_downstream_tasks() -> None:
    @task(branch=True)
    def choose() -> str:
        return "x"

    with pytest.raises(PipelineError, match="branch task 'choose' has no downstream tasks"):
        Pipeline("p", choose)


def test_a_one_failed_task_needs_upstream_tasks() -> None:
    @task(trigger="one_failed")
    def alert() -> None: ...

    with pytest.raises(PipelineError, match="task 'alert' runs only when an upstream task fails"):
        Pipeline("p", alert)


def test_a_run_input_cannot_shadow_a_task() -> None:
    with pytest.raises(PipelineError, match="run input 'ingest' has the name of a task"):
        Pipeline("p", ingest, inputs=("dataset", "ingest"))


def test_missing_run_input_fails_before_the_first_task_starts() -> None:
    started = threading.Event()

    @task
    def first() -> None:
        started.set()

    pipeline = Pipeline("p", first >> ingest >> validate, inputs=("dataset",))
    with pytest.raises(PipelineError) as caught:
        ThreadExecutor(2).run(pipeline, run_id="r1", inputs={})
    assert "missing run input(s) 'dataset'" in str(caught.value)
    assert "parameter 'dataset' of task 'ingest'" in str(caught.value)
    assert not started.is_set()


def test_an_undeclared_run_input_is_refused() -> None:
    pipeline = Pipeline("p", ingest, inputs=("dataset",))
    with pytest.raises(PipelineError, match="does not declare run input\\(s\\) 'datset'"):
        ThreadExecutor(1).run(pipeline, run_id="r1", inputs={"dataset": "x", "datset": "y"})


def test_an_input_whose_parameter_has_a_default_may_be_omitted() -> None:
    @task
    def fit(seed: int = 7) -> int:
        return seed

    pipeline = Pipeline("p", fit, inputs=("seed",))
    executor = ThreadExecutor(1)
    assert executor.run(pipeline, run_id="r1").values == {"fit": 7}
    assert executor.run(pipeline, run_id="r2", inputs={"seed": 3}).values == {"fit": 3}


def test_an_empty_pipeline_is_refused() -> None:
    with pytest.raises(PipelineError, match="has no tasks"):
        Pipeline("p")
