"""How records read in a notebook: times, durations, metrics, status colours.

Plain strings only (the panels wrap them in HTML), so the same words and colours appear
in every panel and in the ``_repr_html_`` of the objects handed back to Python.
"""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.core.formatting import aware as aware  # re-exported
from workbench.core.formatting import metric_value as metric_value
from workbench.core.formatting import seconds as seconds
from workbench.core.formatting import utc_stamp
from workbench.core.vocabulary import Tone, tone

TONE_COLORS: dict[Tone, str] = {
    "good": "#2e7d32",
    "cached": "#00838f",
    "busy": "#f9a825",
    "waiting": "#757575",
    "pending": "#ef6c00",
    "idle": "#9e9e9e",
    "blocked": "#e53935",
    "bad": "#c62828",
    "warn": "#ef6c00",
    "quiet": "#546e7a",
}
"""The badge colour of each tone (see :data:`workbench.core.vocabulary.TONES`)."""

NEUTRAL = "#607d8b"
"""The badge colour of a word with no tone."""


def status_color(status: str) -> str:
    """The badge colour of a run, task, model or dataset state or an event level."""
    found = tone(status)
    return TONE_COLORS[found] if found else NEUTRAL


def stamp(value: datetime | None) -> str:
    """An absolute UTC time, to the second."""
    return utc_stamp(value)


def span(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end`` (to now while still running); None before start."""
    if start is None:
        return None
    return (aware(end or datetime.now(UTC)) - aware(start)).total_seconds()
