"""Paired bootstrap: is one model really better than another on the same rows?

Two models scored on the same test rows differ by a number; whether that number is more
than the luck of which rows were drawn is what the bootstrap answers. Rows are resampled
with replacement (the same resample for both models: paired), the metric difference is
recomputed on each resample, and the 2.5th and 97.5th percentiles give a 95% interval.

Every resample is a row of a weight matrix (how often each test row was drawn), and each
metric is written as a weighted sum over rows, so all resamples are computed at once with
numpy: 1,000 resamples of 5,000 rows take well under a second, rank metrics included
(scores are sorted once; a resample only reweights the sorted groups).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from workbench.core.errors import TrainingError
from workbench.core.vocabulary import lower_is_better

"""Metrics where a smaller value is better; every other metric is better when larger."""

_EPS = 1e-15


@dataclass(frozen=True)
class Outputs:
    """What a model said about the test rows, in the form the metrics need."""

    truth: np.ndarray
    """True labels (classification) or values (regression), one per row."""
    scores: np.ndarray
    """Binary: P(positive). Multiclass: probabilities, one column per class. Regression:
    predicted values."""
    predicted: np.ndarray | None = None
    """Predicted labels (at the model's threshold for binary); None for regression."""
    classes: np.ndarray | None = None
    """Class labels in ``scores`` column order (classification)."""


@dataclass(frozen=True)
class Comparison:
    """The difference between two models on the same rows, with its 95% interval.

    ``delta`` and the bounds are *improvements*: positive means ``a`` is better than
    ``b`` whatever the metric's direction (for rmse, ``b - a``).
    """

    metric: str
    """The metric compared."""
    a: float
    """Metric of the first model (the candidate or challenger) on all rows."""
    b: float
    """Metric of the second model (the baseline or champion) on all rows."""
    delta: float
    """Improvement of ``a`` over ``b`` on all rows."""
    low: float
    """2.5th percentile of the improvement over the resamples."""
    high: float
    """97.5th percentile of the improvement over the resamples."""
    resamples: int
    """How many bootstrap resamples were drawn."""
    seed: int
    """Seed of the resampling, so the interval can be reproduced."""

    def clears(self, margin: float = 0.0) -> bool:
        """Whether the whole interval lies above ``margin`` (the improvement is real)."""
        return self.low > margin

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form, stored with model versions and decisions."""
        return asdict(self)


def resample_weights(rows: int, resamples: int, seed: int) -> np.ndarray:
    """How often each row is drawn in each resample: shape ``(resamples, rows)``."""
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, rows, size=(resamples, rows))
    flat = drawn + (np.arange(resamples) * rows)[:, None]
    counts = np.bincount(flat.ravel(), minlength=resamples * rows)
    # float32 holds every count exactly and halves the memory each metric streams through
    return counts.reshape(resamples, rows).astype(np.float32)


def paired_bootstrap(
    metric: str, a: Outputs, b: Outputs, *, resamples: int = 1000, seed: int = 0
) -> Comparison:
    """Compare models ``a`` and ``b`` on the same rows with a paired bootstrap.

    Args:
        metric: A metric name from ``workbench.training.evaluate``.
        a: The first model's outputs (candidate, challenger).
        b: The second model's outputs on the same rows (baseline, champion).
        resamples: Number of bootstrap resamples.
        seed: Seed of the resampling.

    Raises:
        TrainingError: Unknown metric, or the two outputs cover different rows.
    """
    if metric not in METRICS:
        raise TrainingError(f"no bootstrap for metric {metric!r}; known: {', '.join(METRICS)}")
    if len(a.truth) != len(b.truth) or not np.array_equal(a.truth, b.truth):
        raise TrainingError("a paired comparison needs both models scored on the same rows")
    if resamples < 1:
        raise TrainingError(f"resamples must be at least 1, got {resamples}")
    fn = METRICS[metric]
    ones = np.ones((1, len(a.truth)))
    point_a, point_b = float(fn(ones, a)[0]), float(fn(ones, b)[0])
    weights = resample_weights(len(a.truth), resamples, seed)
    diff = fn(weights, a) - fn(weights, b)
    sign = -1.0 if lower_is_better(metric) else 1.0
    improvement = sign * diff[np.isfinite(diff)]
    if improvement.size == 0:
        low = high = float("nan")
    else:
        low, high = (float(v) for v in np.percentile(improvement, [2.5, 97.5]))
    return Comparison(
        metric=metric,
        a=point_a,
        b=point_b,
        delta=sign * (point_a - point_b),
        low=low,
        high=high,
        resamples=resamples,
        seed=seed,
    )


def metric_value(metric: str, outputs: Outputs) -> float:
    """The metric on all rows (the bootstrap's point estimate)."""
    return float(METRICS[metric](np.ones((1, len(outputs.truth))), outputs)[0])


def _mean(w: np.ndarray, per_row: np.ndarray) -> np.ndarray:
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _floats((w @ per_row) / total)


def _positive(o: Outputs) -> np.ndarray:
    assert o.classes is not None
    return _floats((o.truth == o.classes[1]).astype(np.float64))


def _grouped(w: np.ndarray, o: Outputs) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative weight per distinct score, scores descending: (B, G) each.

    One gather of the weight matrix in score order gives every group's total; positives
    are a small subset on rare-event data, so their sums come from their own columns and
    negatives are the difference.
    """
    order = np.argsort(-o.scores, kind="mergesort")
    sorted_scores = o.scores[order]
    new_group = np.r_[True, sorted_scores[1:] != sorted_scores[:-1]]
    starts = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1  # group of each sorted row
    total = np.add.reduceat(w[:, order], starts, axis=1)
    positive = _positive(o)[order] == 1
    pos = np.zeros_like(total)
    if positive.any():
        pos_group = group[positive]
        sub = np.flatnonzero(np.r_[True, pos_group[1:] != pos_group[:-1]])
        pos[:, pos_group[sub]] = np.add.reduceat(w[:, order[positive]], sub, axis=1)
    return pos, total - pos


def _roc_auc(w: np.ndarray, o: Outputs) -> np.ndarray:
    pos, neg = _grouped(w, o)
    neg_above = np.cumsum(neg, axis=1) - neg  # negatives scored strictly higher
    total_pos, total_neg = pos.sum(axis=1), neg.sum(axis=1)
    wrong = (pos * (neg_above + 0.5 * neg)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _floats(1.0 - wrong / (total_pos * total_neg))


def _average_precision(w: np.ndarray, o: Outputs) -> np.ndarray:
    pos, neg = _grouped(w, o)
    tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        return _floats((pos * precision).sum(axis=1) / pos.sum(axis=1))


def _counts(w: np.ndarray, o: Outputs, label: Any) -> tuple[np.ndarray, ...]:
    assert o.predicted is not None
    is_true, is_pred = (o.truth == label).astype(float), (o.predicted == label).astype(float)
    tp = w @ (is_true * is_pred)
    return tp, w @ ((1 - is_true) * is_pred), w @ (is_true * (1 - is_pred))


def _f1_of(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)


def _binary_counts(w: np.ndarray, o: Outputs) -> tuple[np.ndarray, ...]:
    assert o.classes is not None
    return _counts(w, o, o.classes[1])


def _precision(w: np.ndarray, o: Outputs) -> np.ndarray:
    tp, fp, _ = _binary_counts(w, o)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tp + fp > 0, tp / (tp + fp), 0.0)


def _recall(w: np.ndarray, o: Outputs) -> np.ndarray:
    tp, _, fn = _binary_counts(w, o)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tp + fn > 0, tp / (tp + fn), 0.0)


def _f1(w: np.ndarray, o: Outputs) -> np.ndarray:
    return _f1_of(*_binary_counts(w, o))


def _f1_macro(w: np.ndarray, o: Outputs) -> np.ndarray:
    assert o.classes is not None
    return _floats(np.mean([_f1_of(*_counts(w, o, label)) for label in o.classes], axis=0))


def _accuracy(w: np.ndarray, o: Outputs) -> np.ndarray:
    assert o.predicted is not None
    return _mean(w, (o.truth == o.predicted).astype(np.float64))


def _log_loss(w: np.ndarray, o: Outputs) -> np.ndarray:
    assert o.classes is not None
    if o.scores.ndim == 1:
        p = np.where(_positive(o) == 1, o.scores, 1 - o.scores)
    else:
        column = np.searchsorted(o.classes, o.truth)
        p = o.scores[np.arange(len(o.truth)), column]
    return _mean(w, -np.log(np.clip(p, _EPS, 1.0)))


def _roc_auc_ovr(w: np.ndarray, o: Outputs) -> np.ndarray:
    assert o.classes is not None
    per_class = []
    for i, label in enumerate(o.classes):
        present = o.truth == label
        if present.any() and not present.all():
            one = Outputs(present, o.scores[:, i], classes=np.array([False, True]))
            per_class.append(_roc_auc(w, one))
    return _floats(np.nanmean(per_class, axis=0))


def _rmse(w: np.ndarray, o: Outputs) -> np.ndarray:
    return _floats(np.sqrt(_mean(w, (o.truth - o.scores) ** 2)))


def _mae(w: np.ndarray, o: Outputs) -> np.ndarray:
    return _mean(w, np.abs(o.truth - o.scores))


def _r2(w: np.ndarray, o: Outputs) -> np.ndarray:
    truth = o.truth.astype(np.float64)
    sse = w @ ((truth - o.scores) ** 2)
    total = w.sum(axis=1)
    mean = (w @ truth) / total
    sst = w @ (truth**2) - total * mean**2
    with np.errstate(invalid="ignore", divide="ignore"):
        return _floats(1.0 - sse / sst)


METRICS: dict[str, Callable[[np.ndarray, Outputs], np.ndarray]] = {
    "roc_auc": _roc_auc,
    "average_precision": _average_precision,
    "accuracy": _accuracy,
    "f1": _f1,
    "precision": _precision,
    "recall": _recall,
    "log_loss": _log_loss,
    "f1_macro": _f1_macro,
    "roc_auc_ovr": _roc_auc_ovr,
    "rmse": _rmse,
    "mae": _mae,
    "r2": _r2,
}
"""Each metric as a function of a weight matrix (one row per resample) and the outputs."""


def _floats(values: Any) -> np.ndarray:
    """``values`` as a float array (numpy's operators are typed as returning Any)."""
    return np.asarray(values, dtype=np.float64)
