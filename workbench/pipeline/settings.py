"""The settings the default pipeline reads, cut from workbench.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.config import WorkbenchConfig


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

    @classmethod
    def from_config(cls, config: WorkbenchConfig) -> TabularSettings:
        """Settings from workbench.toml."""
        return cls(
            target=config.target.column,
            task=config.target.task,
            candidates=tuple(config.train.candidates),
            test_size=config.train.test_size,
            seed=config.train.seed,
            gate_metric=config.gate.metric,
            gate_threshold=config.gate.threshold,
            search=dict(config.train.search),
        )
