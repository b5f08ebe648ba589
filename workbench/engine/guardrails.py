"""Guardrails on automatic retraining: cooldown, a daily cap, and a circuit breaker.

State is read back from the store (runs and their triggers, model versions and their
champion scores), never kept in memory, so a restarted engine applies the same rules.
The clock is injectable so tests can move time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from workbench.core.vocabulary import AUTOMATIC_TRIGGERS

if TYPE_CHECKING:
    from workbench.engine.engine import Engine

AUTOMATIC = AUTOMATIC_TRIGGERS
"""Triggers the guardrails limit (a person's manual run is never limited)."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class Guardrails:
    """Whether an automatic retrain may start now, and whether auto-promotion is open."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self.clock = clock

    def _automatic_runs(self) -> list[datetime]:
        runs = self._engine.store.runs.list(limit=1000)
        return [r.created_at for r in runs if any(t in AUTOMATIC for t in r.trigger.split("+"))]

    def retrain_blocked(self) -> str | None:
        """Why an automatic retrain may not start now, or None when it may."""
        settings = self._engine.config.monitor
        now = self.clock()
        starts = self._automatic_runs()
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
        limit = self._engine.config.monitor.breaker_after
        if limit <= 0:
            return None
        streak = 0
        for model in self._engine.store.registry.list():
            verdict = _worse_than_champion(model.metrics, model.champion, model.signature)
            if verdict is None:
                continue
            if not verdict:
                break
            streak += 1
            if streak >= limit:
                return f"{streak} candidates in a row were worse than production"
        return None


def _worse_than_champion(
    metrics: dict[str, float], champion: dict | None, signature: dict
) -> bool | None:
    """True/False when the candidate was compared with a champion, None otherwise."""
    from workbench.training import primary_metric  # scikit-learn loads on first use

    if not champion or not champion.get("metrics"):
        return None
    metric, direction = primary_metric(signature.get("task", "binary"))
    mine, theirs = metrics.get(metric), champion["metrics"].get(metric)
    if mine is None or theirs is None:
        return None
    return mine < theirs if direction == "max" else mine > theirs
