"""Benchmark: Workbench validation against a hand-written polars query and a plain read.

Generates a deterministic dataset (default 1,000,000 rows x 20 columns: an id, a
datetime, three ~10-level categoricals, five ints, eight floats of which three are
nullable, a bool and a nullable string) into a temporary directory as CSV and Parquet,
then times, per format:

* ``workbench``: ``validate(path, contract)``, checks plus the full profile;
* ``workbench_no_profile``: ``validate(path, contract, profile=False)``, the checks alone
  (the profile must read every column, the checks only some: this separates that cost);
* ``floor``: the same checks as one hand-written polars lazy query (what the checks
  cost at least, with no profile, no report and no error handling);
* ``io``: reading the file with polars and nothing else.

The contract checks presence and dtype of all 20 columns, non-null for 10, ranges for 8,
allowed values for 3, uniqueness of the id and the row count. Runs are interleaved
(workbench, floor, io, workbench, ...) so a busy machine slows all three alike, and each
figure is the median of ``--repeat`` runs. One JSON object is printed; ``ratio`` is
workbench / floor per format (the goal is <= 1.3), ``ratio_no_profile`` the same without
the profile, ``ratio_of_fastest_runs`` the ratio of the fastest runs (steadier than the
median on a machine that is busy with other work), ``ratio_to_io`` workbench / io (the
profile reads every column, the checks here only 13 of 20, so reading the whole file is
the floor that includes the profile's unavoidable part).

    python benchmarks/validation.py --rows 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from workbench.validation import ColumnRule, Contract, validate
from workbench.validation.readers import INFER_SCHEMA_ROWS

LEVELS = tuple(f"level_{i}" for i in range(10))
NOT_NULL = ("id", "ts", "cat_a", "cat_b", "cat_c", "i1", "i2", "i3", "i4", "i5")
INT_RANGES = {f"i{i}": (0, 1000 * i) for i in range(1, 6)}
FLOAT_RANGES = {f"f{i}": (0.0, 250.0 * i) for i in range(1, 4)}
CATEGORIES = ("cat_a", "cat_b", "cat_c")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.f"


def make_frame(rows: int, seed: int = 7) -> pl.DataFrame:
    """The benchmark dataset; the same ``rows`` and ``seed`` give the same bytes."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-01T00:00:00", "us")
    seconds = rng.integers(0, 31 * 86_400, rows).astype("timedelta64[s]")
    columns: dict[str, Any] = {
        "id": rng.permutation(rows).astype(np.int64),
        "ts": start + seconds.astype("timedelta64[us]"),
    }
    for name in CATEGORIES:
        columns[name] = np.array(LEVELS)[rng.integers(0, len(LEVELS), rows)]
    for name, (_, high) in INT_RANGES.items():
        columns[name] = rng.integers(0, high, rows)
    for i in range(1, 9):
        columns[f"f{i}"] = np.abs(rng.normal(100.0 * i, 10.0 * i, rows)).round(3)
    columns["flag"] = rng.random(rows) < 0.3
    columns["note"] = np.array(["ok", "late", "refund", "chargeback"])[rng.integers(0, 4, rows)]
    frame = pl.DataFrame(columns)
    nullable = ("f6", "f7", "f8", "note")
    masks = {name: pl.Series(rng.random(rows) < 0.05) for name in nullable}
    return frame.with_columns(
        pl.when(masks[name]).then(None).otherwise(pl.col(name)).alias(name) for name in nullable
    )


def make_contract(frame: pl.DataFrame) -> Contract:
    """Presence/dtype for all columns, 10 not-null, 8 ranges, 3 allowed sets, unique id."""
    dtypes = {"Int64": "int", "Float64": "float", "String": "string", "Boolean": "bool"}
    rules = []
    for name, dtype in frame.schema.items():
        logical = "datetime" if isinstance(dtype, pl.Datetime) else dtypes[str(dtype)]
        low, high = {**INT_RANGES, **FLOAT_RANGES}.get(name, (None, None))
        rules.append(
            ColumnRule(
                name=name,
                dtype=logical,
                nullable=name not in NOT_NULL,
                min=low,
                max=high,
                allowed=LEVELS if name in CATEGORIES else None,
                unique=name == "id",
                finite=False,
            )
        )
    return Contract(columns=tuple(rules), min_rows=1, max_rows=10 * frame.height)


def scan(path: Path) -> pl.LazyFrame:
    """The file read the way a polars expert would, knowing the schema: for CSV, the same
    inference window as Workbench and the timestamp parsed with its known format (polars'
    own ``try_parse_dates`` is several times slower)."""
    if path.suffix == ".csv":
        lf = pl.scan_csv(path, infer_schema_length=INFER_SCHEMA_ROWS)
        return lf.with_columns(pl.col("ts").str.to_datetime(TS_FORMAT, time_unit="us"))
    return pl.scan_parquet(path)


def floor_query(path: Path, contract: Contract) -> dict[str, Any]:
    """The contract's checks, hand-written as one polars query over the file."""
    lf = scan(path)
    expected = dict(zip(contract.column_names, [r.dtype for r in contract.columns], strict=True))
    schema = lf.collect_schema()
    assert list(schema) == list(expected), "presence check failed"
    exprs = [pl.len().alias("rows")]
    for name in NOT_NULL:
        exprs.append(pl.col(name).null_count().alias(f"{name}_nulls"))
    for name, (low, high) in {**INT_RANGES, **FLOAT_RANGES}.items():
        outside = (pl.col(name) < low) | (pl.col(name) > high)
        exprs.append(outside.sum().alias(f"{name}_range"))
    for name in CATEGORIES:
        allowed = pl.Series(LEVELS).implode()
        exprs.append((~pl.col(name).is_in(allowed)).sum().alias(f"{name}_allowed"))
    id_col = pl.col("id")
    exprs.append((id_col.count() - id_col.drop_nulls().n_unique()).alias("id_repeats"))
    result = lf.select(exprs).collect(engine="streaming").row(0, named=True)
    assert contract.min_rows <= result["rows"] <= (contract.max_rows or result["rows"])
    return result


def read_only(path: Path) -> pl.DataFrame:
    """Reading the file with polars and nothing else: the I/O floor."""
    return scan(path).collect(engine="streaming")


def timings(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Wall times per named run, interleaving the runs on every repetition."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return times


def main() -> None:
    """Generate the data, run the three measurements per format, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = make_frame(args.rows)
    contract = make_contract(frame)
    result: dict[str, Any] = {
        "rows": args.rows,
        "columns": frame.width,
        "repeat": args.repeat,
        "checks": None,
        "date": dt.date.today().isoformat(),
        "polars": pl.__version__,
    }
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        paths = {"csv": Path(tmp) / "data.csv", "parquet": Path(tmp) / "data.parquet"}
        frame.write_csv(paths["csv"])
        frame.write_parquet(paths["parquet"])
        del frame
        for fmt, path in paths.items():
            report = validate(path, contract)
            assert report.passed, report.summary()
            result["checks"] = len(report.checks)
            times = timings(
                {
                    "workbench": lambda p=path: validate(p, contract),
                    "workbench_no_profile": lambda p=path: validate(p, contract, profile=False),
                    "floor": lambda p=path: floor_query(p, contract),
                    "io": lambda p=path: read_only(p),
                },
                args.repeat,
            )
            seconds = {name: statistics.median(values) for name, values in times.items()}
            fastest = {name: min(values) for name, values in times.items()}
            result[fmt] = {
                "bytes": path.stat().st_size,
                **{f"{name}_s": round(s, 4) for name, s in seconds.items()},
                **{f"{name}_rows_per_s": round(args.rows / s) for name, s in seconds.items()},
                "ratio": round(seconds["workbench"] / seconds["floor"], 3),
                "ratio_no_profile": round(seconds["workbench_no_profile"] / seconds["floor"], 3),
                "ratio_of_fastest_runs": round(fastest["workbench"] / fastest["floor"], 3),
                "ratio_to_io": round(seconds["workbench"] / seconds["io"], 3),
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
