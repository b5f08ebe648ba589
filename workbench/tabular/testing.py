"""Testing the chosen model once, beside the baseline and the champion.

    evaluate >> refit >> test >> gate

``refit`` fits the winner again on every non-test row (train + validation). ``test``
chooses its decision threshold on the validation predictions, then scores it exactly once
on the test rows, beside the trivial baseline and the production model (the champion)
on the same rows, and compares them with a paired bootstrap. The gate reads the result:
the candidate must beat the baseline with an interval clear of zero, and reach the
optional absolute floor of ``gate.threshold``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.dag import TaskContext, task
from workbench.tabular.selection import Evaluation, Prepared, Split, selection_keys
from workbench.tabular.settings import TabularSettings
from workbench.tabular.sink import Champion
from workbench.training import FeaturePlan, TrainedModel, fit_candidate
from workbench.training.baseline import fit_baseline
from workbench.training.bootstrap import Comparison, Outputs, paired_bootstrap
from workbench.training.evaluate import metrics_of, model_outputs
from workbench.training.labels import target_labels
from workbench.training.threshold import choose_threshold, parse_rule


@dataclass(frozen=True)
class Tested:
    """The chosen model, tested once, and what the gate decided."""

    model: TrainedModel
    """The winner refitted on train + validation: the model registered and served."""
    metrics: dict[str, float]
    """Its test metrics (plain names), measured once."""
    selection: dict[str, float]
    """Its selection score: ``val_<metric>`` or ``cv_<metric>_mean`` / ``_std``."""
    threshold: float | None
    """Binary: the decision threshold chosen on validation; None otherwise."""
    baseline: dict[str, float]
    """The trivial baseline's test metrics."""
    versus_baseline: dict[str, Any]
    """The paired bootstrap comparison with the baseline (``Comparison.to_dict``)."""
    champion: dict[str, Any] | None
    """Production on the same test rows with its comparison, or None."""
    passed: bool
    """Whether the gate lets the model be registered."""
    reason: str
    """Why it passed or failed, in one sentence."""
    evaluation: dict[str, Any]
    """The protocol record stored with the model version (split, selection, rows, ...)."""


@task(cache=True)
def refit(
    evaluate: Evaluation,
    split: Split,
    preprocess: FeaturePlan,
    validate: Prepared,
    settings: TabularSettings,
    ctx: TaskContext,
) -> TrainedModel:
    """Fit the chosen candidate again on every non-test row: the model that is tested."""
    best = evaluate.best.model
    develop = split.develop
    model = fit_candidate(
        best.name, validate.task, preprocess, develop, settings.target, best.params, settings.seed
    )
    ctx.log_metric("refit.fit_seconds", model.fit_seconds)
    ctx.log.info(
        "refitted %s%s on %d rows (train + validation) in %.2f s",
        best.name,
        f" {best.params}" if best.params else "",
        develop.height,
        model.fit_seconds,
    )
    return model


def _threshold(
    evaluate: Evaluation, split: Split, validate: Prepared, settings: TabularSettings
) -> float | None:
    """The decision threshold from the winner's validation (or out-of-fold) scores."""
    scores = evaluate.best.val_scores
    if validate.task != "binary" or scores is None:
        return None
    rows = split.train if split.selection == "cv" else split.valid
    classes = getattr(evaluate.best.model.estimator, "classes_", None)
    assert classes is not None
    is_positive = target_labels(rows, settings.target) == classes[1]
    return choose_threshold(parse_rule(settings.threshold_rule), is_positive, scores)


def _compare(metric: str, mine: Outputs, theirs: Outputs, settings: TabularSettings) -> Comparison:
    return paired_bootstrap(metric, mine, theirs, resamples=settings.bootstrap, seed=settings.seed)


def _champion(
    champion: Champion | None,
    split: Split,
    mine: Outputs,
    metric: str,
    validate: Prepared,
    settings: TabularSettings,
) -> dict[str, Any] | None:
    """Production on the same test rows, with the paired comparison (or why it could not)."""
    if champion is None:
        return None
    try:
        theirs = model_outputs(
            champion.estimator, split.test, settings.target, validate.task, champion.threshold
        )
        compared = _compare(metric, mine, theirs, settings)
    except Exception as exc:  # the new data may no longer fit the old model
        return {"version": champion.version, "metrics": {}, "error": f"{type(exc).__name__}: {exc}"}
    return {
        "version": champion.version,
        "metrics": metrics_of(theirs, validate.task, settings.target),
        "comparison": compared.to_dict()
        | {
            "margin": settings.promotion_margin,
            "significant": compared.clears(settings.promotion_margin),
        },
    }


def _verdict(
    metric: str, direction: str, value: float, versus: Comparison, settings: TabularSettings
) -> tuple[bool, str]:
    """Whether the gate passes, and one sentence saying why."""
    beats = versus.clears(0.0)
    interval = f"[{versus.low:+.4f}, {versus.high:+.4f}]"
    if settings.baseline_gate and not beats:
        return False, (
            f"{metric} {value:.4f} does not beat the baseline {versus.b:.4f} on the test rows: "
            f"improvement {versus.delta:+.4f}, 95% interval {interval} includes 0"
        )
    floor = settings.gate_threshold
    if floor != 0.0 and (value < floor if direction == "max" else value > floor):
        return False, f"{metric} {value:.4f} misses the gate floor {floor} ({direction})"
    said = (
        f"beats the baseline by {versus.delta:+.4f} {interval}"
        if settings.baseline_gate
        else ("baseline gate off")
    )
    return True, f"{metric} {value:.4f} {said}" + (f", reaches floor {floor}" if floor else "")


@task(name="test")
def score_test(
    refit: TrainedModel,
    evaluate: Evaluation,
    split: Split,
    validate: Prepared,
    settings: TabularSettings,
    ctx: TaskContext,
    champion: Champion | None = None,
) -> Tested:
    """Score the chosen model once on the test rows, beside the baseline and the champion."""
    metric, direction, kind = evaluate.metric, evaluate.direction, validate.task
    threshold = _threshold(evaluate, split, validate, settings)
    mine = model_outputs(refit.estimator, split.test, settings.target, kind, threshold)
    metrics = metrics_of(mine, kind, settings.target)
    baseline = fit_baseline(kind, split.develop, settings.target)
    theirs = model_outputs(baseline, split.test, settings.target, kind)
    base_metrics = metrics_of(theirs, kind, settings.target)
    versus = _compare(metric, mine, theirs, settings)
    passed, reason = _verdict(metric, direction, metrics[metric], versus, settings)
    best = evaluate.best
    selection = {
        k: v
        for k, v in selection_keys(split.selection, best.metrics, best.spread).items()
        if k in (f"val_{metric}", f"cv_{metric}_mean", f"cv_{metric}_std")
    }
    for key, value in metrics.items():
        ctx.log_metric(f"test_{key}", value)
    for key, value in base_metrics.items():
        ctx.log_metric(f"baseline.test_{key}", value)
    for key, value in selection.items():
        ctx.log_metric(key, value)
    ctx.log_metric("gate.delta", versus.delta)
    ctx.log_metric("gate.low", versus.low)
    ctx.log_metric("gate.high", versus.high)
    if threshold is not None:
        ctx.log_metric("threshold", threshold)
        ctx.log.info("threshold %.4f (rule %s, on validation)", threshold, settings.threshold_rule)
    ctx.log.info(
        "%s: %s; test %s %.4f, baseline %.4f",
        best.model.name,
        ", ".join(f"{k} {v:.4f}" for k, v in selection.items()),
        metric,
        metrics[metric],
        base_metrics[metric],
    )
    champ = _champion(champion, split, mine, metric, validate, settings)
    if champ and "comparison" in champ:
        c = champ["comparison"]
        ctx.log.info(
            "versus production v%d: %s %+.4f, 95%% interval [%+.4f, %+.4f]",
            champ["version"],
            metric,
            c["delta"],
            c["low"],
            c["high"],
        )
    evaluation = {
        "selection": split.selection,
        "split": split.order,
        "metric": metric,
        "direction": direction,
        "rows": {
            "train": split.train.height,
            "validation": split.valid.height,
            "test": split.test.height,
        },
        "validation": selection,
        "baseline": base_metrics,
        "versus_baseline": versus.to_dict(),
        "threshold_rule": settings.threshold_rule if threshold is not None else None,
        "minority_share": validate.minority_share,
        "gate": reason,
    }
    if split.selection == "cv":
        evaluation["folds"] = len(split.folds)
    return Tested(
        refit,
        metrics,
        selection,
        threshold,
        base_metrics,
        versus.to_dict(),
        champ,
        passed,
        reason,
        evaluation,
    )
