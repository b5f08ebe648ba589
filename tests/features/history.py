"""Synthetic transaction history for feature-store tests: customers, times, amounts."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

START = datetime(2026, 1, 1)

VIEWS = '''"""Feature views of the tests: a customer's recent activity, and a view over it."""

import polars as pl

from workbench.features import Entity, feature_view

customer = Entity("customer", key="customer_id")


@feature_view(entity=customer, ttl="{ttl}", lookback="2d", defaults={{"n_tx_24h": 0}})
def activity(rows: pl.DataFrame) -> pl.DataFrame:
    one = pl.col("timestamp").is_not_null().cast(pl.Int64)
    return rows.select(
        "customer_id",
        "timestamp",
        one.rolling_sum_by("timestamp", "24h").over("customer_id").alias("n_tx_24h"),
        pl.col("amount").rolling_mean_by("timestamp", "2d").over("customer_id").alias("mean_2d"),
    )


@feature_view(entity=customer, source=activity, ttl="{ttl}", lookback="2d")
def busy(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select("customer_id", "timestamp", (pl.col("n_tx_24h") >= 3).alias("busy"))
'''
"""features.py for the tests; ``{ttl}`` is filled in (``"30d"`` unless a test says)."""


def transactions(
    n: int, seed: int, *, days: int = 10, customers: int = 60, start: datetime = START
) -> pl.DataFrame:
    """``n`` transactions over ``days`` from ``start``, sorted by time, with a label that
    depends on the customer's count in the previous 24 h (learnable from the view)."""
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.integers(0, days * 86_400, n))
    frame = pl.DataFrame(
        {
            "transaction_id": [f"t{seed}-{i}" for i in range(n)],
            "customer_id": [f"c{c:03d}" for c in rng.integers(0, customers, n)],
            "timestamp": [start + timedelta(seconds=int(s)) for s in seconds],
            "amount": np.round(rng.lognormal(3.5, 0.8, n), 2),
        }
    )
    before = frame.with_columns(
        pl.col("timestamp")
        .is_not_null()
        .cast(pl.Int64)
        .rolling_sum_by("timestamp", "24h", closed="left")
        .over("customer_id")
        .fill_null(0)
        .alias("n")
    )["n"].to_numpy()
    p = 1 / (1 + np.exp(-(before - 2.0) * 1.2))
    return frame.with_columns(pl.Series("label", (rng.random(n) < p).astype(np.int64)))
