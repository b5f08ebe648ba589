"""Compare a file's columns with the contract's, and plan how to read them as it types them.

Some differences are certain from the schema alone (a column added or missing, a float
column where the contract says string). Others depend on the values: a CSV column that
polars inferred as text may hold numbers the contract expects (``inf`` tokens defeat
inference) or may really be text now. For those the plan parses the text and the engine
counts the values that do not parse, in the same pass as the checks; any such value makes
it a type change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from workbench.core.validation_report import SchemaChange
from workbench.validation.contract import Contract
from workbench.validation.dtypes import conversion, logical_dtype

HIDDEN_PREFIX = "__wb_"
"""Columns the engine adds to the frame start with this; they are never profiled."""


@dataclass(frozen=True)
class ParsedColumn:
    """A text column the contract types otherwise, read through a non-strict parse."""

    column: str
    """The column."""
    expected: str
    """The contract's type."""
    raw: str
    """Name of the hidden copy of the original text (for counting and examples)."""

    @property
    def unparsed(self) -> pl.Expr:
        """True on rows whose text did not parse: evidence of a type change."""
        return pl.col(self.raw).is_not_null() & pl.col(self.column).is_null()


@dataclass(frozen=True)
class SchemaPlan:
    """What the schema comparison found and how the frame is to be read."""

    changes: tuple[SchemaChange, ...]
    """Changes certain from the schema alone."""
    conversions: Mapping[str, pl.Expr]
    """Column -> expression giving it in the contract's type."""
    parsed: tuple[ParsedColumn, ...]
    """Text columns parsed into the contract's type; unparsed values mean a type change."""
    unchecked: frozenset[str] = field(default_factory=frozenset)
    """Contract columns whose checks cannot run (missing, or of another type)."""
    type_change_severity: str = "error"
    """Severity of a type change (the contract's ``type_change``)."""

    def apply(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        """The frame with every column in the contract's type (plus hidden raw copies)."""
        if not self.conversions:
            return lf
        raws = [pl.col(p.column).alias(p.raw) for p in self.parsed]
        converted = [expr.alias(name) for name, expr in self.conversions.items()]
        return lf.with_columns(*raws, *converted)

    def type_change(self, parsed: ParsedColumn, found: str, detail: str) -> SchemaChange:
        """The change to report for a parsed column that had unparsable values."""
        return SchemaChange(
            "type_changed",
            parsed.column,
            parsed.expected,
            found,
            self.type_change_severity,
            detail,
        )


def plan_schema(contract: Contract, schema: Mapping[str, pl.DataType]) -> SchemaPlan:
    """Compare ``schema`` with ``contract`` and plan the reading of each column.

    Args:
        contract: The pinned contract.
        schema: The file's columns as polars read them.

    Returns:
        The plan: certain changes, conversions, parsed text columns, unchecked columns.
    """
    changes: list[SchemaChange] = []
    conversions: dict[str, pl.Expr] = {}
    parsed: list[ParsedColumn] = []
    unchecked: set[str] = set()
    for rule in contract.columns:
        if rule.name not in schema:
            changes.append(
                SchemaChange("missing", rule.name, rule.dtype, None, contract.missing_column)
            )
            unchecked.add(rule.name)
            continue
        found = schema[rule.name]
        try:
            expr = conversion(rule.dtype, found, rule.name)
        except ValueError:
            changes.append(
                SchemaChange(
                    "type_changed",
                    rule.name,
                    rule.dtype,
                    logical_dtype(found),
                    contract.type_change,
                )
            )
            unchecked.add(rule.name)
            continue
        if expr is not None:
            conversions[rule.name] = expr
            if found == pl.String and rule.dtype != "string":
                raw = f"{HIDDEN_PREFIX}raw{len(parsed)}"
                parsed.append(ParsedColumn(rule.name, rule.dtype, raw))
    known = set(contract.column_names)  # a set: a lookup per column must not scan them all
    for name, dtype in schema.items():
        if name not in known:
            changes.append(
                SchemaChange("added", name, None, logical_dtype(dtype), contract.added_column)
            )
    return SchemaPlan(
        changes=tuple(changes),
        conversions=conversions,
        parsed=tuple(parsed),
        unchecked=frozenset(unchecked),
        type_change_severity=contract.type_change,
    )
