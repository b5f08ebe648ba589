"""``workbench features`` as a user runs it: views, one entity, JSON, a bad path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import tomlkit

from .test_cli import wb

REPO = Path(__file__).resolve().parents[2]


def _set_features(ws: Path, **values: object) -> None:
    config = ws / "workbench.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    for key, value in values.items():
        doc["features"][key] = value  # type: ignore[index]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")


def test_features_lists_views_and_one_entity_after_a_run(
    tmp_path: Path, small_sample: Path
) -> None:
    ws = tmp_path / "proj"
    assert wb("init", str(ws), "--target", "is_fraud").returncode == 0
    shutil.copyfile(REPO / "sample_data" / "features.py", ws / "features.py")
    _set_features(ws, path="features.py", views=["customer_activity"])
    config = ws / "workbench.toml"  # one quick candidate: the run is not what is tested
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["train"]["candidates"] = ["logistic_regression"]  # type: ignore[index]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    run = wb("run", "--data", str(small_sample), "-w", str(ws))
    assert run.returncode == 0, run.stderr

    listing = wb("features", "-w", str(ws))
    assert listing.returncode == 0, listing.stderr
    assert "customer_activity" in listing.stdout and "n_tx_last_24h" in listing.stdout
    one = wb("features", "customer_activity", "--entity", "cust-0001", "--json", "-w", str(ws))
    assert one.returncode == 0, one.stderr
    found = json.loads(one.stdout)
    assert found["key"] == "cust-0001" and found["latest"]["customer_id"] == "cust-0001"
    assert found["history"][-1] == found["latest"]
    missing = wb("features", "nope", "-w", str(ws))
    assert missing.returncode == 1 and "no feature view 'nope'" in missing.stderr


def test_a_features_path_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "proj"
    assert wb("init", str(ws), "--target", "is_fraud").returncode == 0
    (tmp_path / "elsewhere.py").write_text("raise SystemExit('never imported')\n")
    _set_features(ws, path="../elsewhere.py")

    result = wb("features", "--materialize", "-w", str(ws))

    assert result.returncode == 1
    assert "outside the workspace" in result.stderr
