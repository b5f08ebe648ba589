"""Compute a model version's quality report on its test rows with scikit-learn.

The model is whatever a version's artifact holds: the fitted scikit-learn ``Pipeline``
that takes the input columns as a polars frame (preprocessing included). Permutation
importance is therefore measured on input columns, the names a person knows, not on the
one-hot outputs of the preprocessor. scikit-learn's ``permutation_importance`` shuffles
the columns of an array, which a polars frame is not; it is given a matrix of row
numbers instead (column j says which row column j's value comes from), and a thin
adapter gathers the frame from it, so each column keeps its own type.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance

from workbench.core.errors import TrainingError
from workbench.core.quality import (
    Calibration,
    ConfusionMatrix,
    Curve,
    Importance,
    QualityReport,
    Residuals,
    finite_or_none,
)
from workbench.training.labels import target_labels
from workbench.training.thread_cap import capped_threads

MAX_CURVE_POINTS = 200
"""Most points a stored curve keeps (enough to draw; the areas use every point)."""

CALIBRATION_BINS = 10
"""Equal-width probability bins of the calibration curve."""

RESIDUAL_BINS = 20
"""Bins of the residual histogram."""

IMPORTANCE_ROWS = 1_000
"""Test rows permutation importance shuffles (a seeded sample of them when there are more):
its cost is columns x repeats predictions, so it stays about a second on any test set."""

IMPORTANCE_REPEATS = 3
"""Shuffles per column."""

SCREEN_ABOVE = 40
"""With more input columns than this, a quick first pass picks which ones to measure."""

SCREEN_ROWS = 300
"""Rows of that first pass (one shuffle per column)."""

_QUANTILES = {"min": 0, "p05": 5, "p25": 25, "median": 50, "p75": 75, "p95": 95, "max": 100}


def quality_report(
    model: Any,
    features: pl.DataFrame,
    target: pl.Series | np.ndarray,
    task: str,
    threshold: float | None = None,
    max_columns: int = 20,
    seed: int = 0,
) -> QualityReport:
    """The report of ``model`` on test rows ``features`` with true values ``target``.

    Args:
        model: A fitted estimator taking ``features`` (a version's skops-loaded pipeline).
        features: The test rows' input columns (the target left out).
        target: The true values, one per row.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        threshold: Binary only: the positive-class probability from which the model
            answers positive (the version's chosen threshold); None means 0.5, what
            ``predict`` does.
        max_columns: How many of the most important input columns to keep.
        seed: Seeds the row sample and the shuffles, so a report can be recomputed.

    Returns:
        The report; the curves are thinned to at most ``MAX_CURVE_POINTS`` points.

    Raises:
        TrainingError: No rows, rows and truth of different lengths, an unknown task, a
            binary test set with one class only, or a model that cannot score the rows.
    """
    started = time.perf_counter()
    truth = (
        target_labels(target.to_frame(), target.name)  # the labels' type as in training
        if isinstance(target, pl.Series)
        else np.asarray(target)
    )
    if features.height == 0:
        raise TrainingError("cannot report on an empty test set")
    if len(truth) != features.height:
        raise TrainingError(
            f"{features.height} test rows but {len(truth)} true values: they must pair up"
        )
    with capped_threads():
        if task == "binary":
            parts = _binary(model, features, truth, 0.5 if threshold is None else threshold)
        elif task == "multiclass":
            parts = _multiclass(model, features, truth)
        elif task == "regression":
            parts = _regression(model, features, truth)
        else:
            raise TrainingError(f"unknown task {task!r}; choose binary, multiclass or regression")
        importance = _importances(model, features, truth, task, max_columns, seed)
    return QualityReport(
        task=task,
        rows=features.height,
        **parts,
        **importance,
        columns=features.width,
        seconds=time.perf_counter() - started,
    )


def _scores(model: Any, features: pl.DataFrame, proba: bool) -> np.ndarray:
    try:
        return np.asarray(model.predict_proba(features) if proba else model.predict(features))
    except (ValueError, TypeError, KeyError, pl.exceptions.PolarsError) as exc:
        raise TrainingError(
            f"model could not score the {features.height} test rows: {exc}"
        ) from exc


def _binary(
    model: Any, features: pl.DataFrame, truth: np.ndarray, threshold: float
) -> dict[str, Any]:
    classes = np.asarray(model.classes_)
    if len(classes) != 2:
        raise TrainingError(f"binary task but the model learned {len(classes)} classes")
    positive = truth == classes[1]
    if positive.all() or not positive.any():
        raise TrainingError("the test rows hold only one class: no curve is defined")
    scores = _scores(model, features, proba=True)[:, 1]
    predicted = scores >= threshold
    counts = metrics.confusion_matrix(positive, predicted, labels=[False, True])
    fpr, tpr, roc_thresholds = metrics.roc_curve(positive, scores)
    precision, recall, pr_thresholds = metrics.precision_recall_curve(positive, scores)
    return {
        "threshold": float(threshold),
        "positive_label": str(classes[1].item() if hasattr(classes[1], "item") else classes[1]),
        "confusion": _confusion(classes, counts),
        "roc": _curve(fpr, tpr, roc_thresholds, metrics.roc_auc_score(positive, scores)),
        # precision_recall_curve ends at (recall 0, precision 1) with no threshold
        "precision_recall": _curve(
            recall,
            precision,
            np.append(pr_thresholds, np.nan),
            metrics.average_precision_score(positive, scores),
        ),
        "calibration": _calibration(
            positive, scores, "positive class", metrics.brier_score_loss(positive, scores)
        ),
    }


def _multiclass(model: Any, features: pl.DataFrame, truth: np.ndarray) -> dict[str, Any]:
    classes = np.asarray(model.classes_)
    proba = _scores(model, features, proba=True)
    predicted = classes[proba.argmax(axis=1)]
    counts = metrics.confusion_matrix(truth, predicted, labels=classes)
    return {
        "confusion": _confusion(classes, counts),
        "calibration": _calibration(predicted == truth, proba.max(axis=1), "top label", None),
    }


def _regression(model: Any, features: pl.DataFrame, truth: np.ndarray) -> dict[str, Any]:
    truth = truth.astype(float)
    residuals = truth - _scores(model, features, proba=False).astype(float)
    counts, edges = np.histogram(residuals, bins=RESIDUAL_BINS)
    return {
        "residuals": Residuals(
            mean=float(residuals.mean()),
            std=float(residuals.std()),
            mae=float(np.abs(residuals).mean()),
            rmse=float(np.sqrt(np.mean(residuals**2))),
            quantiles={k: float(np.percentile(residuals, q)) for k, q in _QUANTILES.items()},
            edges=tuple(float(e) for e in edges),
            counts=tuple(int(c) for c in counts),
        )
    }


def _confusion(classes: np.ndarray, counts: np.ndarray) -> ConfusionMatrix:
    return ConfusionMatrix(
        labels=tuple(str(c.item() if hasattr(c, "item") else c) for c in classes),
        counts=tuple(tuple(int(c) for c in row) for row in counts),
    )


def thin(count: int, limit: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Indexes of at most ``limit`` points spread evenly over ``count``, ends included."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(int))


def _curve(x: np.ndarray, y: np.ndarray, thresholds: np.ndarray, area: float) -> Curve:
    keep = thin(len(x))
    return Curve(
        x=tuple(float(v) for v in x[keep]),
        y=tuple(float(v) for v in y[keep]),
        thresholds=tuple(finite_or_none(t) for t in thresholds[keep]),
        area=float(area),
    )


def _calibration(
    hits: np.ndarray, probability: np.ndarray, of: str, brier: float | None
) -> Calibration:
    observed, predicted = calibration_curve(hits, probability, n_bins=CALIBRATION_BINS)
    # the bins calibration_curve uses ("uniform"), to count the rows of each non-empty one
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], probability), minlength=CALIBRATION_BINS)
    return Calibration(
        of=of,
        predicted=tuple(float(v) for v in predicted),
        observed=tuple(float(v) for v in observed),
        counts=tuple(int(c) for c in counts[counts > 0]),
        brier=None if brier is None else float(brier),
    )


class _Gathered:
    """The model seen through a matrix of row numbers (see the module docstring)."""

    def __init__(self, model: Any, frame: pl.DataFrame, columns: Sequence[str]) -> None:
        self.model = model
        self.frame = frame
        self.columns = tuple(columns)
        self.classes_ = getattr(model, "classes_", None)

    def fit(self, *args: Any) -> _Gathered:  # permutation_importance checks it exists
        raise TypeError("the model is already fitted; this view only scores")

    def rows(self, index: np.ndarray) -> pl.DataFrame:
        """The frame whose column ``columns[j]`` takes its values from rows ``index[:, j]``
        (the columns not measured keep their own rows)."""
        return self.frame.with_columns(
            pl.col(name).gather(index[:, j]) for j, name in enumerate(self.columns)
        )


def _scorer(task: str, model: Any) -> tuple[str, Any]:
    """The importance score (greater is better) and its name as a person reads it."""
    if task == "binary":
        positive = np.asarray(model.classes_)[1]

        def roc_auc(view: _Gathered, index: np.ndarray, y: np.ndarray) -> float:
            scores = view.model.predict_proba(view.rows(index))[:, 1]
            return float(metrics.roc_auc_score(y == positive, scores))

        return "roc_auc", roc_auc
    if task == "multiclass":

        def f1_macro(view: _Gathered, index: np.ndarray, y: np.ndarray) -> float:
            return float(metrics.f1_score(y, view.model.predict(view.rows(index)), average="macro"))

        return "f1_macro", f1_macro

    def neg_rmse(view: _Gathered, index: np.ndarray, y: np.ndarray) -> float:
        return -float(metrics.root_mean_squared_error(y, view.model.predict(view.rows(index))))

    return "rmse", neg_rmse


def _importances(
    model: Any,
    features: pl.DataFrame,
    truth: np.ndarray,
    task: str,
    max_columns: int,
    seed: int,
) -> dict[str, Any]:
    """Permutation importance of the input columns on (a sample of) the test rows.

    With more than ``SCREEN_ABOVE`` columns, one shuffle of each on ``SCREEN_ROWS`` rows
    first picks the ``2 * max_columns`` likeliest, and only those get the full measure:
    the cost stays bounded on wide data, and a column that matters still stands out.
    """
    name, scorer = _scorer(task, model)
    rng = np.random.default_rng(seed)
    if features.height > IMPORTANCE_ROWS:
        picked = np.sort(rng.choice(features.height, size=IMPORTANCE_ROWS, replace=False))
        features, truth = features[picked], truth[picked]
    if task == "binary" and len(np.unique(truth == np.asarray(model.classes_)[1])) < 2:
        return {"importance_metric": name}  # a sample with one class has no roc_auc
    columns = list(features.columns)
    if len(columns) > SCREEN_ABOVE:
        screen = features.head(SCREEN_ROWS), truth[:SCREEN_ROWS]
        if task == "binary" and len(np.unique(screen[1] == np.asarray(model.classes_)[1])) < 2:
            screen = features, truth  # too few positives in the head to score on
        means, _ = _permuted(model, *screen, columns, scorer, 1, seed)
        keep = np.sort(np.argsort(-means, kind="stable")[: 2 * max_columns])
        columns = [columns[i] for i in keep]
    means, stds = _permuted(model, features, truth, columns, scorer, IMPORTANCE_REPEATS, seed)
    order = np.argsort(-means, kind="stable")[:max_columns]
    return {
        "importances": tuple(
            Importance(columns[i], float(means[i]), float(stds[i])) for i in order
        ),
        "importance_metric": name,
        "importance_rows": features.height,
        "importance_repeats": IMPORTANCE_REPEATS,
    }


def _permuted(
    model: Any,
    features: pl.DataFrame,
    truth: np.ndarray,
    columns: Sequence[str],
    scorer: Any,
    repeats: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of the score lost when each of ``columns`` is shuffled."""
    index = np.tile(np.arange(features.height), (len(columns), 1)).T
    found = permutation_importance(
        _Gathered(model, features, columns),
        index,
        truth,
        scoring=scorer,
        n_repeats=repeats,
        random_state=seed,
    )
    return found.importances_mean, found.importances_std
