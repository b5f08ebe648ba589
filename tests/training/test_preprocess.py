from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from workbench.training import build_preprocessor, plan_features

TRAIN = pl.DataFrame(
    {
        "amount": [10.0, None, 30.0, 50.0, 20.0],
        "colour": ["red", "blue", None, "red", "green"],
        "at": [dt.datetime(2026, 1, d, 9) for d in range(1, 5)] + [None],
        "y": [0, 1, 0, 1, 0],
    }
)


def _fitted():
    plan = plan_features(TRAIN, "y")
    pre = build_preprocessor(plan).fit(TRAIN.drop("y"))
    return pre, list(pre.get_feature_names_out())


def test_output_has_no_missing_values_after_imputation() -> None:
    pre, _ = _fitted()
    out = pre.transform(TRAIN.drop("y"))
    assert isinstance(out, np.ndarray)
    assert not np.isnan(out.astype(float)).any()


def test_null_number_becomes_the_median() -> None:
    pre, names = _fitted()
    out = pre.transform(TRAIN.drop("y"))
    amount = out[:, names.index("numeric__amount")]
    # The median of 10, 20, 30, 50 is 25; scaled values keep the order 10 < 20 < 25 < 30.
    assert amount[0] < amount[4] < amount[1] < amount[2]


def test_null_category_becomes_the_most_frequent_one() -> None:
    pre, names = _fitted()
    out = pre.transform(TRAIN.drop("y"))
    assert out[2, names.index("categorical__colour_red")] == 1.0


def test_unseen_category_scores_as_all_zeros() -> None:
    pre, names = _fitted()
    request = pl.DataFrame(
        {"amount": [15.0], "colour": ["purple"], "at": [dt.datetime(2026, 2, 1, 8)]}
    )
    out = pre.transform(request)
    colour = [i for i, n in enumerate(names) if n.startswith("categorical__colour_")]
    assert out.shape == (1, len(names))
    assert (out[0, colour] == 0.0).all()


def test_all_null_one_row_request_still_transforms() -> None:
    pre, names = _fitted()
    request = pl.DataFrame({"amount": [None], "colour": [None], "at": [None]})
    out = pre.transform(request)
    assert out.shape == (1, len(names))
    assert not np.isnan(out.astype(float)).any()


def test_columns_outside_the_plan_are_ignored() -> None:
    pre, names = _fitted()
    request = TRAIN.drop("y").with_columns(pl.lit("extra").alias("comment"))
    assert pre.transform(request).shape == (5, len(names))


def test_datetime_columns_become_calendar_features() -> None:
    _, names = _fitted()
    assert [n for n in names if n.startswith("datetime__")] == [
        "datetime__at_hour",
        "datetime__at_day_of_week",
        "datetime__at_day_of_month",
        "datetime__at_month",
    ]
