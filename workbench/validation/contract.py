"""The data contract: what every file dropped into a workspace must look like.

A contract is pinned per workspace in ``.workbench/contract.toml`` (see
:mod:`workbench.validation.contract_file` for the file format). It is plain data: the
records below say *what* is required; :mod:`workbench.validation.checks` turns them into
polars expressions. Records validate themselves on construction so a contract built in
Python fails as early, and as precisely, as one read from a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from workbench.core.errors import ConfigError
from workbench.validation.dtypes import DTYPES, NUMERIC

SEVERITIES: tuple[str, ...] = ("error", "warn")
"""``error`` blocks the run (the file is quarantined); ``warn`` is reported only."""

COLUMN_CHECKS: tuple[str, ...] = ("not_null", "finite", "range", "allowed", "regex", "unique")
"""Kinds of per-column check, as used in reports and in ``severity_by_check``."""

Bound = int | float | dt.date | dt.datetime
"""A range bound: a number for numeric columns, a date or datetime for those columns."""

Scalar = int | float | str | bool
"""An allowed value."""


@dataclass(frozen=True)
class ColumnRule:
    """What one column must satisfy."""

    name: str
    """Column name exactly as in the file's header."""
    dtype: str
    """Logical type (``int``, ``float``, ``bool``, ``string``, ``datetime``, ``date``); a
    file whose column reads as another type is reported as a type change."""
    nullable: bool = True
    """Whether empty values are allowed; ``False`` adds a "not null" check."""
    min: Bound | None = None
    """Smallest allowed value (inclusive) for numeric, date and datetime columns."""
    max: Bound | None = None
    """Largest allowed value (inclusive) for numeric, date and datetime columns."""
    allowed: tuple[Scalar, ...] | None = None
    """The only values the column may hold (``None``: any value); nulls are governed by
    ``nullable`` alone."""
    regex: str | None = None
    """A pattern every non-null value must match in full (string columns, Rust regex
    syntax as polars uses it)."""
    unique: bool = False
    """No non-null value may occur twice (an id column); repeats fail, the first
    occurrence does not."""
    finite: bool = True
    """For float columns: NaN and infinite values fail."""
    severity: str = "error"
    """Severity of this column's checks unless ``severity_by_check`` says otherwise."""
    severity_by_check: tuple[tuple[str, str], ...] = field(default=())
    """Per-check overrides as ``(kind, severity)`` pairs, e.g. ``(("range", "warn"),)``."""

    def __post_init__(self) -> None:
        where = f"column {self.name!r}"
        if not self.name:
            raise ConfigError("a column rule has an empty name")
        if self.dtype not in DTYPES:
            raise ConfigError(f"{where}: dtype {self.dtype!r} is not one of {', '.join(DTYPES)}")
        _check_severity(self.severity, f"{where}: severity")
        for kind, severity in self.severity_by_check:
            if kind not in COLUMN_CHECKS:
                raise ConfigError(
                    f"{where}: severity_by_check names {kind!r}, "
                    f"not one of {', '.join(COLUMN_CHECKS)}"
                )
            _check_severity(severity, f"{where}: severity_by_check.{kind}")
        self._check_bounds(where)
        if self.regex is not None:
            _check_regex(self.regex, self.dtype, where)
        if self.allowed is not None:
            if not isinstance(self.allowed, tuple):
                object.__setattr__(self, "allowed", tuple(self.allowed))
            _check_allowed(self.allowed, self.dtype, where)

    def _check_bounds(self, where: str) -> None:
        for key in ("min", "max"):
            bound = getattr(self, key)
            if bound is None:
                continue
            if not _bound_fits(self.dtype, bound):
                raise ConfigError(
                    f"{where}: {key} = {bound!r} does not fit a {self.dtype} column "
                    "(numbers for int/float, dates for date, datetimes for datetime)"
                )
        if self.min is not None and self.max is not None and self.min > self.max:  # type: ignore[operator]
            raise ConfigError(f"{where}: min {self.min!r} is greater than max {self.max!r}")

    def severity_of(self, kind: str) -> str:
        """The severity a check of ``kind`` on this column is reported with."""
        return dict(self.severity_by_check).get(kind, self.severity)


@dataclass(frozen=True)
class TableRule:
    """A row-level rule over several columns, written as an expression."""

    name: str
    """Label in reports, e.g. ``"amount is non-negative"``; unique within a contract."""
    expr: str
    """A polars SQL expression that must hold for every row, e.g. ``"amount >= 0"``.
    Rows where it is false fail; rows where it is null pass, as in an SQL CHECK."""
    severity: str = "error"
    """``error`` blocks the run, ``warn`` is reported only."""

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigError(f"the rule with expr {self.expr!r} has an empty name")
        if not self.expr.strip():
            raise ConfigError(f"rule {self.name!r}: expr is empty")
        _check_severity(self.severity, f"rule {self.name!r}: severity")
        rule_expression(self)

    @property
    def columns(self) -> tuple[str, ...]:
        """Names of the columns the expression reads."""
        return tuple(rule_expression(self).meta.root_names())


@dataclass(frozen=True)
class Contract:
    """Everything a dataset must satisfy, column by column and as a table."""

    columns: tuple[ColumnRule, ...]
    """Expected columns in file order (order itself is not checked)."""
    rules: tuple[TableRule, ...] = ()
    """Custom row-level rules over any columns."""
    min_rows: int = 1
    """Fewer rows fail the row-count check (a header-only file has 0 and never passes)."""
    max_rows: int | None = None
    """More rows fail the row-count check (``None``: no upper bound)."""
    row_count_severity: str = "error"
    """Severity of the row-count check."""
    added_column: str = "warn"
    """Severity of a column the file has and the contract does not list."""
    missing_column: str = "error"
    """Severity of a listed column the file lacks."""
    type_change: str = "error"
    """Severity of a listed column whose values read as another type."""
    target: str | None = None
    """The column models predict, if the workspace has one (informs inference only)."""

    def __post_init__(self) -> None:
        if not isinstance(self.columns, tuple):
            object.__setattr__(self, "columns", tuple(self.columns))
        if not isinstance(self.rules, tuple):
            object.__setattr__(self, "rules", tuple(self.rules))
        _check_unique([c.name for c in self.columns], "column")
        _check_unique([r.name for r in self.rules], "rule")
        if self.min_rows < 0:
            raise ConfigError(f"table: min_rows = {self.min_rows} is negative")
        if self.max_rows is not None and self.max_rows < self.min_rows:
            raise ConfigError(
                f"table: max_rows = {self.max_rows} is less than min_rows = {self.min_rows}"
            )
        for key in ("row_count_severity", "added_column", "missing_column", "type_change"):
            _check_severity(getattr(self, key), f"table: {key}")
        if self.target is not None and self.target not in self.column_names:
            raise ConfigError(f"target {self.target!r} is not one of the contract's columns")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of the expected columns, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnRule | None:
        """The rule for column ``name``, or ``None`` if the contract does not list it."""
        return next((c for c in self.columns if c.name == name), None)


def rule_expression(rule: TableRule) -> pl.Expr:
    """Parse a rule's SQL expression into a polars expression.

    Raises:
        ConfigError: The expression is not valid SQL; the message names the rule.
    """
    try:
        return pl.sql_expr(rule.expr)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise ConfigError(
            f"rule {rule.name!r}: expr {rule.expr!r} is not a valid expression ({exc})"
        ) from exc


def _check_regex(pattern: str, dtype: str, where: str) -> None:
    if dtype != "string":
        raise ConfigError(f"{where}: regex applies to string columns, not {dtype}")
    try:
        pl.select(pl.lit("", dtype=pl.String).str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        reason = next((line for line in lines if line.startswith("error:")), lines[0])
        raise ConfigError(f"{where}: regex {pattern!r} is not valid: {reason}") from exc


def _check_allowed(values: tuple[object, ...], dtype: str, where: str) -> None:
    kinds: dict[str, tuple[type, ...]] = {
        "string": (str,),
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
    }
    if dtype not in kinds:
        raise ConfigError(f"{where}: allowed values apply to {', '.join(kinds)} columns")
    for value in values:
        bad_bool = isinstance(value, bool) and dtype != "bool"
        if bad_bool or not isinstance(value, kinds[dtype]):
            raise ConfigError(f"{where}: allowed value {value!r} is not a {dtype}")


def _check_severity(value: str, where: str) -> None:
    if value not in SEVERITIES:
        raise ConfigError(f"{where} = {value!r} is not one of {', '.join(SEVERITIES)}")


def _check_unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{what} {name!r} is listed twice in the contract")
        seen.add(name)


def _bound_fits(dtype: str, bound: object) -> bool:
    if dtype in NUMERIC:
        return isinstance(bound, int | float) and not isinstance(bound, bool)
    if dtype == "datetime":
        return isinstance(bound, dt.datetime)
    if dtype == "date":
        return isinstance(bound, dt.date) and not isinstance(bound, dt.datetime)
    return False
