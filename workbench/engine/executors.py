"""The executor a run uses, from ``[train] executor`` in workbench.toml."""

from __future__ import annotations

from workbench import dag
from workbench.core.errors import PipelineError


def make_executor(spec: str, max_workers: int) -> dag.Executor:
    """threads (default) or a Dask cluster when the dag block provides that backend.

    Raises:
        PipelineError: The spec is unknown or its backend is not installed.
    """
    factory = getattr(dag, "make_executor", None)
    if factory is not None:
        return factory(spec, max_workers)
    if spec != "threads":
        raise PipelineError(f"[train] executor = {spec!r} is not available; use 'threads'")
    return dag.ThreadExecutor(max_workers=max_workers)
