"""The default tabular pipeline, built from the blocks below it.

    validate >> split >> preprocess >> [train_<candidate> ..., score_champion] >> evaluate
    evaluate >> gate >> [register, alert_if_fail]

Candidates train in parallel as separate tasks, and the production model (the champion)
is scored on the same held-out rows beside them; ``gate`` is a branch task choosing
``register`` when the best candidate passes and ``alert_if_fail`` otherwise, the way an
Airflow user writes ``evaluate >> [deploy_if_pass, alert_if_fail]``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.core.errors import DataError
from workbench.core.signature import Signature
from workbench.dag import Pipeline, Task, TaskContext, result_type, task
from workbench.modelfile import dump_model
from workbench.pipeline.search import trials_for
from workbench.pipeline.settings import TabularSettings
from workbench.pipeline.sink import Champion, ModelSink
from workbench.training import (
    FeaturePlan,
    TrainedModel,
    detect_task,
    evaluate,
    fit_candidate,
    plain_classes,
    plan_features,
    primary_metric,
    signature_for,
    split_frame,
)

REGRESSION_ALIASES = {"logistic_regression": "ridge"}
result_type(TrainedModel)  # a trained candidate is cached, so its parts must be storable
MIN_ROWS = 20


@dataclass(frozen=True)
class Prepared:
    """The training frame after the pipeline's own checks."""

    frame: pl.DataFrame
    """All rows of the training window."""
    task: str
    """binary | multiclass | regression."""


@dataclass(frozen=True)
class Split:
    """Train and held-out rows."""

    train: pl.DataFrame
    """Rows the candidates learn from."""
    test: pl.DataFrame
    """Rows every candidate (and production) is scored on."""


@result_type
@dataclass(frozen=True)
class Scored:
    """A fitted candidate with its held-out metrics."""

    model: TrainedModel
    """The fitted pipeline and its name."""
    metrics: dict[str, float]
    """Held-out metrics."""


@dataclass(frozen=True)
class Evaluation:
    """All candidates scored, the best one chosen by the gate metric."""

    scored: tuple[Scored, ...]
    """Every candidate that trained."""
    best: Scored
    """The one the gate judges."""
    metric: str
    """Gate metric name."""
    direction: str
    """max or min."""
    passed: bool
    """Whether ``best`` reached the threshold."""
    champion: dict[str, Any] | None = None
    """Production scored on the same held-out rows (None without production)."""


def candidate_names(settings: TabularSettings, task_kind: str | None = None) -> tuple[str, ...]:
    """Candidate names, with classification-only ones mapped for regression."""
    if task_kind != "regression":
        return settings.candidates
    return tuple(dict.fromkeys(REGRESSION_ALIASES.get(c, c) for c in settings.candidates))


@task
def validate(frame: pl.DataFrame, settings: TabularSettings) -> Prepared:
    """Refuse a window that cannot train: no target, too few rows, a null or constant target."""
    if settings.target not in frame.columns:
        raise DataError(
            f"target column '{settings.target}' is not in the data "
            f"(columns: {', '.join(frame.columns[:20])})"
        )
    if frame.height < MIN_ROWS:
        raise DataError(f"only {frame.height} rows to train on; at least {MIN_ROWS} are needed")
    override = None if settings.task == "auto" else settings.task
    return Prepared(frame, detect_task(frame[settings.target], override))


@task
def split(validate: Prepared, settings: TabularSettings, ctx: TaskContext) -> Split:
    """Hold out a deterministic share of rows (stratified for classification)."""
    train, test = split_frame(
        validate.frame, settings.target, validate.task, settings.test_size, settings.seed
    )
    ctx.log_params({"rows_train": train.height, "rows_test": test.height, "task": validate.task})
    ctx.log.info(
        "%s task: %d rows to train on, %d held out (seed %d)",
        validate.task,
        train.height,
        test.height,
        settings.seed,
    )
    return Split(train, test)


@task
def preprocess(split: Split, settings: TabularSettings, ctx: TaskContext) -> FeaturePlan:
    """Decide each column's treatment: numeric, categorical, datetime, or dropped and why."""
    plan = plan_features(split.train, settings.target)
    ctx.log_params({f"dropped.{c}": why for c, why in plan.dropped_reasons.items()})
    ctx.log.info(
        "features: %d numeric, %d categorical, %d datetime",
        len(plan.numeric),
        len(plan.categorical),
        len(plan.datetime),
    )
    for column, why in plan.dropped_reasons.items():
        ctx.log.info("dropped %s: %s", column, why)
    return plan


def _trainer(name: str, task_name: str, params: dict[str, Any]) -> Task:
    def train(
        split: Split,
        preprocess: FeaturePlan,
        validate: Prepared,
        settings: TabularSettings,
        ctx: TaskContext,
    ) -> Scored:
        model = fit_candidate(
            name, validate.task, preprocess, split.train, settings.target, params, settings.seed
        )
        metrics = evaluate(model.estimator, split.test, settings.target, validate.task)
        label = task_name.removeprefix("train_")
        if params:
            ctx.log_params(params)
        ctx.log_metric(f"{label}.fit_seconds", model.fit_seconds)
        for key, value in metrics.items():
            ctx.log_metric(f"{label}.{key}", value)
        ctx.log.info(
            "fitted %s%s on %d rows in %.2f s; held out: %s",
            name,
            f" {params}" if params else "",
            split.train.height,
            model.fit_seconds,
            ", ".join(f"{k} {v:.4f}" for k, v in sorted(metrics.items())),
        )
        return Scored(model, metrics)

    train.__doc__ = f"Fit and score the {name} candidate" + (f" with {params}." if params else ".")
    # Fitting is the expensive part of a run: the same code on the same rows and params
    # reuses the stored model instead (the run shows the task as cached).
    return task(name=task_name, cache=True)(train)


def _trainers(settings: TabularSettings, task_kind: str | None) -> tuple[Task, ...]:
    """One task per candidate, or one per trial for candidates with a search."""
    out = []
    for name in candidate_names(settings, task_kind):
        trials = trials_for(name, settings.search.get(name), settings.seed)
        for i, params in enumerate(trials):
            task_name = f"train_{name}" if len(trials) == 1 and not params else f"train_{name}_t{i}"
            out.append(_trainer(name, task_name, params))
    return tuple(out)


def _evaluator(trainers: tuple[str, ...]) -> Task:
    def evaluate_candidates(
        settings: TabularSettings,
        validate: Prepared,
        score_champion: dict[str, Any] | None,
        **scored: Any,
    ) -> Evaluation:
        metric, direction = primary_metric(validate.task)
        if settings.gate_metric != "auto":
            metric = settings.gate_metric
        if validate is None:
            raise DataError("nothing to evaluate: the data did not pass validation")
        results = tuple(scored[name] for name in trainers if scored.get(name) is not None)
        if not results:
            raise DataError("no candidate trained successfully")
        for r in results:
            if metric not in r.metrics:
                raise DataError(f"gate metric '{metric}' is not one of {', '.join(r.metrics)}")
        pick = max if direction == "max" else min
        per_candidate: dict[str, Scored] = {}
        for r in results:  # the best trial of each candidate goes on
            held = per_candidate.get(r.model.name)
            per_candidate[r.model.name] = (
                r if held is None else pick((held, r), key=lambda x: x.metrics[metric])
            )
        results = tuple(per_candidate.values())
        best = pick(results, key=lambda r: r.metrics[metric])
        value = best.metrics[metric]
        passed = (
            value >= settings.gate_threshold
            if direction == "max"
            else (value <= settings.gate_threshold)
        )
        return Evaluation(results, best, metric, direction, passed, score_champion)

    params = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for n in ("settings", "validate", "score_champion", *trainers)
    ]
    evaluate_candidates.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    evaluate_candidates.__doc__ = "Score every candidate on the held-out rows; pick the best."
    return task(name="evaluate", trigger="all_done")(evaluate_candidates)


@task
def score_champion(
    split: Split, validate: Prepared, settings: TabularSettings, champion: Champion | None = None
) -> dict[str, Any] | None:
    """Score production on the candidates' held-out rows, so a person compares like with like.

    A champion that cannot score the new rows (its columns are gone) is reported as such
    rather than failing the run.
    """
    if champion is None:
        return None
    try:
        metrics = evaluate(champion.estimator, split.test, settings.target, validate.task)
    except Exception as exc:  # the new data may no longer fit the old model
        return {"version": champion.version, "metrics": {}, "error": f"{type(exc).__name__}: {exc}"}
    return {"version": champion.version, "metrics": metrics}


@task(branch=True)
def gate(evaluate: Evaluation, ctx: TaskContext) -> str:
    """Follow ``register`` when the best candidate reaches the threshold, else alert."""
    ctx.log_params({"gate.metric": evaluate.metric, "gate.best": evaluate.best.model.name})
    ctx.log_metric("gate.value", evaluate.best.metrics[evaluate.metric])
    ctx.log.info(
        "best: %s with %s %.4f; %s",
        evaluate.best.model.name,
        evaluate.metric,
        evaluate.best.metrics[evaluate.metric],
        "passes the gate: register" if evaluate.passed else "below the gate: alert",
    )
    return "register" if evaluate.passed else "alert_if_fail"


@task(local=True)  # the sink writes to the store: it runs where the engine is
def register(
    evaluate: Evaluation,
    split: Split,
    preprocess: FeaturePlan,
    validate: Prepared,
    settings: TabularSettings,
    sink: ModelSink,
) -> int:
    """Store the best candidate with skops and register it as a candidate version."""
    best = evaluate.best
    classes = plain_classes(getattr(best.model.estimator, "classes_", ()))
    signature: Signature = signature_for(
        preprocess, split.train, settings.target, validate.task, classes
    )
    return sink.register(
        candidate=best.model.name,
        model_bytes=dump_model(best.model.estimator),
        metrics=best.metrics,
        signature=signature,
        gate_passed=True,
        champion=evaluate.champion,
    )


@task(trigger="all_success", local=True)
def alert_if_fail(evaluate: Evaluation, settings: TabularSettings, sink: ModelSink) -> None:
    """Tell a person the gate failed, with the numbers."""
    value = evaluate.best.metrics[evaluate.metric]
    sink.alert(
        "gate.failed",
        f"best candidate {evaluate.best.model.name} has {evaluate.metric} {value:.4f}, "
        f"below the gate threshold {settings.gate_threshold}",
        metric=evaluate.metric,
        value=value,
        threshold=settings.gate_threshold,
    )


def tabular_pipeline(settings: TabularSettings, task_kind: str | None = None) -> Pipeline:
    """The default pipeline for the candidates in ``settings``."""
    trainers = _trainers(settings, task_kind)
    evaluator = _evaluator(tuple(t.name for t in trainers))
    return Pipeline(
        "tabular",
        validate >> split >> preprocess >> [*trainers, score_champion] >> evaluator >> gate,
        gate >> [register, alert_if_fail],
        inputs=("frame", "settings", "sink", "champion"),
    )
