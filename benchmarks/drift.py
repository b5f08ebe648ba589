"""Benchmark: a whole Workbench drift report against a bare numpy/scipy pass.

Generates, deterministically, a reference and a current frame of 100,000 rows x 20
columns each (10 numeric: normal, log-normal, exponential, uniform and integer columns;
10 categorical: 3 to 40 levels, one boolean), where 5 columns of the current frame are
shifted (3 numeric, 2 categorical) and the other 15 are drawn from the reference's
distribution. Then times:

* ``workbench``: ``detect_drift(reference, current)`` with the default settings (on
  100,000 reference rows: normed Wasserstein for numbers, Jensen-Shannon for categories,
  PSI and histograms for every column, the report built);
* ``workbench_ks``: the same with Kolmogorov-Smirnov forced on the numeric columns and
  chi-squared on the categorical ones, the methods the floor runs;
* ``floor``: the least a hand-written pass does for a PSI + KS + chi-squared per column:
  ``np.quantile`` + ``np.histogram`` + PSI + ``scipy.stats.ks_2samp`` per numeric column,
  polars ``value_counts`` (numpy has no fast way to count strings) + PSI +
  ``scipy.stats.chisquare`` per categorical one; no histograms kept, no report.

Runs are interleaved so a busy machine slows all alike; each figure is the median of
``--repeat`` runs. One JSON object is printed, with the columns flagged (the goal is
exactly the 5 shifted ones, under 0.5 s).

    python benchmarks/drift.py --rows 100000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from workbench.monitoring import ColumnDriftConfig, DriftSettings, detect_drift

SHIFTED = ("num_normal_a", "num_lognormal_a", "num_int_a", "cat_10_a", "cat_5_a")
"""Columns drawn from a different distribution in the current frame."""

NUMERIC = (
    "num_normal_a", "num_normal_b", "num_lognormal_a", "num_lognormal_b", "num_expo",
    "num_uniform", "num_int_a", "num_int_b", "num_round", "num_small",
)  # fmt: skip
CATEGORICAL = (
    "cat_3", "cat_5_a", "cat_5_b", "cat_10_a", "cat_10_b", "cat_20", "cat_40",
    "cat_country", "cat_channel", "flag",
)  # fmt: skip


def _levels(count: int) -> np.ndarray:
    return np.array([f"level_{i:02d}" for i in range(count)])


def _tilted(count: int, tilt: float) -> np.ndarray:
    """Category probabilities: a gentle decline, the first level ``tilt`` times heavier."""
    weights = np.linspace(2.0, 1.0, count)
    weights[0] *= tilt
    return weights / weights.sum()


def make_frame(rows: int, seed: int, shifted: bool) -> pl.DataFrame:
    """One side of the benchmark; the same arguments give the same frame."""
    rng = np.random.default_rng(seed)
    s = {name: shifted and name in SHIFTED for name in (*NUMERIC, *CATEGORICAL)}
    columns: dict[str, Any] = {
        "num_normal_a": rng.normal(50.0 + (5.0 if s["num_normal_a"] else 0.0), 10.0, rows),
        "num_normal_b": rng.normal(0.0, 1.0, rows),
        "num_lognormal_a": rng.lognormal(3.0, 1.0, rows) * (1.5 if s["num_lognormal_a"] else 1),
        "num_lognormal_b": rng.lognormal(1.0, 0.5, rows),
        "num_expo": rng.exponential(20.0, rows),
        "num_uniform": rng.uniform(-1.0, 1.0, rows),
        "num_int_a": rng.poisson(12.0 if s["num_int_a"] else 8.0, rows),
        "num_int_b": rng.integers(0, 3650, rows),
        "num_round": np.round(rng.gamma(2.0, 30.0, rows), 2),
        "num_small": rng.integers(0, 40, rows),
    }
    for name, count in (("cat_3", 3), ("cat_5_b", 5), ("cat_10_b", 10), ("cat_20", 20),
                        ("cat_40", 40)):  # fmt: skip
        columns[name] = _levels(count)[rng.choice(count, rows, p=_tilted(count, 1.0))]
    columns["cat_5_a"] = _levels(5)[rng.choice(5, rows, p=_tilted(5, 2.5 if s["cat_5_a"] else 1))]
    columns["cat_10_a"] = _levels(10)[
        rng.choice(10, rows, p=_tilted(10, 3.0 if s["cat_10_a"] else 1.0))
    ]
    countries = np.array(["US", "CA", "MX", "GB", "DE", "FR"])
    columns["cat_country"] = countries[rng.choice(6, rows, p=[0.9, 0.03, 0.02, 0.02, 0.02, 0.01])]
    columns["cat_channel"] = np.array(["pos", "online", "atm"])[rng.choice(3, rows)]
    columns["flag"] = rng.random(rows) < 0.3
    return pl.DataFrame({name: columns[name] for name in (*NUMERIC, *CATEGORICAL)})


def floor(reference: pl.DataFrame, current: pl.DataFrame) -> dict[str, tuple[float, float]]:
    """PSI + KS per numeric column, PSI + chi-squared per categorical one, bare."""
    results: dict[str, tuple[float, float]] = {}
    for name in NUMERIC:
        ref, cur = reference[name].to_numpy(), current[name].to_numpy()
        edges = np.unique(np.quantile(ref, np.linspace(0.0, 1.0, 11)))
        edges[0], edges[-1] = min(ref.min(), cur.min()), max(ref.max(), cur.max())
        p = np.maximum(np.histogram(ref, edges)[0] / ref.size, 1e-4)
        q = np.maximum(np.histogram(cur, edges)[0] / cur.size, 1e-4)
        results[name] = (float(((q - p) * np.log(q / p)).sum()), stats.ks_2samp(ref, cur).pvalue)
    for name in CATEGORICAL:
        ref_counts = reference[name].value_counts()
        joined = ref_counts.join(current[name].value_counts(), on=name, how="full", coalesce=True)
        joined = joined.fill_null(0)
        ref_n = joined["count"].to_numpy().astype(float)
        cur_n = joined["count_right"].to_numpy().astype(float)
        p = np.maximum(ref_n / ref_n.sum(), 1e-4)
        q = np.maximum(cur_n / cur_n.sum(), 1e-4)
        chi = stats.chisquare(cur_n, ref_n * cur_n.sum() / ref_n.sum()).pvalue
        results[name] = (float(((q - p) * np.log(q / p)).sum()), float(chi))
    return results


def median_seconds(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median wall time per named run, interleaving the runs on every repetition."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    """Generate both frames, time the three passes, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    reference = make_frame(args.rows, seed=1, shifted=False)
    current = make_frame(args.rows, seed=2, shifted=True)
    tests = {name: ColumnDriftConfig(method="ks") for name in NUMERIC}
    tests |= {name: ColumnDriftConfig(method="chi_squared") for name in CATEGORICAL}
    ks_settings = DriftSettings(overrides=tests)
    report = detect_drift(reference, current)
    ks_report = detect_drift(reference, current, ks_settings)
    seconds = median_seconds(
        {
            "workbench": lambda: detect_drift(reference, current),
            "workbench_ks": lambda: detect_drift(reference, current, ks_settings),
            "floor": lambda: floor(reference, current),
        },
        args.repeat,
    )
    result = {
        "rows": args.rows,
        "columns": reference.width,
        "repeat": args.repeat,
        **{f"{name}_s": round(value, 4) for name, value in seconds.items()},
        "ratio": round(seconds["workbench"] / seconds["floor"], 3),
        "ratio_ks": round(seconds["workbench_ks"] / seconds["floor"], 3),
        "shifted": sorted(SHIFTED),
        "flagged": sorted(report.drifted_columns),
        "flagged_ks": sorted(ks_report.drifted_columns),
        "exact": sorted(report.drifted_columns) == sorted(SHIFTED),
        "goal_met": sorted(report.drifted_columns) == sorted(SHIFTED)
        and seconds["workbench"] < 0.5,
        "date": dt.date.today().isoformat(),
        "polars": pl.__version__,
        "numpy": np.__version__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
