"""The watched folder through the whole engine.

- drop-to-run-start: seconds from the writer closing a file in incoming/ to the run it
  starts (``run.started``), median and p95 over --drops drops; goal: median below the
  quiet period + 100 ms.
- drop-to-served: a new 50,000-row file to a new model answering on /invocations with
  the auto-approve policy (first model: nothing served before the drop).

Prints one JSON object.

    python benchmarks/drop_to_served.py [--drops 20] [--quiet-ms 300]
"""

from __future__ import annotations

import argparse
import json
import platform
import queue
import socket
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import polars as pl

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.records import EventRecord
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _wait(inbox: queue.Queue[EventRecord], kind: str, timeout: float = 600) -> EventRecord:
    deadline = time.monotonic() + timeout
    while True:
        event = inbox.get(timeout=max(0.01, deadline - time.monotonic()))
        if event.kind == kind:
            return event


def drop_to_run_start(drops: int, quiet_ms: int) -> list[float]:
    """Latency from close() to run.started for each drop."""
    frame = pl.read_csv(SAMPLE / "transactions_2026_01.csv", n_rows=200 * drops + 2000)
    settings = with_overrides(WorkbenchConfig(), "train", candidates=["logistic_regression"])
    settings = with_overrides(settings, "watch", quiet_period_ms=quiet_ms, batch_window_ms=0)
    latencies = []
    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws", target="is_fraud", config=settings)
        with Engine(ws) as engine, engine.bus.listen() as inbox:
            engine.watch()
            for i in range(drops):
                rows = frame.slice(0, 2000) if i == 0 else frame.slice(2000 + i * 200, 200)
                data = rows.write_csv().encode()
                with (ws.root / "incoming" / f"drop-{i:03}.csv").open("wb") as handle:
                    handle.write(data)
                closed = time.time()
                started = _wait(inbox, "run.started")
                latencies.append(started.ts.timestamp() - closed)
                _wait(inbox, "run.finished")
    return latencies[1:]  # the first drop also pins the contract: not a steady state


def drop_to_served() -> float:
    """Seconds from dropping 50,000 rows to the new model answering /invocations."""
    frame = pl.concat(
        [
            pl.read_csv(SAMPLE / "transactions_2026_01.csv"),
            pl.read_csv(SAMPLE / "transactions_2026_02_drifted.csv"),
        ]
    )
    settings = with_overrides(WorkbenchConfig(), "promotion", policy="auto")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws", target="is_fraud", config=settings)
        staged = Path(tmp) / "month.csv"
        frame.write_csv(staged)
        with Engine(ws) as engine, engine.bus.listen() as inbox:
            engine.watch()
            engine.serve_when_ready(port=port)
            start = time.monotonic()
            staged.rename(ws.root / "incoming" / "month.csv")
            _wait(inbox, "serving.started")
            row = engine.example_request()
            response = httpx.post(
                f"http://127.0.0.1:{port}/invocations", json={"dataframe_records": [row]}
            )
            response.raise_for_status()
            return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--quiet-ms", type=int, default=300)
    args = parser.parse_args()
    latencies = sorted(drop_to_run_start(args.drops + 1, args.quiet_ms))
    served = drop_to_served()
    median = statistics.median(latencies)
    print(
        json.dumps(
            {
                "benchmark": "drop_to_served",
                "quiet_period_ms": args.quiet_ms,
                "drops": len(latencies),
                "drop_to_run_start_ms_median": round(median * 1000, 1),
                "drop_to_run_start_ms_p95": round(
                    latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1
                ),
                "goal_ms": args.quiet_ms + 100,
                "goal_met": median * 1000 < args.quiet_ms + 100,
                "drop_to_served_s_50k_rows": round(served, 2),
                "machine": f"{platform.machine()} {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
