"""Score a fitted model on held-out rows with the metrics people expect for its task.

Binary: ``roc_auc``, ``average_precision``, ``accuracy``, ``f1``, ``precision``,
``recall``, ``log_loss``, with the positive class being ``classes_[1]`` (``True``, ``1``,
or the later of two sorted string labels). Multiclass: ``accuracy``, ``f1_macro``,
``log_loss``, ``roc_auc_ovr``. Regression: ``rmse``, ``mae``, ``r2``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn import metrics

from workbench.core.errors import TrainingError
from workbench.training.bootstrap import Outputs
from workbench.training.labels import plain_classes, target_labels
from workbench.training.task_type import TASKS

_PRIMARY: dict[str, tuple[str, str]] = {
    "binary": ("roc_auc", "max"),
    "multiclass": ("f1_macro", "max"),
    "regression": ("rmse", "min"),
}


def primary_metric(task: str) -> tuple[str, str]:
    """The default gate metric of ``task`` and whether higher (``"max"``) is better."""
    if task not in _PRIMARY:
        raise TrainingError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    return _PRIMARY[task]


def evaluate(
    estimator: Any, test: pl.DataFrame, target: str, task: str, threshold: float | None = None
) -> dict[str, float]:
    """Compute the task's metrics for ``estimator`` on the rows of ``test``.

    Args:
        estimator: A fitted pipeline taking the feature columns of ``test``.
        test: Held-out rows, target included.
        target: Name of the target column.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        threshold: Binary only: the probability of the positive class from which a row
            is labelled positive (the threshold the model is served with); None keeps
            the estimator's own ``predict`` (0.5).

    Returns:
        Metric name to value, as plain floats.

    Raises:
        TrainingError: The test set is empty, has null labels, lacks what a metric
            needs (both classes for ``roc_auc``), or the model cannot score it.
    """
    return metrics_of(model_outputs(estimator, test, target, task, threshold), task, target)


def metrics_of(outputs: Outputs, task: str, target: str) -> dict[str, float]:
    """The task's metrics from a model's outputs on some rows (see :func:`model_outputs`)."""
    if task == "regression":
        return _regression(outputs.truth, outputs.scores)
    assert outputs.classes is not None and outputs.predicted is not None
    if task == "binary":
        proba = np.column_stack([1 - outputs.scores, outputs.scores])
        return _binary(outputs.truth, outputs.predicted, proba, outputs.classes, target)
    return _multiclass(outputs.truth, outputs.predicted, outputs.scores, outputs.classes, target)


def model_outputs(
    estimator: Any, rows: pl.DataFrame, target: str, task: str, threshold: float | None = None
) -> Outputs:
    """What ``estimator`` says about ``rows``: truth, scores and labels, for metrics and the
    paired bootstrap (binary labels at ``threshold`` when one is given).

    Raises:
        TrainingError: No rows, null labels, or the model cannot score them.
    """
    primary_metric(task)
    if rows.height == 0:
        raise TrainingError("cannot evaluate on an empty test set")
    truth = target_labels(rows, target)
    features = rows.drop(target)
    try:
        if task == "regression":
            return Outputs(truth, np.asarray(estimator.predict(features), dtype=np.float64))
        proba = np.asarray(estimator.predict_proba(features), dtype=np.float64)
        predicted = None if threshold is not None else estimator.predict(features)
    except (ValueError, TypeError, KeyError, pl.exceptions.PolarsError) as exc:
        raise TrainingError(f"model could not score the {rows.height} test rows: {exc}") from exc
    classes = np.asarray(estimator.classes_)
    if task == "binary":
        if len(classes) != 2:
            raise TrainingError(f"binary task but the model learned {len(classes)} classes")
        if threshold is not None:
            predicted = np.where(proba[:, 1] >= threshold, classes[1], classes[0])
        return Outputs(truth, proba[:, 1], np.asarray(predicted), classes)
    return Outputs(truth, proba, np.asarray(predicted), classes)


def _binary(
    truth: np.ndarray, predicted: np.ndarray, proba: np.ndarray, classes: np.ndarray, target: str
) -> dict[str, float]:
    if len(classes) != 2:
        raise TrainingError(f"binary task but the model learned {len(classes)} classes")
    positive = classes[1]
    is_positive = truth == positive
    if is_positive.all() or not is_positive.any():
        raise TrainingError(
            f"test set of target {target!r} holds only one class "
            f"({plain_classes(np.unique(truth))}); roc_auc needs both"
        )
    scores = proba[:, 1]
    return {
        "roc_auc": float(metrics.roc_auc_score(is_positive, scores)),
        "average_precision": float(metrics.average_precision_score(is_positive, scores)),
        "accuracy": float(metrics.accuracy_score(truth, predicted)),
        "f1": float(metrics.f1_score(truth, predicted, pos_label=positive, zero_division=0)),
        "precision": float(
            metrics.precision_score(truth, predicted, pos_label=positive, zero_division=0)
        ),
        "recall": float(
            metrics.recall_score(truth, predicted, pos_label=positive, zero_division=0)
        ),
        "log_loss": float(metrics.log_loss(truth, proba, labels=classes)),
    }


def _multiclass(
    truth: np.ndarray, predicted: np.ndarray, proba: np.ndarray, classes: np.ndarray, target: str
) -> dict[str, float]:
    unseen = sorted(set(plain_classes(np.unique(truth))) - set(plain_classes(classes)), key=str)
    if unseen:
        raise TrainingError(
            f"test set of target {target!r} holds classes the model never saw: {unseen}"
        )
    return {
        "accuracy": float(metrics.accuracy_score(truth, predicted)),
        "f1_macro": float(
            metrics.f1_score(truth, predicted, average="macro", labels=classes, zero_division=0)
        ),
        "log_loss": float(metrics.log_loss(truth, proba, labels=classes)),
        "roc_auc_ovr": _roc_auc_ovr(truth, proba, classes, target),
    }


def _roc_auc_ovr(truth: np.ndarray, proba: np.ndarray, classes: np.ndarray, target: str) -> float:
    """Mean one-vs-rest AUC over the classes present (with positives and negatives).

    Equal to scikit-learn's macro ``ovr`` AUC when every class is in the test set, and
    still defined when a rare class happens to be absent from it.
    """
    scores = []
    for i, label in enumerate(classes):
        is_label = truth == label
        if is_label.any() and not is_label.all():
            scores.append(metrics.roc_auc_score(is_label, proba[:, i]))
    if not scores:
        raise TrainingError(f"test set of target {target!r} holds only one class")
    return float(np.mean(scores))


def _regression(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    return {
        "rmse": float(metrics.root_mean_squared_error(truth, predicted)),
        "mae": float(metrics.mean_absolute_error(truth, predicted)),
        "r2": float(metrics.r2_score(truth, predicted)),
    }
