"""Check a parsed request frame against the model signature before scikit-learn sees it.

Every refusal is a 400 (not 422: one status for "your request is wrong", as MLflow does)
naming the column and, for a value, the 1-based row, never the value itself:

* a signature column absent from the request -> ``MISSING_COLUMNS``;
* a value that cannot be read as its column's dtype -> ``INVALID_VALUE``;
* NaN or infinity in a numeric column -> ``INVALID_VALUE`` (send null for "missing");
* columns the model does not use are dropped and reported back (the response names them
  in ``X-Workbench-Ignored-Columns``), or refused with ``UNEXPECTED_COLUMNS`` in strict
  mode.

Nulls pass through: imputing them is the model's business. The result has exactly the
signature's columns, in training order, with the polars dtype of :data:`DTYPES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from workbench.core.signature import ColumnSpec, Signature
from workbench.serving.errors import (
    INVALID_VALUE,
    MISSING_COLUMNS,
    UNEXPECTED_COLUMNS,
    bad_request,
    name_list,
    quote_name,
)

DTYPES: dict[str, pl.DataType] = {
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "string": pl.String(),
    "datetime": pl.Datetime("us"),
}
"""The signature dtype vocabulary and the polars dtype each column is cast to.

Datetimes are naive; a request value with a UTC offset is converted to UTC first.
"""

_TRUE = ("true", "1")
_FALSE = ("false", "0")


@dataclass(frozen=True)
class ConformedFrame:
    """A request frame that satisfies the signature, ready for ``estimator.predict``."""

    frame: pl.DataFrame
    """The signature's columns only, in training order, cast to their dtypes."""
    ignored_columns: tuple[str, ...]
    """Request columns the model does not use, in request order (empty in strict mode)."""


def conform(frame: pl.DataFrame, signature: Signature, *, strict: bool = False) -> ConformedFrame:
    """Select, order and cast the request's columns to match the signature.

    Args:
        frame: The parsed request (see ``payloads.py``).
        signature: The served model's input signature.
        strict: Refuse columns the model does not use instead of ignoring them.

    Raises:
        RequestError: 400 naming the missing, unexpected or unreadable column (and row).
    """
    wanted = [spec.name for spec in signature.inputs]
    present = frame.columns  # a new list at each call: read once (this runs per request)
    given, used = set(present), set(wanted)
    missing = [name for name in wanted if name not in given]
    if missing:
        raise bad_request(MISSING_COLUMNS, f"the request is missing column(s) {name_list(missing)}")
    extra = tuple(name for name in present if name not in used)
    if extra and strict:
        raise bad_request(
            UNEXPECTED_COLUMNS,
            f"the model does not use column(s) {name_list(extra)}; "
            "this server is strict, so remove them",
        )
    dtypes = dict(zip(present, frame.dtypes, strict=True))  # a third of frame.schema's cost
    ready = {spec.name for spec in signature.inputs if dtypes[spec.name] == DTYPES[spec.dtype]}
    _refuse_non_finite_floats(frame, [s for s in signature.inputs if s.name in ready], present)
    if len(ready) == len(wanted):  # the common case: JSON numbers for numeric columns
        same = present == wanted
        return ConformedFrame(frame if same else frame.select(wanted), ignored_columns=extra)
    columns = [
        frame.get_column(spec.name)
        if spec.name in ready
        else cast_column(frame.get_column(spec.name), spec)
        for spec in signature.inputs
    ]
    return ConformedFrame(frame=pl.DataFrame(columns), ignored_columns=extra)


def _refuse_non_finite_floats(
    frame: pl.DataFrame, specs: list[ColumnSpec], present: list[str]
) -> None:
    """Check the float columns already of the right dtype for NaN/inf in one numpy pass.

    Nulls read as NaN in numpy, so any non-finite value (or null) sends the columns to
    the exact per-column check, which lets nulls through and names the first bad row.
    """
    names = [spec.name for spec in specs if spec.dtype == "float"]
    if not names:
        return
    values = (frame if names == present else frame.select(names)).to_numpy()
    if np.isfinite(values).all():
        return
    for spec in specs:
        if spec.dtype == "float":
            _refuse_non_finite(frame.get_column(spec.name), spec)


def cast_column(series: pl.Series, spec: ColumnSpec) -> pl.Series:
    """Cast one request column to the dtype its spec names, refusing lossy reads.

    Raises:
        RequestError: 400 naming the column and the first row that cannot be cast.
        KeyError: ``spec.dtype`` is outside :data:`DTYPES` (the manifest prevents this).
    """
    target = DTYPES[spec.dtype]
    if series.dtype == pl.Null:
        return series.cast(target)
    caster = _CASTERS[spec.dtype]
    return caster(series, spec).alias(spec.name)


def _to_int(series: pl.Series, spec: ColumnSpec) -> pl.Series:
    dtype = series.dtype
    if dtype.is_integer():
        return _checked(series, series.cast(pl.Int64, strict=False), spec)
    if dtype.is_float():
        _refuse_non_finite(series, spec)
        whole = series.cast(pl.Int64, strict=False)
        exact = whole.cast(pl.Float64) == series
        return _checked(series, _keep_where(whole, exact), spec)
    if dtype == pl.String:
        text = series.str.strip_chars()
        parsed = text.cast(pl.Int64, strict=False)
        # "3.0" (from a CSV written by a tool that turned ints into floats) is still 3.
        as_float = text.cast(pl.Float64, strict=False)
        whole = as_float.cast(pl.Int64, strict=False)
        exact = (whole.cast(pl.Float64) == as_float).fill_null(False)
        return _checked(series, parsed.fill_null(_keep_where(whole, exact)), spec)
    return _refuse_all(series, spec)


def _to_float(series: pl.Series, spec: ColumnSpec) -> pl.Series:
    dtype = series.dtype
    if dtype.is_numeric():
        cast = series.cast(pl.Float64)
    elif dtype == pl.String:
        cast = _checked(series, series.str.strip_chars().cast(pl.Float64, strict=False), spec)
    else:
        return _refuse_all(series, spec)
    _refuse_non_finite(cast, spec)
    return cast


def _to_bool(series: pl.Series, spec: ColumnSpec) -> pl.Series:
    dtype = series.dtype
    if dtype == pl.Boolean:
        return series
    if dtype.is_integer():
        flags = pl.Series(
            [None if v is None else {1: True, 0: False}.get(v) for v in series.to_list()],
            dtype=pl.Boolean,
        )
        return _checked(series, flags, spec)
    if dtype == pl.String:
        words = series.str.strip_chars().str.to_lowercase().to_list()
        flags = pl.Series([_word_flag(w) for w in words], dtype=pl.Boolean)
        return _checked(series, flags, spec)
    return _refuse_all(series, spec)


def _to_string(series: pl.Series, spec: ColumnSpec) -> pl.Series:
    return series.cast(pl.String)


def _to_datetime(series: pl.Series, spec: ColumnSpec) -> pl.Series:
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return series.cast(DTYPES["datetime"])
    if dtype == pl.String:
        stamps = [_iso_datetime(v) for v in series.to_list()]
        return _checked(series, pl.Series(stamps, dtype=DTYPES["datetime"]), spec)
    return _refuse_all(series, spec)


def _keep_where(values: pl.Series, keep: pl.Series) -> pl.Series:
    """``values`` with null wherever ``keep`` is false or null."""
    frame = pl.DataFrame({"value": values, "keep": keep.fill_null(False)})
    return frame.select(pl.when(pl.col("keep")).then(pl.col("value"))).to_series()


def _word_flag(word: str | None) -> bool | None:
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def _iso_datetime(text: str | None) -> datetime | None:
    """An ISO 8601 string as a naive UTC datetime, or None when it does not parse."""
    if text is None:
        return None
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp


def _checked(source: pl.Series, cast: pl.Series, spec: ColumnSpec) -> pl.Series:
    """Return ``cast`` unless a value that was present in ``source`` became null."""
    lost = source.is_not_null() & cast.is_null()
    if lost.any():
        _raise_at(lost, spec, f"cannot be read as {spec.dtype}")
    return cast


def _refuse_all(series: pl.Series, spec: ColumnSpec) -> pl.Series:
    """A source dtype with no sensible reading as the target (e.g. booleans as numbers)."""
    _raise_at(series.is_not_null(), spec, f"cannot be read as {spec.dtype}")
    return series.cast(DTYPES[spec.dtype])  # every value is null


def _refuse_non_finite(series: pl.Series, spec: ColumnSpec) -> None:
    bad = (series.is_nan() | series.is_infinite()).fill_null(False)
    if bad.any():
        _raise_at(bad, spec, "is NaN or infinite; send null for a missing value")


def _raise_at(mask: pl.Series, spec: ColumnSpec, problem: str) -> None:
    """Raise for the first row where ``mask`` holds, counting the others."""
    rows = mask.arg_true()
    if rows.len() == 0:
        return
    first = int(rows[0]) + 1
    others = rows.len() - 1
    more = f" (and {others} more row{'s' if others > 1 else ''})" if others else ""
    raise bad_request(
        INVALID_VALUE, f"column {quote_name(spec.name)} row {first}{more}: the value {problem}"
    )


_CASTERS: dict[str, Callable[[pl.Series, ColumnSpec], pl.Series]] = {
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "string": _to_string,
    "datetime": _to_datetime,
}
