"""One real multi-process Dask cluster for the whole test session.

Two worker processes (one thread each, each under a nanny that restarts it if it dies)
and a scheduler, all on 127.0.0.1. Starting one costs seconds, so every test that needs
a real cluster shares this one (a session fixture, imported by ``tests/conftest.py``);
a test that kills a worker waits for the nanny to bring it back before it ends.

The workers start from a multiprocessing fork server that imported scikit-learn,
polars and the default pipeline once, rather than each being spawned bare: a spawned
worker imports them on its first task, which costs seconds of CPU per worker on a
loaded CI machine (a real cluster pays that once per worker, at its first run). A plain
``fork`` of the test process would be quicker still but can deadlock polars' thread
pool in the child. What the tests prove does not depend on it: task code and data
still cross a process boundary by pickle, and a module imported later is unknown to
the workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

WORKERS = 2
"""Worker processes in the shared cluster."""

PRELOAD = [
    "distributed",
    "polars",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "workbench.tabular.pipeline",
]
"""Imported once by the fork server the workers start from."""

RESTART_WAIT_S = 60.0
"""Upper bound on a killed worker's restart; reached only when something is wrong."""


@pytest.fixture(scope="session")
def process_cluster() -> Iterator[Any]:
    """A ``distributed.LocalCluster`` of two worker processes on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
    import dask
    from distributed.utils import get_mp_context

    # set for the cluster's whole life: a nanny restarting a killed worker reads it again
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context().set_forkserver_preload(PRELOAD)
        with distributed.LocalCluster(
            n_workers=WORKERS,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster:
            yield cluster


def dask_spec(cluster: Any) -> str:
    """The ``[train] executor`` setting that points at ``cluster``."""
    return "dask://" + str(cluster.scheduler_address).removeprefix("tcp://")


def wait_for_full_cluster(client: Any) -> None:
    """Block until the cluster has all its workers again (after a kill)."""
    client.wait_for_workers(WORKERS, timeout=RESTART_WAIT_S)
