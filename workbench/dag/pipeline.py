"""Pipelines: named DAGs of tasks, checked when built so a bad one never starts.

A :class:`Pipeline` collects the tasks and edges of its flows and checks, before anything
runs (kedro's preconditions): task names are unique, there is no cycle, every task
parameter can be filled, branch tasks have somewhere to branch to. Run inputs are checked
by :meth:`Pipeline.check_inputs` before the first task starts.

Where a task parameter's value comes from, by its name:

- ``ctx``: the :class:`~workbench.dag.TaskContext` of the attempt;
- the name of an upstream task (direct or further up): that task's return value, or
  None when the task did not succeed (an ``all_done`` or ``one_failed`` task still runs);
- the name of a declared run input: the value passed to ``Executor.run(inputs=...)``;
- anything else must have a default, which is then used.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from workbench.core.errors import PipelineError
from workbench.dag.flow import Flow
from workbench.dag.task import CONTEXT_PARAMETER, Task, TriggerRule

SourceKind = Literal["ctx", "task", "input"]
"""Where a parameter's value comes from; the source has the parameter's own name."""


class Pipeline:
    """A validated DAG of tasks with the run inputs it declares.

    Args:
        name: Pipeline name, shown in runs and logs.
        *parts: Flows (``a >> b``), tasks, or lists of them; shared tasks are merged.
        inputs: Names of the values a run must (or may, for parameters with defaults)
            supply, such as ``("dataset",)``.

    Raises:
        PipelineError: Duplicate task names, a cycle, a parameter with no source, a branch
            task without downstream tasks, a ``one_failed`` task without upstream tasks.
    """

    def __init__(
        self, name: str, *parts: Task | Flow | list[Task | Flow], inputs: Iterable[str] = ()
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise PipelineError(f"pipeline name must be a non-empty string, got {name!r}")
        self.name = name
        flow = Flow.of([Flow.of(part) for part in parts])
        tasks = _unique_tasks(name, flow.tasks)
        self.inputs = _declared_inputs(name, inputs, tasks)
        """Declared run input names."""
        upstream: dict[str, list[str]] = {n: [] for n in tasks}
        downstream: dict[str, list[str]] = {n: [] for n in tasks}
        for up, down in flow.edges:
            upstream[down.name].append(up.name)
            downstream[up.name].append(down.name)
        order = _topological_order(name, upstream, downstream)
        self._tasks = {n: tasks[n] for n in order}
        self._upstream = {n: tuple(upstream[n]) for n in order}
        self._downstream = {n: tuple(downstream[n]) for n in order}
        self._edges = tuple((up.name, down.name) for up, down in flow.edges)
        self._sources = _parameter_sources(name, self._tasks, self._upstream, self.inputs)
        _check_shapes(name, self._tasks, self._upstream, self._downstream)

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task, in a topological order (upstream before downstream)."""
        return tuple(self._tasks.values())

    @property
    def names(self) -> tuple[str, ...]:
        """Task names in topological order."""
        return tuple(self._tasks)

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """``(upstream, downstream)`` name pairs."""
        return self._edges

    def task(self, name: str) -> Task:
        """The task called ``name``.

        Raises:
            PipelineError: There is no such task.
        """
        try:
            return self._tasks[name]
        except KeyError:
            raise PipelineError(
                f"pipeline '{self.name}' has no task named {name!r}; "
                f"it has {', '.join(self._tasks)}"
            ) from None

    def upstream(self, name: str) -> tuple[str, ...]:
        """Names of the direct upstream tasks of ``name``."""
        self.task(name)
        return self._upstream[name]

    def downstream(self, name: str) -> tuple[str, ...]:
        """Names of the direct downstream tasks of ``name``."""
        self.task(name)
        return self._downstream[name]

    def parameter_sources(self, name: str) -> tuple[tuple[str, SourceKind], ...]:
        """``(parameter, kind)`` for each parameter of ``name`` the executor fills.

        Parameters that are left to their defaults are not listed.
        """
        self.task(name)
        return self._sources[name]

    def check_inputs(self, inputs: Mapping[str, Any]) -> None:
        """Check run inputs before the first task starts.

        Raises:
            PipelineError: An input is not declared, or a task parameter without a default
                needs an input that was not supplied (the message names both).
        """
        unknown = sorted(set(inputs) - set(self.inputs))
        if unknown:
            declared = ", ".join(self.inputs) or "none"
            raise PipelineError(
                f"pipeline '{self.name}' does not declare run input(s) "
                f"{', '.join(map(repr, unknown))}; declared inputs: {declared}"
            )
        missing = [
            (param, task_name)
            for task_name, sources in self._sources.items()
            for param, kind in sources
            if kind == "input"
            and param not in inputs
            and param not in self._tasks[task_name].optional
        ]
        if missing:
            needed = ", ".join(sorted({f"'{param}'" for param, _ in missing}))
            where = "; ".join(f"parameter '{p}' of task '{t}'" for p, t in missing)
            raise PipelineError(
                f"pipeline '{self.name}' is missing run input(s) {needed}, needed by {where}; "
                "pass them with inputs={...}"
            )

    def __len__(self) -> int:
        return len(self._tasks)

    def __iter__(self) -> Iterator[Task]:
        return iter(self._tasks.values())

    def __contains__(self, name: object) -> bool:
        return name in self._tasks

    def __repr__(self) -> str:
        return f"Pipeline({self.name!r}, tasks=[{', '.join(self._tasks)}])"


def _unique_tasks(pipeline: str, tasks: Iterable[Task]) -> dict[str, Task]:
    by_name: dict[str, Task] = {}
    for task in tasks:
        other = by_name.setdefault(task.name, task)
        if other is not task:
            raise PipelineError(
                f"pipeline '{pipeline}' has two different tasks named '{task.name}'; "
                "rename one with @task(name=...)"
            )
    if not by_name:
        raise PipelineError(f"pipeline '{pipeline}' has no tasks")
    return by_name


def _declared_inputs(
    pipeline: str, inputs: Iterable[str], tasks: Mapping[str, Task]
) -> tuple[str, ...]:
    names = (inputs,) if isinstance(inputs, str) else tuple(inputs)
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise PipelineError(
                f"pipeline '{pipeline}': run input {name!r} is not a Python identifier"
            )
        if name == CONTEXT_PARAMETER or name in tasks:
            what = "the task context" if name == CONTEXT_PARAMETER else "a task"
            raise PipelineError(
                f"pipeline '{pipeline}': run input '{name}' has the name of {what}; "
                "rename the input"
            )
    if len(set(names)) != len(names):
        raise PipelineError(f"pipeline '{pipeline}': run inputs {names} contain duplicates")
    return names


def _topological_order(
    pipeline: str, upstream: Mapping[str, list[str]], downstream: Mapping[str, list[str]]
) -> list[str]:
    """Kahn's algorithm, keeping the written order among ready tasks."""
    remaining = {name: len(ups) for name, ups in upstream.items()}
    ready = deque(name for name, count in remaining.items() if count == 0)
    order: list[str] = []
    while ready:
        name = ready.popleft()
        order.append(name)
        for down in downstream[name]:
            remaining[down] -= 1
            if remaining[down] == 0:
                ready.append(down)
    if len(order) < len(remaining):
        cycle = _find_cycle({n for n, c in remaining.items() if c > 0}, upstream)
        raise PipelineError(f"pipeline '{pipeline}' has a cycle: {' -> '.join(cycle)}")
    return order


def _find_cycle(stuck: set[str], upstream: Mapping[str, list[str]]) -> list[str]:
    """One cycle among tasks Kahn's algorithm could not order, written downstream-wise.

    ``upstream`` lists the tasks in the order they were written.
    """
    path: list[str] = []
    seen: dict[str, int] = {}
    node = min(stuck)
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(up for up in upstream[node] if up in stuck)
    cycle = path[seen[node] :]
    cycle.reverse()
    written = list(upstream)  # start where the user first wrote one of the cycle's tasks
    first = min(range(len(cycle)), key=lambda i: written.index(cycle[i]))
    cycle = cycle[first:] + cycle[:first]
    return [*cycle, cycle[0]]


def _parameter_sources(
    pipeline: str,
    tasks: Mapping[str, Task],
    upstream: Mapping[str, tuple[str, ...]],
    inputs: tuple[str, ...],
) -> dict[str, tuple[tuple[str, SourceKind], ...]]:
    sources: dict[str, tuple[tuple[str, SourceKind], ...]] = {}
    for name, task in tasks.items():
        found: list[tuple[str, SourceKind]] = []
        for param in task.parameters:
            if param == CONTEXT_PARAMETER:
                found.append((param, "ctx"))
            elif param in tasks and _is_ancestor(param, name, upstream):
                found.append((param, "task"))
            elif param in inputs:
                found.append((param, "input"))
            elif param in tasks:
                raise PipelineError(
                    f"pipeline '{pipeline}': parameter '{param}' of task '{name}' names task "
                    f"'{param}', which is not upstream of it; add `{param} >> {name}`"
                )
            elif param not in task.optional:
                raise PipelineError(
                    f"pipeline '{pipeline}': parameter '{param}' of task '{name}' is not an "
                    f"upstream task, a run input or 'ctx' and has no default; declare it with "
                    f"inputs=({param!r},) or give it a default"
                )
        sources[name] = tuple(found)
    return sources


def _is_ancestor(candidate: str, name: str, upstream: Mapping[str, tuple[str, ...]]) -> bool:
    """True when ``candidate`` is upstream of ``name``, directly or further up.

    Parameters usually name a direct upstream task, so that is checked first; the walk
    up the graph is only for the rest, which keeps building large pipelines linear.
    """
    if candidate in upstream[name]:
        return True
    seen: set[str] = set()
    todo = list(upstream[name])
    while todo:
        node = todo.pop()
        if node == candidate:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(upstream[node])
    return False


def _check_shapes(
    pipeline: str,
    tasks: Mapping[str, Task],
    upstream: Mapping[str, tuple[str, ...]],
    downstream: Mapping[str, tuple[str, ...]],
) -> None:
    for name, task in tasks.items():
        if task.options.branch and not downstream[name]:
            raise PipelineError(
                f"pipeline '{pipeline}': branch task '{name}' has no downstream tasks "
                "to choose from"
            )
        if task.options.trigger is TriggerRule.ONE_FAILED and not upstream[name]:
            raise PipelineError(
                f"pipeline '{pipeline}': task '{name}' runs only when an upstream task fails "
                "(trigger one_failed) but has no upstream tasks"
            )
