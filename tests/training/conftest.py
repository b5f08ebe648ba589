"""Candidates fitted once per session on the synthetic frames of ``frames.py``."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pytest

from workbench.training import (
    FeaturePlan,
    TrainedModel,
    candidate_names,
    fit_candidate,
    plan_features,
    split_frame,
)

from .frames import FRAMES, TARGET


@dataclass(frozen=True)
class Fitted:
    """One candidate fitted on one task's synthetic frame, with its held-out rows."""

    task: str
    model: TrainedModel
    plan: FeaturePlan
    train: pl.DataFrame
    test: pl.DataFrame


@pytest.fixture(scope="session")
def fitted() -> dict[tuple[str, str], Fitted]:
    """Every default candidate of every task, fitted once for the whole session."""
    out: dict[tuple[str, str], Fitted] = {}
    for task, make in FRAMES.items():
        frame = make()
        plan = plan_features(frame, TARGET)
        train, test = split_frame(frame, TARGET, task, seed=0)
        for name in candidate_names(task):
            model = fit_candidate(name, task, plan, train, TARGET, {}, seed=0)
            out[(task, name)] = Fitted(task, model, plan, train, test)
    return out
