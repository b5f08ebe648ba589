"""Seconds from process start to the first painted dashboard of ``workbench`` (the TUI).

Two workspaces: an empty store, and one with many runs and events. Each measurement is
a fresh Python process running the TUI headless at 100x30; it reports wall-clock times
(first frame, api connected, dashboard painted with data) and exits, and the parent
subtracts the moment it started the process. Goal: dashboard under 1 s. Prints one JSON
object; quote medians, the machine is shared and noisy.

    python benchmarks/tui_startup.py [--repeat 5] [--runs 1000]
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

class Timed(WorkbenchApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(lambda: marks.setdefault("first_frame", time.time()))

    def on_api_connected(self, message):
        marks.setdefault("connected", time.time())
        super().on_api_connected(message)

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


def fill_store(root: Path, runs: int) -> None:
    """Record ``runs`` finished runs with a handful of events each (no training)."""
    ws = init_workspace(root, target=TARGET)
    with Store(ws.db_path, ws.artifacts) as store:
        for i in range(runs):
            run = store.runs.create("tabular", "file" if i % 3 else "manual", ())
            store.runs.start(run.id)
            store.runs.finish(run.id, "failed" if i % 7 == 0 else "success")
            store.events.append("run.started", f"run {run.id} started", {"run_id": run.id})
            store.events.append("run.finished", f"run {run.id} done", {"run_id": run.id})


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
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty"
        init_workspace(empty, target=TARGET)
        many = Path(tmp) / "many"
        fill_store(many, args.runs)
        # a bare process importing the engine: the floor no TUI change can beat
        floor = time.time()
        subprocess.run([sys.executable, "-c", "import workbench.api"], check=True)
        engine_import_s = round(time.time() - floor, 3)
        results = {
            "empty_store": scenario(empty, args.repeat),
            f"{args.runs}_runs": scenario(many, args.repeat),
        }
    worst = max(float(r["dashboard_s_median"]) for r in results.values())  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "benchmark": "tui_startup",
                "goal_s": GOAL_S,
                "goal_met": worst < GOAL_S,
                "python_import_workbench_api_s": engine_import_s,
                "scenarios": results,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "repeat": args.repeat,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
