"""infer_contract(): a contract the first dataset passes, with room for the next one."""

from __future__ import annotations

import math
import random
from pathlib import Path

import polars as pl
import pytest

from workbench.core.errors import ConfigError, DataError
from workbench.validation import infer_contract, read_dataset, validate

from .conftest import WriteFile
from .generators import random_cases


def test_infers_types_nullability_categories_and_ids_from_csv(transactions_csv: Path) -> None:
    contract = infer_contract(read_dataset(transactions_csv), target="churned")
    rules = {c.name: c for c in contract.columns}
    assert {n: r.dtype for n, r in rules.items()} == {
        "id": "int",
        "ts": "datetime",
        "amount": "float",
        "status": "string",
        "country": "string",
        "churned": "bool",
    }
    assert rules["id"].unique and rules["id"].min is None
    assert rules["amount"].nullable and not rules["status"].nullable
    assert rules["status"].allowed == ("paid", "pending", "refunded")
    assert rules["country"].allowed == ("DE", "FR", "IT")
    assert rules["ts"].min is None and rules["ts"].max is None
    assert contract.target == "churned"
    assert contract.min_rows == 1


def test_numeric_ranges_are_widened_by_the_margin() -> None:
    frame = pl.DataFrame({"n": [10, 20, 30], "x": [-1.0, 0.5, 3.0]})
    rules = {c.name: c for c in infer_contract(frame, margin=0.1).columns}
    assert (rules["n"].min, rules["n"].max) == (8, 32)
    assert (rules["x"].min, rules["x"].max) == (-1.4, 3.4)
    assert isinstance(rules["x"].min, float)


def test_range_of_a_never_negative_column_stays_non_negative() -> None:
    rules = infer_contract(pl.DataFrame({"amount": [0.5, 10.0, 99.0]})).columns
    assert rules[0].min == 0.0
    assert rules[0].max > 99.0


def test_id_like_text_columns_are_unique_not_categories() -> None:
    frame = pl.DataFrame({"ref": [f"T{i:04d}" for i in range(50)], "kind": ["a", "b"] * 25})
    rules = {c.name: c for c in infer_contract(frame).columns}
    assert rules["ref"].unique and rules["ref"].allowed is None
    assert rules["kind"].allowed == ("a", "b") and not rules["kind"].unique


def test_integer_without_an_id_name_gets_a_range_even_if_distinct() -> None:
    frame = pl.DataFrame({"cents": [100, 250, 990], "customer_id": [7, 8, 9]})
    rules = {c.name: c for c in infer_contract(frame).columns}
    assert not rules["cents"].unique and rules["cents"].min is not None
    assert rules["customer_id"].unique and rules["customer_id"].min is None


def test_integer_target_with_few_values_gets_its_classes() -> None:
    frame = pl.DataFrame({"label": [0, 1, 2, 1, 0], "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    rules = {c.name: c for c in infer_contract(frame, target="label").columns}
    assert rules["label"].allowed == (0, 1, 2)
    assert rules["label"].min is None


def test_too_many_distinct_strings_get_no_allowed_set() -> None:
    frame = pl.DataFrame({"city": [f"c{i % 25}" for i in range(100)]})
    assert infer_contract(frame, max_categories=20).columns[0].allowed is None
    assert len(infer_contract(frame, max_categories=30).columns[0].allowed or ()) == 25


def test_nan_in_the_first_dataset_allows_nan_and_is_left_out_of_the_range() -> None:
    rule = infer_contract(pl.DataFrame({"x": [1.0, math.nan, 2.0]})).columns[0]
    assert not rule.finite
    assert rule.max is not None and rule.max < 3.0


def test_all_null_column_is_refused_by_name(write_file: WriteFile) -> None:
    path = write_file("t.csv", "a,b\n1,\n2,\n")
    with pytest.raises(DataError, match="column 'b' is empty in every row"):
        infer_contract(read_dataset(path))


def test_empty_dataset_and_unknown_target_are_refused() -> None:
    with pytest.raises(DataError, match="no rows"):
        infer_contract(pl.DataFrame(schema={"a": pl.Int64}))
    with pytest.raises(ConfigError, match="target 'y' is not a column"):
        infer_contract(pl.DataFrame({"a": [1]}), target="y")


@random_cases(count=40)
def test_dataset_passes_the_contract_inferred_from_it(rng: random.Random) -> None:
    rows = rng.randint(2, 60)
    frame = pl.DataFrame(
        {
            "id": rng.sample(range(1000), rows),
            "n": [rng.randint(-20, 20) for _ in range(rows)],
            "x": [rng.choice([None, math.nan, rng.uniform(-5, 5)]) for _ in range(rows - 1)]
            + [1.0],
            "s": [rng.choice(["u", "v", "w", None]) for _ in range(rows - 1)] + ["u"],
            "b": [rng.random() < 0.5 for _ in range(rows)],
        }
    )
    contract = infer_contract(frame.lazy(), target="b")
    report = validate(frame, contract)
    assert report.passed, report.summary()
    assert report.failures == ()
