"""A custom Workbench pipeline: a learning curve, then one model registered.

Put this file in a workspace and name it in workbench.toml:

    [pipeline]
    path = "pipeline.py"

Workbench imports it, checks the DAG before any task starts, and runs it whenever data
arrives (and, with ``on_code_change = true``, whenever you save this file). Tasks receive
upstream results by parameter name, the run inputs ``frame``, ``settings`` and ``sink``,
and ``ctx`` for tracking (``ctx.log_metric``, ``ctx.log_params``, ``ctx.set_tags``).

``learning_curve`` is declared ``cache=True``: when its code, its inputs and the run
params are unchanged, a later run reuses its stored result (and the curve it logged)
instead of fitting four models again, and shows the task as ``cached``. Results are
stored without pickle (plain data, polars frames, numpy arrays, skops models and
dataclasses registered with ``workbench.dag.result_type``); a result with no safe format
is simply not cached.
"""

from __future__ import annotations

import polars as pl

from workbench.dag import Pipeline, TaskContext, task
from workbench.modelfile import dump_model
from workbench.tabular.settings import TabularSettings
from workbench.tabular.sink import ModelSink
from workbench.training import (
    detect_task,
    evaluate,
    fit_candidate,
    plain_classes,
    plan_features,
    signature_for,
    split_frame,
)


@task
def clean(frame: pl.DataFrame, settings: TabularSettings) -> pl.DataFrame:
    """Drop rows without a label and exact duplicate rows."""
    return frame.drop_nulls(settings.target).unique(maintain_order=True)


@task
def split(clean: pl.DataFrame, settings: TabularSettings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Hold out 20% of the rows."""
    task_kind = detect_task(clean[settings.target])
    return split_frame(clean, settings.target, task_kind, 0.2, settings.seed)


@task(retries=1, cache=True)
def learning_curve(
    split: tuple[pl.DataFrame, pl.DataFrame], settings: TabularSettings, ctx: TaskContext
) -> dict[str, float]:
    """Score a small model on growing shares of the training rows: a curve to plot."""
    train, test = split
    task_kind = detect_task(train[settings.target])
    plan = plan_features(train, settings.target)
    ctx.set_tags({"curve.model": "logistic_regression", "curve.shares": "0.1,0.25,0.5,1.0"})
    last: dict[str, float] = {}
    for step, share in enumerate((0.1, 0.25, 0.5, 1.0)):
        if ctx.cancelled:
            break
        part = train.head(max(50, int(train.height * share)))
        model = fit_candidate(
            "logistic_regression", task_kind, plan, part, settings.target, {}, settings.seed
        )
        last = evaluate(model.estimator, test, settings.target, task_kind)
        for key, value in last.items():
            ctx.log_metric(f"curve.{key}", value, step=step)
    return last


@task
def train(
    split: tuple[pl.DataFrame, pl.DataFrame],
    settings: TabularSettings,
    sink: ModelSink,
    ctx: TaskContext,
) -> int:
    """Fit histogram gradient boosting on all training rows and register it."""
    train_rows, test = split
    task_kind = detect_task(train_rows[settings.target])
    plan = plan_features(train_rows, settings.target)
    params = {"max_iter": 100, "learning_rate": 0.1}
    ctx.log_params(params)
    model = fit_candidate(
        "hist_gradient_boosting", task_kind, plan, train_rows, settings.target, params, 0
    )
    metrics = evaluate(model.estimator, test, settings.target, task_kind)
    for key, value in metrics.items():
        ctx.log_metric(key, value)
    classes = plain_classes(getattr(model.estimator, "classes_", ()))
    return sink.register(
        candidate="hist_gradient_boosting",
        model_bytes=dump_model(model.estimator),
        metrics=metrics,
        signature=signature_for(plan, train_rows, settings.target, task_kind, classes),
        gate_passed=True,
    )


pipeline = Pipeline(
    "curve_then_train",
    clean >> split >> [learning_curve, train],
    inputs=("frame", "settings", "sink"),
)
