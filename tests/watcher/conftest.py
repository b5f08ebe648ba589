"""Shared shapes for watcher tests: a real watcher on a real folder, and an inbox to wait on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.watcher import FolderWatcher

from .inbox import Inbox


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def incoming(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    return folder


@pytest.fixture
def watch(incoming: Path, inbox: Inbox) -> Iterator[Callable[..., FolderWatcher]]:
    """Start a watcher on ``incoming`` with fast test timings; stopped at teardown."""
    started: list[FolderWatcher] = []

    def start(**options: Any) -> FolderWatcher:
        settings: dict[str, Any] = {
            "on_event": inbox.on_event,
            "quiet_period": 0.2,
            "batch_window": 0.3,
            "rescan_interval": 0.0,
            "poll_interval": 0.1,
        }
        settings.update(options)
        watcher = FolderWatcher(incoming, inbox.on_batch, **settings)
        started.append(watcher)
        watcher.start()
        return watcher

    yield start
    for watcher in started:
        watcher.stop()
