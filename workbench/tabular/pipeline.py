"""The default tabular pipeline, built from the blocks below it.

    validate >> split >> preprocess >> [train_<candidate> ...] >> evaluate >> refit
    refit >> test >> gate >> [register, alert_if_fail]

Candidates (and search trials) train in parallel as separate tasks and are chosen on
validation rows (``workbench.tabular.selection``); the winner is refitted and scored
once on the test rows beside the trivial baseline and production
(``workbench.tabular.testing``). ``gate`` is a branch task choosing ``register`` when
the tested model passes and ``alert_if_fail`` otherwise, the way an Airflow user writes
``evaluate >> [deploy_if_pass, alert_if_fail]``.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from workbench.core.errors import DataError, TrainingError
from workbench.core.signature import Signature
from workbench.dag import Pipeline, Task, TaskContext, result_type, task
from workbench.modelfile import dump_model
from workbench.tabular.search import trials_for
from workbench.tabular.selection import (
    Evaluation,
    Prepared,
    Scored,
    Split,
    evaluator,
    gate_metric,
    split,
    trainer,
)
from workbench.tabular.settings import TabularSettings
from workbench.tabular.sink import ModelSink
from workbench.tabular.testing import Tested, refit, score_test
from workbench.training import (
    DroppedColumn,
    FeaturePlan,
    TrainedModel,
    detect_task,
    plain_classes,
    plan_features,
    signature_for,
)
from workbench.training.quality import quality_report

__all__ = ["Evaluation", "Prepared", "Scored", "Split", "Tested", "tabular_pipeline"]

REGRESSION_ALIASES = {"logistic_regression": "ridge"}
result_type(TrainedModel)  # a trained candidate is cached, so its parts must be storable
MIN_ROWS = 20


def candidate_names(settings: TabularSettings, task_kind: str | None = None) -> tuple[str, ...]:
    """Candidate names, with classification-only ones mapped for regression."""
    if task_kind != "regression":
        return settings.candidates
    return tuple(dict.fromkeys(REGRESSION_ALIASES.get(c, c) for c in settings.candidates))


@task
def validate(frame: pl.DataFrame, settings: TabularSettings, ctx: TaskContext) -> Prepared:
    """Refuse a window that cannot train: no target, too few rows, a null or constant target."""
    if settings.target not in frame.columns:
        raise DataError(
            f"target column '{settings.target}' is not in the data "
            f"(columns: {', '.join(frame.columns[:20])})"
        )
    if frame.height < MIN_ROWS:
        raise DataError(f"only {frame.height} rows to train on; at least {MIN_ROWS} are needed")
    override = None if settings.task == "auto" else settings.task
    kind = detect_task(frame[settings.target], override)
    metric, direction, share = gate_metric(kind, frame[settings.target], settings.gate_metric)
    if share is not None:
        imbalanced = metric == "average_precision" and settings.gate_metric == "auto"
        ctx.log.info(
            "minority class: %.1f%% of rows%s",
            100 * share,
            "; imbalanced (under 20%): the gate reads average_precision" if imbalanced else "",
        )
    ctx.log_params({"gate.metric": metric})
    return Prepared(frame, kind, metric, direction, share)


@task
def preprocess(split: Split, settings: TabularSettings, ctx: TaskContext) -> FeaturePlan:
    """Decide each column's treatment: numeric, categorical, datetime, or dropped and why."""
    plan = without_entity_keys(plan_features(split.develop, settings.target), settings)
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


def without_entity_keys(plan: FeaturePlan, settings: TabularSettings) -> FeaturePlan:
    """The plan with the feature views' entity keys dropped: a key is how a row finds its
    features (and a request its stored ones), not a value to learn from."""
    keys = {v["key"] for v in (settings.features or {}).get("views", [])}
    if not keys & set(plan.features):
        return plan
    return dataclasses.replace(
        plan,
        numeric=tuple(c for c in plan.numeric if c not in keys),
        categorical=tuple(c for c in plan.categorical if c not in keys),
        datetime=tuple(c for c in plan.datetime if c not in keys),
        dropped=(
            *plan.dropped,
            *(DroppedColumn(k, "entity key of a feature view") for k in sorted(keys)),
        ),
    )


def _trainers(settings: TabularSettings, task_kind: str | None) -> tuple[Task, ...]:
    """One task per candidate, or one per trial for candidates with a search."""
    out = []
    for name in candidate_names(settings, task_kind):
        trials = trials_for(name, settings.search.get(name), settings.seed)
        for i, params in enumerate(trials):
            task_name = f"train_{name}" if len(trials) == 1 and not params else f"train_{name}_t{i}"
            out.append(trainer(name, task_name, params))
    return tuple(out)


@task(branch=True)
def gate(test: Tested, ctx: TaskContext) -> str:
    """Follow ``register`` when the tested model passes the gate, else alert."""
    ctx.log_params({"gate.best": test.model.name, "gate.passed": str(test.passed)})
    ctx.log.info("%s: %s", "gate passed" if test.passed else "gate refused", test.reason)
    return "register" if test.passed else "alert_if_fail"


@task(local=True)  # the sink writes to the store: it runs where the engine is
def register(
    test: Tested,
    split: Split,
    preprocess: FeaturePlan,
    validate: Prepared,
    settings: TabularSettings,
    sink: ModelSink,
    ctx: TaskContext,
) -> int:
    """Store the tested model with skops, register it as a candidate version, and keep its
    quality report (curves, confusion matrix, importance) measured on the same test rows.

    A report that cannot be made (one class in the test rows, say) is logged and skipped:
    the version is already registered and its test metric stands without it.
    """
    model = test.model
    classes = plain_classes(getattr(model.estimator, "classes_", ()))
    signature: Signature = signature_for(
        preprocess, split.develop, settings.target, validate.task, classes
    )
    if settings.features:
        signature = dataclasses.replace(signature, features=settings.features)
    version = sink.register(
        candidate=model.name,
        model_bytes=dump_model(model.estimator),
        metrics={**test.metrics, **test.selection},
        signature=signature,
        gate_passed=True,
        champion=test.champion,
        threshold=test.threshold,
        evaluation=test.evaluation,
    )
    try:
        report = quality_report(
            model.estimator,
            split.test.select(preprocess.features),
            split.test[settings.target],
            validate.task,
            test.threshold,
            seed=settings.seed,
        )
    except TrainingError as exc:
        ctx.log.warning("no quality report for version %d: %s", version, exc)
        return version
    sink.record_quality(version, report)
    return version


@task(trigger="all_success", local=True)
def alert_if_fail(test: Tested, sink: ModelSink) -> None:
    """Tell a person the gate refused the run's best model, and why."""
    metric = test.evaluation["metric"]
    sink.alert(
        "gate.failed",
        f"nothing registered: {test.model.name} failed the gate: {test.reason}",
        metric=metric,
        value=test.metrics[metric],
        baseline=test.baseline.get(metric),
        interval=[test.versus_baseline["low"], test.versus_baseline["high"]],
    )


def tabular_pipeline(settings: TabularSettings, task_kind: str | None = None) -> Pipeline:
    """The default pipeline for the candidates in ``settings``."""
    trainers = _trainers(settings, task_kind)
    chooser = evaluator(tuple(t.name for t in trainers))
    return Pipeline(
        "tabular",
        validate >> split >> preprocess >> [*trainers] >> chooser >> refit >> score_test >> gate,
        gate >> [register, alert_if_fail],
        inputs=("frame", "settings", "sink", "champion"),
    )
