"""Propose a contract from the first accepted dataset.

The proposal describes the dataset it was inferred from (which therefore passes it) with
enough slack that the next file from the same source passes too:

* dtypes as read, nullability as observed;
* numeric ranges widened by ``margin`` times the observed span on each side, never below
  zero for a column that was never negative;
* low-cardinality string columns (at most ``max_categories`` distinct values) get the set
  of observed values, the target column too if it looks like classes;
* id-like columns (every value distinct; for integers, also an id-like name) get
  ``unique = true`` and neither a range nor an allowed set, since ids keep growing;
* no ranges for dates and datetimes, since later files are usually later in time.

The proposal is written to ``.workbench/contract.toml`` for a person to review and edit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from workbench.core.errors import ConfigError, DataError
from workbench.validation.contract import ColumnRule, Contract
from workbench.validation.dtypes import DTYPES, logical_dtype

WIDE_DISTINCT = 64
"""Past this many columns whose distinct values are counted, they are counted by a query
of their own (see :func:`_distinct_counts`)."""

_ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key)$|^(id|uuid|guid)([_\W]|$)|[a-z]Id$", re.I)


def infer_contract(
    data: pl.DataFrame | pl.LazyFrame,
    *,
    target: str | None = None,
    margin: float = 0.1,
    max_categories: int = 20,
) -> Contract:
    """Propose a contract that ``data`` satisfies (see the module docstring for how).

    Args:
        data: The first accepted dataset (a LazyFrame is collected with the streaming
            engine, in one pass).
        target: The column models will predict, if known.
        margin: Fraction of the observed span added to each end of a numeric range.
        max_categories: Most distinct values a string column may have to get an allowed
            set.

    Returns:
        The proposed contract.

    Raises:
        DataError: The dataset has no rows, or a column is empty in every row or of a
            type a contract cannot describe (its type cannot be inferred).
        ConfigError: ``target`` is not a column of the dataset.
    """
    lf = data.lazy()
    schema = lf.collect_schema()
    if target is not None and target not in schema:
        raise ConfigError(f"target {target!r} is not a column of the dataset")
    counted = [i for i, dtype in enumerate(schema.values()) if _counts_distinct(dtype)]
    wide = len(counted) > WIDE_DISTINCT
    exprs = [pl.len().alias("__rows")]
    for i, (name, dtype) in enumerate(schema.items()):
        stat_exprs = _stat_exprs(name, dtype, distinct=not wide)
        exprs += [e.alias(f"{i}:{e.meta.output_name()}") for e in stat_exprs]
    row = lf.select(exprs).collect(engine="streaming").row(0, named=True)
    if wide:
        row |= _distinct_counts(lf, schema.names(), counted)
    row |= _category_values(lf, schema, counted, row, max_categories)
    rows = int(row["__rows"])
    if rows == 0:
        raise DataError("cannot infer a contract from a dataset with no rows")
    by_column: dict[str, dict[str, Any]] = {}
    for key, value in row.items():
        # Grouped in one pass: scanning the whole row per column would make a wide
        # file's inference quadratic in its columns.
        index, sep, stat = key.partition(":")
        if sep:
            by_column.setdefault(index, {})[stat] = value
    columns = []
    for i, (name, dtype) in enumerate(schema.items()):
        stats = by_column.get(str(i), {})
        columns.append(
            _column_rule(
                name,
                dtype,
                stats,
                rows,
                is_target=name == target,
                margin=margin,
                max_categories=max_categories,
            )
        )
    return Contract(columns=tuple(columns), target=target)


def _counts_distinct(dtype: pl.DataType) -> bool:
    return logical_dtype(dtype) in ("int", "string", "bool")


def _distinct_counts(lf: pl.LazyFrame, names: list[str], counted: list[int]) -> dict[str, int]:
    """Distinct values per column for a wide frame, in one query linear in its columns.

    Polars' streaming engine plans ``n_unique`` aggregations at a cost quadratic in their
    number (a 10,000-column file took minutes), so a wide frame's columns are turned into
    text (which keeps ints, bools and strings distinct as they were) and counted by one
    ``unpivot`` + ``group_by``.
    """
    text = [pl.col(names[i]).cast(pl.String).alias(str(i)) for i in counted]
    query = (
        lf.select(text)
        .unpivot(variable_name="column", value_name="value")
        .group_by("column")
        .agg(pl.col("value").drop_nulls().n_unique().alias("distinct"))
    )
    frame = query.collect(engine="streaming")
    return {f"{column}:distinct": int(n) for column, n in frame.iter_rows()}


def _stat_exprs(name: str, dtype: pl.DataType, *, distinct: bool = True) -> list[pl.Expr]:
    col = pl.col(name)
    exprs = [col.null_count().alias("nulls")]
    kind = logical_dtype(dtype)
    if kind in ("int", "float"):
        values = pl.when(col.is_finite()).then(col) if kind == "float" else col
        exprs += [values.min().alias("min"), values.max().alias("max")]
        if kind == "float":
            exprs.append((~col.is_finite()).sum().alias("non_finite"))
    if kind in ("int", "string", "bool") and distinct:
        exprs.append(col.drop_nulls().n_unique().alias("distinct"))
    return exprs


def _category_values(
    lf: pl.LazyFrame,
    schema: pl.Schema,
    counted: list[int],
    row: Mapping[str, Any],
    max_categories: int,
) -> dict[str, list[Any]]:
    """The distinct values of the columns with at most ``max_categories`` of them.

    Asked after the distinct counts, and of those columns only, by a frame-level
    ``unique`` (a streaming group-by holding one row per value) over the columns unpivoted,
    one query per dtype so values keep their type: the expression ``col.unique()`` holds
    the whole column before it dedupes (190 MiB for four 10-value columns of a 190 MiB
    file), and a query per column would make a wide file's inference slow.
    """
    names = schema.names()
    few = [names[i] for i in counted if int(row[f"{i}:distinct"]) <= max_categories]
    by_dtype: dict[pl.DataType, list[str]] = {}
    for name in few:
        by_dtype.setdefault(schema[name], []).append(name)
    queries = [
        lf.select(columns)
        .unpivot(variable_name="column", value_name="value")
        .drop_nulls("value")
        .unique()
        for columns in by_dtype.values()
    ]
    found: dict[str, list[Any]] = {name: [] for name in few}
    for frame in pl.collect_all(queries, engine="streaming") if queries else []:
        for column, value in frame.iter_rows():
            found[column].append(value)
    index = {name: i for i, name in enumerate(names)}
    return {f"{index[name]}:values": values for name, values in found.items()}


def _column_rule(
    name: str,
    dtype: pl.DataType,
    stats: Mapping[str, Any],
    rows: int,
    *,
    is_target: bool,
    margin: float,
    max_categories: int,
) -> ColumnRule:
    kind = logical_dtype(dtype)
    nulls = int(stats["nulls"])
    if nulls == rows:
        raise DataError(
            f"column {name!r} is empty in every row, so its type cannot be inferred; "
            "drop the column or fill it, or write its contract entry by hand"
        )
    if kind not in DTYPES:
        raise DataError(f"column {name!r} is of type {kind}, which a contract cannot describe")
    rule: dict[str, Any] = {"name": name, "dtype": kind, "nullable": nulls > 0}
    distinct = stats.get("distinct")
    all_distinct = distinct == rows - nulls and nulls == 0 and rows > 1
    categorical = distinct is not None and distinct <= max_categories
    if kind == "float":
        rule["finite"] = not stats["non_finite"]
    if (
        kind in ("int", "string")
        and not is_target
        and _id_like(name, kind, all_distinct, rows, max_categories)
    ):
        rule["unique"] = True
    elif kind in ("int", "string", "bool") and categorical and (is_target or kind == "string"):
        if kind != "bool":
            rule["allowed"] = tuple(sorted(stats["values"]))
    elif kind in ("int", "float") and stats["min"] is not None:
        rule["min"], rule["max"] = _widen(stats["min"], stats["max"], kind, margin)
    return ColumnRule(**rule)


def _id_like(name: str, kind: str, all_distinct: bool, rows: int, max_categories: int) -> bool:
    """Every value distinct, and either an id-like name or (text) too many to be classes."""
    if not all_distinct:
        return False
    if _ID_NAME.search(name):
        return True
    return kind == "string" and rows > max_categories


def _widen(low: float, high: float, kind: str, margin: float) -> tuple[float, float]:
    span = high - low or max(abs(high), 1.0)
    new_low, new_high = low - margin * span, high + margin * span
    if low >= 0 > new_low:
        new_low = 0
    if kind == "int":
        return math.floor(new_low), math.ceil(new_high)
    digits = max(0, 3 - math.floor(math.log10(span)))
    scale = 10**digits
    return math.floor(new_low * scale) / scale, math.ceil(new_high * scale) / scale
