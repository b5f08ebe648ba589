"""Milliseconds from a writer closing a file in the watched folder to the watcher's "ready".

Each drop writes one file (open, write, close) into a real watched folder and waits for
its "ready" event before the next, so every figure is one file's own latency, not a
queue. "ready" is when the settle tracker releases the file; "delivered" is when
``on_batch`` receives it (batch window 0, so no coalescing delay). The floor is the
quiet period itself: the goal is a median below quiet period + 100 ms. Prints one JSON
object; quote medians, the machine is shared and noisy.

    python benchmarks/watch_latency.py [--drops 50] [--quiet 0.3] [--mode events|poll]
"""

from __future__ import annotations

import argparse
import json
import platform
import queue
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from workbench.watcher import FolderWatcher, WatchEvent


def _summary(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {
        "median": round(statistics.median(ms), 1),
        "p95": round(p95, 1),
        "min": round(ms[0], 1),
        "max": round(ms[-1], 1),
    }


def measure(drops: int, quiet: float, mode: str, size: int, poll_interval: float) -> dict[str, Any]:
    """Drop ``drops`` files one after another and time each from close to ready/delivery."""
    ready: queue.Queue[tuple[str, float]] = queue.Queue()
    delivered: queue.Queue[tuple[str, float]] = queue.Queue()

    def on_event(event: WatchEvent) -> None:
        if event.kind == "ready":
            ready.put((Path(event.path).name, event.at))

    def on_batch(batch: tuple[Path, ...]) -> None:
        now = time.perf_counter()
        for path in batch:
            delivered.put((path.name, now))

    payload = ("id,value\n" + "1,abcdefgh\n" * (size // 11 + 1)).encode()[:size]
    to_ready: list[float] = []
    to_delivered: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        watcher = FolderWatcher(
            folder,
            on_batch,
            on_event=on_event,
            mode="poll" if mode == "poll" else "events",
            quiet_period=quiet,
            batch_window=0.0,
            rescan_interval=0.0,
            poll_interval=poll_interval,
        )
        with watcher:
            for i in range(drops):
                name = f"drop_{i:04d}.csv"
                with (folder / name).open("wb") as handle:
                    handle.write(payload)
                closed_wall, closed = time.time(), time.perf_counter()
                got, at = ready.get(timeout=30)
                assert got == name, (got, name)
                to_ready.append(at - closed_wall)
                got, when = delivered.get(timeout=30)
                assert got == name, (got, name)
                to_delivered.append(when - closed)
            mode_used = watcher.mode_used
    goal_ms = (quiet + 0.1) * 1000
    ready_ms = _summary(to_ready)
    return {
        "benchmark": "watch_latency",
        "mode_asked": mode,
        "mode_used": mode_used,
        "drops": drops,
        "file_bytes": size,
        "quiet_period_ms": quiet * 1000,
        "close_to_ready_ms": ready_ms,
        "close_to_delivered_ms": _summary(to_delivered),
        "goal_median_below_ms": goal_ms,
        "goal_met": ready_ms["median"] < goal_ms,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=50, help="files dropped (at least 50)")
    parser.add_argument("--quiet", type=float, default=0.3, help="quiet period, seconds")
    parser.add_argument("--mode", choices=("events", "poll"), default="events")
    parser.add_argument("--size", type=int, default=64_000, help="bytes per file")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="poll mode, seconds")
    args = parser.parse_args()
    if args.drops < 50:
        parser.error("--drops must be at least 50 for a meaningful p95")
    result = measure(args.drops, args.quiet, args.mode, args.size, args.poll_interval)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
