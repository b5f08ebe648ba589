"""Coalescing ready files into batches."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from workbench.watcher import Batch, Batcher

TIMEOUT = 10.0


@pytest.fixture
def delivered() -> queue.Queue[Batch]:
    return queue.Queue()


@pytest.fixture
def failures() -> queue.Queue[tuple[Batch, Exception]]:
    return queue.Queue()


@contextmanager
def running(batcher: Batcher) -> Iterator[Batcher]:
    batcher.start()
    try:
        yield batcher
    finally:
        batcher.stop()


def test_files_ready_within_the_window_come_as_one_sorted_batch(
    delivered: queue.Queue[Batch], failures: queue.Queue[tuple[Batch, Exception]]
) -> None:
    with running(
        Batcher(0.3, delivered.put, on_error=lambda b, e: failures.put((b, e)))
    ) as batcher:
        for name in ("c.csv", "a.csv", "b.csv", "a.csv"):
            batcher.add(Path(name))
        assert delivered.get(timeout=TIMEOUT) == (Path("a.csv"), Path("b.csv"), Path("c.csv"))


def test_a_failing_delivery_is_reported_and_the_next_batch_still_comes(
    delivered: queue.Queue[Batch], failures: queue.Queue[tuple[Batch, Exception]]
) -> None:
    def deliver(batch: Batch) -> None:
        if batch == (Path("bad.csv"),):
            raise ValueError("nope")
        delivered.put(batch)

    with running(Batcher(0.0, deliver, on_error=lambda b, e: failures.put((b, e)))) as batcher:
        batcher.add(Path("bad.csv"))
        batcher.add(Path("good.csv"))
        batch, error = failures.get(timeout=TIMEOUT)
        assert batch == (Path("bad.csv"),) and isinstance(error, ValueError)
        assert delivered.get(timeout=TIMEOUT) == (Path("good.csv"),)
