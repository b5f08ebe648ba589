from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from workbench.core.errors import TrainingError
from workbench.training import evaluate, fit_candidate, plan_features, primary_metric, split_frame

from .conftest import Fitted
from .frames import TARGET, binary_frame

BINARY_KEYS = {"roc_auc", "average_precision", "accuracy", "f1", "precision", "recall", "log_loss"}


@pytest.mark.parametrize("name", ["logistic_regression", "random_forest", "hist_gradient_boosting"])
def test_learnable_binary_problem_scores_well(
    fitted: dict[tuple[str, str], Fitted], name: str
) -> None:
    case = fitted[("binary", name)]
    scores = evaluate(case.model.estimator, case.test, TARGET, "binary")
    assert set(scores) == BINARY_KEYS
    assert scores["roc_auc"] > 0.8
    assert 0.6 < scores["accuracy"] <= 1.0
    assert 0.0 < scores["log_loss"] < 0.7
    assert all(type(v) is float for v in scores.values())


@pytest.mark.parametrize("name", ["logistic_regression", "random_forest", "hist_gradient_boosting"])
def test_learnable_multiclass_problem_scores_well(
    fitted: dict[tuple[str, str], Fitted], name: str
) -> None:
    case = fitted[("multiclass", name)]
    scores = evaluate(case.model.estimator, case.test, TARGET, "multiclass")
    assert set(scores) == {"accuracy", "f1_macro", "log_loss", "roc_auc_ovr"}
    assert scores["accuracy"] > 0.6
    assert scores["f1_macro"] > 0.5
    assert scores["roc_auc_ovr"] > 0.8


@pytest.mark.parametrize("name", ["ridge", "random_forest", "hist_gradient_boosting"])
def test_learnable_regression_problem_scores_well(
    fitted: dict[tuple[str, str], Fitted], name: str
) -> None:
    case = fitted[("regression", name)]
    scores = evaluate(case.model.estimator, case.test, TARGET, "regression")
    assert set(scores) == {"rmse", "mae", "r2"}
    assert scores["r2"] > 0.6
    assert 0.0 < scores["mae"] <= scores["rmse"] < float(np.std(case.test[TARGET].to_numpy()))


def test_string_labels_take_the_second_sorted_label_as_positive() -> None:
    frame = binary_frame(labels=("legit", "zfraud"))
    plan = plan_features(frame, TARGET)
    train, test = split_frame(frame, TARGET, "binary")
    model = fit_candidate("logistic_regression", "binary", plan, train, TARGET, {}, 0)
    scores = evaluate(model.estimator, test, TARGET, "binary")
    predicted = model.estimator.predict(test.drop(TARGET))
    truth = test[TARGET].to_numpy()
    hits = np.sum((predicted == "zfraud") & (truth == "zfraud"))
    assert scores["recall"] == pytest.approx(hits / np.sum(truth == "zfraud"))
    assert scores["precision"] == pytest.approx(hits / np.sum(predicted == "zfraud"))
    assert scores["roc_auc"] > 0.8


def test_test_set_with_one_class_is_refused(fitted: dict[tuple[str, str], Fitted]) -> None:
    case = fitted[("binary", "logistic_regression")]
    one_class = case.test.filter(pl.col(TARGET) == 1)
    with pytest.raises(TrainingError, match="only one class"):
        evaluate(case.model.estimator, one_class, TARGET, "binary")


def test_primary_metrics_and_their_direction() -> None:
    assert primary_metric("binary") == ("roc_auc", "max")
    assert primary_metric("multiclass") == ("f1_macro", "max")
    assert primary_metric("regression") == ("rmse", "min")
    with pytest.raises(TrainingError, match="unknown task"):
        primary_metric("ranking")
