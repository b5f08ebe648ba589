"""Keep native thread pools (BLAS, OpenMP) at one thread while candidates train.

The DAG trains candidates in parallel Python threads. Left alone, each fit would also
start a BLAS or OpenMP pool as wide as the machine, and two candidates on two cores
would fight over four or more threads. Capping at one thread per fit makes the DAG's
own parallelism the only parallelism.

A plain ``threadpool_limits(1)`` per fit is not enough under threads:

* OpenMP limits belong to the calling thread, so each fitting thread sets its own.
* OpenBLAS (pthreads build) has one process-wide pool, and threadpoolctl lets only one
  "controlling" thread change it; limits set from other threads are silently ignored.
  If fit A's thread controlled the cap, A finishing would restore full width while fit
  B still runs. So the process-wide cap is held by a small owner thread, started by the
  first fit in and released when the last fit leaves.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

OWNER_TIMEOUT = 10.0
"""Seconds to wait for the owner thread to apply or release the process-wide cap."""


class _SharedBlasCap:
    """Reference-counted process-wide BLAS cap, applied and restored by one owner thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._release = threading.Event()
        self._owner: threading.Thread | None = None

    def acquire(self) -> None:
        with self._lock:
            self._holders += 1
            if self._holders > 1:
                return
            applied, self._release = threading.Event(), threading.Event()
            self._owner = threading.Thread(
                target=self._hold,
                args=(applied, self._release),
                name="workbench-blas-cap",
                daemon=True,
            )
            self._owner.start()
            applied.wait(OWNER_TIMEOUT)

    def release(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders > 0 or self._owner is None:
                return
            self._release.set()
            # The next owner can only take control once this one has let go.
            self._owner.join(OWNER_TIMEOUT)
            self._owner = None

    @staticmethod
    def _hold(applied: threading.Event, release: threading.Event) -> None:
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                applied.set()
                release.wait()
        finally:
            applied.set()


_SHARED_BLAS_CAP = _SharedBlasCap()


@contextmanager
def capped_threads() -> Iterator[None]:
    """Run the body with BLAS and OpenMP limited to one thread, safely across threads.

    Nesting and overlapping uses from several threads are fine: the process-wide BLAS
    limit is restored only when the last of them ends.
    """
    _SHARED_BLAS_CAP.acquire()
    try:
        # Per-thread limits: OpenMP, and BLAS libraries built on OpenMP.
        with threadpool_limits(limits=1):
            yield
    finally:
        _SHARED_BLAS_CAP.release()
