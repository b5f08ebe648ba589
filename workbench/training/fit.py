"""Fit one candidate into a complete pipeline, and describe what it expects as input.

The fitted object is a single scikit-learn ``Pipeline`` (preprocessor + model), so the
model file carries its own preprocessing and the scoring server needs nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from sklearn.pipeline import Pipeline

from workbench.core.errors import TrainingError
from workbench.core.signature import ColumnSpec, Signature
from workbench.training.candidates import make_estimator
from workbench.training.features import FeaturePlan
from workbench.training.labels import plain_classes, target_labels
from workbench.training.preprocess import build_preprocessor, preprocessing_for
from workbench.training.thread_cap import capped_threads


@dataclass(frozen=True)
class TrainedModel:
    """A fitted candidate, ready to evaluate and store."""

    name: str
    """Candidate name, e.g. ``"random_forest"``."""
    estimator: Pipeline
    """The fitted pipeline: step ``"preprocess"`` then step ``"model"``."""
    params: dict[str, Any] = field(default_factory=dict)
    """The parameter overrides the candidate was built with (defaults not repeated)."""
    fit_seconds: float = 0.0
    """Wall-clock time of the fit, for run reports and the TUI."""


def fit_candidate(
    name: str,
    task: str,
    plan: FeaturePlan,
    train: pl.DataFrame,
    target: str,
    params: Mapping[str, Any],
    seed: int,
) -> TrainedModel:
    """Build and fit the pipeline for candidate ``name`` on ``train``.

    Safe to call from several threads at once: native thread pools are capped at one
    thread each for the duration of the fit (see ``thread_cap``).

    Args:
        name: Candidate name (see ``candidate_names``).
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        plan: The feature plan made from the training data.
        train: Training rows, target included.
        target: Name of the target column.
        params: Parameter overrides for the estimator.
        seed: ``random_state`` of the estimator.

    Raises:
        TrainingError: Unknown candidate or parameter, nulls in the target, missing
            feature columns, or scikit-learn refused the data (the cause is kept).
    """
    estimator = make_estimator(name, task, params, seed=seed)
    preprocessor = build_preprocessor(plan, preprocessing_for(name))
    pipeline = Pipeline([("preprocess", preprocessor), ("model", estimator)])
    missing = [c for c in plan.features if c not in train.columns]
    if missing:
        raise TrainingError(f"training data lacks planned feature column(s): {', '.join(missing)}")
    labels = target_labels(train, target)
    try:
        seconds = fit_capped(pipeline, train.select(plan.features), labels)
    except (ValueError, TypeError, pl.exceptions.PolarsError) as exc:
        raise TrainingError(
            f"candidate {name!r} failed to fit on {train.height} rows: {exc}"
        ) from exc
    return TrainedModel(name=name, estimator=pipeline, params=dict(params), fit_seconds=seconds)


def fit_capped(estimator: Any, features: Any, labels: Any) -> float:
    """Fit ``estimator`` with native thread pools capped at one thread.

    Returns:
        Wall-clock seconds the fit took.
    """
    started = time.perf_counter()
    with capped_threads():
        estimator.fit(features, labels)
    return time.perf_counter() - started


def signature_for(
    plan: FeaturePlan,
    frame: pl.DataFrame,
    target: str,
    task: str,
    classes: Sequence[Any] | np.ndarray = (),
) -> Signature:
    """The input signature the scoring server checks requests against.

    Inputs are the columns the model reads (dropped columns are not required), in the
    order the estimator was fitted on (the plan's), with their logical type. Columns the
    plan reads as datetimes are ``"datetime"`` even when they arrived as strings.

    Args:
        plan: The feature plan the model was trained with.
        frame: Training data (or any frame with the training schema).
        target: Name of the target column.
        task: The model's task.
        classes: ``classes_`` of a classifier, in ``predict_proba`` column order.
    """
    inputs = tuple(
        ColumnSpec(name, "datetime" if name in plan.datetime else logical_dtype(frame[name].dtype))
        for name in plan.features
        if name != target
    )
    return Signature(inputs=inputs, target=target, task=task, classes=plain_classes(classes))


def logical_dtype(dtype: pl.DataType) -> str:
    """Map a polars type onto the signature vocabulary (int, float, bool, string, datetime).

    Raises:
        TrainingError: A type with no place in the vocabulary (lists, structs, ...).
    """
    if dtype.is_integer():
        return "int"
    if dtype.is_float() or dtype.is_decimal():
        return "float"
    if dtype == pl.Boolean:
        return "bool"
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return "string"
    if isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        return "datetime"
    raise TrainingError(f"column type {dtype} has no signature type")
