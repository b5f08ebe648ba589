"""Choose the probability from which a binary model says "positive".

The 0.5 a classifier predicts with by default is nobody's decision: on data with 3.5%
positives it gives a model that misses most of them. The threshold is chosen instead on
the validation predictions (never on the test rows), by a rule the user names in
``gate.threshold_rule``, stored with the model version and applied by the scoring server.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import precision_recall_curve

from workbench.core.errors import ConfigError

RULES = ("f1", "precision_at", "recall_at", "fixed")
"""Rule names: ``f1``, ``precision_at:P``, ``recall_at:R``, ``fixed:T``."""


@dataclass(frozen=True)
class ThresholdRule:
    """A parsed ``gate.threshold_rule``."""

    kind: str
    """f1 | precision_at | recall_at | fixed."""
    value: float | None = None
    """The target precision or recall, or the fixed threshold; None for f1."""

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value:g}"


def parse_rule(text: str) -> ThresholdRule:
    """Read ``f1``, ``precision_at:0.9``, ``recall_at:0.8`` or ``fixed:0.5``.

    Raises:
        ConfigError: Unknown rule or a value outside (0, 1); the message names the key.
    """
    kind, _, raw = text.strip().partition(":")
    where = "workbench.toml: [gate] threshold_rule"
    if kind not in RULES:
        raise ConfigError(
            f"{where} must be one of f1, precision_at:P, recall_at:R, fixed:T, got {text!r}"
        )
    if kind == "f1":
        if raw:
            raise ConfigError(f"{where}: f1 takes no value, got {text!r}")
        return ThresholdRule("f1")
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"{where}: {kind} needs a number, e.g. {kind}:0.8, got {text!r}"
        ) from None
    if not 0.0 < value < 1.0:
        raise ConfigError(f"{where}: {kind} value must be between 0 and 1, got {value}")
    return ThresholdRule(kind, value)


def choose_threshold(rule: ThresholdRule, is_positive: np.ndarray, scores: np.ndarray) -> float:
    """The threshold ``rule`` picks on validation labels and positive-class scores.

    ``precision_at:P`` takes the lowest threshold whose precision reaches P (the most
    recall at that precision); ``recall_at:R`` the highest whose recall still reaches R
    (the most precision at that recall). When no threshold meets the target, the one
    closest to it is taken, so a model is never left without a threshold.
    """
    if rule.kind == "fixed":
        assert rule.value is not None
        return rule.value
    keep = np.isfinite(scores)
    truth, scores = np.asarray(is_positive)[keep].astype(bool), np.asarray(scores)[keep]
    if not truth.any() or truth.all():
        return 0.5
    precision, recall, thresholds = precision_recall_curve(truth, scores)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    if rule.kind == "f1":
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0)
        return float(thresholds[int(np.argmax(f1))])
    assert rule.value is not None
    if rule.kind == "precision_at":
        ok = np.flatnonzero(precision >= rule.value)
        return float(thresholds[ok[0]] if ok.size else thresholds[int(np.argmax(precision))])
    ok = np.flatnonzero(recall >= rule.value)
    return float(thresholds[ok[-1]] if ok.size else thresholds[0])
