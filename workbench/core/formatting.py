"""Plain-text formatting every front end shares (the TUI, the notebook panels, the CLI).

Only the format lives here; colours and widgets stay in each front end.
"""

from __future__ import annotations

from datetime import UTC, datetime


def aware(value: datetime) -> datetime:
    """``value`` with UTC attached when the store handed back a naive time."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def utc_stamp(value: datetime | None, *, with_seconds: bool = True) -> str:
    """An absolute time in UTC, the one zone every front end shows (the store keeps UTC,
    and a run seen at 09:15 in the TUI must not read 10:15 in the CLI); without seconds
    where a table cell is narrow."""
    if value is None:
        return "-"
    return (
        aware(value)
        .astimezone(UTC)
        .strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")
    )


def seconds(value: float | None) -> str:
    """A duration in seconds as a person reads it (``850ms``, ``4.2s``, ``3m05s``)."""
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.0f}ms"
    if value < 60:
        return f"{value:.1f}s"
    minutes, rest = divmod(int(value), 60)
    return f"{minutes}m{rest:02d}s"


def rate(per_second: float | None) -> str:
    """Requests per second: one decimal while small, whole numbers once busy."""
    if per_second is None:
        return "-"
    return f"{per_second:.1f}" if per_second < 100 else f"{per_second:,.0f}"


def latency(value: float | None) -> str:
    """A request latency, finer than :func:`seconds` (``420µs``, ``4.2ms``, ``1.3s``)."""
    if value is None:
        return "-"
    if value < 0.001:
        return f"{value * 1_000_000:.0f}µs"
    if value < 1:
        return f"{value * 1000:.1f}ms"
    return seconds(value)


def metric_value(value: float | None) -> str:
    """A metric with four decimals, or a dash when it is missing."""
    return "-" if value is None else f"{value:.4f}"


def tag_rows(tags: dict[str, dict[str, str]]) -> list[tuple[str, str, str]]:
    """A run's tags as (scope, tag, value) rows: the run's own (scope ``run``, kept under
    ``""``) first, then each task's (``ctx.set_tags``), by task name and tag."""
    rows = [("run", key, value) for key, value in sorted(tags.get("", {}).items())]
    for task in sorted(t for t in tags if t):
        rows.extend((task, key, value) for key, value in sorted(tags[task].items()))
    return rows
