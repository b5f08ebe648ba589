"""Frames are cast to the signature or refused naming the column and row, never the value."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from workbench.core.signature import ColumnSpec, Signature
from workbench.serving.conform import conform
from workbench.serving.errors import RequestError

SECRET = "s3cret-value-991"


def refused(frame: pl.DataFrame, signature: Signature, **options: bool) -> RequestError:
    with pytest.raises(RequestError) as caught:
        conform(frame, signature, **options)
    assert caught.value.status == 400
    return caught.value


def single(dtype: str) -> Signature:
    return Signature(inputs=(ColumnSpec("x", dtype),), target="y", task="regression")


def test_columns_are_selected_in_signature_order_and_cast_to_their_dtypes(
    signature: Signature,
) -> None:
    frame = pl.DataFrame({"channel": ["web"], "age": ["41"], "amount": [3], "note": ["hi"]})
    result = conform(frame, signature)
    assert result.frame.columns == ["amount", "age", "channel"]
    assert result.frame.dtypes == [pl.Float64, pl.Int64, pl.String]
    assert result.frame.row(0) == (3.0, 41, "web")
    assert result.ignored_columns == ("note",)


def test_missing_columns_are_named(signature: Signature) -> None:
    error = refused(pl.DataFrame({"amount": [1.0]}), signature)
    assert error.error_code == "MISSING_COLUMNS"
    assert "'age'" in error.message and "'channel'" in error.message


def test_strict_mode_refuses_extra_columns_by_name(signature: Signature) -> None:
    frame = pl.DataFrame({"amount": [1.0], "age": [2], "channel": ["web"], "note": [SECRET]})
    error = refused(frame, signature, strict=True)
    assert error.error_code == "UNEXPECTED_COLUMNS"
    assert "'note'" in error.message and SECRET not in error.message


def test_an_uncastable_value_names_column_and_one_based_row_but_not_the_value(
    signature: Signature,
) -> None:
    frame = pl.DataFrame(
        {"amount": [1.0, 2.0, 3.0], "age": ["30", "31", SECRET], "channel": ["web"] * 3}
    )
    error = refused(frame, signature)
    assert error.error_code == "INVALID_VALUE"
    assert "column 'age' row 3" in error.message
    assert SECRET not in error.message


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused_naming_the_column(bad: float, signature: Signature) -> None:
    frame = pl.DataFrame({"amount": [1.0, bad], "age": [1, 2], "channel": ["a", "b"]})
    error = refused(frame, signature)
    assert error.error_code == "INVALID_VALUE"
    assert "column 'amount' row 2" in error.message


def test_nan_spelled_as_text_in_a_csv_is_refused_too() -> None:
    error = refused(pl.DataFrame({"x": ["1.5", "NaN"]}), single("float"))
    assert "row 2" in error.message


def test_nulls_pass_through_for_the_model_to_impute(signature: Signature) -> None:
    frame = pl.DataFrame({"amount": [None, 1.0], "age": [None, None], "channel": [None, "web"]})
    result = conform(frame, signature).frame
    assert result.null_count().row(0) == (1, 2, 1)
    assert result.dtypes == [pl.Float64, pl.Int64, pl.String]


@pytest.mark.parametrize(
    ("dtype", "values", "expected"),
    [
        ("int", [1.0, None, 2.0], [1, None, 2]),
        ("int", ["7", " 8 ", "9.0"], [7, 8, 9]),
        ("float", [1, 2], [1.0, 2.0]),
        ("float", ["1e3", "-2.5"], [1000.0, -2.5]),
        ("bool", ["True", "false", "1", "0"], [True, False, True, False]),
        ("bool", [1, 0], [True, False]),
        ("string", [12, None], ["12", None]),
        (
            "datetime",
            ["2024-03-01", "2024-03-01T10:30:00"],
            [datetime(2024, 3, 1), datetime(2024, 3, 1, 10, 30)],
        ),
        (
            "datetime",
            ["2024-03-01T12:00:00+02:00", "2024-03-01T10:00:00Z"],
            [datetime(2024, 3, 1, 10), datetime(2024, 3, 1, 10)],
        ),
    ],
)
def test_values_readable_as_the_column_dtype_are_cast(
    dtype: str, values: list, expected: list
) -> None:
    result = conform(pl.DataFrame({"x": values}, strict=False), single(dtype)).frame
    assert result["x"].to_list() == expected


@pytest.mark.parametrize(
    ("dtype", "values", "row"),
    [
        ("int", [1.0, 2.5], 2),
        ("int", [True], 1),
        ("float", [False, True], 1),
        ("bool", [0, 1, 2], 3),
        ("bool", ["yes?"], 1),
        ("datetime", ["2024-03-01", "March 1st"], 2),
        ("datetime", [20240301], 1),
    ],
)
def test_values_not_readable_as_the_column_dtype_name_the_row(
    dtype: str, values: list, row: int
) -> None:
    error = refused(pl.DataFrame({"x": values}), single(dtype))
    assert f"column 'x' row {row}" in error.message
    assert f"as {dtype}" in error.message
