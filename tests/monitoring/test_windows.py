"""Windows of logged predictions, by count or by time, each judged against the reference."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from workbench.core.errors import ConfigError, DataError
from workbench.monitoring import DriftSettings, detect_drift, prediction_windows

START = dt.datetime(2026, 3, 1, 23, 50)


def log(rows: int, every: dt.timedelta = dt.timedelta(minutes=1)) -> pl.DataFrame:
    """``rows`` predictions, one per ``every``, from ``START``."""
    return pl.DataFrame({"ts": [START + i * every for i in range(rows)], "n": list(range(rows))})


def test_count_windows_hold_size_predictions_and_drop_the_filling_tail() -> None:
    windows = prediction_windows(log(25), by="count", size=10)
    assert [w["n"].to_list() for w in windows] == [list(range(10)), list(range(10, 20))]
    with_tail = prediction_windows(log(25), by="count", size=10, include_partial=True)
    assert [w.height for w in with_tail] == [10, 10, 5]
    assert prediction_windows(log(9), by="count", size=10) == []


def test_count_windows_follow_time_order_when_the_log_is_shuffled() -> None:
    shuffled = log(30).sample(fraction=1.0, shuffle=True, seed=1)
    windows = prediction_windows(shuffled, by="count", size=10)
    assert [w["n"].to_list() for w in windows] == [list(range(s, s + 10)) for s in (0, 10, 20)]


def test_count_windows_without_a_time_column_keep_the_frame_order() -> None:
    frame = pl.DataFrame({"n": [3, 1, 2, 0]})
    windows = prediction_windows(frame, by="count", size=2)
    assert [w["n"].to_list() for w in windows] == [[3, 1], [2, 0]]


def test_time_windows_align_to_the_epoch_and_skip_empty_periods() -> None:
    frame = pl.concat([log(20), log(5).with_columns(pl.col("ts") + dt.timedelta(hours=5))])
    windows = prediction_windows(frame, by="time", size=dt.timedelta(hours=1))
    starts = [w["ts"].min() for w in windows]
    assert starts == [START, dt.datetime(2026, 3, 2, 0, 0), START + dt.timedelta(hours=5)]
    assert [w.height for w in windows] == [10, 10, 5]
    assert sum(w.height for w in windows) == frame.height


def test_time_windows_read_dates_and_zoned_datetimes() -> None:
    dates = pl.DataFrame({"day": [dt.date(2026, 3, d) for d in (1, 1, 2, 9)]})
    windows = prediction_windows(dates, by="time", size=dt.timedelta(days=7), time_column="day")
    assert [w.height for w in windows] == [3, 1]
    zoned = log(120).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
    assert len(prediction_windows(zoned, by="time", size=dt.timedelta(hours=1))) == 3


def test_bad_window_requests_say_what_is_wrong() -> None:
    with pytest.raises(ConfigError, match="positive int size"):
        prediction_windows(log(3), by="count", size=0)
    with pytest.raises(ConfigError, match="positive timedelta"):
        prediction_windows(log(3), by="time", size=10)
    with pytest.raises(ConfigError, match="'count' or 'time'"):
        prediction_windows(log(3), by="rows", size=1)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="time column 'when'"):
        prediction_windows(log(3), by="time", size=dt.timedelta(hours=1), time_column="when")
    with pytest.raises(DataError, match="must be a date or datetime"):
        prediction_windows(log(3), by="time", size=dt.timedelta(hours=1), time_column="n")
    gaps = log(3).with_columns(
        pl.when(pl.col("n") == 1).then(None).otherwise(pl.col("ts")).alias("ts")
    )
    with pytest.raises(DataError, match="1 null timestamps"):
        prediction_windows(gaps, by="time", size=dt.timedelta(hours=1))


def test_each_window_of_february_is_judged_against_january(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    # customer_id is the feature store's entity key: the engine leaves keys out of drift
    # (500 customers' shares in a week of rows are noise, not a shift)
    settings = DriftSettings(target="is_fraud", exclude=("customer_id",))
    weekly = prediction_windows(
        february, by="time", size=dt.timedelta(days=7), time_column="timestamp"
    )
    assert len(weekly) >= 4
    assert sum(w.height for w in weekly) == february.height
    for window in weekly:
        report = detect_drift(january, window, settings)
        assert {"amount", "merchant_category", "distance_from_home_km"} <= set(
            report.drifted_columns
        ), report.summary()
    calm = prediction_windows(january, by="count", size=5000, time_column="timestamp")
    assert len(calm) == 5
    assert detect_drift(january, calm[-1], settings).drifted_columns == ()
