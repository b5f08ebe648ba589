"""Choosing a model without looking at the test rows: the split, the candidates, the pick.

    validate >> split >> preprocess >> [train_<candidate> ...] >> evaluate

``split`` sets the test rows aside first (randomly, or the newest by time or by file);
candidates and search trials then fit on the rest and are scored on validation rows
(``train.selection = "holdout"``) or by K-fold cross-validation (``"cv"``), and
``evaluate`` picks the best by that score. Nothing here reads ``Split.test``: that is
the job of ``workbench.tabular.testing``, once, for the chosen model.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from workbench.core.errors import DataError
from workbench.dag import Task, TaskContext, result_type, task
from workbench.tabular.settings import TabularSettings
from workbench.training import FeaturePlan, TrainedModel, fit_candidate
from workbench.training.evaluate import metrics_of, model_outputs
from workbench.training.folds import cv_folds
from workbench.training.holdout import Order, holdout, resolve_order

IMBALANCED_SHARE = 0.2
"""A binary target whose minority class is under this share of rows is imbalanced: its
gate metric defaults to average precision (roc_auc flatters a model on rare positives)."""


@dataclass(frozen=True)
class Prepared:
    """The training frame after the pipeline's own checks."""

    frame: pl.DataFrame
    """All rows of the training window."""
    task: str
    """binary | multiclass | regression."""
    metric: str = ""
    """The metric that selects and gates (``gate.metric`` or the task's default)."""
    direction: str = "max"
    """max or min: whether a larger ``metric`` is better."""
    minority_share: float | None = None
    """Binary: share of the rarer class in all rows (None otherwise)."""


@dataclass(frozen=True)
class Split:
    """Test rows set aside, and the rows that choose the model."""

    train: pl.DataFrame
    """Rows candidates and trials fit on (cv: every training row, folds index it)."""
    valid: pl.DataFrame
    """Validation rows that choose the model (holdout); empty under cv."""
    test: pl.DataFrame
    """Rows only the chosen model, the baseline and the champion are scored on."""
    order: str = "random"
    """random | time | newest_file: how the test (and validation) rows were chosen."""
    selection: str = "holdout"
    """holdout | cv."""
    folds: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
    """cv: (fit positions, validation positions) into ``train`` per fold."""

    @property
    def develop(self) -> pl.DataFrame:
        """Every row but the test rows: what the chosen model is refitted on."""
        return self.train if self.valid.height == 0 else pl.concat([self.train, self.valid])


@result_type
@dataclass(frozen=True)
class Scored:
    """A fitted candidate with its validation (or cross-validation) metrics."""

    model: TrainedModel
    """The fitted pipeline and its name (cv: the last fold's fit)."""
    metrics: dict[str, float]
    """Validation metrics (cv: the mean over folds)."""
    spread: dict[str, float] | None = None
    """cv: standard deviation of each metric over folds; None under holdout."""
    val_scores: np.ndarray | None = None
    """Binary: P(positive) on the validation rows (cv: out of fold, NaN where a row was
    never validated), from which the decision threshold is chosen."""


@dataclass(frozen=True)
class Evaluation:
    """All candidates scored on validation, the best one chosen by the gate metric."""

    scored: tuple[Scored, ...]
    """The best trial of every candidate that trained."""
    best: Scored
    """The chosen one, refitted and tested next."""
    metric: str
    """Gate metric name."""
    direction: str
    """max or min."""
    selection: str = "holdout"
    """holdout | cv: what the scores in ``scored`` are."""


def selection_keys(
    selection: str, metrics: dict[str, float], spread: dict[str, float] | None
) -> dict[str, float]:
    """Metric keys that say where a number came from: ``val_<m>`` or ``cv_<m>_mean/_std``."""
    if selection == "cv":
        out = {f"cv_{k}_mean": v for k, v in metrics.items()}
        out.update({f"cv_{k}_std": v for k, v in (spread or {}).items()})
        return out
    return {f"val_{k}": v for k, v in metrics.items()}


def gate_metric(
    task_kind: str, labels: pl.Series, configured: str
) -> tuple[str, str, float | None]:
    """The gate metric, its direction and (binary) the minority share of ``labels``."""
    from workbench.core.vocabulary import lower_is_better
    from workbench.training import primary_metric

    metric, _ = primary_metric(task_kind)
    share = None
    if task_kind == "binary":
        counts = labels.value_counts()["count"].to_numpy()
        share = float(counts.min()) / float(labels.len())
        if configured == "auto" and share < IMBALANCED_SHARE:
            metric = "average_precision"
    if configured != "auto":
        metric = configured
    return metric, ("min" if lower_is_better(metric) else "max"), share


@task
def split(validate: Prepared, settings: TabularSettings, ctx: TaskContext) -> Split:
    """Set the test rows aside, then split validation rows (or folds) off the rest."""
    frame, target, kind = validate.frame, settings.target, validate.task
    order = resolve_order(frame, target, settings.split, settings.time_column, settings.file_rows)
    kept, held = holdout(frame, target, kind, settings.test_size, settings.seed, order)
    develop, test = frame[kept], frame[held]
    ordered = order.kind != "random"
    inner = Order(
        order.kind if ordered else "random", "", np.arange(develop.height) if ordered else None
    )
    if settings.selection == "cv":
        folds = cv_folds(
            develop,
            target,
            kind,
            settings.cv_folds,
            settings.seed,
            group_column=settings.group_column,
            ordered=ordered,
        )
        result = Split(develop, develop.head(0), test, order.kind, "cv", folds)
        chooser = f"{len(folds)}-fold cv on {develop.height} rows"
        if settings.group_column:
            chooser += f" grouped by {settings.group_column!r}"
    else:
        fit, val = holdout(
            develop, target, kind, settings.validation_size, settings.seed, inner, "validation"
        )
        result = Split(develop[fit], develop[val], test, order.kind, "holdout")
        chooser = f"{fit.size} rows to fit, {val.size} to validate"
    ctx.log_params(
        {
            "rows_train": result.train.height,
            "rows_validation": result.valid.height,
            "rows_test": test.height,
            "task": kind,
            "split": order.kind,
            "selection": settings.selection,
        }
    )
    ctx.log.info("%s", order.note)
    ctx.log.info(
        "%s task: %s; %d test rows held out (seed %d)", kind, chooser, test.height, settings.seed
    )
    return result


def _score_holdout(
    name: str,
    params: dict[str, Any],
    split: Split,
    plan: FeaturePlan,
    kind: str,
    settings: TabularSettings,
) -> Scored:
    model = fit_candidate(name, kind, plan, split.train, settings.target, params, settings.seed)
    outputs = model_outputs(model.estimator, split.valid, settings.target, kind)
    scores = outputs.scores if kind == "binary" else None
    return Scored(model, metrics_of(outputs, kind, settings.target), None, scores)


def _score_cv(
    name: str,
    params: dict[str, Any],
    split: Split,
    plan: FeaturePlan,
    kind: str,
    settings: TabularSettings,
) -> Scored:
    per_fold: list[dict[str, float]] = []
    oof = np.full(split.train.height, np.nan)
    model: TrainedModel | None = None
    seconds = 0.0
    for fit_rows, val_rows in split.folds:
        model = fit_candidate(
            name, kind, plan, split.train[fit_rows], settings.target, params, settings.seed
        )
        seconds += model.fit_seconds
        outputs = model_outputs(model.estimator, split.train[val_rows], settings.target, kind)
        per_fold.append(metrics_of(outputs, kind, settings.target))
        if kind == "binary":
            oof[val_rows] = outputs.scores
    assert model is not None
    keys = per_fold[0].keys()
    mean = {k: float(np.mean([m[k] for m in per_fold])) for k in keys}
    std = {k: float(np.std([m[k] for m in per_fold])) for k in keys}
    fitted = TrainedModel(model.name, model.estimator, model.params, seconds)
    return Scored(fitted, mean, std, oof if kind == "binary" else None)


def trainer(name: str, task_name: str, trial: dict[str, Any]) -> Task:
    """The task fitting candidate ``name`` with ``trial``'s parameters and validating it."""

    def train(
        split: Split,
        preprocess: FeaturePlan,
        validate: Prepared,
        settings: TabularSettings,
        ctx: TaskContext,
    ) -> Scored:
        params = {**settings.params.get(name, {}), **trial}
        score = _score_cv if split.selection == "cv" else _score_holdout
        scored = score(name, params, split, preprocess, validate.task, settings)
        label = task_name.removeprefix("train_")
        if params:
            ctx.log_params(params)
        ctx.log_metric(f"{label}.fit_seconds", scored.model.fit_seconds)
        keyed = selection_keys(split.selection, scored.metrics, scored.spread)
        for key, value in keyed.items():
            ctx.log_metric(f"{label}.{key}", value)
        ctx.log.info(
            "fitted %s%s on %d rows in %.2f s; %s: %s",
            name,
            f" {params}" if params else "",
            split.train.height,
            scored.model.fit_seconds,
            "cross-validated" if split.selection == "cv" else "validation",
            ", ".join(f"{k} {v:.4f}" for k, v in sorted(scored.metrics.items())),
        )
        return scored

    train.__doc__ = f"Fit {name} and score it on validation" + (f" with {trial}." if trial else ".")
    # Fitting is the expensive part of a run: the same code on the same rows and params
    # reuses the stored model instead (the run shows the task as cached).
    return task(name=task_name, cache=True)(train)


def evaluator(trainers: tuple[str, ...]) -> Task:
    """The task picking the best trial per candidate, then the best candidate, on validation."""

    def evaluate_candidates(
        settings: TabularSettings, validate: Prepared, **scored: Any
    ) -> Evaluation:
        if validate is None:
            raise DataError("nothing to evaluate: the data did not pass validation")
        metric, direction = validate.metric, validate.direction
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
        best = pick(per_candidate.values(), key=lambda r: r.metrics[metric])
        return Evaluation(
            tuple(per_candidate.values()), best, metric, direction, settings.selection
        )

    params = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for n in ("settings", "validate", *trainers)
    ]
    evaluate_candidates.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    evaluate_candidates.__doc__ = "Pick the best candidate on validation (never the test rows)."
    return task(name="evaluate", trigger="all_done")(evaluate_candidates)
