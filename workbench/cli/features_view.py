"""Rich tables for ``workbench features``: the views, and one entity's values.

Kept beside render.py rather than in it: a module per thing shown, as quality.py does.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from workbench.core import feature_summary
from workbench.core.records import FeatureLookup, FeatureViewRecord

VIEW_COLUMNS = ("view", "entity", "features", "rows", "entities", "newest", "ttl", "nulls")
"""What the views table shows of each (see :data:`feature_summary.COLUMNS`)."""


def views_table(views: Sequence[FeatureViewRecord]) -> Table:
    """One line per materialised view: freshness, size and the features with nulls."""
    table = Table(title="Feature views")
    for column in VIEW_COLUMNS:
        table.add_column(column)
    for v in views:
        table.add_row(*feature_summary.cells(v, VIEW_COLUMNS))
    return table


def lookup_table(found: FeatureLookup, limit: int = 20) -> Table:
    """An entity's newest feature rows (the first line is what serving joins now)."""
    table = Table(title=f"{found.view}: {found.key}")
    rows = list(reversed(found.history))[:limit]
    if not rows:
        table.add_column("no stored features for this key")
        return table
    for column in rows[0]:
        table.add_column(column)
    for row in rows:
        table.add_row(*("-" if v is None else _cell(v) for v in row.values()))
    return table


def _cell(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
