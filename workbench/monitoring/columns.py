"""One column of both frames, cleaned once into the shapes every method reads.

Numbers become sorted float arrays (the sample methods, the quantile bins and the
distinct-value count all read sorted data, so each side is sorted exactly once); text,
booleans, categoricals and numbers with few distinct values also get aligned counts per
category. Nulls, NaN and infinities are dropped per column and their share kept.

A column that cannot be compared (a datetime, an id, types that differ, no values on a
side) comes back as a ``Skip`` with the reason a person reads in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl
from numpy.typing import NDArray

from workbench.monitoring.selection import (
    LOW_CARDINALITY,
    Kind,
    column_kind,
    is_datetime,
    looks_like_id,
)

VALUE = "value"
"""Name the category values take while they are counted (any column name is safe)."""

COUNT = "count"
"""Name of the count column while categories are counted."""


@dataclass(frozen=True)
class Skip:
    """A column left out of the comparison."""

    reason: str
    """Why, for a person: what the column is and what would be needed."""


@dataclass(frozen=True)
class ColumnSample:
    """A column of both frames, ready for the drift methods."""

    name: str
    """Column name."""
    kind: Kind
    """``numeric``, ``categorical`` or ``binary``."""
    reference_sorted: NDArray[np.float64] | None
    """Numbers only: the reference's non-missing values, ascending."""
    current_sorted: NDArray[np.float64] | None
    """Numbers only: the current non-missing values, ascending."""
    labels: tuple[str, ...] | None
    """Categorical and binary kinds: every category seen on either side."""
    reference_counts: NDArray[np.int64] | None
    """Reference values per label."""
    current_counts: NDArray[np.int64] | None
    """Current values per label."""
    n_reference: int
    """Non-missing reference values."""
    n_current: int
    """Non-missing current values."""
    missing_reference: float
    """Share of reference rows dropped as null, NaN or infinite."""
    missing_current: float
    """Share of current rows dropped as null, NaN or infinite."""

    @property
    def numeric(self) -> bool:
        """The column holds numbers, so the sample methods (KS, Wasserstein) apply."""
        return self.reference_sorted is not None


def sample_column(
    name: str, reference: pl.Series, current: pl.Series, *, keep_ids: bool = False
) -> ColumnSample | Skip:
    """Clean one column of both frames, or say why it cannot be compared.

    Args:
        name: Column name (for the reasons).
        reference: The column in the reference frame.
        current: The column in the current frame.
        keep_ids: Compare the column even if it looks like an id (it has an override, or
            it is the target).
    """
    ref_type, cur_type = reference.dtype, current.dtype
    if is_datetime(ref_type) or is_datetime(cur_type):
        return Skip("datetime column (left out of feature drift)")
    if ref_type.is_numeric() and cur_type.is_numeric():
        return _numeric_sample(name, reference, current, keep_ids)
    if _is_textual(ref_type) and _is_textual(cur_type):
        return _category_sample(name, reference, current, keep_ids)
    if ref_type != cur_type:
        return Skip(f"types differ: {ref_type} in reference, {cur_type} in current")
    if ref_type == pl.Null:
        return Skip("no values: every row is null on both sides")
    return Skip(f"type {ref_type} cannot be compared (numbers, text and booleans can)")


def _is_textual(dtype: pl.DataType) -> bool:
    """Values compared as categories."""
    return dtype in (pl.String, pl.Categorical, pl.Boolean) or isinstance(dtype, pl.Enum)


def _numeric_sample(
    name: str, reference: pl.Series, current: pl.Series, keep_ids: bool
) -> ColumnSample | Skip:
    """Sorted numbers; category counts too when few distinct values make them categories."""
    ref, ref_missing = _finite_sorted(reference)
    cur, cur_missing = _finite_sorted(current)
    if empty := _no_values(ref.size, cur.size, reference.len(), current.len()):
        return empty
    ref_starts = _run_starts(ref)
    span = float(ref[-1] - ref[0])
    if not keep_ids and looks_like_id(reference.dtype, ref.size, ref_starts.size, span):
        return Skip(f"id-like: all {ref.size:,} reference values distinct (left out)")
    sample = ColumnSample(
        name=name,
        kind="numeric",
        reference_sorted=ref,
        current_sorted=cur,
        labels=None,
        reference_counts=None,
        current_counts=None,
        n_reference=ref.size,
        n_current=cur.size,
        missing_reference=ref_missing,
        missing_current=cur_missing,
    )
    if ref_starts.size > LOW_CARDINALITY:
        return sample
    values, ref_counts, cur_counts = _aligned_value_counts(ref, ref_starts, cur)
    kind = column_kind(values.size, numeric=True)
    if kind == "numeric":
        return sample
    integral = reference.dtype.is_integer() and current.dtype.is_integer()
    labels = tuple(_number_label(value, integral) for value in values)
    return replace(
        sample, kind=kind, labels=labels, reference_counts=ref_counts, current_counts=cur_counts
    )


def _finite_sorted(series: pl.Series) -> tuple[NDArray[np.float64], float]:
    """Non-null, finite values as ascending floats, and the share of rows dropped."""
    present = series.drop_nulls()
    if not (present.dtype.is_integer() or present.dtype.is_float()):
        present = present.cast(pl.Float64)
    values = present.to_numpy().astype(np.float64, copy=False)
    if present.dtype.is_float():
        finite = np.isfinite(values)
        if not finite.all():
            values = values[finite]
    dropped = (series.len() - values.size) / series.len() if series.len() else 0.0
    return np.sort(values), dropped


def _run_starts(values: NDArray[np.float64]) -> NDArray[np.intp]:
    """Where each distinct value of a sorted array begins."""
    changes = np.flatnonzero(values[1:] != values[:-1]) + 1
    return np.concatenate([[0], changes])


def _aligned_value_counts(
    ref: NDArray[np.float64], ref_starts: NDArray[np.intp], cur: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Distinct values over both sorted samples, with each side's count per value."""
    cur_starts = _run_starts(cur)
    ref_values, cur_values = ref[ref_starts], cur[cur_starts]
    values = np.union1d(ref_values, cur_values)
    ref_counts = np.zeros(values.size, dtype=np.int64)
    cur_counts = np.zeros(values.size, dtype=np.int64)
    ref_counts[np.searchsorted(values, ref_values)] = np.diff(np.append(ref_starts, ref.size))
    cur_counts[np.searchsorted(values, cur_values)] = np.diff(np.append(cur_starts, cur.size))
    return values, ref_counts, cur_counts


def _number_label(value: float, integral: bool) -> str:
    """A category label for a number: ``3`` for integer columns, ``3.0`` for floats."""
    return str(int(value)) if integral else str(float(value))


def _category_sample(
    name: str, reference: pl.Series, current: pl.Series, keep_ids: bool
) -> ColumnSample | Skip:
    """Aligned counts per category over both frames."""
    ref_counts = _value_counts(reference)
    ref_values = int(ref_counts[COUNT].sum())
    cur_counts = _value_counts(current)
    cur_values = int(cur_counts[COUNT].sum())
    if empty := _no_values(ref_values, cur_values, reference.len(), current.len()):
        return empty
    if not keep_ids and looks_like_id(reference.dtype, ref_values, ref_counts.height, None):
        return Skip(
            f"id-like: {ref_counts.height:,} distinct values in {ref_values:,} reference "
            "rows (left out)"
        )
    joined = ref_counts.join(cur_counts, on=VALUE, how="full", coalesce=True, suffix="_cur")
    joined = joined.fill_null(0).sort(VALUE)
    return ColumnSample(
        name=name,
        kind=column_kind(joined.height, numeric=False),
        reference_sorted=None,
        current_sorted=None,
        labels=tuple(joined[VALUE].to_list()),
        reference_counts=joined[COUNT].to_numpy().astype(np.int64),
        current_counts=joined[f"{COUNT}_cur"].to_numpy().astype(np.int64),
        n_reference=ref_values,
        n_current=cur_values,
        missing_reference=1.0 - ref_values / reference.len(),
        missing_current=1.0 - cur_values / current.len(),
    )


def _value_counts(series: pl.Series) -> pl.DataFrame:
    """Non-null values (as text) with their counts."""
    counts = series.drop_nulls().rename(VALUE).value_counts(name=COUNT)
    return counts.with_columns(pl.col(VALUE).cast(pl.String))


def _no_values(n_ref: int, n_cur: int, rows_ref: int, rows_cur: int) -> Skip | None:
    """A skip when a side has no value left to compare."""
    if n_ref and n_cur:
        return None
    side, rows = ("reference", rows_ref) if not n_ref else ("current", rows_cur)
    return Skip(f"no values in {side}: all {rows:,} rows are null, NaN or infinite")
