"""Models you can trust: chosen on validation, tested once, gated against a baseline,
promoted on an interval, served with the threshold they were chosen with.

Every test runs the real default pipeline through a real engine on a DuckDB file in
tmp_path, on small data that ships with scikit-learn or is generated here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import polars as pl
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine


def _workspace(tmp_path: Path, target: str, name: str = "ws", **sections: dict) -> Workspace:
    config = WorkbenchConfig()
    for section, values in sections.items():
        config = with_overrides(config, section, **values)
    return init_workspace(tmp_path / name, target=target, config=config)


def _run(engine: Engine, csv: Path):
    dataset = engine.ingest(csv, move=False).dataset
    assert dataset is not None
    return engine.run([dataset.id])


def _metric_tasks(engine: Engine, run_id: int, key: str) -> list[str]:
    return [m.task for m in engine.store.runs.metric_history(run_id, key)]


@pytest.fixture
def random_labels(tmp_path: Path) -> Path:
    """breast_cancer's 30 features with labels drawn at random: nothing to learn."""
    features = load_breast_cancer(as_frame=False).data
    labels = np.random.default_rng(7).integers(0, 2, size=len(features))
    frame = pl.DataFrame(
        {f"f{i}": features[:, i] for i in range(features.shape[1])} | {"label": labels}
    )
    path = tmp_path / "random_labels.csv"
    frame.write_csv(path)
    return path


def test_a_thirty_trial_search_on_random_labels_is_refused_by_the_default_gate(
    tmp_path: Path, random_labels: Path
) -> None:
    grid = {
        "max_depth": [2, 3, 4, 6, 8, 12],
        "min_samples_leaf": [1, 2, 5, 10, 20],
        "n_estimators": [10],
    }
    root = _workspace(
        tmp_path,
        "label",
        train={
            "candidates": ["random_forest"],
            "search": {"random_forest": {"strategy": "grid", "params": grid}},
        },
    )
    with Engine(root) as engine:
        run = _run(engine, random_labels)
        assert run.status == "success"
        assert engine.store.registry.list() == [], "a model at chance must not be registered"
        failed = [e for e in engine.store.events.since(0) if e.kind == "gate.failed"]
        assert len(failed) == 1 and "does not beat the baseline" in failed[0].message
        low, high = failed[0].payload["interval"]
        assert low <= 0 <= high

        metrics = engine.store.runs.metrics(run.id)
        trials = {k: v for k, v in metrics.items() if k.endswith(".val_roc_auc")}
        assert len(trials) == 30
        # chosen on validation: the selection score is the best trial's validation score
        assert metrics["val_roc_auc"] == max(trials.values())
        # and tested once: only the chosen model's single evaluation reports a test metric
        assert _metric_tasks(engine, run.id, "test_roc_auc") == ["test"]
        assert not [k for k in metrics if k.startswith("random_forest_t") and "test" in k]
        assert 0.3 < metrics["test_roc_auc"] < 0.7


def _drifting(path: Path, rows: int = 2400) -> Path:
    """A time-ordered table whose label follows x1 early and x2 late, with a timestamp."""
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    weight = np.linspace(0.0, 1.0, rows)  # how far into the period each row is
    logit = 3 * ((1 - weight) * x1 + weight * x2)
    label = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    start = datetime(2026, 1, 1)
    frame = pl.DataFrame(
        {
            "ts": [start + timedelta(minutes=10 * i) for i in range(rows)],
            "x1": x1,
            "x2": x2,
            "label": label,
        }
    )
    frame.write_csv(path)
    return path


def test_out_of_time_evaluation_scores_a_drifting_relation_lower_than_a_random_split(
    tmp_path: Path,
) -> None:
    data = _drifting(tmp_path / "drift.csv")
    scores = {}
    for split in ("auto", "random"):
        root = _workspace(
            tmp_path,
            "label",
            f"ws-{split}",
            train={"candidates": ["logistic_regression"], "split": split},
        )
        with Engine(root) as engine:
            run = _run(engine, data)
            assert run.status == "success"
            scores[split] = engine.store.runs.metrics(run.id)["test_roc_auc"]
            chosen = engine.store.runs.params(run.id)["split.split"]
            assert chosen == ("time" if split == "auto" else "random")
    assert scores["auto"] < scores["random"] - 0.03, scores


def _nonlinear(path: Path, rows: int = 1500) -> Path:
    """A label from an interaction a depth-1 stump cannot see but boosting can."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(rows, 3))
    label = ((x[:, 0] * x[:, 1] + 0.3 * x[:, 2] + 0.3 * rng.normal(size=rows)) > 0).astype(int)
    pl.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "label": label}).write_csv(path)
    return path


def _set_train(ws: Workspace, candidates: list[str], params: dict) -> None:
    import tomlkit

    path = ws.config_path
    doc = tomlkit.parse(path.read_text())
    doc["train"]["candidates"] = candidates  # type: ignore[index]
    doc["train"]["params"] = params  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))


def test_auto_promotion_refuses_an_identical_model_and_approves_a_clearly_better_one(
    tmp_path: Path,
) -> None:
    data = _nonlinear(tmp_path / "nonlinear.csv")
    root = _workspace(
        tmp_path,
        "label",
        train={"candidates": ["random_forest"], "split": "random"},
        promotion={"policy": "auto", "bootstrap": 500},
    )
    _set_train(root, ["random_forest"], {"random_forest": {"max_depth": 1, "n_estimators": 1}})
    with Engine(root) as engine:
        _run(engine, data)
        assert engine.store.registry.alias("production").version == 1  # first model: approved

        engine.run([1])  # the same stump again, on the same rows
        second = engine.store.registry.get(2)
        assert second is not None and second.status == "candidate"
        compared = second.champion["comparison"]
        assert compared["low"] <= 0.0 <= compared["high"]
        assert compared["delta"] == 0.0
        refused = [e for e in engine.store.events.since(0) if e.kind == "model.not_promoted"]
        assert refused and "not significant" in refused[-1].message

    _set_train(root, ["hist_gradient_boosting"], {})
    with Engine(root) as engine:
        engine.run([1])
        third = engine.store.registry.get(3)
        assert third is not None and third.status == "approved"
        compared = third.champion["comparison"]
        assert compared["low"] > 0.1
        decision = engine.store.registry.approvals(3)[-1]
        assert decision.actor == "policy:auto" and decision.comparison == compared


def test_regression_on_diabetes_passes_the_default_gate(tmp_path: Path) -> None:
    data = load_diabetes(as_frame=False)
    frame = pl.DataFrame(
        {f"f{i}": data.data[:, i] for i in range(data.data.shape[1])} | {"y": data.target}
    )
    frame.write_csv(tmp_path / "diabetes.csv")
    root = _workspace(tmp_path, "y", train={"candidates": ["logistic_regression"]})
    with Engine(root) as engine:
        _run(engine, tmp_path / "diabetes.csv")
        (model,) = engine.store.registry.list()
        assert model.candidate == "ridge" and model.threshold is None
        assert model.evaluation["metric"] == "rmse"
        assert model.metrics["rmse"] < model.evaluation["baseline"]["rmse"]
        assert model.evaluation["versus_baseline"]["low"] > 0


def test_cv_selection_records_fold_mean_and_spread_apart_from_the_test_metric_with_balanced_weights(
    tmp_path: Path,
) -> None:
    data = _nonlinear(tmp_path / "nonlinear.csv", rows=600)
    root = _workspace(
        tmp_path,
        "label",
        train={
            "candidates": ["logistic_regression"],
            "selection": "cv",
            "cv_folds": 3,
            "params": {"logistic_regression": {"class_weight": "balanced"}},
        },
    )
    with Engine(root) as engine:
        run = _run(engine, data)
        params = engine.store.runs.params(run.id)
        assert params["train_logistic_regression.class_weight"] == "balanced"
        assert params["split.selection"] == "cv"
        metrics = engine.store.runs.metrics(run.id)
        assert {"cv_roc_auc_mean", "cv_roc_auc_std", "test_roc_auc"} <= set(metrics)
        assert "val_roc_auc" not in metrics


def test_the_chosen_threshold_reaches_the_scoring_servers_answers(
    tmp_path: Path, small_sample: Path, free_port: int
) -> None:
    root = _workspace(tmp_path, "is_fraud", train={"candidates": ["logistic_regression"]})
    rows = pl.read_csv(small_sample).drop("is_fraud").head(400)
    with Engine(root) as engine:
        _run(engine, small_sample)
        (model,) = engine.store.registry.list()
        assert model.threshold is not None and model.threshold < 0.5  # f1 on rare positives
        engine.approve(1)
        info = engine.serve_when_ready(port=free_port)
        assert info is not None
        with httpx.Client(timeout=30) as client:
            response = client.post(
                f"{info.url}/invocations",
                json={"dataframe_split": {"columns": rows.columns, "data": rows.rows()}},
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["threshold"] == pytest.approx(model.threshold)
        positive = np.asarray(body["probabilities"])[:, 1]
        assert body["predictions"] == [int(p >= model.threshold) for p in positive]
        between = (positive >= model.threshold) & (positive < 0.5)
        assert between.any(), "no row shows the difference from the 0.5 default"


def test_newest_file_holds_out_the_newest_dataset_of_the_window(tmp_path: Path) -> None:
    whole = pl.read_csv(_nonlinear(tmp_path / "all.csv", rows=900))
    whole.head(600).write_csv(tmp_path / "older.csv")
    whole.tail(300).write_csv(tmp_path / "newer.csv")
    ws = _workspace(
        tmp_path, "label", train={"candidates": ["logistic_regression"], "split": "newest_file"}
    )
    with Engine(ws) as engine:
        ids = [
            engine.ingest(tmp_path / f"{n}.csv", move=False).dataset.id for n in ("older", "newer")
        ]
        run = engine.run(ids)
        params = engine.store.runs.params(run.id)
        assert params["split.split"] == "newest_file" and params["split.rows_test"] == "300"
        assert params["split.rows_train"] == "480" and params["split.rows_validation"] == "120"
