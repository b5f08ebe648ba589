"""Recognise text columns holding dates or timestamps, so they read as dates.

CSV and NDJSON carry timestamps as text. Polars can guess them while reading CSV
(``try_parse_dates``), but that guess is slow (it tries every pattern on every text value
of the inference window, and parses without a fixed format) and unavailable for NDJSON.
Instead the first rows are tried against a short list of ISO 8601 formats; a column whose
every sampled value fits one format is parsed with it, strictly: a later value that does
not fit is a read error that :mod:`workbench.validation.diagnose` names by row.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SAMPLE_ROWS = 1_000
"""Rows looked at to recognise date and datetime columns."""

DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d",)
"""Formats tried for date columns."""

DATETIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
)
"""Formats tried for datetime columns (``%.f``: an optional fraction of a second)."""


@dataclass(frozen=True)
class DateColumn:
    """A text column recognised as dates or datetimes."""

    name: str
    """Column name."""
    dtype: str
    """``"date"`` or ``"datetime"``."""
    format: str
    """The strftime format every sampled value fits."""

    def parse(self, *, strict: bool) -> pl.Expr:
        """The column parsed with its format (``strict``: a misfit is an error, else null)."""
        text = pl.col(self.name)
        if self.dtype == "date":
            return text.str.to_date(self.format, strict=strict)
        return text.str.to_datetime(self.format, strict=strict, time_unit="us")


def detect_dates(sample: pl.DataFrame) -> tuple[DateColumn, ...]:
    """The text columns of ``sample`` whose every non-null value fits one date format."""
    found = []
    for name, dtype in sample.schema.items():
        if dtype != pl.String:
            continue
        values = sample.get_column(name).drop_nulls()
        if values.is_empty() or not values.str.contains(r"^\s*\d{4}-\d{2}-\d{2}").all():
            continue
        column = _fitting_format(name, values)
        if column is not None:
            found.append(column)
    return tuple(found)


def _fitting_format(name: str, values: pl.Series) -> DateColumn | None:
    candidates = [DateColumn(name, "date", f) for f in DATE_FORMATS]
    candidates += [DateColumn(name, "datetime", f) for f in DATETIME_FORMATS]
    frame = values.to_frame(name)
    for candidate in candidates:
        try:
            parsed = frame.select(candidate.parse(strict=False)).get_column(name)
        except pl.exceptions.PolarsError:
            continue
        if parsed.null_count() == 0:
            return candidate
    return None
