from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from workbench.core.errors import TrainingError
from workbench.training import plan_features

from .frames import TARGET, binary_frame


def test_default_frame_is_sorted_into_every_kind() -> None:
    plan = plan_features(binary_frame(), TARGET)
    assert plan.numeric == ("signal", "noisy")
    assert plan.categorical == ("category", "online")
    assert plan.datetime == ("stamp",)
    assert plan.dropped_reasons == {"order_id": "id-like: 100% unique strings"}
    assert TARGET not in plan.features


def test_integer_id_named_like_an_id_is_dropped_but_other_unique_integers_stay() -> None:
    unique = range(50)
    frame = pl.DataFrame(
        {"customer_id": unique, "orderId": unique, "paid": unique, "y": [0, 1] * 25}
    )
    plan = plan_features(frame, "y")
    assert set(plan.dropped_reasons) == {"customer_id", "orderId"}
    assert plan.dropped_reasons["customer_id"].startswith("id-like")
    assert plan.numeric == ("paid",)


def test_constant_and_all_null_columns_are_dropped_with_their_reason() -> None:
    frame = pl.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0],
            "same": ["a", "a", None, "a"],
            "empty": pl.Series([None] * 4, dtype=pl.Float64),
            "y": [0, 1, 0, 1],
        }
    )
    plan = plan_features(frame, "y")
    assert plan.dropped_reasons == {"same": "constant", "empty": "all null"}


def test_many_distinct_strings_that_repeat_are_high_cardinality_text() -> None:
    words = [f"w{i % 150}" for i in range(400)]
    frame = pl.DataFrame({"word": words, "x": range(400), "y": [0, 1] * 200})
    plan = plan_features(frame, "y")
    assert plan.dropped_reasons["word"].startswith("high-cardinality text")


def test_strings_that_parse_as_datetimes_are_datetime_features() -> None:
    stamps = [f"2026-01-{d:02d}T10:{d:02d}:00" for d in range(1, 29)]
    frame = pl.DataFrame({"when": stamps, "y": [0, 1] * 14})
    assert plan_features(frame, "y").datetime == ("when",)


def test_dates_and_booleans_are_used() -> None:
    frame = pl.DataFrame(
        {
            "day": [dt.date(2026, 1, d) for d in range(1, 5)],
            "flag": [True, False, True, True],
            "y": [0, 1, 0, 1],
        }
    )
    plan = plan_features(frame, "y")
    assert (plan.datetime, plan.categorical) == (("day",), ("flag",))


def test_missing_target_is_named() -> None:
    with pytest.raises(TrainingError, match="'churn' is not in the data"):
        plan_features(pl.DataFrame({"x": [1, 2]}), "churn")


def test_frame_without_any_usable_column_is_refused_with_reasons() -> None:
    frame = pl.DataFrame({"id": ["a", "b", "c"], "y": [0, 1, 0]})
    with pytest.raises(TrainingError, match=r"no usable feature columns.*id: id-like"):
        plan_features(frame, "y")
