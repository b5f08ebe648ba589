"""Quality reports are kept per model version in the DuckDB file and read back intact."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes

from workbench.core.errors import StoreError
from workbench.core.quality import QualityReport
from workbench.store import Store
from workbench.training import fit_candidate, plan_features, split_frame
from workbench.training.quality import quality_report


def _report(loader: object, task: str, candidate: str) -> QualityReport:
    data = loader()  # type: ignore[operator]
    frame = pl.DataFrame(data.data, schema=[f"x{i}" for i in range(data.data.shape[1])])
    frame = frame.with_columns(pl.Series("y", data.target))
    train, test = split_frame(frame, "y", task, 0.25, 0)
    model = fit_candidate(candidate, task, plan_features(train, "y"), train, "y", {}, 0)
    return quality_report(model.estimator, test.drop("y"), test["y"], task, 0.4)


@pytest.fixture(scope="module")
def reports() -> dict[str, QualityReport]:
    return {
        "binary": _report(load_breast_cancer, "binary", "logistic_regression"),
        "regression": _report(load_diabetes, "regression", "ridge"),
    }


def test_reports_survive_closing_and_reopening_the_file(
    tmp_path: Path, reports: dict[str, QualityReport]
) -> None:
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        store.quality.save(1, reports["binary"])
        store.quality.save(2, reports["regression"])
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        assert store.quality.get(1) == reports["binary"]
        assert store.quality.get(2) == reports["regression"]
        assert store.quality.get(3) is None
        assert store.db.scalar("SELECT count(*) FROM quality_reports") == 2


def test_saving_again_replaces_the_report(
    tmp_path: Path, reports: dict[str, QualityReport]
) -> None:
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        store.quality.save(1, reports["binary"])
        store.quality.save(1, reports["regression"])
        assert store.quality.get(1) == reports["regression"]


def test_a_report_with_a_nan_is_refused_and_nothing_is_written(
    tmp_path: Path, reports: dict[str, QualityReport]
) -> None:
    broken = dataclasses.replace(reports["binary"], seconds=float("nan"))
    with Store(tmp_path / "workbench.duckdb", tmp_path / "artifacts") as store:
        with pytest.raises(StoreError, match="version 4 holds a NaN"):
            store.quality.save(4, broken)
        assert store.quality.get(4) is None
