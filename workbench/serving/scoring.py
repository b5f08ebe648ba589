"""Score one request body with one loaded model: parse, conform, predict, make JSON-ready.

This is the CPU-bound part of a request, so ``app.py`` runs it in a worker thread and
the event loop keeps answering ``/ping`` while a large batch is scored. It takes the
model as an argument (read from the holder once per request), so a swap mid-request
cannot mix two versions in one answer.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from workbench.serving.conform import conform
from workbench.serving.errors import PREDICTION_FAILED, bad_request
from workbench.serving.loaded import LoadedModel
from workbench.serving.payloads import parse_payload

logger = logging.getLogger(__name__)

CLASSIFICATION_TASKS = ("binary", "multiclass")


@dataclass(frozen=True)
class Scored:
    """The outcome of scoring one request."""

    body: dict[str, Any]
    """The JSON response body: predictions, model version, and class probabilities."""
    model_version: int
    """The version that produced every value in ``body``."""
    ignored_columns: tuple[str, ...]
    """Request columns the model does not use, for the response header."""


def score_request(model: LoadedModel, body: bytes, kind: str, *, strict: bool) -> Scored:
    """Parse a request body and predict it with ``model``.

    Raises:
        RequestError: The body, its columns or its values are wrong (4xx), or the
            estimator refused the input with a ``ValueError`` (400, generic message:
            scikit-learn's messages can quote the submitted values).
    """
    conformed = conform(parse_payload(body, kind), model.signature, strict=strict)
    result: dict[str, Any] = {
        "predictions": _predict(model, conformed.frame),
        "model_version": model.version,
    }
    if model.signature.task in CLASSIFICATION_TASKS and hasattr(model.estimator, "predict_proba"):
        result["probabilities"] = to_json_native(
            _call(model, model.estimator.predict_proba, conformed.frame)
        )
        result["classes"] = to_json_native(getattr(model.estimator, "classes_", []))
    return Scored(
        body=result, model_version=model.version, ignored_columns=conformed.ignored_columns
    )


def _predict(model: LoadedModel, frame: pl.DataFrame) -> list[Any]:
    predictions = to_json_native(_call(model, model.estimator.predict, frame))
    return predictions if isinstance(predictions, list) else [predictions]


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
