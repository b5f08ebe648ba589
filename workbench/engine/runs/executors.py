"""The executor a run uses, from ``[train] executor`` in workbench.toml."""

from __future__ import annotations

from workbench import dag


def make_executor(spec: str, max_workers: int) -> dag.Executor:
    """threads (default), ``dask:local`` or ``dask://host:port`` (the dask extra).

    Raises:
        PipelineError: The spec is unknown or its backend is not installed.
    """
    return dag.make_executor(spec, max_workers)
