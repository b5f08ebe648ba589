from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from workbench.training import build_preprocessor, plan_features
from workbench.training.preprocess import preprocessing_for

TRAIN = pl.DataFrame(
    {
        "amount": [10.0, None, 30.0, 50.0, 20.0],
        "colour": ["red", "blue", None, "red", "green"],
        "at": [dt.datetime(2026, 1, d, 9) for d in range(1, 5)] + [None],
        "y": [0, 1, 0, 1, 0],
    }
)


def _fitted():
    plan = plan_features(TRAIN, "y")
    pre = build_preprocessor(plan).fit(TRAIN.drop("y"))
    return pre, list(pre.get_feature_names_out())


def test_output_has_no_missing_values_after_imputation() -> None:
    pre, _ = _fitted()
    out = pre.transform(TRAIN.drop("y"))
    assert isinstance(out, np.ndarray)
    assert not np.isnan(out.astype(float)).any()


def test_null_number_becomes_the_median() -> None:
    pre, names = _fitted()
    out = pre.transform(TRAIN.drop("y"))
    amount = out[:, names.index("numeric__amount")]
    # The median of 10, 20, 30, 50 is 25; scaled values keep the order 10 < 20 < 25 < 30.
    assert amount[0] < amount[4] < amount[1] < amount[2]


def test_null_category_becomes_the_most_frequent_one() -> None:
    pre, names = _fitted()
    out = pre.transform(TRAIN.drop("y"))
    assert out[2, names.index("categorical__colour_red")] == 1.0


def test_unseen_category_scores_as_all_zeros() -> None:
    pre, names = _fitted()
    request = pl.DataFrame(
        {"amount": [15.0], "colour": ["purple"], "at": [dt.datetime(2026, 2, 1, 8)]}
    )
    out = pre.transform(request)
    colour = [i for i, n in enumerate(names) if n.startswith("categorical__colour_")]
    assert out.shape == (1, len(names))
    assert (out[0, colour] == 0.0).all()


def test_all_null_one_row_request_still_transforms() -> None:
    pre, names = _fitted()
    request = pl.DataFrame({"amount": [None], "colour": [None], "at": [None]})
    out = pre.transform(request)
    assert out.shape == (1, len(names))
    assert not np.isnan(out.astype(float)).any()


def test_columns_outside_the_plan_are_ignored() -> None:
    pre, names = _fitted()
    request = TRAIN.drop("y").with_columns(pl.lit("extra").alias("comment"))
    assert pre.transform(request).shape == (5, len(names))


def test_datetime_columns_become_calendar_features() -> None:
    _, names = _fitted()
    assert [n for n in names if n.startswith("datetime__")] == [
        "datetime__at_hour",
        "datetime__at_day_of_week",
        "datetime__at_day_of_month",
        "datetime__at_month",
    ]


def test_tree_models_get_no_scaler_and_linear_models_do() -> None:
    plan = plan_features(TRAIN, "y")
    trees = build_preprocessor(plan, preprocessing_for("random_forest")).fit(TRAIN.drop("y"))
    amount = trees.transform(TRAIN.drop("y"))[:, 0]
    assert list(amount) == [10.0, 25.0, 30.0, 50.0, 20.0]  # imputed, not scaled
    linear = build_preprocessor(plan, preprocessing_for("logistic_regression"))
    assert "scale" in linear.fit(TRAIN.drop("y")).named_transformers_["numeric"].named_steps


def test_boosting_reads_categories_natively_and_keeps_missing_values() -> None:
    plan = plan_features(TRAIN, "y")
    native = build_preprocessor(plan, preprocessing_for("hist_gradient_boosting"))
    out = native.fit(TRAIN.drop("y")).transform(TRAIN.drop("y"))
    assert isinstance(out, pl.DataFrame)
    assert out.schema["colour"] == pl.Categorical
    assert np.isnan(out["amount"][1]) and out["colour"][2] is None
    assert list(native.get_feature_names_out())[:2] == ["amount", "colour"]


def test_a_fitted_boosting_model_with_native_categories_stores_and_scores_with_skops() -> None:
    from workbench.modelfile import dump_model, loads_model
    from workbench.training import fit_candidate

    rng = np.random.default_rng(0)
    rows = 300
    colour = rng.choice(["red", "green", "blue"], rows)
    frame = pl.DataFrame(
        {
            "amount": [None if rng.random() < 0.1 else float(v) for v in rng.normal(size=rows)],
            "colour": colour,
            "y": (colour == "red").astype(int),
        }
    )
    model = fit_candidate(
        "hist_gradient_boosting", "binary", plan_features(frame, "y"), frame, "y", {}, 0
    )
    assert list(model.estimator.named_steps["model"].is_categorical_) == [False, True]
    loaded = loads_model(dump_model(model.estimator))
    fresh = pl.DataFrame({"amount": [None, 0.2], "colour": ["red", "purple"]})
    proba = loaded.predict_proba(fresh)
    assert proba[0, 1] > 0.9 and proba.shape == (2, 2)  # an unseen category still scores
