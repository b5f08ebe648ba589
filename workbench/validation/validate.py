"""Validate a dataset against a contract in one pass over the file.

Every check's failing-row count and the whole profile go into a single polars ``select``
collected with the streaming engine, so the file is read once, and every aggregation in it
is one the engine reduces as it streams, so memory stays bounded for files larger than
memory (a uniqueness check holds the column's distinct values, as any exact one must).

Only when something failed does a second query run, to fetch up to ``max_examples``
failing rows per failed check with their row numbers (1-based data rows, the header not
counted; see :mod:`workbench.validation.report`). Two other reads happen only when they
are needed: a CSV whose last column has empty values gets a fast line scan that tells
empty trailing fields from short rows (polars pads short rows with nulls silently), and a
LazyFrame source is counted first to size the profile's sample.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from workbench.core.errors import DataError
from workbench.core.validation_report import (
    CheckResult,
    SchemaChange,
    ValidationReport,
    count_rows,
    verdict,
)
from workbench.validation.checks import Check, compile_checks, row_count_passes
from workbench.validation.contract import Contract
from workbench.validation.diagnose import explain_read_error, find_ragged_row
from workbench.validation.profile import ProfilePlan, sample_stride
from workbench.validation.readers import DatasetFile, open_dataset
from workbench.validation.scalars import json_scalar
from workbench.validation.schema_diff import HIDDEN_PREFIX, ParsedColumn, SchemaPlan, plan_schema

FRAME_LABEL = "<in-memory frame>"
"""The report's ``source`` when a frame rather than a file is validated."""

_ROWS = f"{HIDDEN_PREFIX}rows"
_LAST_NULLS = f"{HIDDEN_PREFIX}last_nulls"
_INDEX = f"{HIDDEN_PREFIX}index"


@dataclass(frozen=True)
class _Source:
    label: str
    lf: pl.LazyFrame
    file: DatasetFile | None


@dataclass(frozen=True)
class _Wanted:
    """Example rows wanted: which rows (mask), which columns to show, and whether the
    value is a dict by column (rules) or the single column's value."""

    mask: pl.Expr
    shows: tuple[str, ...]
    by_column: bool
    blocking: bool = False
    """The mask needs every earlier row (uniqueness): polars holds its input in memory,
    so it gets a query of its own instead of sharing a cached scan with the others."""


def validate(
    source: Path | str | pl.LazyFrame | pl.DataFrame,
    contract: Contract,
    *,
    max_examples: int = 5,
    profile: bool = True,
    separator: str = ",",
) -> ValidationReport:
    """Check a dataset against a contract and profile it, reading the data once.

    Args:
        source: A data file (``.csv``, ``.csv.gz``, ``.parquet``, ``.json``, ``.ndjson``,
            ``.jsonl``) or a polars frame.
        contract: The contract to check against.
        max_examples: Failing rows to fetch per failed check (0: none, and no second
            query at all).
        profile: Whether to profile every column too (in the same pass); without it the
            report's ``profile`` is empty and only the columns checks read are read.
        separator: CSV field separator.

    Returns:
        The report. ``passed`` is false if an error-severity check failed or an
        error-severity schema change was found; warnings never fail it.

    Raises:
        DataError: The data cannot be read, has no rows, or has a ragged row; the message
            names the file and the row, line, column or byte offset where known.
        ConfigError: A contract rule cannot run on these columns; the message names it.
    """
    started = time.perf_counter()
    if max_examples < 0:
        raise ValueError("max_examples must be 0 or more")
    src = _open(source, separator)
    plan = plan_schema(contract, _resolve_schema(src))
    lf = plan.apply(src.lf)
    schema = {n: t for n, t in lf.collect_schema().items() if not n.startswith(HIDDEN_PREFIX)}
    raw = {p.column: p.raw for p in plan.parsed}
    checks = compile_checks(contract, schema, plan.unchecked, raw_columns=raw)
    stride = sample_stride(_estimated_rows(src)) if profile else 1
    categories = {r.name: r.allowed for r in contract.columns if r.allowed and r.dtype == "string"}
    profiler = ProfilePlan(schema if profile else {}, stride, categories)
    row = _first_pass(src, lf, _first_pass_exprs(src, plan, checks, profiler))
    rows = int(row[_ROWS])
    _refuse_unreadable(src, row, rows)
    retyped = {p.column: p for i, p in enumerate(plan.parsed) if row[f"{HIDDEN_PREFIX}bad{i}"]}
    results = _results(contract, checks, row, rows)
    wanted = _wanted_examples(checks, results, plan, retyped) if max_examples else {}
    fixes = profiler.finite_exprs(row)
    second = _second_pass(src, lf, wanted, max_examples, fixes) if wanted or fixes else {}
    quantiles = profiler.quantile_query(lf, row)
    if quantiles is not None:
        second = {**second, **profiler.read_quantiles(_collect_frame(src, quantiles))}
    examples = _examples(second, wanted)
    results = [_with_examples(r, examples.get(f"c{i}", ())) for i, r in enumerate(results)]
    changes = list(plan.changes)
    for i, parsed in enumerate(plan.parsed):
        if parsed.column in retyped:
            bad = int(row[f"{HIDDEN_PREFIX}bad{i}"])
            changes.append(_type_change(plan, parsed, bad, examples.get(f"t{i}", ())))
    final = tuple(results)
    return ValidationReport(
        source=src.label,
        rows=rows,
        passed=verdict(final, tuple(changes)),
        checks=final,
        schema_changes=tuple(changes),
        profile=profiler.read(row, second, rows=rows),
        duration_s=time.perf_counter() - started,
    )


def _open(source: Path | str | pl.LazyFrame | pl.DataFrame, separator: str) -> _Source:
    if isinstance(source, pl.DataFrame | pl.LazyFrame):
        return _Source(FRAME_LABEL, source.lazy(), None)
    file, lf = open_dataset(source, separator=separator)
    return _Source(str(file.path), lf, file)


def _resolve_schema(src: _Source) -> pl.Schema:
    try:
        return src.lf.collect_schema()
    except pl.exceptions.PolarsError as exc:
        raise _read_error(src, exc) from exc


def _estimated_rows(src: _Source) -> int:
    if src.file is not None:
        return src.file.estimated_rows
    return int(_collect(src, src.lf.select(pl.len().alias(_ROWS)))[_ROWS])


def _first_pass_exprs(
    src: _Source, plan: SchemaPlan, checks: Sequence[Check], profile: ProfilePlan
) -> list[pl.Expr]:
    exprs = [pl.len().alias(_ROWS)]
    exprs += [
        c.count.alias(f"{HIDDEN_PREFIX}c{i}") for i, c in enumerate(checks) if c.count is not None
    ]
    exprs += [p.unparsed.sum().alias(f"{HIDDEN_PREFIX}bad{i}") for i, p in enumerate(plan.parsed)]
    if src.file is not None and src.file.format == "csv":
        last = src.file.header[-1]
        raw = next((p.raw for p in plan.parsed if p.column == last), last)
        exprs.append(pl.col(raw).null_count().alias(_LAST_NULLS))
    return exprs + profile.exprs


def _first_pass(src: _Source, lf: pl.LazyFrame, exprs: Sequence[pl.Expr]) -> dict[str, Any]:
    """The one pass over the data: the checks' counts and the profile, in one ``select``.

    Each distinct expression is evaluated once: checks and the profile share some (a
    column's null count is both the "not null" check and a profile statistic).
    """
    first_alias: dict[bytes, str] = {}
    same_as: dict[str, str] = {}
    distinct = []
    for expr in exprs:
        name = expr.meta.output_name()
        key = expr.meta.undo_aliases().meta.serialize(format="binary")
        if key in first_alias:
            same_as[name] = first_alias[key]
        else:
            first_alias[key] = name
            distinct.append(expr)
    row = _collect(src, lf.select(distinct))
    for name, same in same_as.items():
        row[name] = row[same]
    return row


def _refuse_unreadable(src: _Source, row: Mapping[str, Any], rows: int) -> None:
    """Refuse what polars reads without complaint but no one should accept."""
    if rows == 0:
        raise DataError(f"{src.label}: there are no data rows (a header alone is not a dataset)")
    if src.file is not None and src.file.format == "csv" and row.get(_LAST_NULLS):
        ragged = find_ragged_row(src.file, int(row[_LAST_NULLS]))
        if ragged:
            raise DataError(ragged)


def _collect(src: _Source, query: pl.LazyFrame) -> dict[str, Any]:
    """Run a one-row aggregate query; list results come back as polars Series (turning a
    sample of thousands of values into Python objects would cost more than computing it)."""
    frame = _collect_frame(src, query)
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    row = frame.drop(lists).row(0, named=True)
    row.update({name: frame.get_column(name)[0] for name in lists})
    return row


def _collect_frame(src: _Source, query: pl.LazyFrame) -> pl.DataFrame:
    try:
        return query.collect(engine="streaming")
    except pl.exceptions.PolarsError as exc:
        raise _read_error(src, exc) from exc


def _read_error(src: _Source, exc: Exception) -> DataError:
    if src.file is not None:
        return explain_read_error(src.file, exc)
    reason = str(exc).strip().split("\n\n")[0]
    return DataError(f"{src.label}: cannot evaluate the frame: {reason}")


def _results(
    contract: Contract, checks: Sequence[Check], row: Mapping[str, Any], rows: int
) -> list[CheckResult]:
    """One result per check, from the first query's counts."""
    results = []
    for i, check in enumerate(checks):
        if check.blocked:
            results.append(_result(check, passed=False, failing=None, detail=check.blocked))
        elif check.kind == "row_count":
            detail = f"{count_rows(rows)}; expected {check.detail}"
            passed = row_count_passes(contract, rows)
            results.append(_result(check, passed=passed, failing=None, detail=detail))
        else:
            failing = int(row[f"{HIDDEN_PREFIX}c{i}"])
            results.append(_result(check, passed=failing == 0, failing=failing))
    return results


def _result(
    check: Check, *, passed: bool, failing: int | None, detail: str | None = None
) -> CheckResult:
    return CheckResult(
        name=check.name,
        column=check.column,
        kind=check.kind,
        severity=check.severity,
        passed=passed,
        failing_rows=failing,
        detail=check.detail if detail is None else detail,
    )


def _wanted_examples(
    checks: Sequence[Check],
    results: Sequence[CheckResult],
    plan: SchemaPlan,
    retyped: Mapping[str, ParsedColumn],
) -> dict[str, _Wanted]:
    """Row masks (and columns to show) for every failed check and value type change."""
    wanted: dict[str, _Wanted] = {}
    for i, (check, result) in enumerate(zip(checks, results, strict=True)):
        if result.failing_rows and check.fails is not None:
            wanted[f"c{i}"] = _Wanted(
                check.fails,
                check.shows,
                by_column=check.kind == "rule",
                blocking=check.kind == "unique",
            )
    for i, parsed in enumerate(plan.parsed):
        if parsed.column in retyped:
            wanted[f"t{i}"] = _Wanted(parsed.unparsed, (parsed.raw,), by_column=False)
    return wanted


def _second_pass(
    src: _Source,
    lf: pl.LazyFrame,
    wanted: Mapping[str, _Wanted],
    limit: int,
    extra: Sequence[pl.Expr],
) -> dict[str, Any]:
    """The second query, run only when something failed: the first failing rows of each
    failed check, plus any profile statistics that need finite values.

    The branches share one cached scan and each stops at ``limit`` rows, so memory stays
    small however many rows fail. A uniqueness check's rows are fetched by a query of its
    own (see :attr:`_Wanted.blocking`).
    """
    base = lf.with_row_index(_INDEX)
    shared = [key for key, want in wanted.items() if not want.blocking]
    found: dict[str, Any] = {}
    if extra or shared:
        cached = base.cache()
        parts = [cached.select(extra)] if extra else []
        parts += [_example_rows(cached, key, wanted[key], limit) for key in shared]
        found |= _collect(src, pl.concat(parts, how="horizontal"))
    for key, want in wanted.items():
        if want.blocking:
            found |= _collect(src, _example_rows(base, key, want, limit))
    return found


def _example_rows(lf: pl.LazyFrame, key: str, want: _Wanted, limit: int) -> pl.LazyFrame:
    """One row: the 1-based numbers and shown values of the first ``limit`` failing rows."""
    shown = [pl.col(c).implode().alias(f"{key}_v{j}") for j, c in enumerate(want.shows)]
    numbers = (pl.col(_INDEX) + 1).implode().alias(f"{key}_rows")
    return lf.filter(want.mask).head(limit).select(numbers, *shown)


def _examples(
    row: Mapping[str, Any], wanted: Mapping[str, _Wanted]
) -> dict[str, tuple[tuple[int, Any], ...]]:
    """``(row_number, value)`` pairs per failed check; a rule's value is a dict."""
    found: dict[str, tuple[tuple[int, Any], ...]] = {}
    for key, want in wanted.items():
        numbers: list[int] = row[f"{key}_rows"].to_list()
        columns = [row[f"{key}_v{j}"].to_list() for j in range(len(want.shows))]
        shown: list[Any] = []
        for n in range(len(numbers)):
            cells = [json_scalar(col[n]) for col in columns]
            by_column = dict(zip(want.shows, cells, strict=True))
            shown.append(by_column if want.by_column else cells[0])
        found[key] = tuple(zip(numbers, shown, strict=True))
    return found


def _with_examples(result: CheckResult, examples: tuple[tuple[int, Any], ...]) -> CheckResult:
    if not examples:
        return result
    return replace(result, examples=examples)


def _type_change(
    plan: SchemaPlan, parsed: ParsedColumn, bad: int, examples: tuple[tuple[int, Any], ...]
) -> SchemaChange:
    detail = f"{bad:,} values do not read as {parsed.expected}"
    if examples:
        detail += f", first at row {examples[0][0]}: {examples[0][1]!r}"
    return plan.type_change(parsed, "string", detail)
