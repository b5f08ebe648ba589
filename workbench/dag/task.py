"""Tasks: a plain Python function plus the options that say how the executor runs it.

``@task`` turns a function into a :class:`Task`. The function stays callable directly,
so a task is unit-tested like any function; the executor reads the options (retries,
timeout, trigger rule, ...) and wires the function's parameters to upstream results,
run inputs and the task context by name (see :class:`workbench.dag.Pipeline`).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import inspect
import keyword
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast, overload

from workbench.core.errors import PipelineError

if TYPE_CHECKING:
    from workbench.dag.flow import Flow

CONTEXT_PARAMETER = "ctx"
"""A task parameter with this name receives the :class:`~workbench.dag.TaskContext`."""


PLACEMENTS = ("auto", "engine", "cluster")
"""The values of ``@task(where=...)``."""


class TriggerRule(enum.StrEnum):
    """When a task may start, given how its upstream tasks ended (Airflow's trigger rules).

    Every rule waits until all upstream tasks have finished.
    """

    ALL_SUCCESS = "all_success"
    """Run when every upstream succeeded (or came from the cache). The default.

    Any upstream failure makes the task ``upstream_failed``; otherwise any skipped
    upstream makes it ``skipped``.
    """
    ONE_FAILED = "one_failed"
    """Run only when at least one upstream failed or was ``upstream_failed`` (alerts)."""
    ALL_DONE = "all_done"
    """Run whatever happened upstream (cleanup)."""
    NONE_FAILED = "none_failed"
    """Run when no upstream failed; skipped upstreams are fine (the join after a branch)."""


@dataclass(frozen=True)
class TaskOptions:
    """How the executor runs a task; set through ``@task(...)``."""

    name: str
    """Unique name in a pipeline; downstream parameters with this name get the result."""
    retries: int = 0
    """How many times a failed (or timed-out) attempt is tried again."""
    retry_delay: float = 0.0
    """Seconds to wait before the first retry."""
    backoff: float = 2.0
    """Each further retry waits ``retry_delay * backoff ** n`` seconds (n = retries so far)."""
    timeout: float | None = None
    """Seconds an attempt may run, from its hand-off to a worker, before it is marked
    failed and no longer awaited (its thread is told to stop but cannot be killed)."""
    cache: bool = False
    """Reuse the result of an earlier run with the same code, inputs and params."""
    trigger: TriggerRule = TriggerRule.ALL_SUCCESS
    """When the task may start, given how its upstream tasks ended."""
    branch: bool = False
    """The task returns the name (or names) of the direct downstream tasks to follow."""
    local: bool = False
    """Always run in the process that runs the pipeline, even on a Dask executor: for
    tasks that write to the workspace store or take arguments that do not pickle. The
    older spelling of ``where="engine"``."""
    where: str = "auto"
    """Where a Dask executor runs the task: ``"auto"`` (on the engine when an argument
    is an engine-side resource, see :mod:`workbench.dag.placement`; on the cluster
    otherwise), ``"engine"`` (always in the process running the pipeline) or
    ``"cluster"`` (always on a worker). The thread executor runs everything in-process."""

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.where not in PLACEMENTS:
            raise PipelineError(
                f"task '{self.name}': where must be one of {', '.join(PLACEMENTS)}, "
                f"got {self.where!r}"
            )
        if self.local and self.where == "cluster":
            raise PipelineError(
                f"task '{self.name}': local=True and where='cluster' contradict each other"
            )
        if self.local:
            object.__setattr__(self, "where", "engine")
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or self.retries < 0:
            raise PipelineError(
                f"task '{self.name}': retries must be a whole number >= 0, got {self.retries!r}"
            )
        if self.retry_delay < 0:
            raise PipelineError(
                f"task '{self.name}': retry_delay must be >= 0 seconds, got {self.retry_delay!r}"
            )
        if self.backoff < 1:
            raise PipelineError(f"task '{self.name}': backoff must be >= 1, got {self.backoff!r}")
        if self.timeout is not None and self.timeout <= 0:
            raise PipelineError(
                f"task '{self.name}': timeout must be > 0 seconds or None, got {self.timeout!r}"
            )
        try:
            object.__setattr__(self, "trigger", TriggerRule(self.trigger))
        except ValueError as exc:
            allowed = ", ".join(rule.value for rule in TriggerRule)
            raise PipelineError(
                f"task '{self.name}': unknown trigger rule {self.trigger!r}; use one of {allowed}"
            ) from exc

    def retry_wait(self, failed_attempt: int) -> float:
        """Seconds to wait after attempt number ``failed_attempt`` (1-based) failed."""
        return self.retry_delay * self.backoff ** (failed_attempt - 1)


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise PipelineError(
            f"task name {name!r} is not a Python identifier; downstream tasks receive its "
            "result through a parameter of that name, so give it one with @task(name=...)"
        )
    if name == CONTEXT_PARAMETER:
        raise PipelineError(
            f"task name '{CONTEXT_PARAMETER}' is reserved for the task context; pick another"
        )


class Task:
    """A function the executor can run, with its :class:`TaskOptions`.

    Calling the task calls the function, unchanged. ``a >> b`` and ``a << b`` wire tasks
    into a :class:`~workbench.dag.Flow`. Tasks compare by identity: two tasks wrapping the
    same function are different tasks.
    """

    def __init__(self, fn: Callable[..., Any], options: TaskOptions) -> None:
        if not callable(fn):
            raise PipelineError(f"task '{options.name}' wraps {fn!r}, which is not callable")
        self.fn = fn
        """The wrapped function."""
        self.options = options
        """How the executor runs it."""
        self.parameters, self.optional = _parameters(fn, options.name)
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    @property
    def name(self) -> str:
        """The task's unique name in a pipeline."""
        return self.options.name

    @functools.cached_property
    def code_hash(self) -> str:
        """A hash of the function's compiled code: bytecode, names, constants, defaults.

        Part of the cache key, so editing the function invalidates its cached results.
        It is taken from the code that is loaded, not from the file on disk, which may
        have been saved again since the import (and would then give the tasks of one
        run different hashes). Moving the function or editing a comment does not
        change it. Globals and closure variables the function reads are not part of it.
        """
        digest = hashlib.sha256()
        code = getattr(self.fn, "__code__", None)
        if code is None:
            digest.update(b"repr\0" + repr(type(self.fn)).encode("utf-8"))
        else:
            _feed_code(digest, code)
            digest.update(b"defaults\0" + repr(getattr(self.fn, "__defaults__", None)).encode())
        return digest.hexdigest()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Task({self.name!r})"

    def __rshift__(self, other: Any) -> Flow:
        from workbench.dag.flow import Flow

        flow: Flow = Flow.of(self) >> other
        return flow

    def __rrshift__(self, other: Any) -> Flow:
        from workbench.dag.flow import Flow

        return Flow.of(other) >> self

    def __lshift__(self, other: Any) -> Flow:
        from workbench.dag.flow import Flow

        flow: Flow = Flow.of(self) << other
        return flow

    def __rlshift__(self, other: Any) -> Flow:
        from workbench.dag.flow import Flow

        return Flow.of(other) << self


def _feed_code(digest: Any, code: Any) -> None:
    digest.update(b"code\0" + code.co_code)
    digest.update(repr((code.co_names, code.co_varnames)).encode("utf-8"))
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            _feed_code(digest, const)
        elif isinstance(const, frozenset):  # its order follows string hashing: sort it
            digest.update(repr(sorted(map(repr, const))).encode("utf-8"))
        else:
            digest.update(repr(const).encode("utf-8"))


def _parameters(fn: Callable[..., Any], name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The parameter names the executor fills by keyword, and those with defaults."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise PipelineError(f"task '{name}': cannot read the parameters of {fn!r}") from exc
    names: list[str] = []
    optional: set[str] = set()
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.POSITIONAL_ONLY):
            raise PipelineError(
                f"task '{name}': parameter '{param.name}' cannot be passed by name; "
                "the executor passes upstream results, inputs and ctx as keywords"
            )
        names.append(param.name)
        if param.default is not inspect.Parameter.empty:
            optional.add(param.name)
    return tuple(names), frozenset(optional)


@overload
def task(
    fn: Callable[..., Any],
    /,
    *,
    name: str | None = None,
    retries: int = 0,
    retry_delay: float = 0.0,
    backoff: float = 2.0,
    timeout: float | None = None,
    cache: bool = False,
    trigger: TriggerRule | str = TriggerRule.ALL_SUCCESS,
    branch: bool = False,
    local: bool = False,
    where: str = "auto",
) -> Task: ...


@overload
def task(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    retries: int = 0,
    retry_delay: float = 0.0,
    backoff: float = 2.0,
    timeout: float | None = None,
    cache: bool = False,
    trigger: TriggerRule | str = TriggerRule.ALL_SUCCESS,
    branch: bool = False,
    local: bool = False,
    where: str = "auto",
) -> Callable[[Callable[..., Any]], Task]: ...


def task(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    retries: int = 0,
    retry_delay: float = 0.0,
    backoff: float = 2.0,
    timeout: float | None = None,
    cache: bool = False,
    trigger: TriggerRule | str = TriggerRule.ALL_SUCCESS,
    branch: bool = False,
    local: bool = False,
    where: str = "auto",
) -> Task | Callable[[Callable[..., Any]], Task]:
    """Make a function a pipeline task; use bare (``@task``) or with options.

    ``task(fn, name=...)`` also works, to make tasks from lambdas or in loops.

    Args:
        fn: The function, when used bare or called directly.
        name: Task name; defaults to the function's name.
        retries: Extra attempts after a failure or timeout.
        retry_delay: Seconds before the first retry.
        backoff: Multiplier of the delay for each further retry.
        timeout: Seconds an attempt may run before it is abandoned as failed.
        cache: Reuse results across runs when code, inputs and params are unchanged.
        trigger: A :class:`TriggerRule` (or its value) deciding when the task runs.
        branch: The task returns which direct downstream task(s) to follow.
        local: Run it in this process even when the executor is a Dask cluster (the
            same as ``where="engine"``).
        where: ``"auto"``, ``"engine"`` or ``"cluster"``: where a Dask executor runs
            it. ``"auto"`` runs it on the engine when an argument is an engine-side
            resource (the registry sink, the store) and on a worker otherwise; say
            ``"engine"`` when that cannot be told from the arguments (the task opens
            workspace files itself, say).

    Returns:
        The :class:`Task`, or a decorator making one when options were given.

    Raises:
        PipelineError: An option is out of range or the name is not an identifier.
    """

    def wrap(func: Callable[..., Any]) -> Task:
        options = TaskOptions(
            name=name if name is not None else getattr(func, "__name__", repr(func)),
            retries=retries,
            retry_delay=retry_delay,
            backoff=backoff,
            timeout=timeout,
            cache=cache,
            trigger=cast(TriggerRule, trigger),  # a str is checked and converted on creation
            branch=branch,
            local=local,
            where=where,
        )
        return Task(func, options)

    if fn is not None:
        return wrap(fn)
    return wrap
