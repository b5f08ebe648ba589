"""How records read in a notebook: times, durations, metrics, status colours.

Plain strings only (the panels wrap them in HTML), so the same words and colours appear
in every panel and in the ``_repr_html_`` of the objects handed back to Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from workbench.core.formatting import aware as aware  # re-exported
from workbench.core.formatting import metric_value as metric_value
from workbench.core.formatting import seconds as seconds

KEY_METRICS = ("roc_auc", "f1_macro", "rmse", "average_precision", "accuracy", "r2", "mae")
"""Metrics a person compares models by, in order of preference (the gate's defaults first)."""

LOWER_IS_BETTER = frozenset({"rmse", "mae", "mse", "log_loss", "brier", "fit_seconds"})
"""Metrics where a smaller value wins."""

STATUS_COLORS = {
    "success": "#2e7d32",
    "approved": "#2e7d32",
    "accepted": "#2e7d32",
    "passed": "#2e7d32",
    "cached": "#00838f",
    "running": "#f9a825",
    "queued": "#757575",
    "candidate": "#ef6c00",
    "skipped": "#9e9e9e",
    "archived": "#9e9e9e",
    "failed": "#c62828",
    "crashed": "#c62828",
    "timed_out": "#c62828",
    "upstream_failed": "#e53935",
    "rejected": "#c62828",
    "quarantined": "#c62828",
    "cancelled": "#9e9e9e",
    "warning": "#ef6c00",
    "error": "#c62828",
    "info": "#546e7a",
}
"""Badge colour of each run, task, model and dataset status and of each event level."""

FINISHED_TASK = frozenset(
    {"success", "failed", "skipped", "upstream_failed", "cancelled", "cached", "timed_out"}
)
"""Task statuses that mean the task will not change again."""


def stamp(value: datetime | None) -> str:
    """An absolute UTC time, short enough for a table cell."""
    if value is None:
        return "-"
    return aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def span(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end`` (to now while still running); None before start."""
    if start is None:
        return None
    return (aware(end or datetime.now(UTC)) - aware(start)).total_seconds()


def lower_is_better(name: str) -> bool:
    """Whether a smaller value of metric ``name`` (or ``model.name``) is better."""
    return name.rsplit(".", 1)[-1] in LOWER_IS_BETTER


def metric_names(metrics: Sequence[Mapping[str, float]]) -> list[str]:
    """Every metric name in ``metrics``, the ones people compare by first."""
    names = {k for m in metrics for k in m}
    preferred = [n for n in KEY_METRICS if n in names]
    return preferred + sorted(names - set(preferred))
