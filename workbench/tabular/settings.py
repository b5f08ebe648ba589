"""The settings the default pipeline reads, cut from workbench.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.config import WorkbenchConfig
from workbench.core.errors import ConfigError


@dataclass(frozen=True)
class TabularSettings:
    """Everything the tabular pipeline's tasks need to know, as one run input."""

    target: str
    """Column to predict."""
    task: str
    """auto | binary | multiclass | regression."""
    candidates: tuple[str, ...]
    """Candidate estimator names, each trained as its own task."""
    test_size: float
    """Held-out share for evaluation."""
    seed: int
    """Seed for the split and the estimators."""
    gate_metric: str
    """Metric the gate reads, or ``auto`` for the task's primary metric."""
    gate_threshold: float
    """Value the best candidate must reach."""
    search: dict[str, Any] = field(default_factory=dict)
    """``[train.search.NAME]`` tables: hyperparameter trials per candidate."""
    selection: str = "holdout"
    """holdout | cv: how candidates and trials are chosen (never on the test rows)."""
    validation_size: float = 0.2
    """holdout: share of the training rows that chooses the model."""
    cv_folds: int = 5
    """cv: number of folds."""
    group_column: str = ""
    """cv: rows sharing this value stay in one fold (empty: none)."""
    split: str = "auto"
    """auto | random | time | newest_file: which rows are the test set."""
    time_column: str = ""
    """Column ordering rows in time (empty: the one datetime column, if any)."""
    params: dict[str, Any] = field(default_factory=dict)
    """``[train.params.NAME]`` tables: fixed parameters per candidate."""
    baseline_gate: bool = True
    """Whether a candidate must beat the trivial baseline with a clear interval."""
    threshold_rule: str = "f1"
    """Binary decision threshold rule, chosen on validation predictions."""
    bootstrap: int = 1000
    """Paired bootstrap resamples behind the gate's and the promotion's intervals."""
    promotion_margin: float = 0.0
    """``promotion.margin``: recorded with the comparison with production, so every view
    says "not significant" the same way the policy decides."""
    file_rows: tuple[int, ...] = ()
    """Rows per dataset of the training window, oldest first (for ``newest_file``)."""
    features: dict[str, Any] | None = None
    """The feature-store join the run's rows got (``JoinPlan.to_dict()``), recorded in the
    model signature so the scoring server joins requests the same way; None without."""

    @classmethod
    def from_config(cls, config: WorkbenchConfig) -> TabularSettings:
        """Settings from workbench.toml.

        Raises:
            ConfigError: ``gate.threshold_rule`` is not a rule, or a ``[train.params.NAME]``
                entry is not a table; checked before any task starts.
        """
        from workbench.training.threshold import parse_rule

        parse_rule(config.gate.threshold_rule)
        for name, values in config.train.params.items():
            if not isinstance(values, dict):
                raise ConfigError(
                    f"workbench.toml: [train.params.{name}] must be a table of parameters, "
                    f"e.g. class_weight = 'balanced'; got {values!r}"
                )
        return cls(
            target=config.target.column,
            task=config.target.task,
            candidates=tuple(config.train.candidates),
            test_size=config.train.test_size,
            seed=config.train.seed,
            gate_metric=config.gate.metric,
            gate_threshold=config.gate.threshold,
            search=dict(config.train.search),
            selection=config.train.selection,
            validation_size=config.train.validation_size,
            cv_folds=config.train.cv_folds,
            group_column=config.train.group_column,
            split=config.train.split,
            time_column=config.train.time_column,
            params=dict(config.train.params),
            baseline_gate=config.gate.baseline,
            threshold_rule=config.gate.threshold_rule,
            bootstrap=config.promotion.bootstrap,
            promotion_margin=config.promotion.margin,
        )
