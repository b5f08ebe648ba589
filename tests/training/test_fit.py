from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from workbench.core.errors import TrainingError
from workbench.training import fit_candidate, plan_features, signature_for

from .conftest import Fitted
from .frames import ALL_CANDIDATES, TARGET, binary_frame, multiclass_frame


@pytest.mark.parametrize(("task", "name"), ALL_CANDIDATES)
def test_every_candidate_fits_and_predicts_on_every_task(
    fitted: dict[tuple[str, str], Fitted], task: str, name: str
) -> None:
    case = fitted[(task, name)]
    predicted = case.model.estimator.predict(case.test.drop(TARGET))
    assert predicted.shape == (case.test.height,)
    assert case.model.name == name
    assert case.model.fit_seconds > 0.0
    if task == "regression":
        assert np.isfinite(predicted).all()
    else:
        assert set(predicted) <= set(case.train[TARGET].unique().to_list())


@pytest.mark.parametrize("name", ["logistic_regression", "random_forest", "hist_gradient_boosting"])
def test_string_labels_come_back_as_the_same_strings(
    fitted: dict[tuple[str, str], Fitted], name: str
) -> None:
    estimator = fitted[("multiclass", name)].model.estimator
    assert list(estimator.classes_) == ["high", "low", "mid"]
    assert estimator.predict_proba(multiclass_frame(rows=5).drop(TARGET)).shape == (5, 3)


def test_nulls_and_unseen_categories_at_predict_time_are_scored(
    fitted: dict[tuple[str, str], Fitted],
) -> None:
    request = pl.DataFrame(
        {
            "signal": [None, 0.5],
            "noisy": [None, None],
            "category": ["violet", None],
            "online": [None, True],
            "stamp": [None, dt.datetime(2026, 5, 1, 3)],
        }
    )
    for task, name in [("binary", "logistic_regression"), ("regression", "random_forest")]:
        assert fitted[(task, name)].model.estimator.predict(request).shape == (2,)


def test_params_override_the_candidate_defaults() -> None:
    frame = binary_frame(rows=200)
    plan = plan_features(frame, TARGET)
    model = fit_candidate("random_forest", "binary", plan, frame, TARGET, {"n_estimators": 3}, 0)
    assert len(model.estimator.named_steps["model"].estimators_) == 3
    assert model.params == {"n_estimators": 3}


def test_invalid_parameter_value_is_a_training_error_naming_the_candidate() -> None:
    frame = binary_frame(rows=100)
    plan = plan_features(frame, TARGET)
    with pytest.raises(TrainingError, match="candidate 'random_forest' failed to fit"):
        fit_candidate("random_forest", "binary", plan, frame, TARGET, {"n_estimators": -1}, 0)


def test_training_frame_missing_a_planned_column_is_named() -> None:
    frame = binary_frame(rows=100)
    plan = plan_features(frame, TARGET)
    with pytest.raises(TrainingError, match="lacks planned feature column\\(s\\): noisy"):
        fit_candidate("ridge", "regression", plan, frame.drop("noisy"), TARGET, {}, 0)


def test_signature_lists_used_columns_in_frame_order_with_logical_types(
    fitted: dict[tuple[str, str], Fitted],
) -> None:
    case = fitted[("binary", "logistic_regression")]
    classes = case.model.estimator.classes_
    signature = signature_for(case.plan, case.train, TARGET, "binary", classes)
    assert [(c.name, c.dtype) for c in signature.inputs] == [
        ("signal", "float"),
        ("noisy", "float"),
        ("category", "string"),
        ("online", "bool"),
        ("stamp", "datetime"),
    ]
    assert signature.classes == (0, 1)
    assert all(type(c) is int for c in signature.classes)
    assert signature.to_dict()["target"] == TARGET


def test_signature_types_integers_and_datetime_strings() -> None:
    frame = pl.DataFrame(
        {"n": [1, 2, 3, 4], "when": ["2026-01-01T00:00:00"] * 3 + ["2026-01-02T00:00:00"]}
    )
    plan = plan_features(frame.with_columns(y=pl.Series([0, 1, 0, 1])), "y")
    signature = signature_for(plan, frame, "y", "binary", np.array(["a", "b"]))
    assert [(c.name, c.dtype) for c in signature.inputs] == [("n", "int"), ("when", "datetime")]
    assert signature.classes == ("a", "b")
