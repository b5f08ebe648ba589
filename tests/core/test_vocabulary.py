"""The presentation rules every front end shares: which metric and which log come first."""

from __future__ import annotations

from workbench.core.records import TaskRunRecord
from workbench.core.vocabulary import TaskState, first_log_task, preferred_metric


def test_the_metric_shown_first_is_one_candidates_are_compared_by() -> None:
    assert preferred_metric(["gate.value", "lr.f1", "lr.roc_auc", "curve.roc_auc"]) == (
        "curve.roc_auc"
    )
    assert preferred_metric(["b", "a"]) == "a"
    assert preferred_metric([]) is None


def test_a_key_metric_as_named_comes_before_its_validation_spelling() -> None:
    assert preferred_metric(["a.val_roc_auc", "b.roc_auc", "b.f1_macro"]) == "b.roc_auc"
    assert preferred_metric(["val_roc_auc", "f1_macro"]) == "val_roc_auc"


def _task(name: str, status: str) -> TaskRunRecord:
    return TaskRunRecord(1, name, TaskState(status), 1, None, None, None, None)


def test_the_log_shown_first_is_the_first_failed_task_else_the_first() -> None:
    tasks = [_task("load", "success"), _task("train", "timed_out"), _task("eval", "failed")]
    assert first_log_task(tasks) == "train"
    assert first_log_task(tasks[:1]) == "load"
    assert first_log_task([]) is None
