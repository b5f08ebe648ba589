"""Flows: the edges written with ``>>`` and ``<<``, accumulated without global state.

``ingest >> validate >> train`` evaluates left to right: ``ingest >> validate`` makes a
:class:`Flow` holding both tasks and the edge, whose *heads* are ``(validate,)``; ``>>
train`` then links the heads to ``train``. Lists fan out and in (``a >> [b, c]``,
``[b, c] >> d``). As in Airflow, where ``b >> c`` evaluates to ``c``, a flow used as an
operand connects through its heads, and ``a << b`` makes ``b`` the new head so that
``c << b << a`` reads as ``a >> b >> c``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbench.core.errors import PipelineError
from workbench.dag.task import Task

Edge = tuple[Task, Task]


class Flow:
    """Tasks and the edges between them, plus the heads the next operator attaches to.

    Flows are immutable: every operator returns a new flow, so one flow can be reused in
    several pipelines. Pass flows (and lone tasks) to :class:`~workbench.dag.Pipeline`.
    """

    __slots__ = ("_edges", "_heads", "_tasks")

    def __init__(
        self, tasks: Iterable[Task], edges: Iterable[Edge] = (), heads: Iterable[Task] = ()
    ) -> None:
        self._tasks = tuple(dict.fromkeys(tasks))
        self._edges = tuple(dict.fromkeys(edges))
        self._heads = tuple(dict.fromkeys(heads))

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task in the flow, in the order first written."""
        return self._tasks

    @property
    def edges(self) -> tuple[Edge, ...]:
        """``(upstream, downstream)`` pairs, in the order written."""
        return self._edges

    @property
    def heads(self) -> tuple[Task, ...]:
        """The tasks the next ``>>`` or ``<<`` connects to."""
        return self._heads

    @classmethod
    def of(cls, operand: Any) -> Flow:
        """A flow from a task, a flow, or a list or tuple of them.

        Raises:
            PipelineError: The operand is something else (a function not made a task, ...).
        """
        if isinstance(operand, Flow):
            return operand
        if isinstance(operand, Task):
            return cls((operand,), (), (operand,))
        if isinstance(operand, list | tuple):
            parts = [cls._member(item) for item in operand]
            return cls(
                [t for part in parts for t in part.tasks],
                [e for part in parts for e in part.edges],
                [h for part in parts for h in part.heads],
            )
        raise PipelineError(_not_wirable(operand))

    @classmethod
    def _member(cls, item: Any) -> Flow:
        if isinstance(item, Task | Flow):
            return cls.of(item)
        raise PipelineError(_not_wirable(item))

    def __rshift__(self, other: Any) -> Flow:
        return _link(self, Flow.of(other), left_is_upstream=True)

    def __rrshift__(self, other: Any) -> Flow:
        return _link(Flow.of(other), self, left_is_upstream=True)

    def __lshift__(self, other: Any) -> Flow:
        return _link(self, Flow.of(other), left_is_upstream=False)

    def __rlshift__(self, other: Any) -> Flow:
        return _link(Flow.of(other), self, left_is_upstream=False)

    def __repr__(self) -> str:
        edges = ", ".join(f"{up.name}>>{down.name}" for up, down in self._edges)
        heads = ", ".join(t.name for t in self._heads)
        return f"Flow(edges=[{edges}], heads=[{heads}])"


def _link(left: Flow, right: Flow, *, left_is_upstream: bool) -> Flow:
    """Connect the heads of the two operands; the right operand's heads become the heads.

    ``left_is_upstream`` is True for ``>>`` and False for ``<<``. Making the right-hand
    side the heads in both cases is what lets ``a >> b >> c`` and ``c << b << a`` chain.
    """
    if left_is_upstream:
        new_edges = [(up, down) for up in left.heads for down in right.heads]
    else:
        new_edges = [(up, down) for up in right.heads for down in left.heads]
    return Flow(left.tasks + right.tasks, left.edges + right.edges + tuple(new_edges), right.heads)


def _not_wirable(value: Any) -> str:
    hint = ""
    if callable(value) and not isinstance(value, Task):
        hint = "; decorate the function with @task first"
    return (
        f"cannot wire {value!r} ({type(value).__name__}) into a pipeline: expected a task, "
        f"a flow or a list of them{hint}"
    )
