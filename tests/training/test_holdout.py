"""Test and validation rows: random, by time, by newest file; folds for cv."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from workbench.core.errors import TrainingError
from workbench.training.folds import cv_folds
from workbench.training.holdout import holdout, resolve_order


def _frame(rows: int = 100) -> pl.DataFrame:
    start = datetime(2026, 1, 1)
    order = np.random.default_rng(0).permutation(rows)  # rows arrive out of time order
    return pl.DataFrame(
        {
            "when": [start + timedelta(hours=int(i)) for i in order],
            "x": np.arange(rows, dtype=float),
            "y": (np.arange(rows) % 2),
        }
    )


def test_auto_picks_time_for_one_datetime_column_and_holds_out_the_newest_rows() -> None:
    frame = _frame()
    order = resolve_order(frame, "y", "auto")
    assert order.kind == "time" and "'when'" in order.note and "auto" in order.note
    kept, held = holdout(frame, "y", "binary", 0.2, 0, order)
    assert len(held) == 20
    assert frame["when"][held].min() > frame["when"][kept].max()


def test_auto_falls_back_to_random_without_a_datetime_and_time_needs_one() -> None:
    frame = _frame().drop("when")
    order = resolve_order(frame, "y", "auto")
    assert order.kind == "random" and "no datetime column" in order.note
    with pytest.raises(TrainingError, match="time_column"):
        resolve_order(frame, "y", "time")
    with pytest.raises(TrainingError, match="'nope' is not in the data"):
        resolve_order(_frame(), "y", "time", time_column="nope")


def test_newest_file_holds_out_the_last_dataset() -> None:
    frame = _frame()
    order = resolve_order(frame, "y", "newest_file", file_rows=(70, 30))
    kept, held = holdout(frame, "y", "binary", 0.2, 0, order)
    assert list(held) == list(range(70, 100)) and sorted(kept) == list(range(70))
    single = resolve_order(frame, "y", "newest_file", file_rows=(100,))
    assert single.kind == "time" and "two datasets" in single.note


def test_an_ordered_split_that_leaves_a_class_out_says_so() -> None:
    frame = _frame().with_columns(y=pl.Series([0] * 90 + [1] * 10)).sort("x")
    frame = frame.with_columns(
        when=pl.Series([datetime(2026, 1, 1) + timedelta(hours=i) for i in range(100)])
    )
    with pytest.raises(TrainingError, match="test rows of this ordered split hold no row of class"):
        holdout(frame, "y", "binary", 0.1, 0, resolve_order(frame, "y", "time"))


def test_cv_folds_stratify_group_and_go_forward_in_time() -> None:
    frame = _frame().with_columns(g=pl.Series([i // 10 for i in range(100)]))
    folds = cv_folds(frame, "y", "binary", 5, 0)
    assert len(folds) == 5 and sorted(np.concatenate([v for _, v in folds])) == list(range(100))
    grouped = cv_folds(frame, "y", "binary", 5, 0, group_column="g")
    for fit, val in grouped:
        assert not set(frame["g"][fit]) & set(frame["g"][val])
    for fit, val in cv_folds(frame, "y", "binary", 4, 0, ordered=True):
        assert fit.max() < val.min()
