"""The trivial model every candidate must beat: the class prior, or the mean.

A candidate at chance on random labels still scores some roc_auc; what makes a score
worth registering is beating a model that ignores the inputs, on the same rows, by more
than the noise. This is that model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn.dummy import DummyClassifier, DummyRegressor

from workbench.training.labels import target_labels


def fit_baseline(task: str, rows: pl.DataFrame, target: str) -> Any:
    """Fit the prior (classification) or mean (regression) predictor on ``rows``."""
    model = (
        DummyRegressor(strategy="mean")
        if task == "regression"
        else DummyClassifier(strategy="prior")
    )
    labels = target_labels(rows, target)
    return model.fit(np.zeros((rows.height, 1)), labels)  # it never reads the features
