"""Record a real quality report for a model version of a trained test workspace.

The default pipeline records the report in its register step, on its test rows; the
tests that need a report of known content compute it here the same way (the version's
skops artifact, scored on rows of the sample data) and keep it through the engine, as the
registry sink does. ``forget_report`` makes a version as a store from before reports has
it (or a custom pipeline that records none): without one.
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.quality import QualityReport
from workbench.engine.engine import Engine
from workbench.modelfile import load_model
from workbench.training.quality import quality_report
from workbench.validation import read_dataset

JANUARY = Path(__file__).resolve().parents[1] / "sample_data" / "transactions_2026_01.csv"


def record_report(
    engine: Engine, version: int, data: Path = JANUARY, rows: int = 1_500
) -> QualityReport:
    """Compute ``version``'s report on the last ``rows`` rows of ``data`` and store it."""
    model = engine.store.registry.get(version)
    assert model is not None, f"no model version {version}"
    estimator = load_model(
        engine.store.artifacts.path(model.artifact_sha256), model.artifact_sha256
    )
    frame = read_dataset(data).tail(rows)
    signature = model.signature
    inputs = [column["name"] for column in signature["inputs"]]
    report = quality_report(
        estimator, frame.select(inputs), frame[signature["target"]], signature["task"], 0.5
    )
    engine.record_quality(version, report)
    return report


def forget_report(engine: Engine, version: int) -> None:
    """Drop ``version``'s stored report, as if it had been registered without one."""
    engine.store.db.execute("DELETE FROM quality_reports WHERE version = ?", [version])
