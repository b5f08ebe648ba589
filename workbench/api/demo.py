"""The demo recipe, shared by ``workbench demo`` and the TUI's welcome screen.

A workspace predicting ``is_fraud`` on the bundled card transactions, with the ``auto``
promotion policy so the best candidate is approved without a person when its improvement
over production is significant, and the default gate (beat the class prior on the test
rows, with the 95% interval clear of zero).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import workbench
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.errors import WorkbenchError
from workbench.core.workspace import Workspace, init_workspace

DEMO_DATA = (
    Path(workbench.__file__).resolve().parents[1] / "sample_data" / "transactions_2026_01.csv"
)
"""The bundled January card transactions the demo trains on."""

DEMO_TARGET = "is_fraud"
"""The column the demo predicts."""

DEMO_FEATURES = DEMO_DATA.with_name("features.py")
"""The demo's feature views (each customer's recent history), copied into the workspace."""


def demo_settings() -> WorkbenchConfig:
    """workbench.toml of the demo: auto promotion, the default gate, the feature store's
    ``customer_activity`` view joined to every transaction."""
    settings = with_overrides(WorkbenchConfig(), "promotion", policy="auto")
    return with_overrides(settings, "features", path="features.py", views=["customer_activity"])


def create_demo_workspace(
    folder: str | Path, data: str | Path | None = None
) -> tuple[Workspace, Path]:
    """Create (or reuse) the demo workspace and find its data file.

    Raises:
        WorkbenchError: The data file is missing (e.g. an install without sample_data/).
    """
    source = Path(data) if data else DEMO_DATA
    if not source.is_file():
        raise WorkbenchError(f"demo data {source} not found; pass --data FILE")
    if not DEMO_FEATURES.is_file():
        raise WorkbenchError(f"demo feature views {DEMO_FEATURES} not found")
    workspace = init_workspace(folder, target=DEMO_TARGET, config=demo_settings())
    features = workspace.root / "features.py"
    if not features.exists():
        shutil.copyfile(DEMO_FEATURES, features)
    return workspace, source
