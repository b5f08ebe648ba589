"""Run a feature view on source rows and hold its output to the view's contract.

Every view's output is normalised the same way, whether it is computed for a check (on
no rows), a full rebuild or an incremental update: the entity key, the event timestamp
and the feature columns, one row per key and timestamp (the last one the function
produced wins), sorted by key and time. Polars errors inside the function become a
:class:`FeatureError` naming the view and the line of ``features.py`` that failed.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from workbench.core.errors import FeatureError
from workbench.features.definitions import FeatureView

_MISSING_COLUMN = re.compile(r'(?:unable to find column "([^"]+)"|^"([^"]+)" not found)')


@dataclass(frozen=True)
class ViewOutput:
    """What a view produces, checked: the frame and its feature column names."""

    frame: pl.DataFrame
    """Key, timestamp and features; one row per (key, timestamp); sorted by both."""
    features: tuple[str, ...]
    """The feature columns, in the order the function returned them."""


def compute_view(
    view: FeatureView, rows: pl.DataFrame, *, file: str = "features.py", label: str = ""
) -> ViewOutput:
    """Run ``view`` on ``rows`` (its source rows) and check what comes back.

    Args:
        view: The view to run.
        rows: Source rows: the accepted datasets' rows without the label, or the rows of
            the view it reads from; sorted by key and timestamp.
        file: The features file's name, for messages.
        label: The target column; a view asking for it is told so by name.

    Raises:
        FeatureError: The function failed, read a column that is not there (the label
            among them), or returned no key, no timestamp or no feature column.
    """
    where = view.where(file)
    try:
        result = view(rows)
        if isinstance(result, pl.LazyFrame):
            result = result.collect()
    except pl.exceptions.ColumnNotFoundError as exc:
        raise FeatureError(_missing_column(view, exc, file, label)) from exc
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise FeatureError(
            f"{where} failed at {_line(exc, file)}: {type(exc).__name__}: {first}"
        ) from exc
    if not isinstance(result, pl.DataFrame):
        raise FeatureError(f"{where} must return a polars DataFrame, not {type(result).__name__}")
    key, ts = view.entity.key, view.timestamp
    for column, what in ((key, "entity key"), (ts, "event timestamp")):
        if column not in result.columns:
            raise FeatureError(
                f"{where} returns no {what} column '{column}' "
                f"(it returns {', '.join(result.columns) or 'no columns'})"
            )
    if not isinstance(result.schema[ts], pl.Datetime | pl.Date):
        raise FeatureError(
            f"{where}: its timestamp column '{ts}' is {result.schema[ts]}, not a datetime"
        )
    features = tuple(c for c in result.columns if c not in (key, ts))
    if not features:
        raise FeatureError(f"{where} returns no feature column besides '{key}' and '{ts}'")
    if label and label in features:
        raise FeatureError(f"{where} returns the label column '{label}' as a feature")
    frame = (
        result.select(key, pl.col(ts).cast(pl.Datetime("us")), *features)
        .unique(subset=[key, ts], keep="last", maintain_order=True)
        .sort(key, ts)
    )
    return ViewOutput(frame, features)


def check_view(
    view: FeatureView, schema: pl.Schema, *, file: str = "features.py", label: str = ""
) -> ViewOutput:
    """Run ``view`` on no rows of ``schema``: every column it reads must exist, and its
    output must hold the key, the timestamp and a feature (the check before any use).

    Raises:
        FeatureError: As :func:`compute_view`.
    """
    return compute_view(view, pl.DataFrame(schema=schema), file=file, label=label)


def since(view: FeatureView, new_rows: pl.DataFrame) -> datetime | None:
    """Earliest event time of ``new_rows``: output rows from then on may change."""
    if new_rows.is_empty():
        return None
    earliest = new_rows.get_column(view.timestamp).cast(pl.Datetime("us")).min()
    return earliest if isinstance(earliest, datetime) else None


def _missing_column(
    view: FeatureView, exc: pl.exceptions.ColumnNotFoundError, file: str, label: str
) -> str:
    match = _MISSING_COLUMN.search(str(exc))
    column = next((g for g in match.groups() if g), "?") if match else "?"
    at = _line(exc, file)
    if label and column == label:
        return (
            f"{view.where(file)} reads the label column '{label}' at {at}: "
            "features may not see the value they help predict"
        )
    return f"{view.where(file)} reads an unknown column '{column}' at {at}"


def _line(exc: BaseException, file: str) -> str:
    """``line N`` of the features file where the error surfaced (or ``its function``)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith("/" + file)]
    return f"line {frames[-1].lineno}" if frames else "its function"
