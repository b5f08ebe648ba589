"""The prediction intake on its own: a real store, a fake monitor and a fake run queue.

No scoring server and no engine: the test writes the server's Parquet batches itself and
calls ``ingest_once``, so each rule (when a window is due, what the monitor is shown,
when a retrain is asked for) is checked directly and nothing waits on a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.drift_report import DriftReport, DriftSettings
from workbench.core.errors import WorkbenchError
from workbench.core.records import DriftRecord
from workbench.engine.deploy.predictions import PredictionArrows, PredictionIngester
from workbench.store import Store

from .helpers import Emitted

WINDOW = 100
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class FakeMonitor:
    """Answers as the drift monitor would; remembers what it was shown and asked."""

    drifted: bool = True
    fails: bool = False
    compared: list[tuple[pl.DataFrame, str, int | None]] = field(default_factory=list)
    retrains: list[tuple[list[str], Callable[[str], object]]] = field(default_factory=list)

    def reference(self) -> tuple[int, pl.DataFrame]:
        return 1, pl.DataFrame({"amount": [10.0, 20.0], "label": [0, 1]})

    def compare(
        self, current: pl.DataFrame, source: str, dataset_id: int | None
    ) -> tuple[DriftRecord, DriftReport]:
        if self.fails:
            raise WorkbenchError("no production model yet: drift is measured against its data")
        self.compared.append((current, source, dataset_id))
        share = 1.0 if self.drifted else 0.0
        drifted = ("amount",) if self.drifted else ()
        record = DriftRecord(1, START, source, dataset_id, 1, self.drifted, share, drifted)
        report = DriftReport((), None, self.drifted, share, drifted, DriftSettings(), 0.0)
        return record, report

    def request_retrain(self, signals: list[str], submit: Callable[[str], object]) -> bool:
        self.retrains.append((signals, submit))
        return True


class FakeQueue:
    """The run queue's ``submit``: remembers the triggers."""

    def __init__(self) -> None:
        self.triggers: list[str] = []

    def submit(self, trigger: str) -> bool:
        self.triggers.append(trigger)
        return True


@dataclass
class Intake:
    """A prediction intake and the fakes it was built with."""

    ingester: PredictionIngester
    folder: Path
    store: Store
    monitor: FakeMonitor
    queue: FakeQueue
    emitted: Emitted
    settings: list[WorkbenchConfig]
    """The engine's settings: replace ``settings[0]`` to change them."""
    watching: list[bool]
    """Whether the engine watches (has a run queue): set ``watching[0]``."""
    written: int = 0
    """Predictions written so far (numbers the next ones)."""

    def batch(self, rows: int) -> Path:
        """Write one batch of ``rows`` predictions as the scoring server does."""
        done, self.written = self.written, self.written + rows
        frame = pl.DataFrame(
            {
                "ts": [START + timedelta(seconds=done + i) for i in range(rows)],
                "model_version": [1] * rows,
                "latency_ms": [2.5] * rows,
                "request_id": [f"r{done + i}" for i in range(rows)],
                "prediction": [(done + i) % 2 for i in range(rows)],
                "probability": [0.75] * rows,
                "amount": [float(done + i) for i in range(rows)],
            }
        )
        path = self.folder / f"predictions-{done:08d}.parquet"
        frame.write_parquet(path)
        return path


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[Intake]:
    config = with_overrides(WorkbenchConfig(), "monitor", prediction_window=WINDOW)
    settings = [with_overrides(config, "target", column="label")]
    watching = [True]
    folder = tmp_path / "predictions"
    folder.mkdir()
    monitor, queue, emitted = FakeMonitor(), FakeQueue(), Emitted()
    with Store(tmp_path / "wb.duckdb", tmp_path / "artifacts") as store:
        ingester = PredictionIngester(
            folder,
            store.monitoring,
            lambda: settings[0],
            emitted,
            PredictionArrows(
                monitor=monitor,
                run_queue=lambda: queue.submit if watching[0] else None,
                check_skew=lambda frame: (0, 0),
            ),
        )
        yield Intake(ingester, folder, store, monitor, queue, emitted, settings, watching)


def test_a_window_is_compared_once_it_fills_and_drift_asks_the_run_queue_for_a_retrain(
    intake: Intake,
) -> None:
    intake.batch(60)
    assert intake.ingester.ingest_once() == 60
    assert not list(intake.folder.iterdir()), "an ingested batch is removed"
    assert intake.store.monitoring.prediction_count() == 60
    assert intake.monitor.compared == [], "60 of a window of 100: not compared yet"

    intake.batch(60)
    assert intake.ingester.ingest_once() == 60
    [(current, source, dataset_id)] = intake.monitor.compared
    assert (source, dataset_id) == ("predictions", None)
    assert current.height == WINDOW, "the newest window, not everything logged"
    assert current.columns == ["amount", "label"], "inputs, and the prediction as the target"
    assert current["label"].dtype == pl.Int64, "cast to the reference's target type"
    assert current["amount"].to_list() == [float(i) for i in range(20, 120)]
    [(signals, submit)] = intake.monitor.retrains
    assert signals == ["prediction_drift"]
    submit("drift")
    assert intake.queue.triggers == ["drift"], "the retrain goes to the engine's run queue"

    intake.batch(50)
    intake.ingester.ingest_once()
    assert len(intake.monitor.compared) == 1, "50 new since the last window: not due"
    intake.batch(50)
    intake.ingester.ingest_once()
    assert len(intake.monitor.compared) == 2, "100 new: the next window"


def test_no_retrain_without_drift_or_without_a_run_queue(intake: Intake) -> None:
    intake.monitor.drifted = False
    intake.batch(WINDOW)
    intake.ingester.ingest_once()
    assert len(intake.monitor.compared) == 1 and intake.monitor.retrains == []

    intake.monitor.drifted = True
    intake.watching[0] = False  # the engine serves but does not watch: nothing runs
    intake.batch(WINDOW)
    intake.ingester.ingest_once()
    assert len(intake.monitor.compared) == 2 and intake.monitor.retrains == []


def test_the_window_is_read_from_the_settings_at_each_check(intake: Intake) -> None:
    intake.settings[0] = with_overrides(intake.settings[0], "monitor", prediction_window=0)
    intake.batch(2 * WINDOW)
    intake.ingester.ingest_once()
    assert intake.monitor.compared == [], "a window of 0 turns the check off"
    intake.settings[0] = with_overrides(intake.settings[0], "monitor", prediction_window=50)
    intake.batch(1)
    intake.ingester.ingest_once()
    [(current, _, _)] = intake.monitor.compared
    assert current.height == 50


def test_an_unreadable_batch_is_set_aside_and_a_failed_check_is_an_event(
    intake: Intake,
) -> None:
    broken = intake.folder / "predictions-broken.parquet"
    broken.write_bytes(b"not parquet")
    intake.monitor.fails = True
    intake.batch(WINDOW)
    assert intake.ingester.ingest_once() == WINDOW
    assert broken.with_suffix(".bad").exists() and not broken.exists()
    unreadable = intake.emitted.last("predictions.error")
    assert "predictions-broken.parquet unreadable" in unreadable.message
    failed = intake.emitted.last("drift.error")
    assert "no production model yet" in failed.message and failed.level == "warning"
    assert intake.monitor.retrains == []


@pytest.mark.parametrize("rows", [3, 100])  # both ways the store writes a batch
def test_prediction_times_are_stored_as_utc_whatever_the_local_time_zone(
    intake: Intake, rows: int
) -> None:
    intake.store.db.execute("SET TimeZone = 'America/New_York'")
    intake.batch(rows)
    assert intake.ingester.ingest_once() == rows
    stored = intake.store.monitoring.recent_predictions(rows)
    assert stored[0]["ts"] == START.replace(tzinfo=None)  # 09:00 UTC, not 04:00
