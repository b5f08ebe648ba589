"""How records read on screen: relative times, durations, metrics, status colours.

Everything that depends on "now" takes a clock, so the snapshot tests can freeze time
and every screen agrees on what "3 min ago" means.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text

from workbench.core import model_summary
from workbench.core.formatting import aware as _aware
from workbench.core.formatting import latency as latency  # re-exported
from workbench.core.formatting import metric_value as metric_value  # re-exported
from workbench.core.formatting import rate as rate
from workbench.core.formatting import seconds as seconds
from workbench.core.formatting import utc_stamp
from workbench.core.records import ModelVersionRecord
from workbench.core.vocabulary import KEY_METRICS as KEY_METRICS  # re-exported
from workbench.core.vocabulary import best_of as best_of
from workbench.core.vocabulary import key_metric as key_metric
from workbench.core.vocabulary import terminal_style

Clock = Callable[[], datetime]
"""Returns the current time (UTC); injected so tests can freeze it."""


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
    """An absolute UTC time, short enough for a table cell (minutes)."""
    return utc_stamp(value, with_seconds=False)


def span(start: datetime | None, end: datetime | None, now: datetime) -> str:
    """The duration from ``start`` to ``end`` (or to ``now`` while still running)."""
    if start is None:
        return "-"
    return seconds((_aware(end or now) - _aware(start)).total_seconds())


def gate_text(model: ModelVersionRecord) -> Text:
    """The gate's verdict on ``model``, green or red."""
    return Text(model_summary.gate_text(model), style="green" if model.gate_passed else "red")


def status_text(status: str) -> Text:
    """A status word in its colour."""
    return Text(status, style=terminal_style(status))


def level_text(level: str, text: str | None = None) -> Text:
    """``text`` (default: the level itself) styled by an event level."""
    return Text(text if text is not None else level, style=terminal_style(level))
