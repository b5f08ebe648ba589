"""``workbench models N --report [--json]`` on a trained workspace, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.core.quality import QualityReport
from workbench.core.workspace import open_workspace
from workbench.engine.engine import Engine

from ..model_reports import forget_report, record_report
from .test_cli import wb


@pytest.fixture
def reported(workspace_copy: Path) -> tuple[Path, QualityReport]:
    """The trained template's copy with a quality report recorded for version 2 only."""
    with Engine(open_workspace(workspace_copy)) as engine:
        report = record_report(engine, 2)
        forget_report(engine, 1)
    return workspace_copy, report


def test_report_json_is_the_stored_report(reported: tuple[Path, QualityReport]) -> None:
    root, report = reported
    result = wb("models", "2", "--report", "--json", "-w", str(root))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert QualityReport.from_dict(data) == report
    assert sum(map(sum, data["confusion"]["counts"])) == data["rows"]


def test_report_tables_show_each_part(reported: tuple[Path, QualityReport]) -> None:
    root, report = reported
    result = wb("models", "2", "--report", "-w", str(root))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "model version 2: binary, 1500 test rows, threshold 0.5" in out
    assert report.roc is not None and f"roc_auc {report.roc.area:.4f}" in out
    for title in ("Confusion matrix at threshold 0.5", "Calibration", "Permutation importance"):
        assert title in out
    assert report.importances[0].column in out


def test_a_version_without_a_report_says_so_and_exits_1(
    reported: tuple[Path, QualityReport],
) -> None:
    root, _ = reported
    as_json = wb("models", "1", "--report", "--json", "-w", str(root))
    assert (as_json.returncode, json.loads(as_json.stdout)) == (1, None)
    plain = wb("models", "1", "--report", "-w", str(root))
    assert plain.returncode == 1 and "has no quality report" in plain.stdout
    missing = wb("models", "--report", "-w", str(root))
    assert missing.returncode == 1 and "--report needs a model version" in missing.stderr
    unknown = wb("models", "7", "--json", "-w", str(root))
    assert unknown.returncode == 1 and "no model version 7" in unknown.stderr
    one = json.loads(wb("models", "2", "--json", "-w", str(root)).stdout)
    assert [m["version"] for m in one] == [2]
