"""Ingest: hash, dedup, validate, file away; bad files quarantined with their report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from workbench.engine.engine import Engine


def test_a_good_file_is_accepted_filed_in_processed_and_pins_the_contract(
    engine: Engine, small_sample: Path
) -> None:
    outcome = engine.ingest(small_sample, move=False)
    assert outcome.status == "accepted", outcome.message
    assert outcome.dataset is not None and outcome.dataset.rows == 4000
    assert (engine.workspace.root / outcome.dataset.path).is_file()
    assert outcome.dataset.path.startswith("processed/")
    assert small_sample.exists(), "move=False must leave the original in place"
    assert engine.workspace.contract_path.is_file()
    kinds = [e.kind for e in engine.store.events.since(0)]
    assert kinds == ["contract.pinned", "dataset.ingested"]


def test_the_same_bytes_under_another_name_are_a_duplicate_and_add_no_dataset(
    engine: Engine, small_sample: Path, tmp_path: Path
) -> None:
    engine.ingest(small_sample, move=False)
    twin = tmp_path / "renamed.csv"
    shutil.copy(small_sample, twin)
    outcome = engine.ingest(twin, move=True)
    assert outcome.status == "duplicate"
    assert len(engine.store.datasets.list()) == 1
    assert not twin.exists() and (engine.workspace.processed / "renamed.csv").exists()
    assert engine.store.events.since(0)[-1].kind == "dataset.duplicate"


def _quarantined(engine: Engine, path: Path) -> dict:
    outcome = engine.ingest(path, move=True)
    assert outcome.status == "quarantined", outcome.message
    assert not path.exists(), "a quarantined file is moved, not left behind"
    moved = engine.workspace.quarantine / path.name
    assert moved.exists(), "never deleted"
    report = json.loads((moved.parent / (moved.name + ".report.json")).read_text())
    assert report["file"] == path.name
    assert engine.store.events.since(0)[-1].kind == "dataset.quarantined"
    return report


def test_a_file_without_the_target_column_is_quarantined_naming_the_column(
    engine: Engine, small_sample: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "no_target.csv"
    pl.read_csv(small_sample).drop("is_fraud").write_csv(bad)
    report = _quarantined(engine, bad)
    assert "target column 'is_fraud' is missing" in report["reason"]


def test_an_empty_file_is_quarantined(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    report = _quarantined(engine, bad)
    assert "empty" in report["reason"].lower()


def test_a_binary_file_named_csv_is_quarantined_and_the_next_file_still_ingests(
    engine: Engine, tmp_path: Path, small_sample: Path
) -> None:
    bad = tmp_path / "photo.csv"
    bad.write_bytes(bytes(range(256)) * 40)
    report = _quarantined(engine, bad)
    assert report["reason"]
    assert engine.ingest(small_sample, move=False).status == "accepted"


def test_a_later_file_breaking_the_pinned_contract_is_quarantined_with_the_failing_check(
    engine: Engine, small_sample: Path, tmp_path: Path
) -> None:
    engine.ingest(small_sample, move=False)
    bad = tmp_path / "negative_ages.csv"
    pl.read_csv(small_sample, n_rows=500).with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(-5)
        .otherwise(pl.col("customer_age"))
        .alias("customer_age")
    ).write_csv(bad)
    report = _quarantined(engine, bad)
    assert "customer_age" in report["reason"]
