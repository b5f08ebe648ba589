"""Per-column profiles, computed in the same polars query as the checks.

A profile is what drift detection compares: for each column the count, nulls, range, mean,
spread, quantiles and most common values. It is computed alongside the checks so the file
is read once. Counts, nulls, min, max, mean and std are exact. Quantiles and top-category
shares are computed from a systematic sample (every k-th non-null value, about
:data:`SAMPLE_TARGET` values): exact quantiles would need every value in memory, which the
streaming engine avoids, and a sample of this size places a quantile within about half a
percentile of the true one, which is finer than any drift test needs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from workbench.validation.dtypes import logical_dtype
from workbench.validation.scalars import JsonScalar, json_number, json_scalar

QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles recorded for numeric columns (linear interpolation, as numpy's default)."""

SAMPLE_TARGET = 20_000
"""About this many values per column feed the quantiles and top-category shares."""

TOP_K = 10
"""Most common values recorded for string columns."""


@dataclass(frozen=True)
class ColumnProfile:
    """What one column of a dataset looked like."""

    name: str
    """Column name."""
    dtype: str
    """Logical type the column was profiled as (the contract's, where it has one)."""
    count: int
    """Non-null values (NaN and inf included)."""
    nulls: int
    """Null (empty) values."""
    non_finite: int = 0
    """NaN and infinite values of a float column; they are left out of the statistics."""
    min: JsonScalar = None
    """Smallest value: a number, or an ISO string for date and datetime columns."""
    max: JsonScalar = None
    """Largest value, as ``min``."""
    mean: float | None = None
    """Mean of numeric values; for bool columns the share of ``true``."""
    std: float | None = None
    """Sample standard deviation (n - 1) of numeric values."""
    quantiles: tuple[tuple[float, float], ...] = ()
    """``(q, value)`` pairs for :data:`QUANTILES`, from the sample."""
    top: tuple[tuple[JsonScalar, float], ...] = ()
    """Most common values of string and bool columns as ``(value, share)``, the share
    being of non-null values (of the sample, for strings)."""
    sample_size: int = 0
    """Values the quantiles or string shares were computed from."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        data = asdict(self)
        data["quantiles"] = [list(pair) for pair in self.quantiles]
        data["top"] = [list(pair) for pair in self.top]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnProfile:
        """Rebuild a profile from :meth:`to_dict` output."""
        values = dict(data)
        values["quantiles"] = tuple((float(q), float(v)) for q, v in data.get("quantiles", ()))
        values["top"] = tuple((v, float(share)) for v, share in data.get("top", ()))
        return cls(**values)


def sample_stride(rows: int) -> int:
    """Take every k-th value so about :data:`SAMPLE_TARGET` values are sampled."""
    return max(1, math.ceil(rows / SAMPLE_TARGET))


class ProfilePlan:
    """The profile expressions for a frame, and how to read their results back.

    The first query computes each float column's statistics over all its values, which is
    cheap and exact for the usual column. A NaN or an infinity shows in the mean (it
    stops being finite); for such columns :meth:`finite_exprs` gives the NaN/inf count and
    the statistics over finite values, which the engine evaluates in its second query.

    Args:
        schema: The frame's columns and dtypes (after any conversion to contract types).
        stride: Sample every ``stride``-th non-null value (see :func:`sample_stride`).
    """

    def __init__(self, schema: Mapping[str, pl.DataType], stride: int) -> None:
        self.stride = stride
        self.columns = [(name, logical_dtype(dtype)) for name, dtype in schema.items()]
        self.exprs: list[pl.Expr] = []
        for index, (name, dtype) in enumerate(self.columns):
            self.exprs += _named(index, _column_exprs(pl.col(name), dtype, stride))

    def finite_exprs(self, row: Mapping[str, Any]) -> list[pl.Expr]:
        """Statistics over finite values, for float columns whose mean came out NaN or
        infinite in the first query (none, for most files)."""
        exprs = []
        for index, (name, dtype) in enumerate(self.columns):
            mean = row.get(f"{_prefix(index)}mean")
            if dtype == "float" and mean is not None and not math.isfinite(mean):
                col = pl.col(name)
                finite = pl.when(col.is_finite()).then(col)
                sample = col.drop_nulls().gather_every(self.stride)
                exprs += _named(
                    index,
                    [
                        *_stats(finite),
                        (~col.is_finite()).sum().alias("non_finite"),
                        sample.filter(sample.is_finite()).implode().alias("sample"),
                    ],
                )
        return exprs

    def read(self, *results: Mapping[str, Any], rows: int) -> tuple[ColumnProfile, ...]:
        """Build the profiles from query results (later results override earlier ones).

        Args:
            results: Result rows by alias; samples may be lists or polars Series.
            rows: Rows in the frame.
        """
        merged: dict[str, Any] = {}
        for result in results:
            merged.update(result)
        profiles = []
        for index, (name, dtype) in enumerate(self.columns):
            prefix = _prefix(index)
            stats = {k.removeprefix(prefix): v for k, v in merged.items() if k.startswith(prefix)}
            profiles.append(_profile(name, dtype, stats, rows))
        return tuple(profiles)


def profile_frame(data: pl.DataFrame | pl.LazyFrame) -> tuple[ColumnProfile, ...]:
    """Profile a frame on its own (a window of logged predictions, say).

    Args:
        data: The frame; a LazyFrame is collected with the streaming engine.

    Returns:
        One profile per column, in column order.
    """
    lf = data.lazy()
    rows = lf.select(pl.len()).collect().item()
    plan = ProfilePlan(lf.collect_schema(), sample_stride(rows))
    first = lf.select(plan.exprs).collect(engine="streaming").row(0, named=True)
    fixes = plan.finite_exprs(first)
    second = lf.select(fixes).collect(engine="streaming").row(0, named=True) if fixes else {}
    return plan.read(first, second, rows=rows)


def _prefix(index: int) -> str:
    return f"__wb_p{index}_"


def _named(index: int, exprs: list[pl.Expr]) -> list[pl.Expr]:
    return [e.alias(f"{_prefix(index)}{e.meta.output_name()}") for e in exprs]


def _stats(values: pl.Expr) -> list[pl.Expr]:
    return [
        values.min().alias("min"),
        values.max().alias("max"),
        values.mean().alias("mean"),
        values.std().alias("std"),
    ]


def _column_exprs(col: pl.Expr, dtype: str, stride: int) -> list[pl.Expr]:
    exprs = [col.null_count().alias("nulls")]
    sample = col.drop_nulls().gather_every(stride).implode().alias("sample")
    if dtype in ("int", "float"):
        exprs += [*_stats(col), sample]
    elif dtype in ("datetime", "date"):
        exprs += [col.min().alias("min"), col.max().alias("max")]
    elif dtype == "bool":
        exprs.append(col.sum().alias("trues"))
    elif dtype == "string":
        exprs.append(sample)
    return exprs


def _profile(name: str, dtype: str, stats: Mapping[str, Any], rows: int) -> ColumnProfile:
    nulls = int(stats["nulls"])
    count = rows - nulls
    record: dict[str, Any] = {"name": name, "dtype": dtype, "count": count, "nulls": nulls}
    if dtype in ("int", "float"):
        sample = _series(stats["sample"], pl.Float64)
        record |= {
            "non_finite": int(stats.get("non_finite") or 0),
            "min": json_number(stats["min"]),
            "max": json_number(stats["max"]),
            "mean": json_number(stats["mean"]),
            "std": json_number(stats["std"]),
            "quantiles": _quantiles(sample),
            "sample_size": sample.len(),
        }
    elif dtype in ("datetime", "date"):
        record |= {"min": json_scalar(stats["min"]), "max": json_scalar(stats["max"])}
    elif dtype == "bool" and count:
        trues = int(stats["trues"] or 0)
        shares = sorted(
            [(True, trues / count), (False, (count - trues) / count)], key=lambda p: -p[1]
        )
        record |= {"mean": trues / count, "top": tuple(shares), "sample_size": count}
    elif dtype == "string":
        sample = _series(stats["sample"], pl.String)
        record |= {"top": _top(sample), "sample_size": sample.len()}
    return ColumnProfile(**record)


def _series(values: pl.Series | list[Any] | None, dtype: type[pl.DataType]) -> pl.Series:
    """A sample as a named Series (the engine hands Series over to avoid Python lists)."""
    if isinstance(values, pl.Series):
        return values.cast(dtype).alias("value")
    return pl.Series("value", values or [], dtype=dtype)


def _quantiles(sample: pl.Series) -> tuple[tuple[float, float], ...]:
    if sample.is_empty():
        return ()
    found = sample.to_frame().select(
        pl.col("value").quantile(q, interpolation="linear").alias(str(q)) for q in QUANTILES
    )
    return tuple((q, float(v)) for q, v in zip(QUANTILES, found.row(0), strict=True))


def _top(sample: pl.Series) -> tuple[tuple[JsonScalar, float], ...]:
    """The most common values, ties broken by value so the order is stable."""
    if sample.is_empty():
        return ()
    counts = sample.value_counts(name="n").sort(["n", "value"], descending=[True, False])
    total = sample.len()
    return tuple((value, n / total) for value, n in counts.head(TOP_K).iter_rows())
