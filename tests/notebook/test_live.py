"""The live feed: events from engine threads reach the panel's thread in batches."""

from __future__ import annotations

import threading

from workbench.api import WorkbenchApi
from workbench.core.records import EventRecord
from workbench.notebook import LiveFeed

WAIT_S = 30.0


def test_feed_delivers_events_from_another_thread_and_survives_a_failing_consumer(
    api: WorkbenchApi,
) -> None:
    seen: list[str] = []
    second = threading.Event()

    def consume(batch: list[EventRecord]) -> None:
        seen.extend(e.kind for e in batch)
        if len(seen) == 1:
            raise RuntimeError("a panel bug")  # logged; the feed goes on
        second.set()

    feed = LiveFeed(api, consume).start()
    try:
        api.reject(1, "first")
        threading.Thread(target=api.reject, args=(2, "second")).start()
        assert second.wait(WAIT_S)
        assert seen == ["model.rejected", "model.rejected"]
        assert feed.running
    finally:
        feed.stop()
    assert not feed.running


def test_stop_is_idempotent_and_safe_from_the_consumer(api: WorkbenchApi) -> None:
    stopped = threading.Event()
    feed: LiveFeed

    def consume(batch: list[EventRecord]) -> None:
        feed.stop()  # from the feed's own thread: must not wait for itself
        stopped.set()

    feed = LiveFeed(api, consume).start()
    api.reject(1)
    assert stopped.wait(WAIT_S)
    feed.stop()
    feed.stop()
    assert not feed.running
