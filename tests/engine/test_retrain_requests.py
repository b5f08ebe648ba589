"""The drift monitor's retrain requests on a fake clock, and runs a dead engine left.

The monitor is built from its collaborators (a store in tmp_path it never reads here,
settings through a getter, guardrails fed plain run records and a fake clock), so which
signal queues which trigger, and when the guardrails hold a retrain back, are checked
without training anything or waiting for a cooldown to pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.records import RunRecord
from workbench.core.vocabulary import RunState
from workbench.core.workspace import Workspace
from workbench.engine.feedback.guardrails import Guardrails
from workbench.engine.feedback.monitor import DriftMonitor
from workbench.engine.runs.recovery import CrashedRuns
from workbench.store import Store

from .helpers import Emitted

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Loop:
    """A monitor, the fakes around it, and a list standing for the run queue."""

    monitor: DriftMonitor
    emitted: Emitted
    settings: list[WorkbenchConfig]
    """The engine's settings: replace ``settings[0]`` to change them."""
    runs: list[RunRecord]
    """The runs the guardrails read, newest first."""
    clock: list[datetime]
    """The guardrails' clock: set ``clock[0]``."""
    queued: list[str]

    def request(self, *signals: str) -> bool:
        return self.monitor.request_retrain(list(signals), self.queued.append)

    def ran(self, trigger: str, minutes_ago: float) -> None:
        created = self.clock[0] - timedelta(minutes=minutes_ago)
        run_id = len(self.runs) + 1
        record = RunRecord(
            run_id, "tabular", trigger, RunState.SUCCESS, created, created, created, None
        )
        self.runs.insert(0, record)


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    settings = [with_overrides(WorkbenchConfig(), "monitor", cooldown_minutes=30)]
    runs: list[RunRecord] = []
    clock = [NOW]
    emitted = Emitted()
    guardrails = Guardrails(
        lambda: settings[0].monitor, lambda: runs, lambda: [], clock=lambda: clock[0]
    )
    with Store(tmp_path / "wb.duckdb", tmp_path / "artifacts") as store:
        monitor = DriftMonitor(Workspace(tmp_path), lambda: settings[0], store, emitted, guardrails)
        yield Loop(monitor, emitted, settings, runs, clock, [])


@pytest.mark.parametrize(
    ("signals", "trigger"),
    [
        (("dataset_drift",), "drift"),
        (("prediction_drift",), "drift"),
        (("performance",), "decay"),
        (("schedule",), "schedule"),
        (("performance", "dataset_drift"), "drift"),
    ],
)
def test_each_signal_queues_its_trigger(loop: Loop, signals: tuple[str, ...], trigger: str) -> None:
    assert loop.request(*signals) is True
    assert loop.queued == [trigger]
    queued = loop.emitted.last("retrain.queued")
    assert queued.payload == {"signals": list(signals), "trigger": trigger}


def test_signals_the_settings_do_not_listen_to_queue_nothing(loop: Loop) -> None:
    loop.settings[0] = with_overrides(loop.settings[0], "monitor", retrain_on=["performance"])
    assert loop.request("dataset_drift", "prediction_drift") is False
    assert loop.queued == [] and loop.emitted.kinds() == []
    assert loop.request("dataset_drift", "performance") is True
    assert loop.queued == ["decay"], "only the signal listened to counts"


def test_the_cooldown_holds_a_retrain_back_until_the_clock_passes_it(loop: Loop) -> None:
    loop.ran("drift", minutes_ago=10)
    loop.ran("manual", minutes_ago=1)  # a person's run is no automatic retrain
    assert loop.request("dataset_drift") is False
    assert loop.queued == []
    suppressed = loop.emitted.last("retrain.suppressed")
    assert "cooldown" in suppressed.message and "(20 min left)" in suppressed.message
    assert suppressed.level == "warning"
    loop.clock[0] = NOW + timedelta(minutes=21)
    assert loop.request("dataset_drift") is True
    assert loop.queued == ["drift"]


def test_the_daily_cap_counts_automatic_runs_of_the_last_24_hours(loop: Loop) -> None:
    loop.settings[0] = with_overrides(
        loop.settings[0], "monitor", cooldown_minutes=0, max_retrains_per_day=2
    )
    loop.ran("schedule", minutes_ago=25 * 60)  # older than a day: not counted
    loop.ran("drift", minutes_ago=120)
    assert loop.request("schedule") is True
    loop.ran("schedule", minutes_ago=0)
    assert loop.request("schedule") is False
    assert "cap: 2 automatic retrains" in loop.emitted.last("retrain.suppressed").message


def test_crashed_runs_are_marked_once_and_claimed_once(tmp_path: Path) -> None:
    emitted = Emitted()
    with Store(tmp_path / "wb.duckdb", tmp_path / "artifacts") as store:
        running = store.runs.create("tabular", "file")
        store.runs.start(running.id)
        queued = store.runs.create("tabular", "drift")
        finished = store.runs.create("tabular", "manual")
        store.runs.start(finished.id)
        store.runs.finish(finished.id, "success")
        crashed = CrashedRuns(store.runs, emitted)
        crashed.mark()
        assert [store.runs.get(r.id).status for r in (running, queued, finished)] == [  # type: ignore[union-attr]
            "crashed",
            "crashed",
            "success",
        ]
        assert [e.payload["run_id"] for e in emitted.events] == [running.id, queued.id]
        assert emitted.kinds() == ["run.crashed", "run.crashed"]
        assert crashed.claim() == [running.id, queued.id]
        assert crashed.claim() == [], "a later watch does not queue them again"
