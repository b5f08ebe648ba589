"""A feature view's figures read the same in every front end."""

from __future__ import annotations

from datetime import datetime

from workbench.core import feature_summary
from workbench.core.records import FeatureViewRecord


def _view(null_shares: dict[str, float]) -> FeatureViewRecord:
    return FeatureViewRecord(
        "customer_activity",
        "c" * 64,
        "customer",
        "customer_id",
        "timestamp",
        7 * 86_400.0,
        ("n_tx_last_24h", "mean_amount_7d"),
        True,
        24_995,
        500,
        datetime(2026, 1, 31, 23, 56),
        None,
        null_shares,
    )


def test_a_view_reads_as_name_and_code_version_entity_and_newest_row() -> None:
    view = _view({})
    assert feature_summary.view_text(view) == f"customer_activity ({'c' * 12})"
    assert feature_summary.entity_text(view) == "customer (customer_id)"
    assert feature_summary.newest_text(view) == "2026-01-31 23:56:00"


def test_a_ttl_reads_in_whole_days_else_in_hours() -> None:
    assert feature_summary.ttl_text(None) == "never expires"
    assert feature_summary.ttl_text(7 * 86_400) == "7d"
    assert feature_summary.ttl_text(12 * 3600) == "12h"
    assert feature_summary.ttl_text(5400) == "1.5h"


def test_only_features_with_missing_values_are_named() -> None:
    assert feature_summary.nulls_text(_view({"a": 0.0, "b": 0.02})) == "b 2%"
    assert feature_summary.nulls_text(_view({"a": 0.0})) == "none"


def test_a_front_end_gets_the_columns_it_names_in_its_order() -> None:
    view = _view({"b": 0.02})
    assert feature_summary.cells(view, ("ttl", "rows", "nulls")) == ("7d", "24,995", "b 2%")
    assert set(feature_summary.COLUMNS) >= {"view", "entity", "features", "entities", "newest"}
