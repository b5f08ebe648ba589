"""The defects file holds each documented defect, and nothing else is wrong with it."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

DEFECT_ROWS = {3, 47, 91, 12, 120, 25, 150, 33, 64, 78, 170, 105, 133, 140, 188, 160}


def test_defects_file_has_about_200_rows_with_amount_read_as_string(
    defects: pl.DataFrame,
) -> None:
    assert defects.height == 200
    assert defects.schema["amount"] == pl.String
    assert defects.schema["customer_age"] == pl.Int64
    assert defects.columns[0] == "transaction_id"
    assert defects.columns[-1] == "is_fraud"


def test_amount_holds_abc_in_a_few_rows(defects: pl.DataFrame) -> None:
    rows = defects.with_row_index().filter(pl.col("amount") == "abc")["index"].to_list()

    assert rows == [3, 47, 91]


@pytest.mark.parametrize(
    ("column", "rows"), [("amount", [12, 120]), ("merchant_category", [25, 150])]
)
def test_forbidden_nulls_are_present(defects: pl.DataFrame, column: str, rows: list[int]) -> None:
    assert defects.with_row_index().filter(pl.col(column).is_null())["index"].to_list() == rows


def test_customer_age_has_minus_five_and_two_hundred_fifty(defects: pl.DataFrame) -> None:
    out_of_range = defects.filter(~pl.col("customer_age").is_between(18, 95))

    assert sorted(out_of_range["customer_age"].to_list()) == [-5, 250]


def test_amount_has_negative_values(defects: pl.DataFrame) -> None:
    amounts = defects["amount"].cast(pl.Float64, strict=False)

    assert sorted(amounts.filter(amounts <= 0).to_list()) == [-12.5, -0.99]


@pytest.mark.parametrize(
    ("column", "value"),
    [("merchant_category", "teleportation"), ("channel", "carrier_pigeon")],
)
def test_unknown_categories_are_present(defects: pl.DataFrame, column: str, value: str) -> None:
    assert defects[column].eq(value).sum() == 2


def test_one_transaction_id_is_duplicated(defects: pl.DataFrame) -> None:
    duplicated = defects.filter(pl.col("transaction_id").is_duplicated())

    assert duplicated["transaction_id"].to_list() == ["tx-900160", "tx-900160"]


def test_rows_without_a_listed_defect_are_clean(defects: pl.DataFrame) -> None:
    clean = defects.with_row_index().filter(~pl.col("index").is_in(sorted(DEFECT_ROWS)))
    amount = clean["amount"].cast(pl.Float64, strict=True)

    assert clean.null_count().sum_horizontal().item() == 0
    assert (amount > 0).all()
    assert clean["customer_age"].is_between(18, 95).all()
    assert clean["channel"].is_in(["pos", "online", "atm"]).all()
    assert not clean["merchant_category"].is_in(["teleportation"]).any()


def test_module_defect_table_lists_exactly_the_injected_rows(generate: ModuleType) -> None:
    assert {defect.row for defect in generate.DEFECTS} == DEFECT_ROWS


def test_readme_documents_files_shift_defects_and_how_to_regenerate(
    generate: ModuleType, generated_dir: Path
) -> None:
    readme = (generated_dir / "README.md").read_text(encoding="utf-8")

    assert "python sample_data/generate.py" in readme
    for text in (
        generate.JANUARY_FILE,
        generate.FEBRUARY_FILE,
        generate.DEFECTS_FILE,
        "`amount`: mean",
        "`merchant_category`: mix",
        "`distance_from_home_km`: everyday",
        "teleportation",
        "carrier_pigeon",
        "`abc`",
        "`-5`",
        "`250`",
    ):
        assert text in readme, text
