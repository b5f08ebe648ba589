"""Per-column profiles, computed in the same polars query as the checks.

A profile is what drift detection compares: for each column the count, nulls, range, mean,
spread, quantiles and most common values. It is computed by aggregations added to the
checks' single ``select``, so the file is read once, and only by aggregations the
streaming engine reduces as it goes, so memory stays bounded:

* counts, nulls, min, max, mean and std are exact;
* quantiles are exact for frames of up to :data:`EXACT_ROWS` rows (polars holds the
  column to compute them, which is bounded at that size); for larger ones they come from
  a KLL sketch (``approx_quantile``) fed a systematic sample, every k-th row for a prime
  k, of about :data:`SAMPLE_TARGET` rows. That places a quantile within about half a
  percentile of the true one, finer than any drift test needs, at almost no cost. (A
  prime stride only aliases with data repeating with a period that is a multiple of it);
* top values are exact counts: of bool values, and of a string column's allowed values
  when the contract lists them. Counting arbitrary strings (value counts) would make
  polars hold the whole column in memory, so a file's other string columns get no top
  list; :func:`profile_frame`, for frames already in memory, counts them all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from workbench.core.validation_report import ColumnProfile
from workbench.validation.dtypes import logical_dtype
from workbench.validation.scalars import JsonScalar, json_number, json_scalar

QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles recorded for numeric columns (linear interpolation, as numpy's default)."""

EXACT_ROWS = 200_000
"""Frames up to this many rows get exact quantiles."""

SAMPLE_TARGET = 20_000
"""Larger frames get quantiles from a sample of about this many rows."""

QUANTILE_ERROR = 0.005
"""Rank error allowed to the quantile sketch, as a fraction of the sampled values."""

TOP_K = 10
"""Most common values recorded for string columns."""

WIDE_QUANTILES = 64
"""Past this many numeric columns, exact quantiles come from a query of their own.

Polars' streaming engine plans exact ``quantile`` aggregations at a cost quadratic in their
number (10 ms each at 1,000 columns, 1 s each at 10,000), so a wide file computes them
instead in one ``unpivot`` + ``group_by`` query, linear in columns, at the price of
reading the (small: exact quantiles are only for :data:`EXACT_ROWS` rows) file again."""


def sample_stride(rows: int) -> int:
    """1 (no sampling) up to :data:`EXACT_ROWS` rows, else the smallest prime k that
    samples at most about :data:`SAMPLE_TARGET` rows by taking every k-th one."""
    if rows <= EXACT_ROWS:
        return 1
    stride = math.ceil(rows / SAMPLE_TARGET)
    while any(stride % d == 0 for d in range(2, math.isqrt(stride) + 1)):
        stride += 1
    return stride


class ProfilePlan:
    """The profile's aggregations for a frame, and how to read their results back.

    A float column's statistics are first computed over all its values: cheap, and exact
    for the usual column. A NaN or an infinity shows in the mean (it stops being finite);
    for such columns :meth:`finite_exprs` gives the statistics over finite values, which
    the engine evaluates in its second query.

    Args:
        schema: The frame's columns and dtypes (after any conversion to contract types).
        stride: Sample every ``stride``-th row for quantiles (see :func:`sample_stride`);
            1 computes them exactly.
        categories: Allowed values per string column, counted for ``top``.
        count_all_strings: Count every string value for ``top`` (frames in memory only).
    """

    def __init__(
        self,
        schema: Mapping[str, pl.DataType],
        stride: int,
        categories: Mapping[str, Sequence[Any]] | None = None,
        *,
        count_all_strings: bool = False,
    ) -> None:
        self.stride = stride
        self.columns = [(name, logical_dtype(dtype)) for name, dtype in schema.items()]
        self.categories = dict(categories or {})
        self.count_all_strings = count_all_strings
        numeric = sum(dtype in ("int", "float") for _, dtype in self.columns)
        self.separate_quantiles = stride == 1 and numeric > WIDE_QUANTILES
        """Exact quantiles come from :meth:`quantile_query` (see :data:`WIDE_QUANTILES`)."""
        self.exprs: list[pl.Expr] = []
        for index, (name, dtype) in enumerate(self.columns):
            self.exprs += _named(index, self._column_exprs(pl.col(name), name, dtype))

    def finite_exprs(self, row: Mapping[str, Any]) -> list[pl.Expr]:
        """Statistics over finite values, for float columns whose mean came out NaN or
        infinite in the first query (none, for most files)."""
        exprs = []
        for index, (name, dtype) in enumerate(self.columns):
            if _needs_finite(dtype, row.get(f"{_prefix(index)}mean")):
                col = pl.col(name)
                finite = pl.when(col.is_finite()).then(col)
                non_finite = (~col.is_finite()).sum().alias("non_finite")
                exprs += _named(index, [*_stats(finite), *self._quantiles(finite), non_finite])
        return exprs

    def quantile_query(self, lf: pl.LazyFrame, first: Mapping[str, Any]) -> pl.LazyFrame | None:
        """The exact quantiles of a wide frame, one row per numeric column (``None`` when
        they are computed with the rest, see :attr:`separate_quantiles`).

        A float column whose first-query mean is not finite gets them over its finite
        values, as :meth:`finite_exprs` does. Read the result with :meth:`read_quantiles`.
        """
        if not self.separate_quantiles:
            return None
        values = []
        for index, (name, dtype) in enumerate(self.columns):
            if dtype not in ("int", "float"):
                continue
            col = pl.col(name)
            if _needs_finite(dtype, first.get(f"{_prefix(index)}mean")):
                col = pl.when(col.is_finite()).then(col)
            values.append(col.cast(pl.Float64).alias(str(index)))
        value = pl.col("value")
        per_q = [
            value.quantile(q, interpolation="linear").alias(f"q{n}")
            for n, q in enumerate(QUANTILES)
        ]
        return (
            lf.select(values)
            .unpivot(variable_name="column", value_name="value")
            .group_by("column")
            .agg(*per_q, value.count().alias("sampled"))
        )

    def read_quantiles(self, frame: pl.DataFrame) -> dict[str, Any]:
        """:meth:`quantile_query`'s result in the form :meth:`read` takes."""
        found: dict[str, Any] = {}
        for record in frame.iter_rows(named=True):
            prefix = _prefix(int(record["column"]))
            found[f"{prefix}quantiles"] = [record[f"q{n}"] for n in range(len(QUANTILES))]
            found[f"{prefix}sampled"] = record["sampled"]
        return found

    def read(self, *results: Mapping[str, Any], rows: int) -> tuple[ColumnProfile, ...]:
        """Build the profiles from query results (later results override earlier ones)."""
        by_column: dict[str, dict[str, Any]] = {}
        for result in results:
            for key, value in result.items():
                # One pass over the results, grouped by column: scanning every result per
                # column would make a wide file's profile quadratic in its columns.
                column, sep, stat = key.removeprefix(_PREFIX).partition("_")
                if key.startswith(_PREFIX) and sep:
                    by_column.setdefault(column, {})[stat] = value
        profiles = []
        for index, (name, dtype) in enumerate(self.columns):
            stats = by_column.get(str(index), {})
            categories = self.categories.get(name, ())
            profiles.append(_profile(name, dtype, stats, rows, categories))
        return tuple(profiles)

    def _column_exprs(self, col: pl.Expr, name: str, dtype: str) -> list[pl.Expr]:
        exprs = [col.null_count().alias("nulls")]
        if dtype in ("int", "float"):
            exprs += [*_stats(col), *self._quantiles(col)]
        elif dtype in ("datetime", "date"):
            exprs += [col.min().alias("min"), col.max().alias("max")]
        elif dtype == "bool":
            exprs.append(col.sum().alias("trues"))
        elif dtype == "string" and name in self.categories:
            per_value = [(col == pl.lit(v, pl.String)).sum() for v in self.categories[name]]
            exprs.append(pl.concat_list(per_value).alias("category_counts"))
        elif dtype == "string" and self.count_all_strings:
            counts = col.drop_nulls().value_counts(sort=True, name="__wb_n").head(TOP_K)
            exprs.append(counts.implode().alias("value_counts"))
        return exprs

    def _sample(self, values: pl.Expr) -> pl.Expr:
        """Every ``stride``-th row. Only reductions may follow: polars streams those, while
        collecting the sample itself (``implode``) would hold the whole column."""
        return values if self.stride == 1 else values.gather_every(self.stride)

    def _quantiles(self, values: pl.Expr) -> list[pl.Expr]:
        """Exact quantiles, or sketched ones over every ``stride``-th row."""
        if self.separate_quantiles:
            return []
        if self.stride == 1:
            exact = values.quantile(list(QUANTILES), interpolation="linear")
            return [exact.alias("quantiles"), values.count().alias("sampled")]
        sampled = self._sample(values)
        sketch = sampled.approx_quantile(list(QUANTILES), error=QUANTILE_ERROR)
        return [sketch.alias("quantiles"), sampled.count().alias("sampled")]


def profile_frame(data: pl.DataFrame | pl.LazyFrame) -> tuple[ColumnProfile, ...]:
    """Profile a frame on its own (a window of logged predictions, say).

    Every string value is counted for ``top``, which holds the column in memory: meant
    for frames that fit in memory.

    Args:
        data: The frame; a LazyFrame is collected with the streaming engine.

    Returns:
        One profile per column, in column order.
    """
    lf = data.lazy()
    rows = lf.select(pl.len()).collect().item()
    plan = ProfilePlan(lf.collect_schema(), sample_stride(rows), count_all_strings=True)
    first = lf.select(plan.exprs).collect(engine="streaming").row(0, named=True)
    fixes = plan.finite_exprs(first)
    second = lf.select(fixes).collect(engine="streaming").row(0, named=True) if fixes else {}
    query = plan.quantile_query(lf, first)
    exact = plan.read_quantiles(query.collect(engine="streaming")) if query is not None else {}
    return plan.read(first, second, exact, rows=rows)


_PREFIX = "__wb_p"


def _needs_finite(dtype: str, mean: Any) -> bool:
    return dtype == "float" and mean is not None and not math.isfinite(mean)


def _prefix(index: int) -> str:
    return f"{_PREFIX}{index}_"


def _named(index: int, exprs: list[pl.Expr]) -> list[pl.Expr]:
    return [e.alias(f"{_prefix(index)}{e.meta.output_name()}") for e in exprs]


def _stats(values: pl.Expr) -> list[pl.Expr]:
    return [
        values.min().alias("min"),
        values.max().alias("max"),
        values.mean().alias("mean"),
        values.std().alias("std"),
    ]


def _profile(
    name: str, dtype: str, stats: Mapping[str, Any], rows: int, categories: Sequence[Any]
) -> ColumnProfile:
    nulls = int(stats["nulls"])
    count = rows - nulls
    record: dict[str, Any] = {"name": name, "dtype": dtype, "count": count, "nulls": nulls}
    if dtype in ("int", "float"):
        quantiles = stats.get("quantiles")
        record |= {
            "non_finite": int(stats.get("non_finite") or 0),
            "min": json_number(stats["min"]),
            "max": json_number(stats["max"]),
            "mean": json_number(stats["mean"]),
            "std": json_number(stats["std"]),
            "quantiles": _pairs(QUANTILES, quantiles) if stats.get("sampled") else (),
            "sample_size": int(stats.get("sampled") or 0),
        }
    elif dtype in ("datetime", "date"):
        record |= {"min": json_scalar(stats["min"]), "max": json_scalar(stats["max"])}
    elif dtype == "bool" and count:
        trues = int(stats["trues"] or 0)
        record |= {
            "mean": trues / count,
            "top": _top([(True, trues), (False, count - trues)], count),
        }
    elif dtype == "string" and count and "category_counts" in stats:
        in_set = list(zip(categories, stats["category_counts"], strict=True))
        record["top"] = _top(in_set, count)
    elif dtype == "string" and count and "value_counts" in stats:
        counted = [(entry[name], entry["__wb_n"]) for entry in stats["value_counts"]]
        record["top"] = _top(counted, count)
    return ColumnProfile(**record)


def _pairs(keys: Sequence[float], values: Sequence[Any] | None) -> tuple[tuple[float, float], ...]:
    if values is None:
        return ()
    return tuple((k, float(v)) for k, v in zip(keys, values, strict=True) if v is not None)


def _top(counted: list[tuple[Any, int]], total: int) -> tuple[tuple[JsonScalar, float], ...]:
    """The :data:`TOP_K` most frequent values; ties broken by value, so the order is stable."""
    present = [(value, n) for value, n in counted if n]
    present.sort(key=lambda pair: (-pair[1], str(pair[0])))
    return tuple((json_scalar(value), n / total) for value, n in present[:TOP_K])
