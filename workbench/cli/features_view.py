"""Rich tables for ``workbench features``: the views, and one entity's values.

Kept beside render.py rather than in it: a module per thing shown, as quality.py does.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from workbench.core.records import FeatureLookup, FeatureViewRecord


def views_table(views: Sequence[FeatureViewRecord]) -> Table:
    """One line per materialised view: freshness, size and the worst null share."""
    table = Table(title="Feature views")
    for column in ("view", "entity", "features", "rows", "entities", "newest", "ttl", "nulls"):
        table.add_column(column)
    for v in views:
        worst = max(v.null_shares.items(), key=lambda kv: kv[1], default=None)
        table.add_row(
            f"{v.name} ({v.code_hash[:12]})",
            f"{v.entity} ({v.key})",
            ", ".join(v.columns),
            f"{v.rows:,}",
            f"{v.entities:,}",
            v.newest.isoformat(sep=" ") if v.newest else "-",
            _ttl(v.ttl_s),
            f"{worst[0]} {worst[1]:.1%}" if worst and worst[1] else "none",
        )
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


def _ttl(seconds: float | None) -> str:
    if seconds is None:
        return "never expires"
    if seconds % 86_400 == 0:
        return f"{int(seconds // 86_400)}d"
    return f"{seconds / 3600:g}h"
