"""What a process imports: the layers' libraries stay apart, and start-up stays light.

The engine must not drag in a front end's libraries (DESIGN.md, Layers). And the TUI's
first dashboard (issue 8: painted in under a second) must not wait for the libraries only
training, ingesting, serving or drift need: each costs a tenth of a second or more to
import, so they load where they are used. These tests prove the imports, in a fresh
process each; the seconds are measured by ``benchmarks/tui_startup.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.api import connect

DASHBOARD_NEEDS_NONE_OF = (
    "sklearn",
    "skops",
    "scipy",
    "polars",
    "pyarrow",
    "numpy",
    "starlette",
    "uvicorn",
    "httpx",
    "watchdog",
    "plotext",
    "textual_plotext",
)
"""Top-level packages that must still be unimported when the dashboard has its data."""

SHOW_DASHBOARD = """
import json, sys
from pathlib import Path

import workbench.tui.app
import workbench.api
from workbench.tui.launch import connect_api
from workbench.tui.screens.dashboard import load_dashboard

api = connect_api(Path(sys.argv[1]))  # what the TUI's worker does
try:
    data = load_dashboard(api)
    events = api.events(after_id=0, limit=500)
    loaded = {name.split(".")[0] for name in sys.modules}
finally:
    api.close()
shown = {"runs": data.status.runs, "production": data.status.production, "events": len(events)}
print(json.dumps({"shown": shown, "loaded": sorted(loaded & set(sys.argv[2:]))}))
"""
"""The TUI's start-up path, headless: import the app, open the workspace, fetch the data."""


def _run(code: str, *args: str) -> str:
    """What a fresh ``python -c code args`` prints (it must succeed)."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("module", ["workbench.engine.engine", "workbench.api"])
def test_importing_the_core_loads_neither_textual_nor_ipywidgets(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'ipywidgets'))\n"
        "print(','.join(bad))\n"
    )
    assert _run(code) == "", f"{module} imported front-end libraries"


@pytest.mark.parametrize("module", ["workbench.tui.app", "workbench.cli.main"])
def test_the_first_frame_does_not_wait_for_the_store_or_the_engine(module: str) -> None:
    """The TUI opens the workspace in a worker after its first frame: not on import."""
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m == 'duckdb' or m.startswith("
        "('workbench.api', 'workbench.engine', 'workbench.store')))\n"
        "print(','.join(bad))\n"
    )
    assert _run(code) == "", f"{module} imported the store or the engine"


def test_the_dashboard_is_shown_without_the_heavy_libraries(workspace_copy: Path) -> None:
    with connect(workspace_copy) as api:  # a production model, so every panel has data
        api.approve(2, "the dashboard shows production")
    out = json.loads(_run(SHOW_DASHBOARD, str(workspace_copy), *DASHBOARD_NEEDS_NONE_OF))
    shown = out["shown"]
    assert (shown["runs"], shown["production"]) == (2, 2) and shown["events"] > 0, shown
    assert out["loaded"] == [], f"showing the dashboard imported {out['loaded']}"
