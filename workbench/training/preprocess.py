"""Build the preprocessing half of every default model pipeline from a feature plan.

Each kind of column gets the treatment a careful person would give it by hand: numbers
are imputed with the median and standardised, categories imputed with the most frequent
value and one-hot encoded (a category unseen in training scores as all zeros instead of
failing), datetimes expanded into calendar parts. Columns outside the plan are dropped,
so a scoring request may carry extra fields without harm.
"""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from workbench.training.features import FeaturePlan
from workbench.training.transformers import CategoryStrings, DatetimeFeatures


def build_preprocessor(plan: FeaturePlan) -> ColumnTransformer:
    """Return an unfitted ``ColumnTransformer`` for the columns in ``plan``.

    The output is dense: one-hot width is bounded by the plan's category limit, and
    histogram gradient boosting does not accept sparse input.
    """
    steps: list[tuple[str, Pipeline, list[str]]] = []
    if plan.numeric:
        steps.append(("numeric", _numeric(), list(plan.numeric)))
    if plan.categorical:
        steps.append(("categorical", _categorical(), list(plan.categorical)))
    if plan.datetime:
        steps.append(("datetime", _datetime(), list(plan.datetime)))
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


def _numeric() -> Pipeline:
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
        ]
    )


def _categorical() -> Pipeline:
    return Pipeline(
        [
            ("as_strings", CategoryStrings()),
            (
                "impute",
                SimpleImputer(
                    strategy="most_frequent", missing_values=None, keep_empty_features=True
                ),
            ),
            ("one_hot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )


def _datetime() -> Pipeline:
    return Pipeline(
        [
            ("parts", DatetimeFeatures()),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
        ]
    )
