"""Score request frames with one loaded model: conform, predict, make JSON-ready.

This is the CPU-bound part of a request, so the service runs it in a worker thread and
the event loop keeps answering ``/ping`` while a large batch is scored. It takes the
model as an argument (read from the holder once per request), so a swap mid-request
cannot mix two versions in one answer.

For a classifier the response carries both labels and class probabilities. Where the
estimator's ``predict`` is by definition the arg-max of ``predict_proba`` (tree
ensembles), the labels are derived from the probabilities instead of running the model
twice, which nearly halves the cost of a classifier request. A binary model registered
with a decision threshold (chosen on validation, see ``gate.threshold_rule``) labels a
row positive when P(positive) reaches it, and the answer carries the threshold beside
the probabilities.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from workbench.serving.conform import ConformedFrame, conform
from workbench.serving.enrich import enrich
from workbench.serving.errors import PREDICTION_FAILED, bad_request
from workbench.serving.loaded import LoadedModel
from workbench.serving.payloads import parse_payload

logger = logging.getLogger(__name__)

CLASSIFICATION_TASKS = ("binary", "multiclass")
ARGMAX_PREDICTORS = frozenset(
    {
        "RandomForestClassifier",
        "ExtraTreesClassifier",
        "DecisionTreeClassifier",
        "ExtraTreeClassifier",
        "HistGradientBoostingClassifier",
        "LogisticRegression",
    }
)
"""Final estimators whose ``predict`` is ``classes_[argmax(predict_proba)]`` in scikit-learn.

For the tree models that is their definition. ``LogisticRegression`` predicts the
arg-max of its decision function, and its probabilities are a monotone map of it
(logistic or softmax), so the labels agree except where rounding makes a probability
exactly 0.5 for a decision value within about 1e-16 of the boundary."""


@dataclass(frozen=True)
class Prediction:
    """What the model said about some rows, as plain JSON-ready values."""

    predictions: list[Any]
    """One label or value per row."""
    probabilities: list[list[float]] | None
    """Per row, one probability per class in ``classes`` order; None for regressors."""
    classes: list[Any] | None
    """The class labels, for a classifier with ``predict_proba``."""
    threshold: float | None = None
    """Binary: the threshold on P(positive) the labels were decided with."""

    def rows(self, start: int, stop: int) -> Prediction:
        """The slice of this prediction for rows ``start`` to ``stop`` (a batch member)."""
        probabilities = None if self.probabilities is None else self.probabilities[start:stop]
        return Prediction(self.predictions[start:stop], probabilities, self.classes, self.threshold)


@dataclass(frozen=True)
class Scored:
    """The outcome of scoring one request."""

    model_version: int
    """The version that produced every value in the answer."""
    prediction: Prediction
    """Labels or values, and class probabilities."""
    ignored_columns: tuple[str, ...]
    """Request columns the model does not use, for the response header."""
    inputs: pl.DataFrame
    """The conformed request rows (signature columns only), for the prediction log."""
    defaulted: tuple[tuple[str, ...], ...] | None = None
    """Feature-store models: per row, the features that got training-time defaults."""

    @property
    def body(self) -> dict[str, Any]:
        """The MLflow-style JSON response body."""
        result: dict[str, Any] = {
            "predictions": self.prediction.predictions,
            "model_version": self.model_version,
        }
        if self.prediction.probabilities is not None:
            result["probabilities"] = self.prediction.probabilities
            result["classes"] = self.prediction.classes
        if self.prediction.threshold is not None:
            result["threshold"] = self.prediction.threshold
        if self.defaulted is not None:
            result["defaulted_features"] = [list(row) for row in self.defaulted]
        return result


def score_request(model: LoadedModel, body: bytes, kind: str, *, strict: bool) -> Scored:
    """Parse a request body and predict it with ``model``.

    Raises:
        RequestError: The body, its columns or its values are wrong (4xx), or the
            estimator refused the input (400, see :func:`predict_frame`).
    """
    return score_frame(model, parse_payload(body, kind), strict=strict)


def score_frame(model: LoadedModel, frame: pl.DataFrame, *, strict: bool) -> Scored:
    """Join stored features (feature-store models), conform to the signature, predict."""
    ready = prepare(model, frame, strict=strict)
    return Scored(
        model_version=model.version,
        prediction=predict_frame(model, ready.conformed.frame),
        ignored_columns=ready.conformed.ignored_columns,
        inputs=ready.logged,
        defaulted=ready.defaulted,
    )


@dataclass(frozen=True)
class Prepared:
    """A request ready to predict, and what the prediction log keeps of it."""

    conformed: ConformedFrame
    """The signature's columns, for ``predict``."""
    defaulted: tuple[tuple[str, ...], ...] | None = None
    """Feature-store models: per row, the features that got training-time defaults."""
    keys: pl.DataFrame | None = None
    """Feature-store models: the entity keys the features were looked up by."""

    @property
    def logged(self) -> pl.DataFrame:
        """The inputs as logged: the conformed rows, plus the entity keys (the skew check
        compares the served features with the offline store's for the same entity)."""
        if self.keys is None or self.keys.width == 0:
            return self.conformed.frame
        return pl.concat([self.conformed.frame, self.keys], how="horizontal")


def prepare(model: LoadedModel, frame: pl.DataFrame, *, strict: bool) -> Prepared:
    """A parsed request made ready for ``predict``: features joined in by entity key when
    the model was trained with the feature store, then conformed to the signature.

    Raises:
        RequestError: 400 naming the missing entity key or the bad column.
    """
    if model.features is None:
        return Prepared(conform(frame, model.signature, strict=strict))
    enriched = enrich(model.features, frame, tuple(c.name for c in model.signature.inputs))
    conformed = conform(enriched.frame, model.signature, strict=strict)
    return Prepared(conformed, enriched.defaulted, enriched.keys)


def predict_frame(model: LoadedModel, frame: pl.DataFrame) -> Prediction:
    """Predict conformed rows: labels or values, plus probabilities for a classifier.

    Raises:
        RequestError: 400 when the estimator refused the input with a ``ValueError``
            (generic message: scikit-learn's messages can quote the submitted values).
    """
    estimator = model.estimator
    if model.signature.task not in CLASSIFICATION_TASKS or not hasattr(estimator, "predict_proba"):
        return Prediction(_as_list(_call(model, estimator.predict, frame)), None, None)
    classes = getattr(estimator, "classes_", None)
    probabilities = _call(model, estimator.predict_proba, frame)
    threshold = model.threshold if model.signature.task == "binary" else None
    if classes is not None and threshold is not None and len(classes) == 2:
        positive = np.asarray(probabilities)[:, 1] >= threshold
        labels = np.where(positive, classes[1], classes[0])
    elif classes is not None and _final_name(estimator) in ARGMAX_PREDICTORS:
        labels = np.asarray(classes).take(np.argmax(probabilities, axis=1))
    else:
        labels = _call(model, estimator.predict, frame)
    return Prediction(
        _as_list(labels),
        to_json_native(probabilities),
        to_json_native([] if classes is None else classes),
        threshold if classes is not None and len(classes) == 2 else None,
    )


def _final_name(estimator: Any) -> str:
    """The class name of a pipeline's last step (or of the estimator itself)."""
    steps = getattr(estimator, "steps", None)
    final = steps[-1][1] if steps else estimator
    return type(final).__name__


def _as_list(values: Any) -> list[Any]:
    native = to_json_native(values)
    return native if isinstance(native, list) else [native]


def _call(model: LoadedModel, method: Any, frame: pl.DataFrame) -> Any:
    """Call an estimator method, turning its refusal of the input into a 400."""
    try:
        return method(frame)
    except ValueError as exc:
        logger.info("model %r version %d refused a request: %s", model.name, model.version, exc)
        raise bad_request(
            PREDICTION_FAILED,
            "the model could not score this input (for example a null it cannot impute "
            "or a category it does not accept); check the values against the signature",
        ) from exc


def to_json_native(value: Any) -> Any:
    """Numpy arrays and scalars as plain Python values that ``json.dumps`` accepts.

    Non-finite floats become ``None``: JSON has no NaN, and a prediction that is not a
    number is better reported as missing than as a 500.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and np.isfinite(value).all():
            return value.tolist()  # the common case, without visiting every item
        value = value.tolist()  # converts numeric dtypes; object arrays keep their items
    if isinstance(value, list | tuple):
        return [to_json_native(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return str(value)  # np.str_ is a str subclass; hand json a plain str
    return value
