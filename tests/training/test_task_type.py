from __future__ import annotations

import polars as pl
import pytest

from workbench.core.errors import TrainingError
from workbench.training import detect_task


def test_two_string_labels_are_binary() -> None:
    assert detect_task(pl.Series("y", ["fraud", "legit", "legit", "fraud"])) == "binary"


def test_integer_zero_one_is_binary() -> None:
    assert detect_task(pl.Series("y", [0, 1, 1, 0, 1])) == "binary"


def test_booleans_are_binary() -> None:
    assert detect_task(pl.Series("y", [True, False, True])) == "binary"


def test_three_string_labels_are_multiclass() -> None:
    assert detect_task(pl.Series("y", ["a", "b", "c", "a"])) == "multiclass"


def test_integer_ratings_with_few_values_are_multiclass() -> None:
    assert detect_task(pl.Series("y", [1, 2, 3, 4, 5] * 20)) == "multiclass"


def test_integers_with_many_values_are_regression() -> None:
    assert detect_task(pl.Series("y", list(range(200)))) == "regression"


def test_floats_with_many_values_are_regression() -> None:
    assert detect_task(pl.Series("y", [i * 0.37 for i in range(100)])) == "regression"


def test_whole_number_floats_with_two_values_are_binary() -> None:
    assert detect_task(pl.Series("y", [0.0, 1.0, 1.0, 0.0])) == "binary"


def test_constant_target_is_refused_as_constant() -> None:
    with pytest.raises(TrainingError, match="constant"):
        detect_task(pl.Series("y", ["x", "x", "x"]))


def test_null_labels_are_refused_with_their_count() -> None:
    with pytest.raises(TrainingError, match=r"'y' has 2 null"):
        detect_task(pl.Series("y", [1, None, 0, None, 1]))


def test_override_is_accepted_when_the_data_supports_it() -> None:
    assert detect_task(pl.Series("y", [1, 2, 3, 4] * 5), override="regression") == "regression"


@pytest.mark.parametrize(
    ("values", "override", "message"),
    [
        (["a", "b", "c"], "binary", "needs 2 classes"),
        (["a", "b", "a"], "multiclass", "use 'binary'"),
        (["a", "b", "c"], "regression", "numeric target"),
        ([0, 1, 0], "clustering", "unknown task"),
    ],
)
def test_override_contradicting_the_target_is_refused(
    values: list[object], override: str, message: str
) -> None:
    with pytest.raises(TrainingError, match=message):
        detect_task(pl.Series("y", values), override=override)
