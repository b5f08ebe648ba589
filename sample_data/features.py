"""The demo's feature views: each customer's recent history, computed from the raw rows.

The sample files carry no history column; these views compute it as the files arrive
(``workbench features`` lists them), the default pipeline joins them to each transaction
point-in-time (values from the customer's earlier transactions only), and the scoring
server joins the latest values to a request that names the customer.
"""

import polars as pl

from workbench.features import Entity, feature_view

customer = Entity("customer", key="customer_id")


def _per_customer(expr: pl.Expr) -> pl.Expr:
    return expr.over("customer_id")


@feature_view(entity=customer, ttl="30d", lookback="7d", defaults={"n_tx_last_24h": 0})
def customer_activity(transactions: pl.DataFrame) -> pl.DataFrame:
    """Per customer, at each of their transactions: how busy the card was lately."""
    one = pl.col("timestamp").is_not_null().cast(pl.Int64)
    return transactions.select(
        "customer_id",
        "timestamp",
        _per_customer(one.rolling_sum_by("timestamp", "24h")).alias("n_tx_last_24h"),
        _per_customer(one.rolling_sum_by("timestamp", "7d")).alias("n_tx_last_7d"),
        _per_customer(pl.col("amount").rolling_mean_by("timestamp", "7d")).alias("mean_amount_7d"),
    )
