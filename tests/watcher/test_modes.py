"""Polling, the inotify-limit fallback, and scans that find what events missed."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pytest
from watchdog.events import FileSystemEventHandler
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from workbench.core.config import WatchConfig
from workbench.core.errors import ConfigError
from workbench.watcher import FolderWatcher, WatchError, start_observer

from .inbox import Inbox


def _exhausted(code: int) -> Callable[[], BaseObserver]:
    def factory() -> BaseObserver:
        raise OSError(code, "inotify limit reached")

    return factory


def test_poll_mode_delivers_files(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watcher = watch(mode="poll")
    data = incoming / "share.csv"
    data.write_text("a\n1\n")

    assert inbox.next_batch() == (data,)
    assert watcher.mode_used == "poll"


def test_events_mode_uses_os_events(watch: Callable[..., FolderWatcher]) -> None:
    assert watch().mode_used == "events"


@pytest.mark.parametrize(
    ("code", "setting"),
    [
        (errno.ENOSPC, "fs.inotify.max_user_watches"),
        (errno.EMFILE, "fs.inotify.max_user_instances"),
    ],
)
def test_exhausted_inotify_limits_fall_back_to_polling_and_name_the_sysctl(
    incoming: Path, code: int, setting: str
) -> None:
    observer, mode, message = start_observer(
        incoming,
        FileSystemEventHandler(),
        False,
        "events",
        poll_interval=0.1,
        observer_factory=_exhausted(code),
    )
    try:
        assert isinstance(observer, PollingObserver) and observer.is_alive()
        assert mode == "poll"
        assert setting in message and "polling" in message and str(incoming) in message
    finally:
        observer.stop()
        observer.join()


def test_other_os_errors_at_start_are_not_hidden_by_a_fallback(incoming: Path) -> None:
    with pytest.raises(WatchError, match="cannot watch"):
        start_observer(
            incoming,
            FileSystemEventHandler(),
            False,
            "events",
            observer_factory=_exhausted(errno.EACCES),
        )


def test_the_watcher_reports_the_fallback_and_still_delivers(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watcher = watch(observer_factory=_exhausted(errno.ENOSPC))
    data = incoming / "after_fallback.csv"
    data.write_text("a\n1\n")

    assert inbox.next_batch() == (data,)
    assert watcher.mode_used == "poll"
    assert "max_user_watches" in inbox.event("fallback", "incoming").message


def test_rescan_finds_files_that_events_missed(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    # A share that never reports changes: polling so slow no event arrives in the test.
    watcher = watch(mode="poll", poll_interval=3600.0)
    missed = incoming / "missed.csv"
    missed.write_text("a\n1\n")

    assert watcher.rescan() == 1
    assert inbox.next_batch() == (missed,)
    assert watcher.rescan() == 0


def test_the_periodic_rescan_finds_files_without_being_asked(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watch(mode="poll", poll_interval=3600.0, rescan_interval=0.2)
    missed = incoming / "missed.csv"
    missed.write_text("a\n1\n")

    assert inbox.next_batch() == (missed,)


def test_a_restarted_watcher_hands_over_files_that_arrived_while_it_was_stopped(
    watch: Callable[..., FolderWatcher], inbox: Inbox, incoming: Path
) -> None:
    watcher = watch()
    watcher.stop()
    meanwhile = incoming / "meanwhile.csv"
    meanwhile.write_text("a\n1\n")
    watcher.start()

    assert inbox.next_batch() == (meanwhile,)


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WatchError, match="does not exist"):
        FolderWatcher(tmp_path / "nowhere", lambda batch: None).start()


def test_rescan_of_a_stopped_watcher_is_an_error(incoming: Path) -> None:
    with pytest.raises(WatchError, match="not running"):
        FolderWatcher(incoming, lambda batch: None).rescan()


@pytest.mark.parametrize(
    "options",
    [{"mode": "inotify"}, {"quiet_period": -1.0}, {"poll_interval": 0.0}],
)
def test_settings_out_of_range_are_config_errors(incoming: Path, options: dict) -> None:
    with pytest.raises(ConfigError, match="watch"):
        FolderWatcher(incoming, lambda batch: None, **options)


def test_from_config_takes_the_watch_section_in_milliseconds(incoming: Path) -> None:
    config = WatchConfig(mode="poll", quiet_period_ms=250, batch_window_ms=0, recursive=True)
    watcher = FolderWatcher.from_config(incoming, config, lambda batch: None)
    with watcher:
        assert watcher.mode_used == "poll"
    assert not watcher.running
