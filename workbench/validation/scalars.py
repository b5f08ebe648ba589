"""Data values as JSON-ready scalars, for reports and profiles.

Reports are stored beside quarantined files and in the store as JSON, so every value a
report or profile holds (an example cell, a minimum, a top category) is kept in a form
``json.dumps`` accepts as strict JSON: dates and datetimes become ISO strings, NaN and the
infinities become the strings ``"NaN"``, ``"inf"`` and ``"-inf"``, anything else without
a JSON form becomes its ``repr``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from workbench.core.validation_report import JsonScalar

__all__ = ["JsonScalar", "json_number", "json_scalar"]


def json_scalar(value: Any) -> JsonScalar:
    """Convert one data value to its JSON-ready form (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return repr(value)


def json_number(value: Any) -> float | int | None:
    """A statistic as a finite number, or ``None`` when it is missing or not finite."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None
