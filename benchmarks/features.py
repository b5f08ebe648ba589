"""Benchmark: the feature store's point-in-time join, incremental materialisation and
online enrichment, each against the floor it should be compared with.

Three measurements, each the median of ``--repeat`` runs (interleaved where they compete,
so a busy machine slows all alike), printed as one JSON object:

* ``pit_join``: :func:`workbench.features.join_features` (polars ``join_asof`` by entity,
  strictly before, within the ttl) of ``--labels`` label rows against ``--features``
  feature rows over ``--entities`` entities; the floor is DuckDB's ``ASOF JOIN`` of the
  same frames with the same semantics (checked equal on the result), measured in the
  same run (goal: within 1.5x of it); ``pandas.merge_asof`` (what Feast's local
  provider does) for comparison, when pandas is installed (``--no-pandas`` skips it).
* ``materialize``: one ``--file-rows`` file arriving into an offline store of
  ``--features`` source rows, through the engine's feature stage (source rows appended,
  the touched entities' rows recomputed from the file's first time minus the view's
  lookback, their rows replaced in DuckDB), against the same file into a store a tenth
  the size (goal: the time follows the file, not the store) and a full rebuild.
* ``online``: the added latency of joining stored features into a one-row request
  (:meth:`OnlineFeatures.enrich` against a snapshot of ``--entities`` entities), p50 and
  p99 over ``--requests`` requests (goal: p50 under 1 ms).

    python benchmarks/features.py                       # the issue's sizes: 1M x 10M, 100k
    python benchmarks/features.py --labels 100000 --features 1000000 --entities 10000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.records import DatasetRecord
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine
from workbench.features import JoinedView, JoinPlan, OnlineFeatures, Snapshot, join_features

START = datetime(2026, 1, 1)
DAYS = 60
TTL = timedelta(days=7)

VIEWS = """import polars as pl
from workbench.features import Entity, feature_view

customer = Entity("customer", key="customer_id")


@feature_view(entity=customer, ttl="7d", lookback="7d")
def activity(rows: pl.DataFrame) -> pl.DataFrame:
    one = pl.col("timestamp").is_not_null().cast(pl.Int64)
    return rows.select(
        "customer_id",
        "timestamp",
        one.rolling_sum_by("timestamp", "24h").over("customer_id").alias("n_tx_24h"),
        pl.col("amount").rolling_mean_by("timestamp", "7d").over("customer_id").alias("mean_7d"),
    )
"""


def _times(rng: np.random.Generator, n: int, start: datetime, days: float) -> np.ndarray:
    base = np.datetime64(start, "us")
    return base + rng.integers(0, int(days * 86_400e6), n).astype("timedelta64[us]")


def feature_rows(n: int, entities: int, seed: int) -> pl.DataFrame:
    """``n`` feature rows (key, timestamp, two features), sorted by key and time."""
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "customer_id": rng.integers(0, entities, n),
            "timestamp": _times(rng, n, START, DAYS),
            "n_tx_24h": rng.integers(0, 20, n),
            "mean_7d": rng.random(n) * 100,
        }
    ).sort("customer_id", "timestamp")


def label_rows(n: int, entities: int, seed: int) -> pl.DataFrame:
    """``n`` label rows (key, timestamp, label) in no particular order."""
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "customer_id": rng.integers(0, entities, n),
            "timestamp": _times(rng, n, START, DAYS),
            "label": rng.integers(0, 2, n),
        }
    )


PLAN = JoinPlan(
    (JoinedView("activity", "0" * 64, "customer_id", "timestamp", ("n_tx_24h", "mean_7d"), TTL),),
    "timestamp",
    inclusive=False,
)


def workbench_join(labels: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    return join_features(labels, {"activity": table}, PLAN)[0]


def duckdb_join(labels: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """The floor: DuckDB's ASOF JOIN, strictly before, values past the ttl nulled."""
    con = duckdb.connect()
    con.register("l", labels.with_row_index("row"))
    con.register("r", table)
    ttl = f"INTERVAL {int(TTL.total_seconds())} SECOND"
    frame = con.sql(
        "SELECT l.*, "
        f"CASE WHEN l.timestamp - r.timestamp <= {ttl} THEN r.n_tx_24h END AS n_tx_24h, "
        f"CASE WHEN l.timestamp - r.timestamp <= {ttl} THEN r.mean_7d END AS mean_7d "
        "FROM l ASOF LEFT JOIN r ON l.customer_id = r.customer_id AND l.timestamp > r.timestamp "
        "ORDER BY l.row"
    ).pl()
    con.close()
    return frame.drop("row")


def pandas_join(labels: pl.DataFrame, table: pl.DataFrame) -> Any:
    """Feast's local provider's way: pandas.merge_asof, both sides sorted by time."""
    import pandas as pd

    left = labels.to_pandas().sort_values("timestamp")
    right = table.to_pandas().sort_values("timestamp")
    return pd.merge_asof(
        left,
        right,
        on="timestamp",
        by="customer_id",
        direction="backward",
        allow_exact_matches=False,
        tolerance=pd.Timedelta(TTL),
    )


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def bench_pit(args: argparse.Namespace) -> dict[str, Any]:
    table = feature_rows(args.features, args.entities, 1)
    labels = label_rows(args.labels, args.entities, 2)
    runs: dict[str, list[float]] = {"workbench": [], "duckdb_asof": [], "pandas_merge_asof": []}
    ours = floor = None
    for _ in range(args.repeat):
        seconds, ours = _timed(lambda: workbench_join(labels, table))
        runs["workbench"].append(seconds)
        seconds, floor = _timed(lambda: duckdb_join(labels, table))
        runs["duckdb_asof"].append(seconds)
        if args.pandas:
            seconds, _ = _timed(lambda: pandas_join(labels, table))
            runs["pandas_merge_asof"].append(seconds)
    assert ours is not None and floor is not None
    same = ours.select("n_tx_24h", "mean_7d").equals(floor.select("n_tx_24h", "mean_7d"))
    medians = {k: statistics.median(v) for k, v in runs.items() if v}
    return {
        "labels": args.labels,
        "feature_rows": args.features,
        "entities": args.entities,
        "seconds_median": {k: round(v, 3) for k, v in medians.items()},
        "workbench_vs_duckdb": round(medians["workbench"] / medians["duckdb_asof"], 2),
        "goal_within_1_5x": medians["workbench"] <= 1.5 * medians["duckdb_asof"],
        "same_values_as_duckdb": same,
        "joined_share": round(1 - ours["n_tx_24h"].null_count() / ours.height, 3),
    }


def _source(n: int, entities: int, seed: int, start: datetime, days: float) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "customer_id": rng.integers(0, entities, n),
            "timestamp": _times(rng, n, start, days),
            "amount": np.round(rng.random(n) * 100, 2),
            "label": rng.integers(0, 2, n),
        }
    ).sort("timestamp")


def _store_with(root: Path, rows: int, entities: int) -> Engine:
    """An engine whose offline store holds ``rows`` source rows and the view built on them."""
    settings = with_overrides(WorkbenchConfig(), "features", path="features.py", views=[])
    ws = init_workspace(root, target="label", config=settings)
    (ws.root / "features.py").write_text(VIEWS, encoding="utf-8")
    engine = Engine(ws)
    history = _source(rows, entities, 3, START, DAYS).drop("label")
    engine.store.features.append_input(0, history)
    engine.features.materialize()
    return engine


def _accepted(engine: Engine, frame: pl.DataFrame, name: str) -> DatasetRecord:
    """``frame`` filed in processed/ and recorded as an accepted dataset, as ingest leaves
    it (ingest itself, validation and all, is not what this measures)."""
    path = engine.workspace.processed / name
    frame.write_csv(path)
    return engine.store.datasets.add(
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        name=name,
        path=str(path.relative_to(engine.workspace.root)),
        rows=frame.height,
        status="accepted",
        columns={},
        profile=None,
    )


def bench_materialize(args: argparse.Namespace) -> dict[str, Any]:
    new = _source(args.file_rows, args.entities, 4, START + timedelta(days=DAYS), 1)
    out: dict[str, Any] = {"file_rows": args.file_rows}
    with tempfile.TemporaryDirectory() as tmp:
        for label, size in (("store_tenth", args.features // 10), ("store", args.features)):
            engine = _store_with(Path(tmp) / label, size, args.entities)
            try:
                timings = []
                for i in range(args.repeat):
                    # each repeat a new file of the same shape, a day after the last one
                    later = new.with_columns(pl.col("timestamp") + timedelta(days=i))
                    dataset = _accepted(engine, later, f"{label}-{i}.csv")
                    stage = engine.features
                    seconds, done = _timed(lambda d=dataset, s=stage: s.after_ingest(d))
                    assert done, "the view was not updated"
                    timings.append(seconds)
                rebuild, _ = _timed(engine.features.materialize)
                out[label] = {
                    "source_rows": engine.store.features.input_count(),
                    "incremental_s_median": round(statistics.median(timings), 3),
                    "full_rebuild_s": round(rebuild, 3),
                }
            finally:
                engine.close()
    out["store_10x_costs_x"] = round(
        out["store"]["incremental_s_median"] / out["store_tenth"]["incremental_s_median"], 2
    )
    return out


def bench_online(args: argparse.Namespace) -> dict[str, Any]:
    rng = np.random.default_rng(5)
    n = args.entities
    snapshot = pl.DataFrame(
        {
            "customer_id": [f"cust-{i}" for i in range(n)],
            "timestamp": [START + timedelta(days=DAYS)] * n,
            "n_tx_24h": rng.integers(0, 20, n),
            "mean_7d": rng.random(n) * 100,
        }
    )
    view = JoinedView("activity", "0" * 64, "customer_id", "timestamp", ("n_tx_24h", "mean_7d"))
    plan = JoinPlan((view,), "timestamp", False, {"n_tx_24h": 0, "mean_7d": 50.0})
    online = OnlineFeatures(plan, {"activity": Snapshot.of(view, snapshot)})
    when = START + timedelta(days=DAYS + 1)
    requests = [
        pl.DataFrame({"customer_id": [f"cust-{k}"], "amount": [12.5], "timestamp": [when]})
        for k in rng.integers(0, n, 100)
    ]
    for request in requests:  # warm-up
        online.enrich(request)
    timings = []
    for i in range(args.requests):
        started = time.perf_counter()
        online.enrich(requests[i % len(requests)])
        timings.append(time.perf_counter() - started)
    ms = sorted(t * 1000 for t in timings)
    return {
        "snapshot_entities": n,
        "requests": args.requests,
        "added_p50_ms": round(statistics.median(ms), 3),
        "added_p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 3),
        "goal_p50_under_1ms": statistics.median(ms) < 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=10_000_000)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--file-rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pandas", dest="pandas", action="store_false")
    parser.add_argument("--only", choices=("pit_join", "materialize", "online"), default=None)
    args = parser.parse_args()
    if args.pandas:
        try:
            import pandas  # noqa: F401
        except ImportError:
            args.pandas = False
    benches = {"pit_join": bench_pit, "materialize": bench_materialize, "online": bench_online}
    result = {name: bench(args) for name, bench in benches.items() if args.only in (None, name)}
    result["repeat"] = args.repeat
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
