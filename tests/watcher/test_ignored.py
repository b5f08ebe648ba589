"""Temp, hidden, unsupported files and folders are reported as ignored, never handed over."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.watcher import FolderWatcher

from .inbox import Inbox

IGNORED = [
    "report.tmp",
    "data.csv.part",
    "data.csv.crdownload",
    "~$budget.csv",
    ".~lock.data.csv#",
    ".data.csv.swp",
    ".hidden.csv",
    "notes.txt",
    "photo.png",
    "data.csv~",
]


def test_temp_hidden_and_unsupported_files_are_ignored_with_a_reason(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    for name in IGNORED:
        (incoming / name).write_text("a\n1\n")
    reasons = {name: inbox.event("ignored", name).message for name in IGNORED}
    marker = incoming / "marker.csv"
    marker.write_text("a\n1\n")

    assert inbox.next_batch() == (marker,)
    assert "temporary" in reasons["data.csv.part"]
    assert "hidden" in reasons[".hidden.csv"]
    assert "lock" in reasons["~$budget.csv"]
    assert "unsupported" in reasons["notes.txt"] and ".csv" in reasons["notes.txt"]


def test_an_ignored_file_is_reported_once_however_often_it_changes(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch()
    partial = incoming / "big.csv.part"
    with partial.open("w") as handle:
        for _ in range(5):
            handle.write("a\n1\n")
            handle.flush()
    marker = incoming / "marker.csv"
    marker.write_text("a\n1\n")
    inbox.next_batch()

    assert inbox.kinds("big.csv.part") == ["ignored"]


def test_folders_are_ignored_when_not_watching_recursively(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    (incoming / "before").mkdir()
    (incoming / "before" / "inside.csv").write_text("a\n1\n")
    watch()
    (incoming / "looks_like.csv").mkdir()
    (incoming / "looks_like.csv" / "inside.csv").write_text("a\n1\n")
    marker = incoming / "marker.csv"
    marker.write_text("a\n1\n")

    assert inbox.next_batch() == (marker,)
    assert "recursive" in inbox.event("ignored", "looks_like.csv").message
    assert inbox.event("ignored", "before")
    assert "ready" not in inbox.kinds("inside.csv")


def test_recursive_watching_delivers_files_in_sub_folders_but_not_hidden_ones(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path, tmp_path: Path
) -> None:
    (incoming / "2026" / "01").mkdir(parents=True)
    existing = incoming / "2026" / "01" / "existing.csv"
    existing.write_text("a\n1\n")
    watch(recursive=True)
    assert inbox.next_batch() == (existing,)

    deeper = incoming / "2026" / "02"
    deeper.mkdir()
    created = deeper / "created.csv"
    created.write_text("a\n1\n")
    assert inbox.next_batch() == (created,)

    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "moved.csv").write_text("a\n1\n")
    staged.rename(incoming / "staged")
    (incoming / ".git").mkdir()
    (incoming / ".git" / "config.csv").write_text("a\n1\n")
    assert inbox.next_batch() == (incoming / "staged" / "moved.csv",)
    assert inbox.event("ignored", ".git")


@pytest.mark.parametrize("mode", ["events", "poll"])
def test_a_file_renamed_to_a_temp_name_is_no_longer_tracked(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path, mode: str
) -> None:
    watch(mode=mode, quiet_period=1.0)
    data = incoming / "draft.csv"
    data.write_text("a\n1\n")
    inbox.event("seen", "draft.csv")
    data.rename(incoming / "draft.csv.tmp")

    assert inbox.event("vanished", "draft.csv")
    assert inbox.event("ignored", "draft.csv.tmp")
