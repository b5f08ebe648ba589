"""Native thread pools stay at one thread during fits, even with fits in parallel threads."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from workbench.training import capped_threads, fit_capped

WAIT = 10.0


def _threads(user_api: str) -> set[int]:
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == user_api}


class ThreadProbe:
    """A real estimator that records the native thread limits it sees while fitting."""

    seen: dict[str, set[int]]

    def fit(self, X: Any, y: Any) -> ThreadProbe:
        self.seen = {"blas": _threads("blas"), "openmp": _threads("openmp")}
        return self


@pytest.fixture(autouse=True)
def wide_pools_outside() -> None:
    """The cap is only visible where the pools are wider than one thread to begin with.

    (Holding a wider limit here would not do: threadpoolctl lets only one thread steer
    OpenBLAS, so the test thread must not take that role.)
    """
    if not _threads("blas") or not _threads("openmp"):
        pytest.fail("numpy/scikit-learn should have loaded BLAS and OpenMP")
    if min(_threads("blas") | _threads("openmp")) < 2:
        pytest.skip("native thread pools are already single-threaded on this machine")


def test_fit_runs_with_blas_and_openmp_at_one_thread() -> None:
    probe = ThreadProbe()
    seconds = fit_capped(probe, np.zeros((2, 1)), np.zeros(2))
    assert probe.seen == {"blas": {1}, "openmp": {1}}
    assert seconds >= 0.0
    assert min(_threads("blas")) > 1


def test_cap_holds_until_the_last_of_overlapping_fits_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, set[int]] = {}

    def first() -> None:
        with capped_threads():
            first_in.set()
            assert second_in.wait(WAIT)
        first_out.set()

    def second() -> None:
        assert first_in.wait(WAIT)
        with capped_threads():
            second_in.set()
            assert first_out.wait(WAIT)
            seen["blas"] = _threads("blas")
            seen["openmp"] = _threads("openmp")

    workers = [threading.Thread(target=first), threading.Thread(target=second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT)
    assert seen == {"blas": {1}, "openmp": {1}}
    assert min(_threads("blas")) > 1


def test_cap_applies_again_after_every_fit_has_ended() -> None:
    for _ in range(3):
        with capped_threads():
            assert _threads("blas") == {1}
        assert min(_threads("blas")) > 1
