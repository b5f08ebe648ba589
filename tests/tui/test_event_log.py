"""The TUI's event log: merged by id, alerts, waiting files, which events toast."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workbench.core.records import EventRecord
from workbench.core.vocabulary import Level
from workbench.tui.event_log import EventLog, toast_for

T = datetime(2026, 1, 15, tzinfo=UTC)


def event(id: int, kind: str, level: str = "info", **payload: Any) -> EventRecord:
    return EventRecord(id, T, kind, f"{kind} #{id}", payload, Level(level))


def test_an_event_seen_live_and_in_the_replay_is_kept_once() -> None:
    log = EventLog()
    assert log.add(event(2, "run.started"))
    new = log.merge([event(1, "dataset.ingested"), event(2, "run.started"), event(3, "x")])
    assert [e.id for e in new] == [1, 3]
    assert [e.id for e in log.all()] == [1, 2, 3]


def test_the_log_keeps_only_the_newest_events() -> None:
    log = EventLog(capacity=3)
    log.merge(event(i, "x") for i in range(1, 6))
    assert [e.id for e in log.all()] == [3, 4, 5]


def test_alerts_are_warnings_and_errors_newest_first() -> None:
    log = EventLog()
    log.merge([event(1, "a", "warning"), event(2, "b"), event(3, "c", "error")])
    assert [e.id for e in log.alerts()] == [3, 1]


def test_waiting_files_leave_the_list_once_ingested_or_gone() -> None:
    log = EventLog()
    log.merge(
        [
            event(1, "watch.seen", path="/ws/incoming/a.csv"),
            event(2, "watch.waiting", path="/ws/incoming/b.csv"),
            event(3, "watch.seen", path="/ws/incoming/c.csv"),
            event(4, "dataset.ingested", file="a.csv"),
            event(5, "watch.vanished", "warning", path="/ws/incoming/c.csv"),
        ]
    )
    assert log.waiting_files() == ["b.csv"]


def test_quarantine_reasons_come_from_the_events() -> None:
    log = EventLog()
    log.add(event(1, "dataset.quarantined", "error", dataset_id=7, reason="column x missing"))
    log.add(event(2, "dataset.quarantined", "error", dataset_id=8))  # no reason: the message
    log.add(event(3, "dataset.ingested", dataset_id=9, reason="not a quarantine"))
    assert log.quarantine_reasons() == {7: "column x missing", 8: "dataset.quarantined #2"}


def test_runs_failures_drift_and_pending_approvals_toast_but_task_progress_does_not() -> None:
    assert toast_for(event(1, "run.started")) == "information"
    assert toast_for(event(2, "run.finished", "error")) == "error"
    assert toast_for(event(3, "drift.detected", "warning")) == "warning"
    assert toast_for(event(4, "model.pending_approval", "warning")) == "warning"
    assert toast_for(event(5, "task.finished")) is None
    assert toast_for(event(6, "model.approved")) is None
