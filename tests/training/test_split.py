from __future__ import annotations

import polars as pl
import pytest

from workbench.core.errors import TrainingError
from workbench.training import split_frame

from .frames import TARGET, binary_frame, regression_frame


def _rare_class_frame() -> pl.DataFrame:
    labels = ["fraud" if i % 10 == 0 else "legit" for i in range(500)]
    return pl.DataFrame({"x": range(500), TARGET: labels})


def test_split_sizes_follow_test_size_and_keep_every_row_once() -> None:
    frame = binary_frame()
    train, test = split_frame(frame, TARGET, "binary", test_size=0.25)
    assert (train.height, test.height) == (450, 150)
    ids = set(train["order_id"]) | set(test["order_id"])
    assert ids == set(frame["order_id"])


def test_same_seed_gives_the_same_split_and_another_seed_a_different_one() -> None:
    frame = binary_frame()
    first = split_frame(frame, TARGET, "binary", seed=3)[1]["order_id"].to_list()
    again = split_frame(frame, TARGET, "binary", seed=3)[1]["order_id"].to_list()
    other = split_frame(frame, TARGET, "binary", seed=4)[1]["order_id"].to_list()
    assert first == again
    assert first != other


def test_classification_split_keeps_a_rare_class_in_proportion() -> None:
    train, test = split_frame(_rare_class_frame(), TARGET, "binary", test_size=0.2)
    assert (test[TARGET] == "fraud").sum() == 10
    assert (train[TARGET] == "fraud").sum() == 40


def test_regression_split_works_on_a_continuous_target() -> None:
    train, test = split_frame(regression_frame(), TARGET, "regression", test_size=0.2)
    assert (train.height, test.height) == (480, 120)


def test_class_with_a_single_row_is_named() -> None:
    frame = pl.DataFrame({"x": range(6), TARGET: ["a", "a", "a", "b", "b", "c"]})
    with pytest.raises(TrainingError, match=r"'c' \(1 row\)"):
        split_frame(frame, TARGET, "multiclass")


def test_null_labels_are_refused_with_their_count() -> None:
    frame = pl.DataFrame({"x": range(4), TARGET: [0, None, 1, None]})
    with pytest.raises(TrainingError, match="2 null"):
        split_frame(frame, TARGET, "binary")


def test_test_size_outside_zero_one_is_refused() -> None:
    with pytest.raises(TrainingError, match="test_size"):
        split_frame(binary_frame(), TARGET, "binary", test_size=1.5)
