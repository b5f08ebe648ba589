"""What ``features.py`` declares: entities and feature views, as frozen records.

A user writes::

    from workbench.features import Entity, feature_view

    customer = Entity("customer", key="customer_id")

    @feature_view(entity=customer, ttl="7d", lookback="7d")
    def customer_activity(transactions: pl.DataFrame) -> pl.DataFrame:
        ...

The decorator only records the function and its settings; nothing runs at import. The
loader (:mod:`workbench.features.loading`) collects the views, orders them by source and
hashes their code, so an edit re-materialises exactly the views it changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import polars as pl

from workbench.core.errors import FeatureError

DATASETS = "datasets"
"""The source name of a view computed from the accepted datasets' rows (label removed)."""

ViewFunction = Callable[[pl.DataFrame], "pl.DataFrame | pl.LazyFrame"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)")
_UNIT_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def parse_duration(value: str | timedelta | float | None, what: str) -> timedelta | None:
    """``"7d"``, ``"24h"``, ``"1d12h"``, seconds as a number, or a timedelta.

    Raises:
        FeatureError: The text is not a duration; the message names ``what`` it was for.
    """
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    text = str(value).strip().lower()
    parts = _DURATION.findall(text)
    if not parts or "".join(f"{n}{u}" for n, u in parts) != text.replace(" ", ""):
        raise FeatureError(f"{what} must be a duration like '24h', '7d' or '1d12h'; got {value!r}")
    return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in parts))


@dataclass(frozen=True)
class Entity:
    """A thing features describe, identified by one key column (a customer, a card)."""

    name: str
    """Name shown in listings."""
    key: str
    """The column holding the entity's key, in the datasets, the views and requests."""


@dataclass(frozen=True)
class FeatureView:
    """One feature view: a polars function from source rows to timestamped feature rows."""

    name: str
    """The function's name; tables, the CLI and the API know the view by it."""
    entity: Entity
    """Whose features these are; its key column must be in the view's output."""
    function: ViewFunction = field(repr=False, compare=False)
    """Source rows (sorted by key and timestamp) in, feature rows out."""
    timestamp: str = "timestamp"
    """The event-time column of the source rows and of the output."""
    ttl: timedelta | None = None
    """How old a value may be and still be joined; None never expires."""
    source: str = DATASETS
    """``datasets`` or the name of another view whose rows this one reads."""
    lookback: timedelta | None = None
    """How far back an output row looks; bounds incremental recomputation (None: all of
    an entity's history)."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Values an entity with no (fresh) row gets; others default to the training median or
    most frequent value."""
    line: int = 0
    """Line of ``features.py`` the view's function starts on, for error messages."""

    def where(self, file: str = "features.py") -> str:
        """``view 'x' (features.py, line N)``: how errors name the view."""
        return f"view '{self.name}' ({file}, line {self.line})"

    def __call__(self, rows: pl.DataFrame) -> pl.DataFrame | pl.LazyFrame:
        return self.function(rows)


def feature_view(
    *,
    entity: Entity,
    ttl: str | timedelta | float | None = None,
    timestamp: str = "timestamp",
    source: FeatureView | str = DATASETS,
    lookback: str | timedelta | float | None = None,
    defaults: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> Callable[[ViewFunction], FeatureView]:
    """Declare a polars function as a feature view (see the module docstring).

    Args:
        entity: The entity the rows describe.
        ttl: How old a value may be at join time and still count (``"7d"``).
        timestamp: The event-time column of the source and the output.
        source: ``"datasets"`` (default) or another view to read from.
        lookback: How far back the function looks from each output row; incremental
            materialisation reads only that much history of the entities a file touches.
        defaults: Per feature, the value for an entity with no fresh row.
        name: The view's name (default: the function's).
    """
    ttl_value = parse_duration(ttl, "ttl")
    lookback_value = parse_duration(lookback, "lookback")
    source_name = source.name if isinstance(source, FeatureView) else str(source)

    def wrap(function: ViewFunction) -> FeatureView:
        code = getattr(function, "__code__", None)
        return FeatureView(
            name=name or function.__name__,
            entity=entity,
            function=function,
            timestamp=timestamp,
            ttl=ttl_value,
            source=source_name,
            lookback=lookback_value,
            defaults=dict(defaults or {}),
            line=code.co_firstlineno if code is not None else 0,
        )

    return wrap
