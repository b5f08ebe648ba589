"""Build the preprocessing half of every default model pipeline from a feature plan.

Each kind of column gets the treatment a careful person would give it by hand: numbers
are imputed with the median and standardised, categories imputed with the most frequent
value and one-hot encoded (a category unseen in training scores as all zeros instead of
failing), datetimes expanded into calendar parts. Columns outside the plan are dropped,
so a scoring request may carry extra fields without harm.

Each candidate gets the preprocessing its model family needs (``PREPROCESSING``): linear
models get scaled numbers; tree ensembles split on thresholds, so scaling changes nothing
for them and is left out; histogram gradient boosting takes categories and missing
values natively (:class:`NativeColumns`), with no one-hot and no imputation.
"""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from workbench.training.features import FeaturePlan
from workbench.training.transformers import CategoryStrings, DatetimeFeatures, NativeColumns

KINDS = ("linear", "trees", "native")
"""Preprocessing kinds: scaled one-hot (linear), unscaled one-hot (trees), native."""

PREPROCESSING = {"random_forest": "trees", "hist_gradient_boosting": "native"}
"""Candidate name to preprocessing kind; any other candidate gets ``linear``."""


def preprocessing_for(name: str) -> str:
    """The preprocessing kind of candidate ``name``."""
    return PREPROCESSING.get(name, "linear")


def build_preprocessor(
    plan: FeaturePlan, kind: str = "linear"
) -> ColumnTransformer | NativeColumns:
    """Return an unfitted preprocessor for the columns in ``plan``.

    ``linear`` and ``trees`` give a dense ``ColumnTransformer`` (one-hot width is bounded
    by the plan's category limit); ``native`` passes columns through for models that
    read categories and missing values themselves.
    """
    if kind == "native":
        return NativeColumns(plan.numeric, plan.categorical, plan.datetime)
    scale = kind == "linear"
    steps: list[tuple[str, Pipeline, list[str]]] = []
    if plan.numeric:
        steps.append(("numeric", _numeric(scale), list(plan.numeric)))
    if plan.categorical:
        steps.append(("categorical", _categorical(), list(plan.categorical)))
    if plan.datetime:
        steps.append(("datetime", _datetime(scale), list(plan.datetime)))
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


def _numeric(scale: bool = True) -> Pipeline:
    steps: list[tuple[str, object]] = [
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True))
    ]
    if scale:
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


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


def _datetime(scale: bool = True) -> Pipeline:
    steps: list[tuple[str, object]] = [
        ("parts", DatetimeFeatures()),
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
    ]
    if scale:
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)
