"""Each check fails exactly on the rows that violate it, as plain Python recomputes them.

Random frames (nulls, NaN, infinities, repeats) are checked against random contracts, from
memory and from Parquet and CSV files, and every check's failing-row count and example
row numbers are compared with a row-by-row recomputation in Python.
"""

from __future__ import annotations

import math
import random
import re
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from workbench.validation import ColumnRule, Contract, TableRule, ValidationReport, validate
from workbench.validation.scalars import json_scalar

from .generators import random_cases

WORDS = ("a", "b", "ab", "ba", "c", "abc")
PATTERNS = ("a.*", "[ab]+", "b?c?", "a|abc")
RULES = {"n at least k": "n >= k", "n plus k small": "n + k <= 6"}
MAX_EXAMPLES = 3


def random_frame(rng: random.Random) -> pl.DataFrame:
    rows = rng.randint(1, 30)

    def pick(values: list[Any], null_share: float) -> list[Any]:
        return [None if rng.random() < null_share else rng.choice(values) for _ in range(rows)]

    specials = [math.nan, math.inf, -math.inf]
    floats = [round(rng.uniform(-10, 10), 2) for _ in range(8)]
    return pl.DataFrame(
        {
            "n": pick(list(range(-5, 6)), rng.choice([0.0, 0.2])),
            "x": pick(floats + specials * rng.randint(0, 1), rng.choice([0.0, 0.2])),
            "s": pick(list(WORDS), rng.choice([0.0, 0.3])),
            "k": pick(list(range(8)), rng.choice([0.0, 0.2])),
        },
        schema={"n": pl.Int64, "x": pl.Float64, "s": pl.String, "k": pl.Int64},
    )


def random_contract(rng: random.Random) -> Contract:
    def bounds(low: int, high: int) -> tuple[int | None, int | None]:
        a, b = sorted(rng.randint(low, high) for _ in range(2))
        return (a if rng.random() < 0.6 else None, b if rng.random() < 0.6 else None)

    def severity() -> str:
        return rng.choice(["error", "warn"])

    n_min, n_max = bounds(-5, 5)
    x_min, x_max = bounds(-10, 10)
    columns = (
        ColumnRule(
            "n",
            "int",
            nullable=rng.random() < 0.5,
            min=n_min,
            max=n_max,
            allowed=tuple(rng.sample(range(-5, 6), 6)) if rng.random() < 0.3 else None,
            severity=severity(),
        ),
        ColumnRule(
            "x",
            "float",
            nullable=rng.random() < 0.5,
            min=None if x_min is None else float(x_min),
            max=None if x_max is None else float(x_max),
            finite=rng.random() < 0.5,
            severity=severity(),
        ),
        ColumnRule(
            "s",
            "string",
            nullable=rng.random() < 0.5,
            allowed=tuple(rng.sample(WORDS, 3)) if rng.random() < 0.5 else None,
            regex=rng.choice(PATTERNS) if rng.random() < 0.5 else None,
            unique=rng.random() < 0.2,
            severity=severity(),
        ),
        ColumnRule("k", "int", nullable=rng.random() < 0.5, unique=rng.random() < 0.5),
    )
    rules = tuple(
        TableRule(name, expr, severity=severity())
        for name, expr in RULES.items()
        if rng.random() < 0.5
    )
    return Contract(columns=columns, rules=rules)


def expected_failures(frame: pl.DataFrame, contract: Contract) -> dict[str, list[int]]:
    """Check name -> 1-based numbers of the rows that violate it, by plain Python."""
    data = frame.to_dict(as_series=False)
    expected: dict[str, list[int]] = {}
    for rule in contract.columns:
        values = data[rule.name]
        tests = _column_tests(rule, values)
        for name, fails in tests.items():
            expected[name] = [i + 1 for i, v in enumerate(values) if fails(i, v)]
    for table_rule in contract.rules:
        expected[table_rule.name] = [
            i + 1
            for i, (n, k) in enumerate(zip(data["n"], data["k"], strict=True))
            if n is not None and k is not None and not _rule_holds(table_rule.expr, n, k)
        ]
    return expected


def _column_tests(rule: ColumnRule, values: list[Any]) -> dict[str, Any]:
    name = rule.name
    tests: dict[str, Any] = {}
    if not rule.nullable:
        tests[f"{name} not null"] = lambda i, v: v is None
    if rule.dtype == "float" and rule.finite:
        tests[f"{name} finite"] = lambda i, v: v is not None and not math.isfinite(v)
    if rule.min is not None or rule.max is not None:
        low = -math.inf if rule.min is None else rule.min
        high = math.inf if rule.max is None else rule.max
        label = {
            (True, True): f"{name} in range",
            (True, False): f"{name} at least {rule.min}",
            (False, True): f"{name} at most {rule.max}",
        }[(rule.min is not None, rule.max is not None)]
        tests[label] = lambda i, v: (
            v is not None and not math.isnan(v) and not low <= v <= high  # type: ignore[operator]
        )
    if rule.allowed is not None:
        allowed = set(rule.allowed)
        tests[f"{name} in allowed values"] = lambda i, v: v is not None and v not in allowed
    if rule.regex is not None:
        pattern = re.compile(rule.regex)
        tests[f"{name} matches regex"] = lambda i, v: v is not None and pattern.fullmatch(v) is None
    if rule.unique:
        tests[f"{name} unique"] = lambda i, v: v is not None and v in values[:i]
    return tests


def _rule_holds(expr: str, n: int, k: int) -> bool:
    return n >= k if expr == "n >= k" else n + k <= 6


def assert_report_matches(
    report: ValidationReport, frame: pl.DataFrame, contract: Contract
) -> None:
    expected = expected_failures(frame, contract)
    by_name = {c.name: c for c in report.checks}
    assert set(by_name) == {*expected, "row count"}
    for name, rows in expected.items():
        result = by_name[name]
        assert result.failing_rows == len(rows), name
        assert result.passed == (not rows), name
        assert [row for row, _ in result.examples] == rows[:MAX_EXAMPLES], name
        for row, value in result.examples:
            if result.kind == "rule":
                want = {c: json_scalar(frame[c][row - 1]) for c in ("n", "k")}
            else:
                want = json_scalar(frame[result.column][row - 1])
            assert value == want, name
    blocking = any(not c.passed and c.severity == "error" for c in report.checks)
    assert report.passed == (not blocking)
    assert report.rows == frame.height


@random_cases()
def test_checks_fail_exactly_on_violating_rows_of_a_frame(rng: random.Random) -> None:
    frame, contract = random_frame(rng), random_contract(rng)
    report = validate(frame.lazy(), contract, max_examples=MAX_EXAMPLES)
    assert_report_matches(report, frame, contract)


@random_cases(count=25)
def test_checks_fail_exactly_on_violating_rows_of_parquet_and_csv_files(
    rng: random.Random,
) -> None:
    frame, contract = random_frame(rng), random_contract(rng)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("data.parquet", "data.csv"):
            path = Path(tmp) / name
            frame.write_parquet(path) if name.endswith(".parquet") else frame.write_csv(path)
            report = validate(path, contract, max_examples=MAX_EXAMPLES)
            assert not report.schema_changes, (name, report.schema_changes)
            assert_report_matches(report, frame, contract)
