"""Cut a log of predictions into windows, each compared with the reference on its own.

Windows by count hold ``size`` consecutive predictions; windows by time hold the
predictions of each ``size``-long period, aligned to the Unix epoch in UTC (a day runs
from midnight UTC), so the same prediction lands in the same window however often the
log is cut. Predictions are taken in time order when the frame has the time column.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import numpy as np
import polars as pl

from workbench.core.errors import ConfigError, DataError


def prediction_windows(
    frame: pl.DataFrame,
    *,
    by: Literal["count", "time"],
    size: int | timedelta,
    time_column: str = "ts",
    include_partial: bool = False,
) -> list[pl.DataFrame]:
    """Split logged predictions into consecutive windows, oldest first.

    Args:
        frame: The logged predictions (features, prediction, and a time column).
        by: ``"count"`` for windows of ``size`` predictions, ``"time"`` for windows of a
            ``size``-long period.
        size: Predictions per window (an ``int``) or the period (a ``timedelta``).
        time_column: The column holding when each prediction was made; required for
            time windows, used to order count windows when present.
        include_partial: Count windows only: also return the last, incomplete window
            (left out by default: it is still filling and too small to judge alone).

    Returns:
        The windows, each a frame with the input's columns; empty periods are skipped.

    Raises:
        ConfigError: ``by`` or ``size`` is not valid.
        DataError: Time windows, but the time column is missing, not a date or
            datetime, or has nulls.
    """
    if by == "count":
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ConfigError(f"count windows need a positive int size, got {size!r}")
        ordered = _in_time_order(frame, time_column) if time_column in frame.columns else frame
        stop = frame.height if include_partial else frame.height - frame.height % size
        return [ordered.slice(offset, size) for offset in range(0, stop, size)]
    if by == "time":
        if not isinstance(size, timedelta) or size <= timedelta(0):
            raise ConfigError(f"time windows need a positive timedelta size, got {size!r}")
        return _time_windows(frame, size, time_column)
    raise ConfigError(f"windows are cut by 'count' or 'time', got by={by!r}")


def _in_time_order(frame: pl.DataFrame, time_column: str) -> pl.DataFrame:
    """The frame sorted by time (stable, so equal times keep their logged order)."""
    column = frame.get_column(time_column)
    if column.is_sorted():
        return frame
    return frame.sort(time_column, maintain_order=True, nulls_last=True)


def _time_windows(frame: pl.DataFrame, size: timedelta, time_column: str) -> list[pl.DataFrame]:
    """Non-empty epoch-aligned periods of ``size``, in time order."""
    if time_column not in frame.columns:
        raise DataError(
            f"time windows need the time column {time_column!r}, but the predictions have "
            f"only {', '.join(frame.columns) or 'no columns'}"
        )
    dtype = frame.schema[time_column]
    if not (dtype == pl.Date or isinstance(dtype, pl.Datetime)):
        raise DataError(f"time column {time_column!r} must be a date or datetime, got {dtype}")
    nulls = frame.get_column(time_column).null_count()
    if nulls:
        raise DataError(
            f"time column {time_column!r} has {nulls:,} null timestamps: those predictions "
            "belong to no window"
        )
    ordered = _in_time_order(frame, time_column)
    step = size // timedelta(microseconds=1)
    if step < 1:
        raise ConfigError(f"time windows need a size of at least a microsecond, got {size}")
    micros = ordered.get_column(time_column).dt.epoch("us").to_numpy()
    window = np.floor_divide(micros, step)
    starts = np.concatenate([[0], np.flatnonzero(window[1:] != window[:-1]) + 1])
    ends = np.append(starts[1:], ordered.height)
    return [
        ordered.slice(int(start), int(end - start)) for start, end in zip(starts, ends, strict=True)
    ]
