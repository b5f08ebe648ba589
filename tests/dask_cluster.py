"""One real multi-process Dask cluster for the whole test session.

Two worker processes (one thread each, each under a nanny that restarts it if it dies)
and a scheduler, all on 127.0.0.1. Starting one costs seconds, so every test that needs
a real cluster shares this one (a session fixture, imported by ``tests/conftest.py``);
a test that kills a worker waits for the nanny to bring it back before it ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

WORKERS = 2
"""Worker processes in the shared cluster."""

RESTART_WAIT_S = 60.0
"""Upper bound on a killed worker's restart; reached only when something is wrong."""


@pytest.fixture(scope="session")
def process_cluster() -> Iterator[Any]:
    """A ``distributed.LocalCluster`` of two worker processes on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
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
