"""The input signature of a trained model: what the scoring server checks requests against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DTYPE_NAMES: tuple[str, ...] = ("int", "float", "bool", "string", "datetime")
"""The signature dtype vocabulary, without polars, so a process that only reads manifests
(the lean serving supervisor) need not import it. ``serving.conform.DTYPES`` maps each name
to its polars dtype."""


@dataclass(frozen=True)
class ColumnSpec:
    """One input column the model was trained on."""

    name: str
    """Column name exactly as in the training data."""
    dtype: str
    """Logical type: ``"int"``, ``"float"``, ``"bool"``, ``"string"`` or ``"datetime"``."""


@dataclass(frozen=True)
class Signature:
    """Inputs and output of a model version, recorded at training time.

    The server uses it to refuse requests with missing or mistyped columns before they
    reach scikit-learn, and to name the column in the 4xx error.
    """

    inputs: tuple[ColumnSpec, ...]
    """Feature columns in training order (the target is never among them)."""
    target: str
    """Name of the target column the model predicts."""
    task: str
    """``"binary"``, ``"multiclass"`` or ``"regression"``."""
    classes: tuple[Any, ...] = field(default=())
    """Class labels for classification, in the order of ``predict_proba`` columns."""
    features: dict[str, Any] | None = None
    """The feature-store join the model's rows got (``JoinPlan.to_dict()``): which views,
    by which entity key, ttl and defaults. The server joins requests the same way."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, stored beside the model version."""
        return {
            "inputs": [{"name": c.name, "dtype": c.dtype} for c in self.inputs],
            "target": self.target,
            "task": self.task,
            "classes": list(self.classes),
        } | ({"features": self.features} if self.features else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signature:
        """Rebuild a signature from :meth:`to_dict` output."""
        return cls(
            inputs=tuple(ColumnSpec(c["name"], c["dtype"]) for c in data["inputs"]),
            target=data["target"],
            task=data["task"],
            classes=tuple(data.get("classes", ())),
            features=data.get("features") or None,
        )
