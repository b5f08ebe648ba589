"""The default candidate models, by name, with defaults that train fast on a laptop.

Three candidates per task, from a strong linear baseline to boosted trees, so the gate
has something to compare. Defaults keep one fit of 25,000 rows to a few seconds on one
core (``n_jobs=1``: the DAG already trains candidates in parallel threads, and nested
parallelism would only oversubscribe the machine). Users override any parameter by name
in ``workbench.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge

from workbench.core.errors import TrainingError
from workbench.training.task_type import TASKS

_FOREST = {"n_estimators": 100, "max_depth": 10, "min_samples_leaf": 5, "n_jobs": 1}
_BOOSTING = {
    "max_iter": 200,
    "learning_rate": 0.1,
    "early_stopping": "auto",
    "categorical_features": "from_dtype",  # its preprocessing hands it Categorical columns
}

_CLASSIFIERS: dict[str, tuple[type[BaseEstimator], Mapping[str, Any]]] = {
    "logistic_regression": (LogisticRegression, {"C": 1.0, "max_iter": 1000}),
    "random_forest": (RandomForestClassifier, _FOREST),
    "hist_gradient_boosting": (HistGradientBoostingClassifier, _BOOSTING),
}
_REGRESSORS: dict[str, tuple[type[BaseEstimator], Mapping[str, Any]]] = {
    "ridge": (Ridge, {"alpha": 1.0}),
    "random_forest": (RandomForestRegressor, _FOREST),
    "hist_gradient_boosting": (HistGradientBoostingRegressor, _BOOSTING),
}


def _registry(task: str) -> dict[str, tuple[type[BaseEstimator], Mapping[str, Any]]]:
    if task not in TASKS:
        raise TrainingError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    return _REGRESSORS if task == "regression" else _CLASSIFIERS


def candidate_names(task: str) -> tuple[str, ...]:
    """Names of the default candidates for ``task``, in the order they are listed."""
    return tuple(_registry(task))


def default_params(name: str, task: str) -> dict[str, Any]:
    """The parameters a candidate gets when the user overrides none (a fresh copy)."""
    return dict(_lookup(name, task)[1])


def make_estimator(
    name: str, task: str, params: Mapping[str, Any], *, seed: int | None = None
) -> BaseEstimator:
    """Build an unfitted estimator for candidate ``name``.

    Args:
        name: A name from :func:`candidate_names`.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        params: Overrides merged over the defaults, by scikit-learn parameter name.
        seed: ``random_state`` for estimators that take one, unless ``params`` sets it.

    Raises:
        TrainingError: The name is unknown for the task (the known names are listed) or
            a parameter is not one the estimator accepts.
    """
    cls, defaults = _lookup(name, task)
    merged = {**defaults, **params}
    accepted = cls().get_params()
    unknown = sorted(set(merged) - set(accepted))
    if unknown:
        raise TrainingError(
            f"candidate {name!r} ({cls.__name__}) has no parameter(s) {', '.join(unknown)}; "
            f"it accepts: {', '.join(sorted(accepted))}"
        )
    if seed is not None and "random_state" in accepted and "random_state" not in params:
        merged["random_state"] = seed
    return cls(**merged)


def _lookup(name: str, task: str) -> tuple[type[BaseEstimator], Mapping[str, Any]]:
    registry = _registry(task)
    if name not in registry:
        raise TrainingError(
            f"unknown candidate {name!r} for task {task!r}; known: {', '.join(registry)}"
        )
    return registry[name]
