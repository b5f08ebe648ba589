"""Generate the bundled card-transaction fraud demo data, deterministically.

The files are what a newcomer drops into ``incoming/`` to see the whole loop: a clean
reference month to train on, a month with deliberate distribution shift for the drift
monitor to catch, and a small file full of defects for validation to quarantine.

Features are drawn first, each independently of the others except where reality couples
them (distance depends on country; amount depends on merchant category). The label is
then drawn from a fixed logistic function of the features, so ``P(fraud | features)`` is
the same in both months: February only moves the inputs (covariate shift), which is why
its fraud rate creeps up a little without any concept drift.

Only numpy and polars are used so the script runs anywhere Workbench does. Run it from
the repo root with ``python sample_data/generate.py`` (``--output-dir`` to write
elsewhere); the same seeds always give byte-identical files.
"""

from __future__ import annotations

import argparse
import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

JANUARY_FILE = "transactions_2026_01.csv"
FEBRUARY_FILE = "transactions_2026_02_drifted.csv"
DEFECTS_FILE = "transactions_defects.csv"
README_FILE = "README.md"

MONTH_ROWS = 25_000
DEFECT_ROWS = 200
JANUARY_SEED = 2026_01
FEBRUARY_SEED = 2026_02
DEFECTS_SEED = 2026_99
FEBRUARY_FIRST_ID = MONTH_ROWS + 1
DEFECTS_FIRST_ID = 900_001

CSV_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"

CHANNELS = ("pos", "online", "atm")
CHANNEL_WEIGHTS = (0.62, 0.30, 0.08)

COUNTRIES = ("US", "CA", "MX", "GB", "DE", "FR")
COUNTRY_WEIGHTS = (0.90, 0.03, 0.025, 0.02, 0.0125, 0.0125)
# Typical distance (km) from a US home to a transaction made in each country.
COUNTRY_DISTANCE_KM = (0.0, 1_400.0, 2_300.0, 6_200.0, 7_300.0, 6_900.0)

# merchant_category: (January weight, February weight, median amount in USD, fraud logit)
CATEGORIES: dict[str, tuple[float, float, float, float]] = {
    "grocery": (0.22, 0.18, 45.0, -0.4),
    "restaurant": (0.15, 0.12, 35.0, -0.2),
    "fuel": (0.10, 0.08, 50.0, 0.1),
    "travel": (0.05, 0.05, 320.0, 0.3),
    "electronics": (0.06, 0.12, 180.0, 0.5),
    "fashion": (0.08, 0.07, 75.0, 0.0),
    "entertainment": (0.08, 0.06, 40.0, 0.0),
    "health": (0.07, 0.05, 60.0, -0.3),
    "utilities": (0.07, 0.05, 110.0, -0.6),
    "online_services": (0.12, 0.22, 20.0, 0.2),
}
AMOUNT_SIGMA = 0.8
AMOUNT_MEAN_RATIO = 1.40
# distance_from_home_km at home: (median km of everyday spending, share of domestic trips)
LOCAL_DISTANCE = {False: (6.0, 0.05), True: (12.0, 0.12)}
MAX_DISTANCE_KM = 19_000.0  # nowhere on Earth is much farther from home than this

# Relative transaction volume per hour of day (00..23); nights are quiet.
HOUR_WEIGHTS = (
    *(0.6, 0.4, 0.3, 0.3, 0.4, 0.7),
    *(1.5, 2.5, 3.5, 4.0, 4.5, 5.0),
    *(5.5, 5.0, 4.5, 4.5, 5.0, 5.5),
    *(5.5, 5.0, 4.0, 3.0, 2.0, 1.2),
)
NIGHT_HOURS = range(6)

FRAUD_INTERCEPT = -8.0

CUSTOMERS = 500
"""Card holders; both months draw from the same customers (``cust-0001`` ...)."""
BURST_SHARE = 0.03
"""Share of rows that belong to a burst: one customer's card used again and again."""
BURST_SIZE = 12
"""Transactions in one burst (consecutive in time: minutes apart on a busy day)."""


@dataclass(frozen=True)
class Defect:
    """One deliberate defect in the defects file, placed where the README says."""

    row: int
    """0-based data row (the header is not counted; file line = row + 2)."""
    column: str
    """Column holding the bad value."""
    value: str | None
    """The bad value as written to the CSV; None writes an empty (null) cell."""
    kind: str
    """What a validator should call it: null, out_of_range, wrong_type, unknown_category,
    duplicate_id."""


# The wrong-type rows sit inside the first 100 rows so polars' default schema inference
# (infer_schema_length=100) sees "abc" and reads amount as a string column.
DEFECTS: tuple[Defect, ...] = (
    Defect(3, "amount", "abc", "wrong_type"),
    Defect(47, "amount", "abc", "wrong_type"),
    Defect(91, "amount", "abc", "wrong_type"),
    Defect(12, "amount", None, "null"),
    Defect(120, "amount", None, "null"),
    Defect(25, "merchant_category", None, "null"),
    Defect(150, "merchant_category", None, "null"),
    Defect(33, "customer_age", "-5", "out_of_range"),
    Defect(64, "customer_age", "250", "out_of_range"),
    Defect(78, "amount", "-12.50", "out_of_range"),
    Defect(170, "amount", "-0.99", "out_of_range"),
    Defect(105, "merchant_category", "teleportation", "unknown_category"),
    Defect(133, "merchant_category", "teleportation", "unknown_category"),
    Defect(140, "channel", "carrier_pigeon", "unknown_category"),
    Defect(188, "channel", "carrier_pigeon", "unknown_category"),
    # Row 160 repeats row 159's id.
    Defect(160, "transaction_id", f"tx-{DEFECTS_FIRST_ID + 159:06d}", "duplicate_id"),
)


def _month_timestamps(rng: np.random.Generator, n_rows: int, year: int, month: int) -> np.ndarray:
    """Seconds-resolution timestamps over the month, sorted, with a day/night rhythm."""
    n_days = calendar.monthrange(year, month)[1]
    hour_p = np.asarray(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS)
    day = rng.integers(0, n_days, n_rows)
    hour = rng.choice(24, size=n_rows, p=hour_p)
    second_of_hour = rng.integers(0, 3600, n_rows)
    offset = day * 86_400 + hour * 3600 + second_of_hour
    start = np.datetime64(f"{year:04d}-{month:02d}-01T00:00:00", "s")
    return np.sort(start + offset.astype("timedelta64[s]"))


def _amount_scale(shifted: bool) -> float:
    """Per-category amount multiplier that makes the overall mean rise by 40% in February.

    February also moves the category mix, and categories differ in typical amount, so the
    multiplier is solved analytically from the log-normal means rather than set to 1.4.
    """
    if not shifted:
        return 1.0
    medians = np.array([spec[2] for spec in CATEGORIES.values()])
    jan_mean = np.dot([spec[0] for spec in CATEGORIES.values()], medians)
    feb_mean = np.dot([spec[1] for spec in CATEGORIES.values()], medians)
    return float(AMOUNT_MEAN_RATIO * jan_mean / feb_mean)


def _amounts(rng: np.random.Generator, category_idx: np.ndarray, shifted: bool) -> np.ndarray:
    """Log-normal amounts around each category's median, 2 decimals, never below 0.50."""
    medians = np.array([spec[2] for spec in CATEGORIES.values()])[category_idx]
    raw = medians * _amount_scale(shifted) * rng.lognormal(0.0, AMOUNT_SIGMA, category_idx.size)
    return np.maximum(np.round(raw, 2), 0.5)


def _distances(rng: np.random.Generator, country_idx: np.ndarray, shifted: bool) -> np.ndarray:
    """Distance from the card holder's home: errands and trips at home, oceans abroad.

    February's shift doubles everyday distances and adds domestic trips; foreign
    distances stay put, as the country mix does.
    """
    n_rows = country_idx.size
    local_median, trip_share = LOCAL_DISTANCE[shifted]
    local = rng.lognormal(math.log(local_median), 1.1, n_rows)
    domestic_trip = rng.random(n_rows) < trip_share
    trip = rng.lognormal(math.log(900.0), 0.6, n_rows)
    abroad = np.asarray(COUNTRY_DISTANCE_KM)[country_idx] * rng.lognormal(0.0, 0.25, n_rows)
    km = np.where(country_idx > 0, abroad, np.where(domestic_trip, trip, local))
    return np.round(np.minimum(km, MAX_DISTANCE_KM), 2)


def _card_ages(rng: np.random.Generator, n_rows: int) -> np.ndarray:
    """Card age in days: a small share of brand-new cards, the rest long-lived."""
    new_card = rng.random(n_rows) < 0.07
    fresh = rng.integers(0, 45, n_rows)
    mature = np.minimum(rng.exponential(1_100.0, n_rows), 3_650).astype(np.int64)
    return np.where(new_card, fresh, mature).astype(np.int64)


def _customers(rng: np.random.Generator, n_rows: int) -> np.ndarray:
    """Customer number per (time-ordered) row: uniform, except bursts of consecutive rows
    that all go to one customer (a card used again and again within minutes)."""
    customer = rng.integers(0, CUSTOMERS, n_rows)
    n_bursts = round(n_rows * BURST_SHARE / BURST_SIZE)
    for start in rng.choice(max(n_rows - BURST_SIZE, 1), size=n_bursts, replace=False):
        customer[start : start + BURST_SIZE] = customer[start]
    return customer


def _recent_counts(timestamps: np.ndarray, customer: np.ndarray) -> np.ndarray:
    """The customer's transactions in the 24 h before each one (the history the label
    depends on; the files do not carry it: ``features.py`` computes it from the rows)."""
    frame = pl.DataFrame({"customer": customer, "timestamp": timestamps.astype("datetime64[us]")})
    counts = (
        frame.with_row_index("row")
        .sort("customer", "timestamp")
        .with_columns(
            pl.col("timestamp")
            .is_not_null()
            .cast(pl.Int64)
            .rolling_sum_by("timestamp", "24h", closed="left")
            .over("customer")
            .fill_null(0)
            .alias("n")
        )
    )
    return counts.sort("row")["n"].to_numpy().astype(np.int64)


def _fraud_probability(features: dict[str, np.ndarray]) -> np.ndarray:
    """The fixed P(fraud | features) shared by every month (no concept drift)."""
    category_logit = np.array([spec[3] for spec in CATEGORIES.values()])
    channel = features["channel_idx"]
    age = features["customer_age"]
    logit = (
        FRAUD_INTERCEPT
        + 0.35 * np.log(features["amount"])
        + 0.12 * np.log1p(features["distance_from_home_km"])
        + 2.2 * np.isin(features["hour"], NIGHT_HOURS)
        + np.where(channel == 1, 1.6, np.where(channel == 2, 1.0, 0.0))
        + 1.4 * (features["country_idx"] > 0)
        + 3.0 * (features["card_age_days"] < 30)
        + 0.35 * features["n_tx_last_24h"]
        + 0.6 * ((age < 25) | (age > 75))
        + category_logit[features["category_idx"]]
    )
    return 1.0 / (1.0 + np.exp(-logit))


def generate_month(n_rows: int, seed: int, shifted: bool, *, first_id: int = 1) -> pl.DataFrame:
    """Draw one month of transactions: January 2026, or February 2026 with drift.

    Args:
        n_rows: Number of transactions.
        seed: Seed for numpy's PCG64 generator; the same seed gives the same frame.
        shifted: False for the January reference month; True for February with larger
            amounts, a mix tilted to online_services/electronics and larger distances.
        first_id: Number of the first transaction_id, so months can share one id space.

    Returns:
        A frame in the documented schema, sorted by timestamp.
    """
    rng = np.random.default_rng(seed)
    timestamps = _month_timestamps(rng, n_rows, 2026, 2 if shifted else 1)
    weight_slot = 1 if shifted else 0
    category_p = np.array([spec[weight_slot] for spec in CATEGORIES.values()])
    customer = _customers(rng, n_rows)
    f: dict[str, np.ndarray] = {
        "category_idx": rng.choice(len(CATEGORIES), size=n_rows, p=category_p / category_p.sum()),
        "country_idx": rng.choice(len(COUNTRIES), size=n_rows, p=COUNTRY_WEIGHTS),
        "channel_idx": rng.choice(len(CHANNELS), size=n_rows, p=CHANNEL_WEIGHTS),
        "card_age_days": _card_ages(rng, n_rows),
        "customer_age": np.clip(np.round(rng.normal(46.0, 17.0, n_rows)), 18, 95).astype(np.int64),
        "n_tx_last_24h": _recent_counts(timestamps, customer),
        "hour": timestamps.astype("datetime64[h]").astype(np.int64) % 24,
    }
    f["amount"] = _amounts(rng, f["category_idx"], shifted)
    f["distance_from_home_km"] = _distances(rng, f["country_idx"], shifted)
    is_fraud = (rng.random(n_rows) < _fraud_probability(f)).astype(np.int64)
    ids = [f"tx-{i:06d}" for i in range(first_id, first_id + n_rows)]
    return pl.DataFrame(
        {
            "transaction_id": ids,
            "customer_id": [f"cust-{c + 1:04d}" for c in customer],
            "timestamp": timestamps.astype("datetime64[us]"),
            "amount": f["amount"],
            "merchant_category": np.array(list(CATEGORIES))[f["category_idx"]],
            "country": np.array(COUNTRIES)[f["country_idx"]],
            "channel": np.array(CHANNELS)[f["channel_idx"]],
            "card_age_days": f["card_age_days"],
            "customer_age": f["customer_age"],
            "distance_from_home_km": f["distance_from_home_km"],
            "is_fraud": is_fraud,
        }
    )


def generate_defects(n_rows: int = DEFECT_ROWS, seed: int = DEFECTS_SEED) -> pl.DataFrame:
    """A January-like frame with every entry of ``DEFECTS`` written into it.

    Every column is turned into strings so a bad value of any kind fits; written to CSV
    and read back, the clean columns infer their usual types again.
    """
    clean = generate_month(n_rows, seed, shifted=False, first_id=DEFECTS_FIRST_ID)
    cells: dict[str, list[str | None]] = {
        name: [_csv_cell(value) for value in clean[name].to_list()] for name in clean.columns
    }
    for defect in DEFECTS:
        cells[defect.column][defect.row] = defect.value
    return pl.DataFrame(cells, schema=dict.fromkeys(clean.columns, pl.String))


def _csv_cell(value: object) -> str:
    """Format one clean value exactly as ``write_csv`` would for the month files."""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime(CSV_DATETIME_FORMAT)
    return str(value)


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write a frame with the fixed formatting that keeps the files byte-identical."""
    frame.write_csv(path, datetime_format=CSV_DATETIME_FORMAT, float_precision=2)


README_TEMPLATE = """\
# Sample data: card-transaction fraud

Synthetic, deterministic demo data for Workbench. Regenerate it (byte-identical) from the
repo root with `python sample_data/generate.py` (`--output-dir DIR` writes elsewhere).
Read it with `pl.read_csv(path, try_parse_dates=True)` so `timestamp` parses as Datetime.

| file | rows | what it is for |
|---|---|---|
| `{january_file}` | {rows:,} | January 2026: the reference month to train on |
| `{february_file}` | {rows:,} | February 2026 with deliberate drift in three columns |
| `{defects_file}` | {defect_rows} | deliberate defects that validation must quarantine |

## Columns

| column | polars type | values |
|---|---|---|
| `transaction_id` | String | unique id `tx-NNNNNN`; February continues January's numbers |
| `customer_id` | String | card holder `cust-0001` .. `cust-{customers:04d}`, same in both months |
| `timestamp` | Datetime | ISO 8601, seconds, no time zone; busy days, quiet nights |
| `amount` | Float64 | USD, > 0, 2 decimals; log-normal around a per-category median |
| `merchant_category` | String | {categories} |
| `country` | String | {countries}; about 90% home country US |
| `channel` | String | {channels} |
| `card_age_days` | Int64 | 0..3650; about 7% brand-new cards |
| `customer_age` | Int64 | 18..95 |
| `distance_from_home_km` | Float64 | >= 0, 2 decimals; thousands of km abroad |
| `is_fraud` | Int64 | the label, 0/1 |

The rows are the raw transaction history: no column summarises a customer's past. About
{burst_share:.0%} of rows belong to bursts of {burst_size} transactions of one customer
minutes apart. `is_fraud` is drawn from one fixed logistic function of amount, distance,
night hours (00-05), channel, foreign country, a card younger than 30 days, the
customer's transactions in the previous 24 h (computed from the rows, not shipped: the
demo's `features.py` computes it as `n_tx_last_24h`), customer age and merchant category:
learnable (ROC AUC about 0.9 on January with the history feature) but not perfectly.

## February drift (`{february_file}`)

Exactly three columns are shifted; every other column is drawn from the same
distribution as in January (timestamps cover February with the same daily rhythm).

- `amount`: mean {amount_jan:.2f} -> {amount_feb:.2f} USD (x{amount_ratio:.2f}; target +40%).
- `merchant_category`: mix tilted toward online_services ({online_jan:.1%} ->
  {online_feb:.1%}) and electronics ({electronics_jan:.1%} -> {electronics_feb:.1%}); grocery,
  restaurant and the smaller categories give way (travel keeps its share).
- `distance_from_home_km`: everyday distances at home doubled and domestic trips up from
  {trips_jan:.0%} to {trips_feb:.0%} of home-country rows (median {km_jan:.1f} ->
  {km_feb:.1f} km); foreign distances unchanged.

P(fraud | features) is the same in both months (covariate shift, no concept drift), so
the fraud rate only creeps up with the riskier inputs: {fraud_jan:.2%} in January and
{fraud_feb:.2%} in February.

## Defects (`{defects_file}`)

{defect_rows} January-like rows (ids from `tx-{defects_first_id:06d}`); every cell not
listed below is valid. `row` is 0-based after the header (file line = row + 2); row 160
repeats row 159's id. The `abc` rows sit in the first 100 rows, so polars' default schema
inference reads `amount` as String for this file.

| row | transaction_id | column | value | defect |
|---|---|---|---|---|
{defect_table}
"""


def _measure(frame: pl.DataFrame, expr: pl.Expr) -> float:
    """One statistic of a frame as a plain float, for the README."""
    return float(frame.select(expr).item())


def render_readme(january: pl.DataFrame, february: pl.DataFrame) -> str:
    """README.md for the folder, quoting statistics measured on the generated months."""

    def share(frame: pl.DataFrame, category: str) -> float:
        return _measure(frame, (pl.col("merchant_category") == category).mean())

    def row_id(defect: Defect) -> str:
        if defect.column == "transaction_id" and defect.value is not None:
            return defect.value
        return f"tx-{DEFECTS_FIRST_ID + defect.row:06d}"

    defect_lines = [
        f"| {d.row} | `{row_id(d)}` | `{d.column}` | "
        f"{'(empty: null)' if d.value is None else f'`{d.value}`'} | {d.kind} |"
        for d in sorted(DEFECTS, key=lambda d: (d.kind, d.column, d.row))
    ]
    amount_jan = _measure(january, pl.col("amount").mean())
    amount_feb = _measure(february, pl.col("amount").mean())
    return README_TEMPLATE.format(
        january_file=JANUARY_FILE,
        february_file=FEBRUARY_FILE,
        defects_file=DEFECTS_FILE,
        rows=january.height,
        defect_rows=DEFECT_ROWS,
        customers=CUSTOMERS,
        burst_share=BURST_SHARE,
        burst_size=BURST_SIZE,
        defects_first_id=DEFECTS_FIRST_ID,
        categories=", ".join(CATEGORIES),
        countries=", ".join(COUNTRIES),
        channels=", ".join(CHANNELS),
        amount_jan=amount_jan,
        amount_feb=amount_feb,
        amount_ratio=amount_feb / amount_jan,
        online_jan=share(january, "online_services"),
        online_feb=share(february, "online_services"),
        electronics_jan=share(january, "electronics"),
        electronics_feb=share(february, "electronics"),
        trips_jan=LOCAL_DISTANCE[False][1],
        trips_feb=LOCAL_DISTANCE[True][1],
        km_jan=_measure(january, pl.col("distance_from_home_km").median()),
        km_feb=_measure(february, pl.col("distance_from_home_km").median()),
        fraud_jan=_measure(january, pl.col("is_fraud").mean()),
        fraud_feb=_measure(february, pl.col("is_fraud").mean()),
        defect_table="\n".join(defect_lines),
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Write the three CSV files and README.md into the output directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="where to write the files (default: the folder holding this script)",
    )
    args = parser.parse_args(argv)
    out: Path = args.output_dir
    out.mkdir(parents=True, exist_ok=True)
    january = generate_month(MONTH_ROWS, JANUARY_SEED, shifted=False)
    february = generate_month(MONTH_ROWS, FEBRUARY_SEED, shifted=True, first_id=FEBRUARY_FIRST_ID)
    write_csv(january, out / JANUARY_FILE)
    write_csv(february, out / FEBRUARY_FILE)
    write_csv(generate_defects(), out / DEFECTS_FILE)
    (out / README_FILE).write_text(render_readme(january, february), encoding="utf-8")


if __name__ == "__main__":
    main()
