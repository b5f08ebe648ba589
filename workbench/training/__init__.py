"""Training block: plan features, build candidate pipelines, fit, split and evaluate.

Usable alone (a notebook can call these functions directly) and wired into the default
tabular pipeline by ``workbench.tabular``. Fitted models are single scikit-learn
pipelines whose every type is on the skops allowlist of ``workbench.modelfile``.
"""

from workbench.training.candidates import candidate_names, default_params, make_estimator
from workbench.training.evaluate import evaluate, primary_metric
from workbench.training.features import DroppedColumn, FeaturePlan, plan_features
from workbench.training.fit import (
    TrainedModel,
    fit_candidate,
    fit_capped,
    logical_dtype,
    signature_for,
)
from workbench.training.labels import plain_classes, target_labels
from workbench.training.preprocess import build_preprocessor
from workbench.training.split import split_frame
from workbench.training.task_type import TASKS, detect_task
from workbench.training.thread_cap import capped_threads
from workbench.training.transformers import CategoryStrings, DatetimeFeatures

__all__ = [
    "TASKS",
    "CategoryStrings",
    "DatetimeFeatures",
    "DroppedColumn",
    "FeaturePlan",
    "TrainedModel",
    "build_preprocessor",
    "candidate_names",
    "capped_threads",
    "default_params",
    "detect_task",
    "evaluate",
    "fit_candidate",
    "fit_capped",
    "logical_dtype",
    "make_estimator",
    "plain_classes",
    "plan_features",
    "primary_metric",
    "signature_for",
    "split_frame",
    "target_labels",
]
