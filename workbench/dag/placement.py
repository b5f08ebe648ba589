"""Where a task runs on a Dask executor: on the engine, or on a cluster worker.

Most tasks are pure functions of their arguments and can run anywhere. A few need the
engine's own resources: the registry sink (it writes the model to the store), the store
itself, anything holding the DuckDB connection or the engine's threads. Those cannot be
pickled to a worker, and would be wrong there even if they could (the engine is the one
writer of the workspace). So a task whose arguments include such a resource runs on a
thread of the engine, with no work from the pipeline's author.

An object says it is engine-side with a class attribute::

    class RegistrySink:
        __engine_side__ = True

This is duck-typed on purpose: the store and the engine sit in other layers, and a
notebook user's own sink can say the same without importing anything from here. When
the arguments do not tell (a task that opens workspace files by path, say), the author
writes ``@task(where="engine")``; ``@task(where="cluster")`` forces a worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.dag.task import Task

ENGINE_SIDE_ATTRIBUTE = "__engine_side__"
"""The class attribute that marks an engine-side resource (set it to True)."""

ENGINE = "engine"
"""The placement of a task that runs in the process that runs the pipeline."""

CLUSTER = "cluster"
"""The placement of a task that runs on a cluster worker."""


def is_engine_side(value: Any) -> bool:
    """True when ``value`` is an engine resource that must not leave this process."""
    return getattr(type(value), ENGINE_SIDE_ATTRIBUTE, False) is True


def placement(task: Task, kwargs: Mapping[str, Any]) -> str:
    """:data:`ENGINE` or :data:`CLUSTER`: where a Dask executor runs this call.

    Args:
        task: The task, whose ``where`` option wins when it is not ``"auto"``.
        kwargs: The call's arguments (upstream results and run inputs).
    """
    where = task.options.where
    if where in (ENGINE, CLUSTER):
        return where
    if any(is_engine_side(value) for value in kwargs.values()):
        return ENGINE
    return CLUSTER


def engine_side_parameters(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    """The parameters whose values are engine-side, for messages that say why."""
    return tuple(name for name, value in kwargs.items() if is_engine_side(value))
