"""Complete files are handed over once, whole, in batches, on the watcher's own thread."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.watcher import FolderWatcher

from .inbox import Inbox


def test_a_complete_file_is_delivered_once(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watcher = watch()
    data = incoming / "january.csv"
    data.write_text("a,b\n1,2\n")

    assert inbox.next_batch() == (data,)
    assert watcher.rescan() == 0  # an unchanged file is not handed over again
    marker = incoming / "marker.csv"
    marker.write_text("a\n1\n")
    assert inbox.next_batch() == (marker,)
    assert inbox.sizes[data] == [8]
    assert inbox.kinds("january.csv")[:3] == ["seen", "waiting", "ready"]


def test_the_batch_callback_runs_on_the_watchers_delivery_thread(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    (incoming / "a.csv").write_text("a\n1\n")

    inbox.next_batch()
    assert inbox.threads == {"workbench-watch-deliver"}


def test_a_slow_writer_is_delivered_only_after_it_finished_with_its_final_size(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    data = incoming / "slow.csv"
    finished = threading.Event()
    final_size: list[int] = []

    def writer() -> None:
        with data.open("w") as handle:
            handle.write("id,value\n")
            for row in range(10):  # ~1 s of chunks, 100 ms apart, file held open
                handle.write(f"{row},{'x' * 500}\n")
                handle.flush()
                finished.wait(0.1)
        final_size.append(data.stat().st_size)

    thread = threading.Thread(target=writer)
    thread.start()
    batch = inbox.next_batch()
    thread.join()

    assert batch == (data,)
    assert final_size and inbox.sizes[data] == final_size
    assert inbox.batches.empty()


@pytest.mark.skipif(sys.platform != "linux", reason="close-after-write events are inotify's")
@pytest.mark.parametrize("first", ["", "a\n1\n"], ids=["before-first-write", "mid-file"])
def test_a_writer_pausing_with_the_file_open_is_waited_for(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path, first: str
) -> None:
    watch()
    data = incoming / "paused.csv"
    with data.open("w") as handle:
        handle.write(first)
        handle.flush()
        waiting = inbox.event("waiting", "paused.csv")
        while "open" not in waiting.message:  # quiet for the quiet period, but not closed
            waiting = inbox.event("waiting", "paused.csv")
        handle.write("a\n1\n2\n")

    assert inbox.next_batch() == (data,)
    assert inbox.sizes[data] == [len(first) + 6]


@pytest.mark.skipif(sys.platform != "linux", reason="close-after-write events are inotify's")
def test_a_file_never_reported_closed_is_released_after_the_open_timeout(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch(open_timeout=0.6)
    data = incoming / "held.csv"
    with data.open("w") as handle:
        handle.write("a\n1\n")
        handle.flush()
        assert inbox.next_batch() == (data,)

    assert "no close event" in inbox.event("ready", "held.csv").message


def test_a_temp_file_renamed_into_place_is_delivered(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    partial = incoming / "export.csv.part"
    partial.write_text("a,b\n1,2\n3,4\n")
    inbox.event("ignored", "export.csv.part")
    data = incoming / "export.csv"
    os.replace(partial, data)

    assert inbox.next_batch() == (data,)
    assert inbox.sizes[data] == [12]


def test_a_file_moved_in_from_outside_the_folder_is_delivered(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path, tmp_path: Path
) -> None:
    watch()
    outside = tmp_path / "downloads" / "february.parquet"
    outside.parent.mkdir()
    outside.write_bytes(b"PAR1" + b"\0" * 100)
    data = incoming / "february.parquet"
    os.replace(outside, data)

    assert inbox.next_batch() == (data,)
    assert "moved" in inbox.event("seen", "february.parquet").message


def test_a_hundred_files_dropped_at_once_come_in_a_few_batches_and_none_is_lost(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    dropped = {incoming / f"part_{i:03d}.csv" for i in range(100)}
    for path in sorted(dropped):
        path.write_text(f"a\n{path.name}\n")

    batches = inbox.files(100)

    delivered = [path for batch in batches for path in batch]
    assert len(batches) <= 5
    assert sorted(delivered) == sorted(dropped)  # each exactly once
    assert all(list(batch) == sorted(batch) for batch in batches)


def test_files_already_in_the_folder_are_delivered_by_the_initial_scan(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    before = [incoming / "old_1.csv", incoming / "old_2.ndjson"]
    for path in before:
        path.write_text('{"a": 1}\n')
    watch()

    assert inbox.next_batch() == tuple(before)
    assert "scan" in inbox.event("seen", "old_1.csv").message


def test_batch_window_zero_hands_over_each_file_on_its_own(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    for name in ("a.csv", "b.csv", "c.csv"):
        (incoming / name).write_text("a\n1\n")
    watch(batch_window=0.0)

    batches = inbox.files(3)
    assert [len(batch) for batch in batches] == [1, 1, 1]


def test_a_file_deleted_before_it_is_complete_is_reported_vanished_and_not_delivered(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch(quiet_period=1.0)
    doomed = incoming / "doomed.csv"
    with doomed.open("w") as handle:
        handle.write("a\n1\n")
        handle.flush()
        inbox.event("seen", "doomed.csv")
        doomed.unlink()
    inbox.event("vanished", "doomed.csv")
    marker = incoming / "marker.csv"
    marker.write_text("a\n1\n")

    assert inbox.next_batch() == (marker,)
    assert "ready" not in inbox.kinds("doomed.csv")


def test_an_empty_file_later_filled_in_is_delivered_again_with_its_content(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    data = incoming / "late.csv"
    data.touch()
    assert inbox.next_batch() == (data,)

    data.write_text("a,b\n1,2\n")

    assert inbox.next_batch() == (data,)
    assert inbox.sizes[data] == [0, 8]


def test_a_file_overwritten_after_delivery_is_delivered_again(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    data = incoming / "daily.csv"
    data.write_text("a\n1\n")
    inbox.next_batch()
    replacement = incoming / "daily.csv.tmp"
    replacement.write_text("a\n1\n2\n3\n")
    os.replace(replacement, data)

    assert inbox.next_batch() == (data,)
    assert inbox.sizes[data] == [4, 8]


def test_an_exception_in_the_batch_callback_is_reported_and_later_files_still_arrive(
    incoming: Path, inbox: Inbox
) -> None:
    calls: list[tuple[Path, ...]] = []

    def flaky(batch: tuple[Path, ...]) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("store is busy")
        inbox.on_batch(batch)

    first, second = incoming / "first.csv", incoming / "second.csv"
    with FolderWatcher(
        incoming, flaky, on_event=inbox.on_event, quiet_period=0.2, batch_window=0.2
    ):
        first.write_text("a\n1\n")
        error = inbox.event("error", "incoming")
        second.write_text("a\n2\n")
        assert inbox.next_batch() == (second,)

    assert "first.csv" in error.message and "store is busy" in error.message
    assert calls[0] == (first,)


def test_a_file_the_consumer_could_not_take_is_offered_again_at_the_next_scan(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watcher = watch()
    data = incoming / "january.csv"
    data.write_text("a,b\n1,2\n")
    assert inbox.next_batch() == (data,)
    assert watcher.rescan() == 0  # taken: an unchanged file is not offered twice
    watcher.retry(data)  # ... unless the consumer says it could not take it
    assert watcher.rescan() == 1
    assert inbox.next_batch() == (data,)
