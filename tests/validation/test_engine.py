"""validate(): schema changes, severities, rules, bad values, examples and the report."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from workbench.core.errors import ConfigError, DataError
from workbench.validation import (
    FRAME_LABEL,
    ColumnRule,
    Contract,
    TableRule,
    ValidationReport,
    infer_contract,
    read_dataset,
    validate,
)

from .conftest import WriteFile

AMOUNTS = Contract(
    columns=(
        ColumnRule("id", "int", nullable=False, unique=True),
        ColumnRule("amount", "float", nullable=False, min=0.0, max=100.0),
        ColumnRule("status", "string", allowed=("paid", "void")),
    )
)


def test_clean_file_passes_every_check(transactions_csv: Path) -> None:
    contract = infer_contract(read_dataset(transactions_csv))
    report = validate(transactions_csv, contract)
    assert report.passed
    assert report.failures == ()
    assert report.rows == 6
    assert report.source == str(transactions_csv)
    assert report.summary() == f"all {len(report.checks)} checks passed on 6 rows"


def test_failing_rows_are_counted_and_shown_with_csv_row_numbers(write_file: WriteFile) -> None:
    path = write_file(
        "t.csv",
        "id,amount,status\n1,5.0,paid\n2,,paid\n3,500.0,void\n3,7.5,lost\n5,-1.0,paid\n",
    )
    report = validate(path, AMOUNTS)
    assert not report.passed
    assert report.check("amount not null").examples == ((2, None),)
    assert report.check("amount in range").failing_rows == 2
    assert report.check("amount in range").examples == ((3, 500.0), (5, -1.0))
    assert report.check("id unique").examples == ((4, 3),)
    assert report.check("status in allowed values").examples == ((4, "lost"),)
    assert report.summary() == (
        "4 of 7 checks failed: id unique (1 row, first at row 4); "
        "amount not null (1 row, first at row 2); amount in range (2 rows, first at row 3); "
        "status in allowed values (1 row, first at row 4)"
    )


def test_examples_are_capped_and_can_be_switched_off() -> None:
    frame = pl.DataFrame({"id": list(range(20)), "amount": [-1.0] * 20, "status": ["paid"] * 20})
    capped = validate(frame, AMOUNTS, max_examples=2).check("amount in range")
    assert capped.failing_rows == 20
    assert capped.examples == ((1, -1.0), (2, -1.0))
    none = validate(frame, AMOUNTS, max_examples=0).check("amount in range")
    assert none.failing_rows == 20
    assert none.examples == ()


def test_warn_severity_is_reported_without_failing_the_report() -> None:
    contract = replace(
        AMOUNTS,
        columns=(
            AMOUNTS.columns[0],
            replace(AMOUNTS.columns[1], severity_by_check=(("range", "warn"),)),
            replace(AMOUNTS.columns[2], severity="warn"),
        ),
    )
    frame = pl.DataFrame({"id": [1, 2], "amount": [500.0, 1.0], "status": ["lost", "paid"]})
    report = validate(frame, contract)
    assert report.passed
    assert {c.name for c in report.failures} == {"amount in range", "status in allowed values"}
    assert all(c.severity == "warn" for c in report.failures)
    assert "warn" in report.summary()
    stricter = validate(frame, AMOUNTS)
    assert not stricter.passed


def test_added_missing_and_retyped_columns_are_reported_as_schema_changes() -> None:
    frame = pl.DataFrame({"id": [1, 2], "amount": ["a", "b"], "extra": [True, False]})
    report = validate(frame, AMOUNTS)
    changes = {(c.kind, c.column): c for c in report.schema_changes}
    assert set(changes) == {("type_changed", "amount"), ("missing", "status"), ("added", "extra")}
    retyped = changes[("type_changed", "amount")]
    assert (retyped.expected, retyped.found, retyped.severity) == ("float", "string", "error")
    assert (changes[("added", "extra")].found, changes[("added", "extra")].severity) == (
        "bool",
        "warn",
    )
    assert not report.passed
    assert all(c.column != "status" for c in report.checks)
    assert "column 'amount' type changed float -> string" in report.summary()


def test_added_column_alone_does_not_fail_but_can_be_made_an_error() -> None:
    frame = pl.DataFrame({"id": [1], "amount": [1.0], "status": ["paid"], "extra": [1]})
    assert validate(frame, AMOUNTS).passed
    assert not validate(frame, replace(AMOUNTS, added_column="error")).passed


def test_column_numeric_in_one_file_and_text_in_the_next_is_a_type_change(
    write_file: WriteFile,
) -> None:
    first = write_file("jan.csv", "id,amount,status\n1,5.0,paid\n2,7.5,void\n")
    second = write_file("feb.csv", "id,amount,status\n3,5.0,paid\n4,n/a,void\n5,x,paid\n")
    contract = infer_contract(read_dataset(first))
    report = validate(second, contract)
    (change,) = report.schema_changes
    assert (change.kind, change.column, change.expected, change.found) == (
        "type_changed",
        "amount",
        "float",
        "string",
    )
    assert change.detail == "2 values do not read as float, first at row 2: 'n/a'"
    assert not report.passed


def test_values_that_do_parse_in_a_retyped_column_are_still_checked(
    write_file: WriteFile,
) -> None:
    path = write_file("t.csv", "id,amount,status\n1,abc,paid\n2,,paid\n3,-4.0,void\n4,5.0,paid\n")
    report = validate(path, AMOUNTS)
    assert [c.kind for c in report.schema_changes] == ["type_changed"]
    assert report.check("amount not null").examples == ((2, None),)
    assert report.check("amount in range").examples == ((3, -4.0),)


def test_text_that_all_parses_as_the_contract_type_is_not_a_type_change(
    write_file: WriteFile,
) -> None:
    path = write_file("inf.csv", "id,amount,status\n1,inf,paid\n2,NaN,paid\n3,4.5,void\n")
    report = validate(path, AMOUNTS)
    assert report.schema_changes == ()
    finite = report.check("amount finite")
    assert finite.examples == ((1, "inf"), (2, "NaN"))
    assert report.check("amount in range").examples == ((1, "inf"),)


def test_int_values_satisfy_a_float_column() -> None:
    frame = pl.DataFrame({"id": [1], "amount": [3], "status": ["paid"]})
    report = validate(frame, AMOUNTS)
    assert report.passed
    assert report.schema_changes == ()


def test_categorical_parquet_column_is_checked_as_string(tmp_path: Path) -> None:
    path = tmp_path / "cat.parquet"
    frame = pl.DataFrame({"id": [1, 2], "amount": [1.0, 2.0], "status": ["paid", "lost"]})
    frame.with_columns(pl.col("status").cast(pl.Categorical)).write_parquet(path)
    report = validate(path, AMOUNTS)
    assert report.schema_changes == ()
    assert report.check("status in allowed values").examples == ((2, "lost"),)


def test_all_null_column_fails_its_not_null_check_on_every_row(write_file: WriteFile) -> None:
    path = write_file("empty_col.csv", "id,amount,status\n1,,paid\n2,,void\n")
    report = validate(path, AMOUNTS)
    assert report.schema_changes == ()
    assert report.check("amount not null").failing_rows == 2
    assert report.profile[1].nulls == 2


def test_custom_rule_fails_rows_where_it_is_false_and_passes_nulls() -> None:
    contract = replace(AMOUNTS, rules=(TableRule("amount under id", "amount <= id * 10"),))
    frame = pl.DataFrame(
        {"id": [1, 2, None, 4], "amount": [5.0, 50.0, 99.0, 41.0], "status": ["paid"] * 4}
    )
    result = validate(frame, contract).check("amount under id")
    assert result.kind == "rule"
    assert result.failing_rows == 2
    assert result.examples == ((2, {"amount": 50.0, "id": 2}), (4, {"amount": 41.0, "id": 4}))


def test_custom_rule_with_sql_functions_runs() -> None:
    contract = replace(AMOUNTS, rules=(TableRule("known", "status IN ('paid', 'void')"),))
    frame = pl.DataFrame({"id": [1, 2], "amount": [1.0, 2.0], "status": ["paid", "gone"]})
    assert validate(frame, contract).check("known").examples == ((2, {"status": "gone"}),)


def test_rule_reading_a_missing_column_is_reported_as_not_run() -> None:
    contract = replace(AMOUNTS, rules=(TableRule("fee rule", "fee >= 0", severity="warn"),))
    frame = pl.DataFrame({"id": [1], "amount": [1.0], "status": ["paid"]})
    result = validate(frame, contract).check("fee rule")
    assert (result.passed, result.failing_rows) == (False, None)
    assert result.detail == "not run: column 'fee' is missing"


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("amount + 1", "gives float values, not true/false"),
        ("status + 1 > 2", "cannot run: arithmetic on dtypes str"),
    ],
)
def test_rule_that_cannot_run_is_a_config_error_naming_it(expr: str, reason: str) -> None:
    frame = pl.DataFrame({"id": [1], "amount": [1.0], "status": ["paid"]})
    with pytest.raises(ConfigError, match=r"rule 'bad one'") as info:
        validate(frame, replace(AMOUNTS, rules=(TableRule("bad one", expr),)))
    assert reason in str(info.value)


def test_malformed_rule_expression_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"rule 'positive': expr 'amount >= ' is not a valid"):
        TableRule("positive", "amount >= ")


def test_row_count_bounds_are_checked() -> None:
    frame = pl.DataFrame({"id": [1, 2, 3], "amount": [1.0] * 3, "status": ["paid"] * 3})
    low = validate(frame, replace(AMOUNTS, min_rows=5)).check("row count")
    assert (low.passed, low.failing_rows) == (False, None)
    assert low.detail == "3 rows; expected at least 5 rows, no maximum"
    high = validate(frame, replace(AMOUNTS, max_rows=2, row_count_severity="warn"))
    assert high.passed
    assert not high.check("row count").passed


def test_frame_without_rows_is_refused() -> None:
    frame = pl.DataFrame(schema={"id": pl.Int64, "amount": pl.Float64, "status": pl.String})
    with pytest.raises(DataError, match="no data rows"):
        validate(frame, AMOUNTS)


def test_frame_source_is_labelled() -> None:
    frame = pl.DataFrame({"id": [1], "amount": [1.0], "status": ["paid"]})
    assert validate(frame.lazy(), AMOUNTS).source == FRAME_LABEL


def test_report_round_trips_through_strict_json(write_file: WriteFile) -> None:
    path = write_file(
        "t.csv",
        "id,amount,status,when\n1,inf,paid,2026-01-01 10:00:00\n1,NaN,lost,2026-01-02 11:00:00\n",
    )
    contract = replace(
        AMOUNTS,
        columns=(*AMOUNTS.columns, ColumnRule("when", "datetime")),
        rules=(TableRule("r", "amount >= 0"),),
    )
    report = validate(path, contract)
    text = json.dumps(report.to_dict(), allow_nan=False)
    again = ValidationReport.from_dict(json.loads(text))
    assert again == report


def test_profile_is_computed_in_the_same_validation(transactions_csv: Path) -> None:
    report = validate(transactions_csv, infer_contract(read_dataset(transactions_csv)))
    amount = next(p for p in report.profile if p.name == "amount")
    values = [12.5, 99.0, 5.25, 250.0, 42.0]
    assert (amount.count, amount.nulls) == (5, 1)
    assert amount.mean == pytest.approx(sum(values) / 5)
    assert (amount.min, amount.max) == (5.25, 250.0)
    assert validate(transactions_csv, AMOUNTS, profile=False).profile == ()


def test_nan_and_inf_are_left_out_of_profile_statistics() -> None:
    frame = pl.DataFrame({"x": [1.0, math.nan, 3.0, math.inf, None]})
    report = validate(frame, Contract(columns=(ColumnRule("x", "float", finite=False),)))
    (x,) = report.profile
    assert report.passed
    assert (x.count, x.nulls, x.non_finite) == (4, 1, 2)
    assert (x.min, x.max, x.mean) == (1.0, 3.0, 2.0)
    assert x.quantiles[2] == (0.5, 2.0)


def test_large_file_with_nan_and_failures_reports_exact_rows_and_finite_statistics(
    tmp_path: Path,
) -> None:
    rows = 240_000
    amount = [float(i % 100) for i in range(rows)]
    amount[41_236] = math.nan  # a sampled row (every 13th)
    amount[rows - 1] = 500.0
    frame = pl.DataFrame(
        {"id": list(range(rows)), "amount": amount, "status": ["paid", "void", "paid"] * 80_000}
    )
    path = tmp_path / "big.parquet"
    frame.write_parquet(path)
    report = validate(path, AMOUNTS)
    assert report.check("amount finite").examples == ((41_237, "NaN"),)
    assert report.check("amount in range").examples == ((rows, 500.0),)
    profile = next(p for p in report.profile if p.name == "amount")
    finite = [a for a in amount if not math.isnan(a)]
    assert profile.non_finite == 1
    assert profile.mean == pytest.approx(sum(finite) / len(finite))
    assert profile.sample_size == math.ceil(rows / 13) - 1  # every 13th row, less the NaN
    assert dict(profile.quantiles)[0.5] == pytest.approx(49.5, abs=2)
    status = next(p for p in report.profile if p.name == "status")
    assert status.top == (("paid", 2 / 3), ("void", 1 / 3))
