"""The rules every executor shares: when a task may start, what a branch chose, how a run ended.

Kept apart from the thread machinery so another backend (Dask) decides exactly the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.core.errors import PipelineError
from workbench.dag.pipeline import Pipeline
from workbench.dag.records import RunStatus, TaskStatus
from workbench.dag.task import TriggerRule


def decide(
    pipeline: Pipeline,
    name: str,
    statuses: Mapping[str, TaskStatus],
    chosen: Mapping[str, frozenset[str]],
) -> tuple[TaskStatus, str | None] | None:
    """What happens to a task once all its upstream tasks have finished.

    Args:
        pipeline: The pipeline.
        name: The task whose upstream tasks have all finished.
        statuses: Final status of (at least) every upstream task.
        chosen: For each branch task that succeeded, the downstream names it chose.

    Returns:
        None when the task should run, otherwise ``(status, error)`` for a task that will
        not run: ``skipped`` (branch not chosen, or trigger not met) or ``upstream_failed``.
    """
    upstream = pipeline.upstream(name)
    for up in upstream:
        picks = chosen.get(up)
        if picks is not None and name not in picks:
            return TaskStatus.SKIPPED, None
    failed = [up for up in upstream if statuses[up].failed]
    trigger = pipeline.task(name).options.trigger
    if trigger is TriggerRule.ALL_DONE:
        return None
    if trigger is TriggerRule.ONE_FAILED:
        return None if failed else (TaskStatus.SKIPPED, None)
    if failed:
        ups = ", ".join(f"'{up}'" for up in failed)
        noun = "task" if len(failed) == 1 else "tasks"
        return TaskStatus.UPSTREAM_FAILED, f"upstream {noun} {ups} failed"
    if trigger is TriggerRule.ALL_SUCCESS and any(
        statuses[up] is TaskStatus.SKIPPED for up in upstream
    ):
        return TaskStatus.SKIPPED, None
    return None


def branch_choice(pipeline: Pipeline, name: str, value: object) -> frozenset[str]:
    """The downstream tasks a branch task chose by returning ``value``.

    None or an empty list chooses nothing (every downstream task is skipped), as in
    Airflow.

    Raises:
        PipelineError: The value is not a name (or list of names) of a direct downstream
            task of ``name``.
    """
    downstream = pipeline.downstream(name)
    picks: list[object]
    if value is None:
        picks = []
    elif isinstance(value, str):
        picks = [value]
    elif isinstance(value, list | tuple | set | frozenset):
        picks = list(value)
    else:
        picks = [value]
    wrong = [p for p in picks if not isinstance(p, str) or p not in downstream]
    if wrong:
        raise PipelineError(
            f"branch task '{name}' returned {value!r}; it must return the name (or a list of "
            f"names) of its downstream tasks: {', '.join(downstream)}"
        )
    return frozenset(str(p) for p in picks)


def run_status(pipeline: Pipeline, statuses: Mapping[str, TaskStatus]) -> RunStatus:
    """How a run ended, decided from its leaf tasks as in Airflow.

    A run is ``cancelled`` if any task was cancelled. Otherwise it is ``failed`` if a
    deciding task is ``failed`` or ``upstream_failed``, else ``success``. The deciding
    tasks are the leaves, except that a leaf whose trigger rule is ``one_failed`` (an
    alert) or ``all_done`` (a cleanup) is looked through: its upstream tasks decide with
    it, recursively, like Airflow's teardown tasks. So a failure that an alert handled, or
    that a cleanup ran after, still fails the run; a failed alert or cleanup does too;
    skipped branches do not.
    """
    if any(status is TaskStatus.CANCELLED for status in statuses.values()):
        return RunStatus.CANCELLED
    seen: set[str] = set()
    todo = [name for name in pipeline.names if not pipeline.downstream(name)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if statuses[name].failed:
            return RunStatus.FAILED
        trigger = pipeline.task(name).options.trigger
        if trigger in (TriggerRule.ONE_FAILED, TriggerRule.ALL_DONE):
            todo.extend(pipeline.upstream(name))
    return RunStatus.SUCCESS
