"""Compile a contract into polars expressions, one per check.

Each check has two forms: a scalar that counts failing rows (all checks' counts go into a
single ``select``, so the file is read once) and a row mask that is true on failing rows
(used only for checks that failed, to fetch example rows). Null values never fail a value
check; whether a column may be null is the ``not_null`` check's business alone, so a row
fails exactly the checks a person would expect it to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import polars as pl

from workbench.core.errors import ConfigError
from workbench.core.validation_report import count_rows
from workbench.validation.contract import Bound, ColumnRule, Contract, TableRule, rule_expression
from workbench.validation.dtypes import logical_dtype


@dataclass(frozen=True)
class Check:
    """One compiled check."""

    name: str
    """Name in reports, unique within a contract."""
    column: str | None
    """The column checked; ``None`` for table-level checks."""
    kind: str
    """``not_null``, ``finite``, ``range``, ``allowed``, ``regex``, ``unique``,
    ``row_count`` or ``rule``."""
    severity: str
    """``error`` or ``warn``."""
    count: pl.Expr | None
    """Scalar expression: failing rows (for ``row_count``: the number of rows).
    ``None`` when the check cannot run (``blocked`` says why)."""
    fails: pl.Expr | None
    """Row mask, true on failing rows (null counts as passing); ``None`` for checks not
    about rows."""
    shows: tuple[str, ...] = ()
    """Columns whose values an example row shows."""
    detail: str = ""
    """What the check requires."""
    blocked: str | None = None
    """Why the check cannot run (a column it reads is missing or of another type)."""


def compile_checks(
    contract: Contract,
    schema: Mapping[str, pl.DataType],
    unchecked: frozenset[str] = frozenset(),
    *,
    raw_columns: Mapping[str, str] | None = None,
) -> list[Check]:
    """Turn a contract into checks over a frame with ``schema``.

    Args:
        contract: The contract.
        schema: The frame's columns, already in the contract's types.
        unchecked: Columns whose checks must not run (missing or of another type).
        raw_columns: For columns parsed from text, the hidden column holding the text:
            "not null" looks at the text, so a value that did not parse (reported as a
            type change) is not also counted as empty.

    Returns:
        The row-count check, then each column's checks in contract order, then the rules.

    Raises:
        ConfigError: A rule's expression cannot be applied to these columns (a type error,
            or it does not give true/false); the message names the rule.
    """
    checks = [_row_count(contract)]
    for rule in contract.columns:
        if rule.name in schema and rule.name not in unchecked:
            raw = (raw_columns or {}).get(rule.name)
            checks.extend(_column_checks(rule, schema[rule.name], raw))
    taken = {c.name for c in checks}
    for table_rule in contract.rules:
        check = _rule_check(table_rule, schema, unchecked)
        if check.name in taken:
            check = replace(check, name=f"{check.name} (rule)")
        taken.add(check.name)
        checks.append(check)
    return checks


def row_count_passes(contract: Contract, rows: int) -> bool:
    """Whether ``rows`` is within the contract's row-count bounds."""
    return rows >= contract.min_rows and (contract.max_rows is None or rows <= contract.max_rows)


def _row_count(contract: Contract) -> Check:
    upper = "no maximum" if contract.max_rows is None else f"at most {contract.max_rows:,}"
    lower = count_rows(contract.min_rows)
    return Check(
        name="row count",
        column=None,
        kind="row_count",
        severity=contract.row_count_severity,
        count=pl.len(),
        fails=None,
        detail=f"at least {lower}, {upper}",
    )


def _column_checks(rule: ColumnRule, dtype: pl.DataType, raw: str | None) -> list[Check]:
    """The column's checks. Masks are null on null values, which counts and filters treat
    as passing, so value checks never fail a null."""
    col = pl.col(rule.name)
    name = rule.name
    checks = []
    if not rule.nullable:
        empty = pl.col(raw or name)
        checks.append(
            _check(rule, "not_null", f"{name} not null", empty.is_null(), "no empty values", empty)
        )
    if rule.dtype == "float" and rule.finite:
        checks.append(
            _check(rule, "finite", f"{name} finite", ~col.is_finite(), "no NaN or infinite values")
        )
    if rule.min is not None or rule.max is not None:
        checks.append(_check(rule, "range", *_range(rule, col, dtype)))
    if rule.allowed is not None:
        shown = ", ".join(repr(v) for v in rule.allowed[:10])
        more = ", ..." if len(rule.allowed) > 10 else ""
        allowed = pl.Series(list(rule.allowed), dtype=dtype).implode()
        checks.append(
            _check(
                rule,
                "allowed",
                f"{name} in allowed values",
                ~col.is_in(allowed),
                f"one of {shown}{more}",
            )
        )
    if rule.regex is not None:
        matches = col.str.contains(f"^(?:{rule.regex})$")
        checks.append(_check(rule, "regex", f"{name} matches regex", ~matches, rule.regex))
    if rule.unique:
        checks.append(_unique(rule, col))
    return checks


def _check(
    rule: ColumnRule,
    kind: str,
    label: str,
    mask: pl.Expr,
    detail: str,
    empty: pl.Expr | None = None,
) -> Check:
    # A null count is what the profile computes too, so the engine evaluates it once.
    count = empty.null_count() if empty is not None else mask.sum()
    return Check(
        name=label,
        column=rule.name,
        kind=kind,
        severity=rule.severity_of(kind),
        count=count,
        fails=mask,
        shows=(rule.name,),
        detail=detail,
    )


def _range(rule: ColumnRule, col: pl.Expr, dtype: pl.DataType) -> tuple[str, pl.Expr, str]:
    """Outside the bounds; NaN is left to the ``finite`` check (polars orders it last)."""
    below = None if rule.min is None else col < _literal(rule.min, dtype)
    above = None if rule.max is None else col > _literal(rule.max, dtype)
    if below is not None and above is not None:
        outside = below | above
        label, detail = f"{rule.name} in range", f"between {rule.min} and {rule.max}"
    elif below is not None:
        outside = below
        label, detail = f"{rule.name} at least {rule.min}", f"at least {rule.min}"
    else:
        assert above is not None
        outside = above
        label, detail = f"{rule.name} at most {rule.max}", f"at most {rule.max}"
    if dtype.is_float():
        outside = outside & col.is_not_nan()
    return label, outside, detail


def _literal(bound: Bound, dtype: pl.DataType) -> pl.Expr:
    """A bound as a literal of the column's own type, so the comparison is exact."""
    if dtype.is_numeric() and isinstance(bound, int | float):
        return pl.lit(bound)
    return pl.lit(bound).cast(dtype)


def _unique(rule: ColumnRule, col: pl.Expr) -> Check:
    """Repeats fail; the first occurrence of a value does not; nulls never do.

    The count (non-null values minus distinct non-null values) streams; the mask, which
    needs to know what came before each row, is only evaluated for examples.
    """
    return Check(
        name=f"{rule.name} unique",
        column=rule.name,
        kind="unique",
        severity=rule.severity_of("unique"),
        count=col.count() - col.drop_nulls().n_unique(),
        fails=col.is_not_null() & ~col.is_first_distinct(),
        shows=(rule.name,),
        detail="no value repeated",
    )


def _rule_check(
    rule: TableRule, schema: Mapping[str, pl.DataType], unchecked: frozenset[str]
) -> Check:
    expr = rule_expression(rule)
    reads = tuple(dict.fromkeys(expr.meta.root_names()))
    absent = [c for c in reads if c not in schema]
    retyped = [c for c in reads if c in unchecked]
    blocked = None
    if absent:
        blocked = f"not run: column {absent[0]!r} is missing"
    elif retyped:
        blocked = f"not run: column {retyped[0]!r} changed type"
    fails = None
    if blocked is None:
        _check_boolean(rule, expr, schema)
        fails = ~expr
    return Check(
        name=rule.name,
        column=None,
        kind="rule",
        severity=rule.severity,
        count=None if fails is None else fails.sum(),
        fails=fails,
        shows=reads,
        detail=rule.expr,
        blocked=blocked,
    )


def _check_boolean(rule: TableRule, expr: pl.Expr, schema: Mapping[str, pl.DataType]) -> None:
    """Resolve the rule against the schema now, so a bad rule fails before any data is read."""
    reads = expr.meta.root_names()
    if reads and all(name in schema for name in reads):
        # Only the columns the rule reads: a frame of every column per rule would make
        # compiling a wide contract quadratic in its columns.
        schema = {name: schema[name] for name in reads}
    try:
        out = pl.LazyFrame(schema=dict(schema)).select(expr.alias("out")).collect_schema()
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).strip().split("\n")[0]
        raise ConfigError(f"rule {rule.name!r}: expr {rule.expr!r} cannot run: {reason}") from exc
    if out["out"] != pl.Boolean:
        found = logical_dtype(out["out"])
        raise ConfigError(
            f"rule {rule.name!r}: expr {rule.expr!r} gives {found} values, not true/false"
        )
