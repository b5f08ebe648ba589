"""The skew check: served feature vectors against the offline store's for the same
entity and time, joined again by the training join."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from workbench.features import JoinPlan
    from workbench.store import Store

SKEW_SAMPLE = 100
"""Logged predictions per ingested batch whose features are compared with the store."""


@dataclass(frozen=True)
class Skew:
    """What one comparison found."""

    rows: int
    """Served rows compared."""
    mismatched: int
    """Rows whose served features differ from the offline join."""
    columns: tuple[str, ...]
    """The features that differed somewhere."""
    entities: tuple[Any, ...]
    """A few entity keys of differing rows (for the alert)."""


def compare_served(
    store: Store, plan: JoinPlan, logged: pl.DataFrame, sample: int = SKEW_SAMPLE
) -> Skew:
    """Join a sample of logged (served) rows again from the offline store and compare.

    Rows without the plan's keys or feature columns are not compared (a model without
    features, an older log).
    """
    import polars as pl

    from workbench.features.join import join_features

    if logged.is_empty():
        return Skew(0, 0, (), ())
    needed = [*plan.keys, *plan.columns]
    if any(c not in logged.columns for c in needed):
        return Skew(0, 0, (), ())
    rows = logged.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in plan.keys))
    rows = rows.sample(min(sample, rows.height), seed=0) if rows.height > sample else rows
    if rows.is_empty():
        return Skew(0, 0, (), ())
    at = plan.timestamp if plan.timestamp in rows.columns else "ts"
    probe = rows.select(*plan.keys, pl.col(at).alias(plan.timestamp))
    features = store.features
    tables = {}
    for view in plan.views:
        entities = probe.get_column(view.key).unique().to_list()
        tables[view.name] = features.view_rows(view.name, view.code_hash, entities)
    offline, _ = join_features(probe, tables, plan)
    differs = pl.any_horizontal(
        _differ(rows.get_column(c), offline.get_column(c)) for c in plan.columns
    )
    bad = rows.with_columns(differs.alias("__skewed")).filter(pl.col("__skewed"))
    if not bad.height:
        return Skew(rows.height, 0, (), ())
    columns = tuple(c for c in plan.columns if _differ(rows[c], offline[c]).any())
    keys = tuple(bad.get_column(plan.keys[0]).unique().head(5).to_list())
    return Skew(rows.height, bad.height, columns, keys)


def _differ(served: pl.Series, offline: pl.Series) -> pl.Series:
    """Row by row: the served and the offline value differ (nulls equal nulls; numbers
    within a millionth, relatively: Parquet and JSON round trips are exact otherwise)."""
    import polars as pl

    both = pl.DataFrame({"a": served, "b": offline.cast(served.dtype, strict=False)})
    if served.dtype.is_numeric():
        close = (pl.col("a") - pl.col("b")).abs() <= 1e-6 * pl.max_horizontal(
            pl.col("a").abs(), pl.col("b").abs(), pl.lit(1.0)
        )
    else:
        close = pl.col("a") == pl.col("b")
    same = (pl.col("a").is_null() & pl.col("b").is_null()) | close.fill_null(False)
    return both.select(~same).to_series()
