"""How records read on screen: relative times, durations, metrics, status colours.

Everything that depends on "now" takes a clock, so the snapshot tests can freeze time
and every screen agrees on what "3 min ago" means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from rich.text import Text

from workbench.core.formatting import aware as _aware
from workbench.core.formatting import metric_value as metric_value  # re-exported
from workbench.core.formatting import seconds as seconds

Clock = Callable[[], datetime]
"""Returns the current time (UTC); injected so tests can freeze it."""

KEY_METRICS = ("roc_auc", "f1_macro", "rmse", "average_precision", "accuracy", "r2", "mae")
"""Metrics a person compares models by, in order of preference (the gate's defaults first)."""

LOWER_IS_BETTER = frozenset({"rmse", "mae", "mse", "log_loss", "brier"})
"""Metrics where a smaller value wins."""

STATUS_STYLES = {
    "success": "green",
    "approved": "green",
    "accepted": "green",
    "passed": "green",
    "cached": "cyan",
    "running": "yellow",
    "queued": "dim",
    "candidate": "yellow",
    "skipped": "dim",
    "archived": "dim",
    "failed": "bold red",
    "crashed": "bold red",
    "timed_out": "bold red",
    "upstream_failed": "red",
    "rejected": "red",
    "quarantined": "bold red",
    "cancelled": "dim",
}
"""Rich style of each run, task, model and dataset status."""

LEVEL_STYLES = {"info": "", "warning": "bold yellow", "error": "bold red"}
"""Rich style of each event level: alerts stand out."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def ago(value: datetime | None, now: datetime) -> str:
    """``value`` relative to ``now`` in the coarsest unit that still says something."""
    if value is None:
        return "-"
    seconds = max(0.0, (_aware(now) - _aware(value)).total_seconds())
    if seconds < 60:
        return f"{int(seconds)}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def stamp(value: datetime | None) -> str:
    """An absolute UTC time, short enough for a table cell."""
    if value is None:
        return "-"
    return _aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def span(start: datetime | None, end: datetime | None, now: datetime) -> str:
    """The duration from ``start`` to ``end`` (or to ``now`` while still running)."""
    if start is None:
        return "-"
    return seconds((_aware(end or now) - _aware(start)).total_seconds())


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


def key_metric(metrics: Mapping[str, float]) -> tuple[str, float] | None:
    """The metric a person compares by, from names like ``roc_auc`` or ``rf.roc_auc``.

    The preferred names come first (see :data:`KEY_METRICS`); a dotted name counts for
    its last part, and among several candidates the best value wins.
    """
    for name in KEY_METRICS:
        values = [v for k, v in metrics.items() if k.rsplit(".", 1)[-1] == name]
        if values:
            return name, (min(values) if name in LOWER_IS_BETTER else max(values))
    if metrics:
        first = sorted(metrics)[0]
        return first, metrics[first]
    return None


def best_of(name: str, values: Iterable[float]) -> float | None:
    """The best value of metric ``name`` among ``values`` (None when there are none)."""
    pool = list(values)
    if not pool:
        return None
    return min(pool) if name in LOWER_IS_BETTER else max(pool)


def status_text(status: str) -> Text:
    """A status word in its colour."""
    return Text(status, style=STATUS_STYLES.get(status, ""))


def level_text(level: str, text: str | None = None) -> Text:
    """``text`` (default: the level itself) styled by an event level."""
    return Text(text if text is not None else level, style=LEVEL_STYLES.get(level, ""))
