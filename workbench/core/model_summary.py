"""How a model version's numbers read, the same in the CLI, the TUI and the notebook.

A version carries numbers of different standing: the validation score that chose it
(or its cross-validation mean and spread), its test metrics measured once on rows no
choice has seen, the decision threshold, and its improvement over production with a 95%
interval. These helpers label each for what it is, so no front end shows a validation
number where a person expects a test number.
"""

from __future__ import annotations

from typing import Any

from workbench.core.records import ModelVersionRecord
from workbench.core.vocabulary import KEY_METRICS


def gate_metric(model: ModelVersionRecord) -> str | None:
    """The metric that chose and gated ``model`` (older versions: the first key metric)."""
    metric = (model.evaluation or {}).get("metric")
    if metric:
        return str(metric)
    return next((k for k in KEY_METRICS if k in model.metrics), None)


def tested_text(model: ModelVersionRecord, metric: str | None = None) -> str:
    """``test roc_auc 0.8862``: the single evaluation on the test rows."""
    metric = metric or gate_metric(model)
    if metric is None or metric not in model.metrics:
        return "-"
    return f"test {metric} {model.metrics[metric]:.4f}"


def validation_text(model: ModelVersionRecord, metric: str | None = None) -> str:
    """``val 0.5076`` (holdout) or ``cv 0.5010 ± 0.0200`` (cross-validation), or ``-``."""
    metric = metric or gate_metric(model)
    values = model.metrics
    if f"val_{metric}" in values:
        return f"val {values[f'val_{metric}']:.4f}"
    if f"cv_{metric}_mean" in values:
        spread = values.get(f"cv_{metric}_std", 0.0)
        return f"cv {values[f'cv_{metric}_mean']:.4f} ± {spread:.4f}"
    return "-"


def gate_text(model: ModelVersionRecord) -> str:
    """``pass`` or ``fail``: whether the version cleared the promotion gate."""
    return "pass" if model.gate_passed else "fail"


def threshold_text(model: ModelVersionRecord) -> str:
    """The decision threshold as served, or ``-`` (not binary, or an older version)."""
    return "-" if model.threshold is None else f"{model.threshold:.3f}"


def comparison_with(model: ModelVersionRecord, production: int) -> dict[str, Any] | None:
    """``model``'s paired comparison with production version ``production`` on the same
    test rows (``metric``, ``delta``, ``low``, ``high``), or None when it was not tested
    beside that version (no production then, or production has moved since)."""
    champion = model.champion or {}
    compared = champion.get("comparison")
    if not compared or champion.get("version") != production:
        return None
    return dict(compared)


def comparison_text(comparison: dict[str, Any] | None, margin: float | None = None) -> str:
    """``+0.0123 [+0.0040, +0.0210]``, with "not significant" when the interval does not
    clear the margin (improvements: positive is better whatever the metric)."""
    if not comparison:
        return "-"
    text = f"{comparison['delta']:+.4f} [{comparison['low']:+.4f}, {comparison['high']:+.4f}]"
    if margin is None:
        margin = float(comparison.get("margin", 0.0))
    return text if comparison["low"] > margin else f"{text} not significant"


def versus_production_text(model: ModelVersionRecord) -> str:
    """The improvement over the production model it was tested beside, or ``-``."""
    champion = model.champion or {}
    if champion.get("error"):
        return f"v{champion.get('version')}: could not score"
    if not champion.get("comparison"):
        return "-"
    return f"vs v{champion['version']} {comparison_text(champion['comparison'])}"
