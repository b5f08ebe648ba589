"""The point-in-time join: no value from the future, the ttl, and what counts as 'before'."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

from workbench.features import Entity, JoinedView, JoinPlan, feature_view, join_features
from workbench.features.compute import compute_view

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 1)
customer = Entity("customer", key="customer_id")


@feature_view(entity=customer, ttl="30d")
def activity(rows: pl.DataFrame) -> pl.DataFrame:
    one = pl.col("timestamp").is_not_null().cast(pl.Int64)
    return rows.select(
        "customer_id",
        "timestamp",
        one.rolling_sum_by("timestamp", "24h").over("customer_id").alias("n_tx_24h"),
    )


def _plan(ttl: timedelta | None = timedelta(days=30), inclusive: bool = False) -> JoinPlan:
    view = JoinedView("activity", "0" * 64, "customer_id", "timestamp", ("n_tx_24h",), ttl)
    return JoinPlan((view,), "timestamp", inclusive)


def _future_labels(entities: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Events, and one label row per customer at a time t whose label is whether the
    customer has a burst of activity in the day *after* t; before t, activity is noise."""
    rng = np.random.default_rng(seed)
    events, labels = [], []
    for c in range(entities):
        key = f"c{c}"
        at = T0 + timedelta(days=5, seconds=int(rng.integers(0, 86_400)))
        for s in rng.integers(0, 5 * 86_400, rng.integers(1, 6)):  # background, before t
            events.append((key, T0 + timedelta(seconds=int(s))))
        label = int(rng.random() < 0.5)
        if label:  # the future: a burst within the day after t
            for s in rng.integers(60, 86_400, 10):
                events.append((key, at + timedelta(seconds=int(s))))
        labels.append((key, at, label))
    rows = pl.DataFrame(events, schema=["customer_id", "timestamp"], orient="row")
    rows = rows.with_columns(pl.col("timestamp").cast(pl.Datetime("us"))).sort(
        "customer_id", "timestamp"
    )
    frame = pl.DataFrame(labels, schema=["customer_id", "timestamp", "label"], orient="row")
    return rows, frame.with_columns(pl.col("timestamp").cast(pl.Datetime("us")))


def _cv_auc(features: pl.DataFrame, label: pl.Series) -> float:
    model = HistGradientBoostingClassifier(max_iter=50, random_state=0)
    scores = cross_val_predict(
        model, features.to_numpy(), label.to_numpy(), cv=5, method="predict_proba"
    )[:, 1]
    return float(roc_auc_score(label.to_numpy(), scores))


def test_labels_from_the_next_day_stay_at_chance_with_the_point_in_time_join() -> None:
    events, labels = _future_labels(600, seed=1)
    table = compute_view(activity, events).frame

    joined, _ = join_features(labels, {"activity": table}, _plan())
    pit_auc = _cv_auc(joined.select(pl.col("n_tx_24h").fill_null(0)), joined["label"])

    latest = table.sort("timestamp").group_by("customer_id").last().drop("timestamp")
    naive = labels.join(latest, on="customer_id", how="left")  # the leaky "latest value"
    naive_auc = _cv_auc(naive.select(pl.col("n_tx_24h").fill_null(0)), naive["label"])

    assert 0.4 < pit_auc < 0.6, pit_auc
    assert naive_auc > 0.95, naive_auc


def _one_customer() -> tuple[pl.DataFrame, pl.DataFrame]:
    events = pl.DataFrame(
        {"customer_id": ["a", "a"], "timestamp": [T0, T0 + 2 * DAY]},
        schema={"customer_id": pl.String, "timestamp": pl.Datetime("us")},
    )
    return events, compute_view(activity, events).frame


def test_a_value_older_than_the_ttl_is_not_joined_and_is_reported_defaulted() -> None:
    _, table = _one_customer()
    rows = pl.DataFrame(
        {"customer_id": ["a", "a", "a"], "timestamp": [T0 + DAY, T0 + 4 * DAY, T0 + 6 * DAY]}
    )

    joined, defaulted = join_features(rows, {"activity": table}, _plan(ttl=3 * DAY))

    # one day after the first event: fresh; 2 and 4 days after the second: within and past
    assert joined["n_tx_24h"].to_list() == [1, 1, None]
    assert defaulted == [(), (), ("n_tx_24h",)]


def test_the_join_takes_strictly_earlier_rows_unless_inclusive() -> None:
    half = DAY / 2
    events = pl.DataFrame(
        {"customer_id": ["a", "a"], "timestamp": [T0, T0 + half]},
        schema={"customer_id": pl.String, "timestamp": pl.Datetime("us")},
    )
    table = compute_view(activity, events).frame  # n_tx_24h: 1 at T0, 2 at T0 + 12 h
    rows = pl.DataFrame({"customer_id": ["a", "b"], "timestamp": [T0 + half, T0 + half]})

    strict, _ = join_features(rows, {"activity": table}, _plan())
    inclusive, _ = join_features(rows, {"activity": table}, _plan(inclusive=True))
    plan = JoinPlan(_plan().views, "timestamp", False, {"n_tx_24h": 0})
    defaulted, which = join_features(rows, {"activity": table}, plan)

    assert strict["n_tx_24h"].to_list() == [1, None]  # the row's own event is not history
    assert inclusive["n_tx_24h"].to_list() == [2, None]
    assert defaulted["n_tx_24h"].to_list() == [1, 0]  # the unknown entity gets the default
    assert which == [(), ("n_tx_24h",)]


def test_rows_keep_their_order_and_columns() -> None:
    _, table = _one_customer()
    rows = pl.DataFrame(
        {"customer_id": ["a", "b", "a"], "timestamp": [T0 + 5 * DAY, T0, T0 + DAY], "x": [1, 2, 3]}
    )

    joined, _ = join_features(rows, {"activity": table}, _plan())

    assert joined.columns == ["customer_id", "timestamp", "x", "n_tx_24h"]
    assert joined["x"].to_list() == [1, 2, 3]
    assert joined["n_tx_24h"].to_list() == [1, None, 1]
