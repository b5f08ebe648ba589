"""The quality report of a model version: how it behaves on the rows it was tested on.

A version's headline metrics say how good it is in one number each; the report says
where it errs (the confusion matrix at the threshold it answers with), how the trade-off
moves with the threshold (ROC and precision-recall curves), whether its probabilities
mean what they say (calibration), how far off a regression is (residuals), and which
input columns it leans on (permutation importance). It is computed once, when the
version is registered, stored as JSON beside it, and crosses the control API as this
record; it holds only plain values, so every front end can draw it without scikit-learn.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from workbench.core.records import to_jsonable


def finite_or_none(value: float) -> float | None:
    """``value`` when it is a finite number, else None (JSON in DuckDB has no NaN or inf)."""
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class ConfusionMatrix:
    """Counts of test rows by true class (rows) and predicted class (columns)."""

    labels: tuple[str, ...]
    """Class labels as text, in the model's class order (rows and columns alike)."""
    counts: tuple[tuple[int, ...], ...]
    """``counts[i][j]``: rows whose true class is ``labels[i]`` predicted as ``labels[j]``."""

    @property
    def total(self) -> int:
        """Rows counted (the test rows)."""
        return sum(sum(row) for row in self.counts)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConfusionMatrix:
        """The record from :func:`to_jsonable` output."""
        return cls(
            labels=tuple(str(label) for label in data["labels"]),
            counts=tuple(tuple(int(c) for c in row) for row in data["counts"]),
        )


@dataclass(frozen=True)
class Curve:
    """A threshold curve (ROC or precision-recall), thinned for drawing."""

    x: tuple[float, ...]
    """False positive rate (ROC) or recall (precision-recall), in curve order."""
    y: tuple[float, ...]
    """True positive rate (ROC) or precision (precision-recall)."""
    thresholds: tuple[float | None, ...]
    """The probability threshold of each point; None where there is none (the end points)."""
    area: float
    """ROC AUC, or average precision, computed on every point before thinning."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Curve:
        """The record from :func:`to_jsonable` output."""
        return cls(
            x=tuple(float(v) for v in data["x"]),
            y=tuple(float(v) for v in data["y"]),
            thresholds=tuple(None if t is None else float(t) for t in data["thresholds"]),
            area=float(data["area"]),
        )


@dataclass(frozen=True)
class Calibration:
    """Predicted probability against observed frequency, in equal-width bins."""

    of: str
    """What is calibrated: ``"positive class"`` (binary) or ``"top label"`` (multiclass:
    the highest probability against how often that prediction is right)."""
    predicted: tuple[float, ...]
    """Mean predicted probability of each non-empty bin."""
    observed: tuple[float, ...]
    """Share of rows in the bin that are positive (or predicted right)."""
    counts: tuple[int, ...]
    """Rows in each non-empty bin."""
    brier: float | None
    """Brier score of the positive-class probability (binary only)."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """The record from :func:`to_jsonable` output."""
        return cls(
            of=str(data["of"]),
            predicted=tuple(float(v) for v in data["predicted"]),
            observed=tuple(float(v) for v in data["observed"]),
            counts=tuple(int(v) for v in data["counts"]),
            brier=None if data.get("brier") is None else float(data["brier"]),
        )


@dataclass(frozen=True)
class Residuals:
    """How far a regression's predictions are from the truth (truth minus prediction)."""

    mean: float
    """Mean residual: the bias (positive means the model predicts too low)."""
    std: float
    """Standard deviation of the residuals."""
    mae: float
    """Mean absolute residual."""
    rmse: float
    """Root mean squared residual."""
    quantiles: dict[str, float]
    """``min``, ``p05``, ``p25``, ``median``, ``p75``, ``p95``, ``max`` of the residuals."""
    edges: tuple[float, ...]
    """Histogram bin edges (one more than ``counts``)."""
    counts: tuple[int, ...]
    """Residuals in each histogram bin."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Residuals:
        """The record from :func:`to_jsonable` output."""
        return cls(
            mean=float(data["mean"]),
            std=float(data["std"]),
            mae=float(data["mae"]),
            rmse=float(data["rmse"]),
            quantiles={str(k): float(v) for k, v in data["quantiles"].items()},
            edges=tuple(float(v) for v in data["edges"]),
            counts=tuple(int(v) for v in data["counts"]),
        )


@dataclass(frozen=True)
class Importance:
    """Permutation importance of one input column."""

    column: str
    """The input column (as the model version's signature names it)."""
    mean: float
    """Mean loss of the score when the column's values are shuffled (higher: relied on)."""
    std: float
    """Standard deviation of that loss over the repeats."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Importance:
        """The record from :func:`to_jsonable` output."""
        return cls(str(data["column"]), float(data["mean"]), float(data["std"]))


@dataclass(frozen=True)
class QualityReport:
    """Everything the report holds about one model version on its test rows."""

    task: str
    """binary | multiclass | regression."""
    rows: int
    """Test rows the report was computed on."""
    threshold: float | None = None
    """Binary: the probability at or above which the positive class is predicted (the one
    the confusion matrix uses); None for other tasks."""
    positive_label: str | None = None
    """Binary: the class the probabilities are of (``classes_[1]``)."""
    confusion: ConfusionMatrix | None = None
    """Classification: counts at ``threshold`` (binary) or of the predicted class."""
    roc: Curve | None = None
    """Binary: the ROC curve (x false positive rate, y true positive rate)."""
    precision_recall: Curve | None = None
    """Binary: the precision-recall curve (x recall, y precision)."""
    calibration: Calibration | None = None
    """Classification: the reliability curve."""
    residuals: Residuals | None = None
    """Regression: the residual summary and histogram."""
    importances: tuple[Importance, ...] = ()
    """The most important input columns, most important first."""
    importance_metric: str = ""
    """The score shuffling is measured on (``roc_auc``, ``f1_macro``, ``rmse``)."""
    importance_rows: int = 0
    """Test rows permutation importance used (a seeded sample when there are many)."""
    importance_repeats: int = 0
    """Shuffles per column."""
    columns: int = 0
    """Input columns the model reads (``importances`` keeps the top ones)."""
    seconds: float = 0.0
    """How long computing the report took."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what the store keeps)."""
        data: dict[str, Any] = to_jsonable(asdict(self))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityReport:
        """The record from :meth:`to_dict` output (a stored report)."""

        def part(key: str, kind: Any) -> Any:
            value = data.get(key)
            return None if value is None else kind.from_dict(value)

        threshold = data.get("threshold")
        return cls(
            task=str(data["task"]),
            rows=int(data["rows"]),
            threshold=None if threshold is None else float(threshold),
            positive_label=data.get("positive_label"),
            confusion=part("confusion", ConfusionMatrix),
            roc=part("roc", Curve),
            precision_recall=part("precision_recall", Curve),
            calibration=part("calibration", Calibration),
            residuals=part("residuals", Residuals),
            importances=tuple(Importance.from_dict(i) for i in data.get("importances", ())),
            importance_metric=str(data.get("importance_metric", "")),
            importance_rows=int(data.get("importance_rows", 0)),
            importance_repeats=int(data.get("importance_repeats", 0)),
            columns=int(data.get("columns", 0)),
            seconds=float(data.get("seconds", 0.0)),
        )
