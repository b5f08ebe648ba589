"""Training on a sample past train.max_rows: which rows, and what the run is told."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest

from workbench.core.errors import TrainingError
from workbench.training.sample import MIN_AUTO_ROWS, cap_rows, memory_sized_max_rows


def _fraud(rows: int, fraud_every: int = 50) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": list(range(rows)),
            "amount": [float(i % 97) for i in range(rows)],
            "is_fraud": [int(i % fraud_every == 0) for i in range(rows)],
        }
    )


def test_a_window_that_fits_is_used_whole() -> None:
    frame = _fraud(500)
    sample = cap_rows(frame, "is_fraud", 500)
    assert not sample.sampled and sample.frame.equals(frame)
    assert sample.reason == "all 500 rows fit"


def test_a_larger_window_is_sampled_stratified_keeping_the_rare_class_share() -> None:
    frame = _fraud(10_000)  # 200 fraud rows: 2%
    sample = cap_rows(frame, "is_fraud", 1_000, seed=3)
    assert sample.sampled and sample.method == "stratified"
    assert sample.frame.height == 1_000
    assert sample.frame["is_fraud"].sum() == 20
    assert sample.reason == (
        "trained on 1,000 of 10,000 rows (a sample stratified by 'is_fraud'): the window "
        "is larger than train.max_rows (1,000)"
    )
    ids = sample.frame["id"]
    assert ids.is_sorted() and ids.n_unique() == 1_000  # original rows, original order


def test_the_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    frame = _fraud(5_000)
    first = cap_rows(frame, "is_fraud", 700, seed=1).frame
    assert first.equals(cap_rows(frame, "is_fraud", 700, seed=1).frame)
    assert not first.equals(cap_rows(frame, "is_fraud", 700, seed=2).frame)


def test_every_class_keeps_a_row_even_when_its_share_rounds_to_none() -> None:
    frame = _fraud(10_000, fraud_every=5_000)  # 2 fraud rows
    sample = cap_rows(frame, "is_fraud", 100)
    assert sample.frame.height == 100 and sample.frame["is_fraud"].sum() >= 1


def test_with_a_time_column_the_newest_rows_are_kept_in_order() -> None:
    start = datetime(2026, 1, 1)
    frame = _fraud(1_000).with_columns(
        pl.Series("at", [start + timedelta(minutes=i) for i in range(1_000)])
    )
    sample = cap_rows(frame, "is_fraud", 100)
    assert sample.method == "newest"
    assert sample.frame["at"].to_list() == frame["at"].to_list()[-100:]
    assert "(the newest by 'at')" in sample.reason


def test_a_regression_target_is_sampled_uniformly() -> None:
    frame = pl.DataFrame({"x": list(range(2_000)), "y": [i * 0.5 for i in range(2_000)]})
    sample = cap_rows(frame, "y", 300, task="regression")
    assert sample.method == "uniform" and sample.frame.height == 300
    assert sample.frame["x"].is_sorted()


def test_zero_means_a_cap_sized_to_memory_and_a_negative_cap_is_refused() -> None:
    assert memory_sized_max_rows(10, total_bytes=8 * 1024**3) == 1_073_741
    assert memory_sized_max_rows(10_000, total_bytes=1024**3) == MIN_AUTO_ROWS
    sample = cap_rows(_fraud(100), "is_fraud", 0)
    assert sample.max_rows >= MIN_AUTO_ROWS and "default" not in sample.reason
    with pytest.raises(TrainingError, match=r"train.max_rows must be a whole number >= 0"):
        cap_rows(_fraud(10), "is_fraud", -1)
