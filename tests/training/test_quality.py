"""The quality report agrees with scikit-learn's own numbers on real data sets.

breast_cancer (binary), iris (multiclass) and diabetes (regression) ship with
scikit-learn; each is fitted through the same ``fit_candidate`` the pipeline uses, so
the report is computed on the kind of pipeline a model version's artifact holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pytest
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

from workbench.core.errors import TrainingError
from workbench.core.quality import QualityReport
from workbench.training import TrainedModel, fit_candidate, plan_features, split_frame
from workbench.training.quality import MAX_CURVE_POINTS, SCREEN_ABOVE, quality_report, thin

from .frames import TARGET, binary_frame


def _fitted(
    loader: Callable[..., Any], task: str, candidate: str
) -> tuple[TrainedModel, pl.DataFrame]:
    data = loader()
    names = [str(n).replace(" ", "_") for n in data.feature_names]
    frame = pl.DataFrame(data.data, schema=names).with_columns(pl.Series(TARGET, data.target))
    train, test = split_frame(frame, TARGET, task, 0.25, 0)
    model = fit_candidate(candidate, task, plan_features(train, TARGET), train, TARGET, {}, 0)
    return model, test


@pytest.fixture(scope="module")
def cancer() -> tuple[TrainedModel, pl.DataFrame]:
    return _fitted(load_breast_cancer, "binary", "logistic_regression")


@pytest.fixture(scope="module")
def cancer_report(cancer: tuple[TrainedModel, pl.DataFrame]) -> QualityReport:
    model, test = cancer
    return quality_report(model.estimator, test.drop(TARGET), test[TARGET], "binary", 0.5)


def test_binary_curves_have_sklearns_areas_and_points(
    cancer: tuple[TrainedModel, pl.DataFrame], cancer_report: QualityReport
) -> None:
    model, test = cancer
    truth = test[TARGET].to_numpy() == 1
    scores = model.estimator.predict_proba(test.drop(TARGET))[:, 1]
    report = cancer_report
    assert report.roc is not None and report.precision_recall is not None
    assert report.roc.area == pytest.approx(metrics.roc_auc_score(truth, scores), abs=1e-12)
    assert report.precision_recall.area == pytest.approx(
        metrics.average_precision_score(truth, scores), abs=1e-12
    )
    # the stored points draw the same curve: trapezoids under them give the AUC back
    assert np.trapezoid(report.roc.y, report.roc.x) == pytest.approx(report.roc.area, abs=1e-9)
    fpr, tpr, _ = metrics.roc_curve(truth, scores)
    assert report.roc.x == tuple(fpr) and report.roc.y == tuple(tpr)
    assert report.roc.thresholds[0] is None, "roc_curve's first threshold is +inf"
    assert len(report.precision_recall.x) == len(report.precision_recall.thresholds)


@pytest.mark.parametrize("threshold", [0.2, 0.5, 0.9])
def test_binary_confusion_matrix_counts_the_rows_at_the_threshold(
    cancer: tuple[TrainedModel, pl.DataFrame], threshold: float
) -> None:
    model, test = cancer
    report = quality_report(model.estimator, test.drop(TARGET), test[TARGET], "binary", threshold)
    truth = test[TARGET].to_numpy() == 1
    predicted = model.estimator.predict_proba(test.drop(TARGET))[:, 1] >= threshold
    assert report.confusion is not None and report.threshold == threshold
    assert report.confusion.total == test.height == report.rows
    assert report.confusion.labels == ("0", "1") and report.positive_label == "1"
    (tn, fp), (fn, tp) = report.confusion.counts
    assert (tn, fp, fn, tp) == (
        int((~truth & ~predicted).sum()),
        int((~truth & predicted).sum()),
        int((truth & ~predicted).sum()),
        int((truth & predicted).sum()),
    )


def test_binary_calibration_matches_calibration_curve(
    cancer: tuple[TrainedModel, pl.DataFrame], cancer_report: QualityReport
) -> None:
    model, test = cancer
    truth = test[TARGET].to_numpy() == 1
    scores = model.estimator.predict_proba(test.drop(TARGET))[:, 1]
    observed, predicted = calibration_curve(truth, scores, n_bins=10)
    calibration = cancer_report.calibration
    assert calibration is not None and calibration.of == "positive class"
    np.testing.assert_allclose(calibration.observed, observed)
    np.testing.assert_allclose(calibration.predicted, predicted)
    assert len(calibration.counts) == len(observed) and sum(calibration.counts) == test.height
    assert calibration.brier == pytest.approx(metrics.brier_score_loss(truth, scores))


def test_importance_names_input_columns_and_finds_the_signal() -> None:
    frame = binary_frame(rows=800)
    train, test = split_frame(frame, TARGET, "binary", 0.3, 0)
    plan = plan_features(train, TARGET)
    model = fit_candidate("logistic_regression", "binary", plan, train, TARGET, {}, 0)
    features = test.select(plan.features)
    report = quality_report(model.estimator, features, test[TARGET], "binary", max_columns=3)
    assert report.columns == features.width and report.importance_metric == "roc_auc"
    assert [i.column for i in report.importances][:1] == ["signal"]
    assert len(report.importances) == 3
    assert {i.column for i in report.importances} <= set(features.columns)  # never one-hot names
    means = [i.mean for i in report.importances]
    assert means == sorted(means, reverse=True)
    again = quality_report(model.estimator, features, test[TARGET], "binary", max_columns=3)
    assert again.importances == report.importances, "the same seed gives the same shuffles"


def test_multiclass_confusion_is_sklearns_and_calibrates_the_top_label() -> None:
    model, test = _fitted(load_iris, "multiclass", "random_forest")
    features, truth = test.drop(TARGET), test[TARGET].to_numpy()
    report = quality_report(model.estimator, features, truth, "multiclass", None)
    expected = metrics.confusion_matrix(truth, model.estimator.predict(features), labels=[0, 1, 2])
    assert report.confusion is not None
    assert report.confusion.counts == tuple(tuple(int(c) for c in row) for row in expected)
    assert report.roc is None and report.threshold is None
    assert report.calibration is not None and report.calibration.of == "top label"
    assert sum(report.calibration.counts) == test.height
    assert report.importance_metric == "f1_macro" and report.importances


def test_regression_residuals_match_sklearns_errors() -> None:
    model, test = _fitted(load_diabetes, "regression", "ridge")
    features, truth = test.drop(TARGET), test[TARGET].to_numpy()
    report = quality_report(model.estimator, features, test[TARGET], "regression", None)
    predicted = model.estimator.predict(features)
    residuals = report.residuals
    assert residuals is not None and report.confusion is None and report.calibration is None
    assert residuals.rmse == pytest.approx(metrics.root_mean_squared_error(truth, predicted))
    assert residuals.mae == pytest.approx(metrics.mean_absolute_error(truth, predicted))
    assert residuals.mean == pytest.approx(float(np.mean(truth - predicted)))
    assert residuals.quantiles["median"] == pytest.approx(float(np.median(truth - predicted)))
    assert sum(residuals.counts) == test.height
    assert len(residuals.edges) == len(residuals.counts) + 1
    assert report.importance_metric == "rmse"
    assert report.importances[0].mean > 0, "shuffling the most useful column raises rmse"


def test_curves_are_thinned_to_the_limit_with_their_ends() -> None:
    frame = binary_frame(rows=3000, seed=5)
    train, test = split_frame(frame, TARGET, "binary", 0.5, 0)
    plan = plan_features(train, TARGET)
    model = fit_candidate("random_forest", "binary", plan, train, TARGET, {}, 0)
    features = test.select(plan.features)
    report = quality_report(model.estimator, features, test[TARGET], "binary")
    truth = test[TARGET].to_numpy() == 1
    scores = model.estimator.predict_proba(features)[:, 1]
    _, recall, _ = metrics.precision_recall_curve(truth, scores)
    assert len(recall) > MAX_CURVE_POINTS, "the test needs a curve longer than the limit"
    curve = report.precision_recall
    assert curve is not None and len(curve.x) <= MAX_CURVE_POINTS
    assert (curve.x[0], curve.x[-1]) == (recall[0], recall[-1])
    assert report.importance_rows == 1000 < report.rows
    assert list(thin(5)) == [0, 1, 2, 3, 4]


def test_report_survives_json_without_nan_or_infinity(cancer_report: QualityReport) -> None:
    text = json.dumps(cancer_report.to_dict(), allow_nan=False)
    assert QualityReport.from_dict(json.loads(text)) == cancer_report


def test_bad_input_is_refused_with_the_reason(cancer: tuple[TrainedModel, pl.DataFrame]) -> None:
    model, test = cancer
    features = test.drop(TARGET)
    with pytest.raises(TrainingError, match="empty test set"):
        quality_report(model.estimator, features.head(0), [], "binary", 0.5)
    with pytest.raises(TrainingError, match="must pair up"):
        quality_report(model.estimator, features, test[TARGET].head(3), "binary", 0.5)
    with pytest.raises(TrainingError, match="only one class"):
        quality_report(model.estimator, features, np.ones(test.height, int), "binary", 0.5)
    with pytest.raises(TrainingError, match="unknown task"):
        quality_report(model.estimator, features, test[TARGET], "ranking", None)
    with pytest.raises(TrainingError, match="could not score"):
        quality_report(model.estimator, features.drop("mean_radius"), test[TARGET], "binary")


def test_wide_data_is_screened_first_and_the_signal_still_leads() -> None:
    frame = binary_frame(rows=800)
    rng = np.random.default_rng(7)
    noise = pl.DataFrame({f"noise_{i:02d}": rng.normal(size=frame.height) for i in range(60)})
    frame = pl.concat([frame, noise], how="horizontal")
    train, test = split_frame(frame, TARGET, "binary", 0.3, 0)
    plan = plan_features(train, TARGET)
    model = fit_candidate("logistic_regression", "binary", plan, train, TARGET, {}, 0)
    features = test.select(plan.features)
    assert features.width > SCREEN_ABOVE
    report = quality_report(model.estimator, features, test[TARGET], "binary", max_columns=5)
    assert report.columns == features.width and len(report.importances) == 5
    assert report.importances[0].column == "signal"
