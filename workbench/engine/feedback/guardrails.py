"""Guardrails on automatic retraining: cooldown, a daily cap, and a circuit breaker.

State is read back from the store (runs and their triggers, model versions and their
champion scores) through two callables, never kept in memory, so a restarted engine
applies the same rules; the clock is injectable, so a test moves time instead of waiting
and feeds plain records instead of opening a workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from workbench.core.config import MonitorConfig
from workbench.core.records import ModelVersionRecord, RunRecord
from workbench.core.vocabulary import AUTOMATIC_TRIGGERS, lower_is_better, trigger_words


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class Guardrails:
    """Whether an automatic retrain may start now, and whether auto-promotion is open."""

    def __init__(
        self,
        settings: Callable[[], MonitorConfig],
        runs: Callable[[], list[RunRecord]],
        models: Callable[[], list[ModelVersionRecord]],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """``settings`` reads the monitor settings now (the engine may reload them); ``runs``
        and ``models`` return the newest runs and model versions, newest first."""
        self._settings = settings
        self._runs = runs
        self._models = models
        self.clock = clock

    def _automatic_starts(self) -> list[datetime]:
        return [
            r.created_at
            for r in self._runs()
            if any(t in AUTOMATIC_TRIGGERS for t in trigger_words(r.trigger))
        ]

    def retrain_blocked(self) -> str | None:
        """Why an automatic retrain may not start now, or None when it may."""
        settings = self._settings()
        now = self.clock()
        starts = self._automatic_starts()
        cooldown = timedelta(minutes=settings.cooldown_minutes)
        recent = [t for t in starts if now - t < cooldown]
        if recent:
            wait = cooldown - (now - max(recent))
            return (
                f"cooldown: the last automatic retrain was less than "
                f"{settings.cooldown_minutes:g} min ago ({wait.seconds // 60} min left)"
            )
        today = [t for t in starts if now - t < timedelta(days=1)]
        if len(today) >= settings.max_retrains_per_day:
            return (
                f"cap: {len(today)} automatic retrains in the last 24 hours "
                f"(max {settings.max_retrains_per_day})"
            )
        return None

    def breaker_open(self) -> str | None:
        """Why auto-promotion is stopped (N candidates in a row worse than production)."""
        limit = self._settings().breaker_after
        if limit <= 0:
            return None
        streak = 0
        for model in self._models():
            verdict = worse_than_champion(model)
            if verdict is None:
                continue
            if not verdict:
                break
            streak += 1
            if streak >= limit:
                return f"{streak} candidates in a row were worse than production"
        return None


def worse_than_champion(model: ModelVersionRecord) -> bool | None:
    """True/False when the candidate was compared with a champion, None otherwise.

    The comparison reads the metric that gated the candidate (``average_precision`` on
    imbalanced data, say), which the champion was scored on too.
    """
    champion = model.champion
    if not champion or not champion.get("metrics"):
        return None
    metric = (model.evaluation or {}).get("metric") or _default_metric(model)
    mine, theirs = model.metrics.get(metric), champion["metrics"].get(metric)
    if mine is None or theirs is None:
        return None
    return bool(mine > theirs if lower_is_better(metric) else mine < theirs)


def _default_metric(model: ModelVersionRecord) -> str:
    """The task's default gate metric, for versions registered before ``evaluation``."""
    from workbench.training import primary_metric  # scikit-learn loads on first use

    return primary_metric(model.signature.get("task", "binary"))[0]
