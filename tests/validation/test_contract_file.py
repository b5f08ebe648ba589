"""contract.toml: written documented, read back identically, refused precisely when wrong."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from pathlib import Path

import pytest

from workbench.core.errors import ConfigError
from workbench.validation import (
    ColumnRule,
    Contract,
    TableRule,
    contract_from_toml,
    contract_to_toml,
    infer_contract,
    read_dataset,
    validate,
)

from .generators import random_cases, random_text

FULL = Contract(
    columns=(
        ColumnRule("id", "int", nullable=False, unique=True),
        ColumnRule("amount", "float", min=0.0, max=1e6, finite=False, severity="warn"),
        ColumnRule(
            "status",
            "string",
            allowed=("paid", "void"),
            regex="[a-z]+",
            severity_by_check=(("allowed", "warn"),),
        ),
        ColumnRule("ts", "datetime", min=dt.datetime(2026, 1, 1, 9, 30)),
        ColumnRule("day", "date", max=dt.date(2030, 12, 31)),
        ColumnRule("flag", "bool", nullable=False),
    ),
    rules=(TableRule("amount is non-negative", "amount >= 0", severity="warn"),),
    min_rows=10,
    max_rows=1000,
    row_count_severity="warn",
    added_column="error",
    missing_column="warn",
    type_change="warn",
    target="flag",
)


def test_every_field_survives_the_round_trip() -> None:
    assert contract_from_toml(contract_to_toml(FULL), "c.toml") == FULL


def test_written_file_explains_its_keys() -> None:
    text = contract_to_toml(FULL)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    for key in ("severity", "nullable", "allowed", "regex", "unique", "finite", "min_rows", "expr"):
        assert any(key in line for line in comments), key
    assert tomllib.loads(text)["columns"][0]["name"] == "id"


def test_inferred_contract_round_trips_with_the_same_check_results(
    transactions_csv: Path,
) -> None:
    inferred = infer_contract(read_dataset(transactions_csv), target="churned")
    parsed = contract_from_toml(contract_to_toml(inferred), "contract.toml")
    assert parsed == inferred
    before = validate(transactions_csv, inferred)
    after = validate(transactions_csv, parsed)
    assert [(c.name, c.passed, c.failing_rows) for c in after.checks] == [
        (c.name, c.passed, c.failing_rows) for c in before.checks
    ]


@random_cases()
def test_any_column_name_and_allowed_strings_round_trip(rng: random.Random) -> None:
    name = "c" + random_text(rng)
    values = tuple(dict.fromkeys(random_text(rng) for _ in range(rng.randint(0, 5))))
    quoted = '"' + name.replace('"', '""') + '"'
    rule = TableRule(random_text(rng, min_size=1) + "r", f"{quoted} IS NOT NULL")
    contract = Contract(columns=(ColumnRule(name, "string", allowed=values),), rules=(rule,))
    assert contract_from_toml(contract_to_toml(contract), "c.toml") == contract
    assert rule.columns == (name,)


def test_integer_bounds_in_a_float_column_read_as_floats() -> None:
    text = '[[columns]]\nname = "x"\ndtype = "float"\nmin = 0\nmax = 5\n'
    contract = contract_from_toml(text, "c.toml")
    rule = contract.columns[0]
    assert (rule.min, rule.max) == (0.0, 5.0)
    assert isinstance(rule.min, float)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[columns]\n", "c.toml: not valid TOML"),
        ("", "lists no [[columns]]"),
        ('[[columns]]\nname = "x"\n', "columns[0] ('x'): 'name' and 'dtype' are required"),
        ('[[columns]]\nname = "x"\ndtype = "text"\n', "column 'x': dtype 'text' is not one of"),
        (
            '[[columns]]\nname = "x"\ndtype = "int"\nnulable = false\n',
            "columns[0] ('x'): unknown key 'nulable'",
        ),
        (
            '[[columns]]\nname = "x"\ndtype = "int"\nnullable = "no"\n',
            "columns[0] ('x') nullable must be true or false",
        ),
        (
            '[[columns]]\nname = "x"\ndtype = "int"\nseverity = "fatal"\n',
            "column 'x': severity = 'fatal' is not one of error, warn",
        ),
        (
            '[[columns]]\nname = "x"\ndtype = "string"\nmin = 3\n',
            "column 'x': min = 3 does not fit a string column",
        ),
        (
            '[[columns]]\nname = "x"\ndtype = "int"\nmin = 5\nmax = 1\n',
            "column 'x': min 5 is greater than max 1",
        ),
        (
            '[[columns]]\nname = "x"\ndtype = "string"\nregex = "("\n',
            "column 'x': regex '(' is not valid",
        ),
        (
            '[[columns]]\nname = "x"\ndtype = "int"\nallowed = ["a"]\n',
            "column 'x': allowed value 'a' is not a int",
        ),
        (
            '[[columns]]\nname = "x"\ndtype = "int"\nseverity_by_check = { ranges = "warn" }\n',
            "severity_by_check names 'ranges'",
        ),
        ('[table]\nmin_rows = -1\n[[columns]]\nname = "x"\ndtype = "int"\n', "min_rows = -1"),
        ('[table]\nmax_row = 5\n[[columns]]\nname = "x"\ndtype = "int"\n', "unknown key 'max_row'"),
        ('target = "y"\n[[columns]]\nname = "x"\ndtype = "int"\n', "target 'y' is not one of"),
        (
            '[[columns]]\nname = "x"\ndtype = "int"\n[[columns]]\nname = "x"\ndtype = "int"\n',
            "column 'x' is listed twice",
        ),
    ],
)
def test_bad_contract_names_the_field(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        contract_from_toml(text, "c.toml")
    assert str(info.value).startswith("c.toml: ")
    assert expected in str(info.value)


def test_malformed_rule_expression_names_the_rule() -> None:
    text = (
        '[[columns]]\nname = "amount"\ndtype = "float"\n'
        '[[rules]]\nname = "amount positive"\nexpr = "amount >="\n'
    )
    with pytest.raises(ConfigError, match=r"c.toml: rule 'amount positive': expr 'amount >='"):
        contract_from_toml(text, "c.toml")


def test_rule_without_an_expression_names_the_rule() -> None:
    text = '[[columns]]\nname = "a"\ndtype = "int"\n[[rules]]\nname = "r"\n'
    with pytest.raises(ConfigError, match=r"rules\[0\] \('r'\): 'name' and 'expr' are required"):
        contract_from_toml(text, "c.toml")
