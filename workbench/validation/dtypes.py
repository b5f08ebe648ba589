"""The contract's small type vocabulary and how polars types map onto it.

Contracts speak of ``int``, ``float``, ``bool``, ``string``, ``datetime`` and ``date`` so a
person can read and edit them without knowing that a Parquet file stored ``Int32`` where a
CSV file gave ``Int64``. This module is the one place that mapping lives, together with the
rule for when a column read as one type still satisfies a contract written for another
(a CSV column of ``inf`` tokens is text to polars' inference but floats to the contract).
"""

from __future__ import annotations

import polars as pl

DTYPES: tuple[str, ...] = ("int", "float", "bool", "string", "datetime", "date")
"""Every logical type a contract may name."""

NUMERIC: frozenset[str] = frozenset({"int", "float"})
"""Logical types that have a range, a mean and quantiles."""

NULL_DTYPE = "null"
"""What an all-null column without a type (an NDJSON key that is always null) maps to."""


def logical_dtype(dtype: pl.DataType) -> str:
    """Name a polars dtype in the contract vocabulary.

    Args:
        dtype: A column's polars dtype.

    Returns:
        One of :data:`DTYPES`, ``"null"`` for polars' ``Null`` type, or polars' own name
        (``"list[i64]"``) for types a contract cannot describe, so reports still say what
        was found.
    """
    if dtype.is_integer():
        return "int"
    if dtype.is_float() or dtype.is_decimal():
        return "float"
    if dtype == pl.Boolean:
        return "bool"
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return "string"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype == pl.Date:
        return "date"
    if dtype == pl.Null:
        return NULL_DTYPE
    return str(dtype)


def conversion(expected: str, found: pl.DataType, column: str) -> pl.Expr | None:
    """How to read a column of type ``found`` as the contract's ``expected`` type.

    Checks always run on the column as the contract types it. Three cases exist:

    * the types already agree (``None`` is returned: use the column as it is);
    * a lossless widening or a typeless all-null column (an exact cast is returned);
    * text that may hold the expected type (CSV inference gives up on ``inf`` or on a
      column that is empty in the first rows): a non-strict parse is returned and the
      engine counts values that did not parse; any such value makes it a type change.

    Args:
        expected: The contract's logical type.
        found: The polars dtype the file's column was read as.
        column: The column name.

    Returns:
        An expression producing the column in the expected type, or ``None`` when no
        conversion is needed.

    Raises:
        ValueError: The types cannot be reconciled: the caller reports a type change.
    """
    name = logical_dtype(found)
    col = pl.col(column)
    if name == expected:
        if expected == "string" and found != pl.String:
            return col.cast(pl.String)
        return None
    if name == NULL_DTYPE:
        return col.cast(polars_dtype(expected))
    if expected == "float" and name == "int":
        return col.cast(pl.Float64)
    if name == "string":
        return _parse_text(col, expected)
    raise ValueError(f"column {column!r} is {name}, the contract expects {expected}")


def polars_dtype(name: str) -> pl.DataType:
    """The polars dtype a contract type is checked as."""
    mapping: dict[str, pl.DataType] = {
        "int": pl.Int64(),
        "float": pl.Float64(),
        "bool": pl.Boolean(),
        "string": pl.String(),
        "datetime": pl.Datetime("us"),
        "date": pl.Date(),
    }
    return mapping[name]


def _parse_text(col: pl.Expr, expected: str) -> pl.Expr:
    """A non-strict parse of text into ``expected``: unparsable values become null."""
    if expected in ("int", "float"):
        return col.str.strip_chars().cast(polars_dtype(expected), strict=False)
    if expected == "bool":
        lowered = col.str.strip_chars().str.to_lowercase()
        return pl.when(lowered == "true").then(True).when(lowered == "false").then(False)
    if expected == "datetime":
        return col.str.to_datetime(strict=False, time_unit="us")
    if expected == "date":
        return col.str.to_date(strict=False)
    raise ValueError(f"no text conversion to {expected}")
