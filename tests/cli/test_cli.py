"""The command line, run as a user runs it: a real process, real exit codes and output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 180


def wb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``workbench ARGS`` in a fresh interpreter."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def trained_once(tmp_path_factory: pytest.TempPathFactory, module_small_sample: Path) -> Path:
    """One workspace after ``init`` and a first ``run`` (a training run is the slow part)."""
    ws = tmp_path_factory.mktemp("cli") / "proj"
    assert wb("init", str(ws), "--target", "is_fraud").returncode == 0
    result = wb("run", "--data", str(module_small_sample), "-w", str(ws))
    assert result.returncode == 0, result.stderr
    assert "run 1: success" in result.stdout
    return ws


@pytest.fixture
def trained(trained_once: Path, tmp_path: Path) -> Path:
    """A copy of :func:`trained_once` of this test's own, moved elsewhere as a user may."""
    return Path(shutil.copytree(trained_once, tmp_path / "proj"))


def test_init_run_models_approve_lineage_end_to_end(trained: Path) -> None:
    models = json.loads(wb("models", "--json", "-w", str(trained)).stdout)
    assert [m["version"] for m in models] == [1]
    assert models[0]["status"] == "candidate"
    assert set(models[0]) >= {"version", "run_id", "candidate", "metrics", "aliases", "status"}

    approved = wb("approve", "1", "--comment", "ship it", "-w", str(trained))
    assert approved.returncode == 0, approved.stderr
    assert "approved" in approved.stdout

    lineage = json.loads(wb("lineage", "1", "--json", "-w", str(trained)).stdout)
    assert lineage["kind"] == "model_version"
    kinds = {c["kind"] for c in lineage["children"]}
    assert {"run", "approval", "alias"} <= kinds

    runs = json.loads(wb("runs", "--json", "-w", str(trained)).stdout)
    assert runs[0]["status"] == "success" and runs[0]["dataset_ids"] == [1]
    detail = json.loads(wb("runs", "1", "--json", "-w", str(trained)).stdout)
    assert any(t["task"] == "train_random_forest" for t in detail["tasks"])


def test_tags_filters_best_runs_and_the_cache_from_the_command_line(
    trained: Path, small_sample: Path
) -> None:
    again = wb("run", "--data", str(small_sample), "-w", str(trained))
    assert again.returncode == 0, again.stderr
    detail = json.loads(wb("runs", "2", "--json", "-w", str(trained)).stdout)
    cached = {t["task"] for t in detail["tasks"] if t["status"] == "cached"}
    trained_tasks = {t["task"] for t in detail["tasks"] if t["task"].startswith("train_")}
    assert cached == trained_tasks | {"refit"}

    tagged = wb("tag", "2", "stage=tuning", "owner=ana", "-w", str(trained))
    assert tagged.returncode == 0, tagged.stderr
    assert "stage=tuning" in tagged.stdout
    runs = json.loads(wb("runs", "--tag", "stage=tuning", "--json", "-w", str(trained)).stdout)
    assert [r["id"] for r in runs] == [2]
    recent = json.loads(wb("runs", "--since", "1h", "--json", "-w", str(trained)).stdout)
    assert [r["id"] for r in recent] == [2, 1]
    best = json.loads(
        wb("runs", "--best", "random_forest.val_roc_auc", "--json", "-w", str(trained)).stdout
    )
    assert {b["run"]["id"] for b in best} == {1, 2} and best[0]["value"] > 0.5
    bad = wb("runs", "--since", "last tuesday", "-w", str(trained))
    assert bad.returncode == 1 and "an age like 24h" in bad.stderr

    entries = json.loads(wb("cache", "--json", "-w", str(trained)).stdout)
    assert {e["task"] for e in entries} == cached and all(e["hits"] == 1 for e in entries)
    cleared = wb("cache", "--clear", "-w", str(trained))
    assert cleared.returncode == 0 and f"{len(cached)} cached result(s) forgotten" in cleared.stdout
    assert json.loads(wb("cache", "--json", "-w", str(trained)).stdout) == []


def test_reject_and_a_second_decision_is_a_one_line_error(trained: Path) -> None:
    assert wb("reject", "1", "--comment", "no", "-w", str(trained)).returncode == 0
    again = wb("approve", "1", "-w", str(trained))
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0
    assert "rejected, not a candidate" in again.stderr
    assert "Traceback" not in again.stderr


def test_commands_outside_a_workspace_say_how_to_make_one(tmp_path: Path) -> None:
    result = wb("models", "-w", str(tmp_path))
    assert result.returncode == 1
    assert "not a workspace" in result.stderr and "workbench init" in result.stderr


def test_a_missing_data_file_is_a_one_line_error(tmp_path: Path) -> None:
    wb("init", str(tmp_path), "--target", "y")
    result = wb("run", "--data", str(tmp_path / "nope.csv"), "-w", str(tmp_path))
    assert result.returncode == 1
    assert "nope.csv: no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_missing_the_target_fails_and_says_so(tmp_path: Path, small_sample: Path) -> None:
    wb("init", str(tmp_path / "ws"), "--target", "label")
    result = wb("run", "--data", str(small_sample), "-w", str(tmp_path / "ws"))
    assert result.returncode == 1
    assert "target column 'label' is missing" in result.stderr


def test_contract_infer_pin_show_and_diff_the_defects_file(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_data"
    wb("init", str(tmp_path), "--target", "is_fraud")
    inferred = wb(
        "contract", "infer", str(sample / "transactions_2026_01.csv"), "--pin", "-w", str(tmp_path)
    )
    assert inferred.returncode == 0, inferred.stderr
    shown = wb("contract", "show", "-w", str(tmp_path))
    assert 'name = "merchant_category"' in shown.stdout
    diff = wb(
        "contract", "diff", str(sample / "transactions_defects.csv"), "--json", "-w", str(tmp_path)
    )
    assert diff.returncode == 1
    report = json.loads(diff.stdout)
    failed = {c["name"]: c for c in report["checks"] if not c["passed"]}
    assert [row for row, _ in failed["channel in allowed values"]["examples"]] == [141, 189]
    assert any(c["column"] == "amount" for c in report["schema_changes"])


def test_a_run_the_gate_refuses_says_why_instead_of_a_silent_success(tmp_path: Path) -> None:
    import numpy as np
    import polars as pl
    from sklearn.datasets import load_breast_cancer

    features = load_breast_cancer().data
    labels = np.random.default_rng(7).integers(0, 2, size=len(features))
    data = tmp_path / "random_labels.csv"
    pl.DataFrame({f"f{i}": features[:, i] for i in range(5)} | {"label": labels}).write_csv(data)
    ws = tmp_path / "proj"
    assert wb("init", str(ws), "--target", "label").returncode == 0
    (ws / "workbench.toml").write_text(
        (ws / "workbench.toml")
        .read_text()
        .replace(
            'candidates = ["logistic_regression", "random_forest", "hist_gradient_boosting"]',
            'candidates = ["logistic_regression"]',
        )
    )
    result = wb("run", "--data", str(data), "-w", str(ws))
    assert result.returncode == 0, result.stderr
    assert "run 1: success" in result.stdout
    said = " ".join(result.stdout.split("run 1: success")[-1].split())  # rich may wrap it
    assert said.startswith("nothing registered: logistic_regression failed the gate")
    assert "does not beat the baseline" in said
