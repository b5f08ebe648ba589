from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from workbench.modelfile import dump_model, load_model
from workbench.modelfile.skops_io import sha256_bytes
from workbench.training import CategoryStrings, DatetimeFeatures

STAMPS = pl.DataFrame(
    {
        # Tuesday 2026-03-10 14:05, Sunday 2026-11-01 23:59, and a null.
        "at": [dt.datetime(2026, 3, 10, 14, 5), dt.datetime(2026, 11, 1, 23, 59), None],
    }
)


def test_datetime_becomes_hour_weekday_day_and_month_with_nan_for_null() -> None:
    out = DatetimeFeatures().fit(STAMPS).transform(STAMPS)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out[0], [14, 2, 10, 3])
    np.testing.assert_array_equal(out[1], [23, 7, 1, 11])
    assert np.isnan(out[2]).all()


def test_datetime_strings_and_dates_give_the_same_parts() -> None:
    parts = DatetimeFeatures().fit(STAMPS)
    as_text = pl.DataFrame({"at": ["2026-03-10T14:05:00", "not a date", None]})
    out = parts.transform(as_text)
    np.testing.assert_array_equal(out[0], [14, 2, 10, 3])
    assert np.isnan(out[1:]).all()
    as_dates = pl.DataFrame({"at": [dt.date(2026, 3, 10)]})
    np.testing.assert_array_equal(parts.transform(as_dates)[0], [0, 2, 10, 3])


def test_datetime_feature_names_name_column_and_part() -> None:
    names = DatetimeFeatures().fit(STAMPS).get_feature_names_out()
    assert list(names) == ["at_hour", "at_day_of_week", "at_day_of_month", "at_month"]


def test_datetime_features_round_trip_through_the_model_file(tmp_path: Path) -> None:
    fitted = DatetimeFeatures().fit(STAMPS)
    data = dump_model(fitted)
    path = tmp_path / "parts.skops"
    path.write_bytes(data)
    loaded = load_model(path, expected_sha256=sha256_bytes(data))
    assert type(loaded) is DatetimeFeatures
    np.testing.assert_array_equal(loaded.transform(STAMPS), fitted.transform(STAMPS))


def test_category_strings_casts_every_kind_of_missing_to_none() -> None:
    train = pl.DataFrame({"colour": ["red", None], "flag": [True, None]})
    cast = CategoryStrings().fit(train)
    assert cast.transform(train).tolist() == [["red", "true"], [None, None]]
    # A one-row scoring request with nothing filled in arrives as all-null columns.
    blank = pl.DataFrame({"colour": [None], "flag": [None]})
    assert cast.transform(blank).tolist() == [[None, None]]


def test_category_strings_round_trips_through_the_model_file(tmp_path: Path) -> None:
    train = pl.DataFrame({"colour": ["red", None]})
    path = tmp_path / "cast.skops"
    path.write_bytes(dump_model(CategoryStrings().fit(train)))
    assert load_model(path).transform(train).tolist() == [["red"], [None]]
