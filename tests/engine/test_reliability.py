"""Faults and hostile inputs through the engine: each injected for real."""

from __future__ import annotations

import gzip
import hashlib
import pickle
from pathlib import Path

import polars as pl
import pytest
import tomlkit

from workbench.core.errors import ModelFileError, RegistryError, ServingError
from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine
from workbench.modelfile import load_model

from .helpers import set_config


def _reason(engine: Engine, path: Path) -> str:
    outcome = engine.ingest(path, move=True)
    assert outcome.status == "quarantined", outcome.message
    assert (engine.workspace.quarantine / path.name).exists()
    return outcome.message


def test_files_past_the_size_limits_are_quarantined_unread(
    workspace: Workspace, small_sample: Path, tmp_path: Path
) -> None:
    set_config(workspace, "watch", max_file_mb=0.2, max_expanded_mb=1.0, max_line_kb=2.0)
    big = tmp_path / "big.csv"
    pl.read_csv(small_sample).write_csv(big)  # 4,000 rows: about 0.27 MiB
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"a,b\n" + b"0,0\n" * 600_000))
    long_line = tmp_path / "long.csv"
    long_line.write_text("a,b\n1,2\n" + "x" * 5000 + ",3\n")
    with Engine(workspace) as engine:
        assert "watch.max_file_mb" in _reason(engine, big)
        assert "decompression bomb" in _reason(engine, bomb)
        message = _reason(engine, long_line)
        assert "watch.max_line_kb" in message and "byte 8" in message


def test_one_candidate_raising_does_not_stop_the_others(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression", "random_forest"])
    doc = tomlkit.parse(workspace.config_path.read_text())
    search = tomlkit.table(is_super_table=True)
    search["random_forest"] = {"strategy": "grid", "params": {"max_depth": ["deep"]}}
    doc["train"]["search"] = search  # type: ignore[index]
    workspace.config_path.write_text(tomlkit.dumps(doc))
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        tasks = {t.task: t for t in engine.store.runs.tasks(run.id)}
        assert tasks["train_random_forest_t0"].status == "failed"
        assert tasks["train_logistic_regression"].status == "success"
        assert tasks["register"].status == "success"
        assert engine.store.registry.list()[0].candidate == "logistic_regression"


def test_a_changed_byte_in_the_production_artifact_refuses_to_serve(
    workspace: Workspace, small_sample: Path, free_port: int
) -> None:
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        engine.run([dataset.id])
        model = engine.approve(1)
        path = engine.store.artifacts.path(model.artifact_sha256)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
        with pytest.raises(ServingError, match="sha256"):
            engine.serve(port=free_port)


def test_a_model_from_another_scikit_learn_version_is_flagged_retrain_required(
    workspace: Workspace, small_sample: Path
) -> None:
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        engine.run([dataset.id])
        engine.approve(1)
        engine.store.db.execute("UPDATE model_versions SET sklearn_version = '0.24.2'")
        with pytest.raises(RegistryError, match="retrain required"):
            engine.serving_manifest()
        assert engine.store.events.since(0)[-1].kind == "model.retrain_required"


def test_a_pickle_placed_among_the_artifacts_is_never_loaded(tmp_path: Path) -> None:
    payload = pickle.dumps({"looks": "like a model"})
    sha = hashlib.sha256(payload).hexdigest()
    path = tmp_path / sha
    path.write_bytes(payload)
    with pytest.raises(ModelFileError, match="not a skops model file"):
        load_model(path, sha)
