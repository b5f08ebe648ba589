from __future__ import annotations

import pytest

from workbench.core.errors import TrainingError
from workbench.training import candidate_names, default_params, make_estimator


def test_each_task_has_its_three_default_candidates() -> None:
    classifiers = ("logistic_regression", "random_forest", "hist_gradient_boosting")
    assert candidate_names("binary") == classifiers
    assert candidate_names("multiclass") == classifiers
    assert candidate_names("regression") == ("ridge", "random_forest", "hist_gradient_boosting")


def test_unknown_candidate_error_lists_the_known_ones() -> None:
    with pytest.raises(TrainingError, match=r"unknown candidate 'svm'.*logistic_regression"):
        make_estimator("svm", "binary", {})


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(TrainingError, match="no parameter\\(s\\) n_trees"):
        make_estimator("random_forest", "binary", {"n_trees": 10})


def test_overrides_merge_over_defaults_and_seed_sets_random_state() -> None:
    forest = make_estimator("random_forest", "regression", {"n_estimators": 7}, seed=42)
    params = forest.get_params()
    assert (params["n_estimators"], params["n_jobs"], params["random_state"]) == (7, 1, 42)
    assert params["max_depth"] == default_params("random_forest", "regression")["max_depth"]


def test_explicit_random_state_wins_over_seed() -> None:
    forest = make_estimator("random_forest", "binary", {"random_state": 5}, seed=42)
    assert forest.get_params()["random_state"] == 5


def test_forest_defaults_use_one_core_and_bounded_depth() -> None:
    params = default_params("random_forest", "binary")
    assert params["n_jobs"] == 1
    assert params["max_depth"] is not None
