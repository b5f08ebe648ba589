"""Seconds from process start to the first painted dashboard of ``workbench`` (the TUI).

Two workspaces: an empty store, and one with 10,000 finished runs, two events each and
1,000,000 metric points (issue 8), seeded through the store's batch paths. Each
measurement is a fresh Python process running the TUI headless at 100x30 the way
``workbench`` does (:func:`workbench.tui.launch.build_app`); it reports wall-clock times
(first frame, api connected, dashboard painted with data) and exits, and the parent
subtracts the moment it started the process. Goal: dashboard under 1 s. Prints one JSON
object; quote medians, the machine is shared and noisy.

    python benchmarks/tui_startup.py [--repeat 5] [--runs 10000] [--points 1000000]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from workbench.core.workspace import init_workspace
from workbench.store import Store

GOAL_S = 1.0
"""Target: process start to a dashboard showing the workspace's data."""

TARGET = "is_fraud"

CHILD = r"""
import sys, time
from pathlib import Path
from workbench.tui import launch
from workbench.tui.app import WorkbenchApp

marks = {}

# Textual calls every class's handler along the MRO, so these add marks and do not call
# super() (that would run the app's own handler twice: two connects, two follows).
class Timed(WorkbenchApp):
    def on_mount(self):
        self.call_after_refresh(lambda: marks.setdefault("first_frame", time.time()))

    def on_api_connected(self, message):
        marks.setdefault("connected", time.time())

    def on_dashboard_painted(self, message):
        marks.setdefault("dashboard", time.time())
        self.exit()

folder = Path(sys.argv[1]).resolve()
Timed(connector=lambda: launch.connect_api(folder), folder=folder).run(
    headless=True, size=(100, 30)
)
print(repr(marks))
"""
"""The measured process: ``run_tui``'s app, exiting once the dashboard painted its data."""

METRIC_KEYS = ("loss", "roc_auc", "f1", "accuracy")
"""Keys the seeded runs log, each over many steps (a learning curve)."""


def fill_store(root: Path, runs: int, points: int) -> None:
    """Record ``runs`` finished runs, two events each and ``points`` metric points.

    Rows go through the store's batch paths (Arrow inserts; events and metric points
    queued and flushed in batches), so 10,000 runs and 1,000,000 points take seconds.
    """
    ws = init_workspace(root, target=TARGET)
    with Store(ws.db_path, ws.artifacts) as store:
        start = datetime(2026, 1, 1)
        rows = []
        for i in range(runs):
            created = start + timedelta(minutes=10 * i)
            status = "failed" if i % 7 == 0 else "success"
            trigger = "file" if i % 3 else "manual"
            finished = created + timedelta(seconds=30 + i % 90)
            rows.append(("tabular", trigger, status, created, created, finished))
        columns = ("pipeline", "trigger", "status", "created_at", "started_at", "finished_at")
        store.db.insert_rows("runs", columns, rows)  # ids from the run_ids sequence
        ids = [r[0] for r in store.db.execute("SELECT id FROM runs ORDER BY id")]
        for run_id in ids:
            store.events.append("run.started", f"run {run_id} started", {"run_id": run_id})
            store.events.append("run.finished", f"run {run_id} done", {"run_id": run_id})
        store.events.flush()
        per_run, extra = divmod(points, max(len(ids), 1))
        for n, run_id in enumerate(ids):
            count = per_run + (1 if n < extra else 0)
            store.runs.log_metrics(
                run_id,
                (
                    (METRIC_KEYS[j % len(METRIC_KEYS)], 1.0 / (1 + j), j // len(METRIC_KEYS))
                    for j in range(count)
                ),
            )
        store.runs.flush()
        assert store.db.scalar("SELECT count(*) FROM metrics") == (points if ids else 0)


def measure_once(root: Path) -> dict[str, float]:
    """One fresh process; seconds from its start to each phase."""
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"the TUI process failed:\n{done.stderr}")
    marks = eval(done.stdout.strip().splitlines()[-1])
    return {phase: round(at - start, 3) for phase, at in marks.items()}


def scenario(root: Path, repeat: int) -> dict[str, object]:
    """Median and spread of each phase over ``repeat`` processes."""
    samples = [measure_once(root) for _ in range(repeat)]
    phases = sorted({p for s in samples for p in s})
    summary: dict[str, object] = {
        f"{p}_s_median": statistics.median(s[p] for s in samples if p in s) for p in phases
    }
    summary["dashboard_after_connect_s_median"] = round(
        statistics.median(s["dashboard"] - s["connected"] for s in samples), 3
    )
    summary["dashboard_s_all"] = [s.get("dashboard") for s in samples]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=1_000_000, help="metric points in all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty"
        init_workspace(empty, target=TARGET)
        many = Path(tmp) / "many"
        seeded = time.perf_counter()
        fill_store(many, args.runs, args.points)
        seed_s = round(time.perf_counter() - seeded, 1)
        # bare processes: Python itself, and the two libraries the dashboard cannot skip
        floors = {
            name: _process_s(code)
            for name, code in (
                ("python_s", "pass"),
                ("import_textual_duckdb_s", "import textual.app, duckdb"),
                ("import_workbench_api_s", "import workbench.api"),
            )
        }
        results = {
            "empty_store": scenario(empty, args.repeat),
            f"{args.runs}_runs_{args.points}_points": scenario(many, args.repeat),
        }
    worst = max(float(r["dashboard_s_median"]) for r in results.values())  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "benchmark": "tui_startup",
                "goal_s": GOAL_S,
                "goal_met": worst < GOAL_S,
                "floors_s_median": floors,
                "seed_s": seed_s,
                "scenarios": results,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "repeat": args.repeat,
            },
            indent=2,
        )
    )


def _process_s(code: str, repeat: int = 3) -> float:
    """Median seconds of a fresh ``python -c code`` process."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples), 3)


if __name__ == "__main__":
    main()
