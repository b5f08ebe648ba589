"""The two month files: schema, ranges, a learnable label, and drift in exactly three columns."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.stats import ks_2samp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

CATEGORIES = [
    "grocery",
    "restaurant",
    "fuel",
    "travel",
    "electronics",
    "fashion",
    "entertainment",
    "health",
    "utilities",
    "online_services",
]
COUNTRIES = ["US", "CA", "MX", "GB", "DE", "FR"]
CHANNELS = ["pos", "online", "atm"]
EXPECTED_SCHEMA = {
    "transaction_id": pl.String,
    "customer_id": pl.String,
    "timestamp": pl.Datetime("us"),
    "amount": pl.Float64,
    "merchant_category": pl.String,
    "country": pl.String,
    "channel": pl.String,
    "card_age_days": pl.Int64,
    "customer_age": pl.Int64,
    "distance_from_home_km": pl.Float64,
    "is_fraud": pl.Int64,
}


@pytest.fixture(params=["january", "february"])
def month(request: pytest.FixtureRequest) -> pl.DataFrame:
    frame: pl.DataFrame = request.getfixturevalue(request.param)
    return frame


def _measure(frame: pl.DataFrame, expr: pl.Expr) -> float:
    return float(frame.select(expr).item())


def test_month_has_25000_rows_in_the_documented_schema(month: pl.DataFrame) -> None:
    assert month.height == 25_000
    assert dict(month.schema) == EXPECTED_SCHEMA


def test_transaction_ids_are_unique_across_both_months(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    ids = pl.concat([january["transaction_id"], february["transaction_id"]])

    assert ids.str.contains(r"^tx-\d{6}$").all()
    assert ids.n_unique() == 50_000


def test_values_stay_in_their_documented_ranges(month: pl.DataFrame) -> None:
    assert _measure(month, pl.col("amount").min()) > 0
    assert ((month["amount"] * 100).round(6) % 1 == 0).all(), "amount has more than 2 decimals"
    assert month["card_age_days"].is_between(0, 3650).all()
    assert month["customer_age"].is_between(18, 95).all()
    assert (month["distance_from_home_km"] >= 0).all()
    assert month["customer_id"].str.contains(r"^cust-\d{4}$").all()
    assert set(month["is_fraud"].unique()) == {0, 1}
    assert set(month["merchant_category"].unique()) == set(CATEGORIES)
    assert set(month["country"].unique()) == set(COUNTRIES)
    assert set(month["channel"].unique()) == set(CHANNELS)
    assert _measure(month, pl.col("country").eq("US").mean()) > 0.85
    assert month.null_count().sum_horizontal().item() == 0


def test_timestamps_cover_every_day_of_their_month(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    assert january["timestamp"].dt.strftime("%Y-%m").unique().to_list() == ["2026-01"]
    assert february["timestamp"].dt.strftime("%Y-%m").unique().to_list() == ["2026-02"]
    assert january["timestamp"].dt.day().n_unique() == 31
    assert february["timestamp"].dt.day().n_unique() == 28


def test_fraud_rate_is_a_few_percent_and_rises_only_slightly_in_february(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    jan_rate = _measure(january, pl.col("is_fraud").mean())
    feb_rate = _measure(february, pl.col("is_fraud").mean())

    assert 0.03 <= jan_rate <= 0.05
    assert 0.03 <= feb_rate <= 0.065
    assert abs(feb_rate - jan_rate) < 0.02


def _history(frame: pl.DataFrame) -> pl.Expr:
    """The customer's transactions in the previous 24 h, computed from the rows (the files
    ship the raw history; the demo's features.py computes this feature)."""
    return (
        pl.col("timestamp")
        .is_not_null()
        .cast(pl.Int64)
        .rolling_sum_by("timestamp", "24h", closed="left")
        .over("customer_id")
        .fill_null(0)
        .alias("n_tx_last_24h")
    )


def _features(frame: pl.DataFrame) -> np.ndarray:
    frame = frame.with_columns(_history(frame))
    return frame.select(
        "amount",
        "distance_from_home_km",
        pl.col("timestamp").dt.hour().cast(pl.Int64),
        "card_age_days",
        "customer_age",
        "n_tx_last_24h",
        pl.col("merchant_category").cast(pl.Enum(CATEGORIES)).to_physical().cast(pl.Int64),
        pl.col("country").cast(pl.Enum(COUNTRIES)).to_physical().cast(pl.Int64),
        pl.col("channel").cast(pl.Enum(CHANNELS)).to_physical().cast(pl.Int64),
    ).to_numpy()


def test_a_model_learns_january_fraud_well_but_not_perfectly(january: pl.DataFrame) -> None:
    features, label = _features(january), january["is_fraud"].to_numpy()
    order = np.random.default_rng(0).permutation(january.height)
    train, test = order[:18_000], order[18_000:]
    model = HistGradientBoostingClassifier(
        max_iter=100, categorical_features=[6, 7, 8], random_state=0
    )

    model.fit(features[train], label[train])
    auc = roc_auc_score(label[test], model.predict_proba(features[test])[:, 1])

    assert 0.75 <= auc <= 0.99


def _total_variation(a: pl.Series, b: pl.Series) -> float:
    share_a = a.value_counts(normalize=True).rename({"proportion": "a"})
    share_b = b.value_counts(normalize=True).rename({"proportion": "b"})
    both = share_a.join(share_b, on=a.name, how="full", coalesce=True).fill_null(0.0)
    return 0.5 * float((both["a"] - both["b"]).abs().sum())


def _ks(a: pl.Series, b: pl.Series) -> float:
    return float(ks_2samp(a.to_numpy(), b.to_numpy()).statistic)


@pytest.mark.parametrize("column", ["amount", "distance_from_home_km"])
def test_february_shifts_the_drifted_numeric_columns(
    january: pl.DataFrame, february: pl.DataFrame, column: str
) -> None:
    assert _ks(january[column], february[column]) > 0.08


def test_february_raises_the_mean_amount_by_about_40_percent(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    mean_amount = pl.col("amount").mean()
    ratio = _measure(february, mean_amount) / _measure(january, mean_amount)

    assert 1.3 <= ratio <= 1.5


def test_february_tilts_merchant_mix_toward_online_services_and_electronics(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    for category in ("online_services", "electronics"):
        share = pl.col("merchant_category").eq(category).mean()
        assert _measure(february, share) > 1.5 * _measure(january, share), category
    assert _total_variation(january["merchant_category"], february["merchant_category"]) > 0.1


@pytest.mark.parametrize("column", ["card_age_days", "customer_age"])
def test_february_keeps_other_numeric_columns_unchanged(
    january: pl.DataFrame, february: pl.DataFrame, column: str
) -> None:
    assert _ks(january[column], february[column]) < 0.03


def test_the_history_has_bursts_of_one_customer(january: pl.DataFrame) -> None:
    counts = january.with_columns(_history(january))["n_tx_last_24h"]
    assert january["customer_id"].n_unique() == 500
    assert counts.quantile(0.5) <= 2  # most cards: a transaction or two a day
    assert (counts >= 8).mean() > 0.01  # bursts: the same card again and again


def test_both_months_are_the_same_customers(january: pl.DataFrame, february: pl.DataFrame) -> None:
    assert set(january["customer_id"]) == set(february["customer_id"])


def test_february_keeps_the_hour_of_day_rhythm(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    hours = [frame["timestamp"].dt.hour() for frame in (january, february)]

    assert _ks(*hours) < 0.03


@pytest.mark.parametrize("column", ["country", "channel"])
def test_february_keeps_other_categorical_columns_unchanged(
    january: pl.DataFrame, february: pl.DataFrame, column: str
) -> None:
    assert _total_variation(january[column], february[column]) < 0.02
