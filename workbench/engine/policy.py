"""Promotion policy: whether a new candidate is approved without a person.

``manual`` asks a person (an event says a candidate awaits approval); ``auto`` approves a
candidate that passed the gate and whose improvement over production, on the same test
rows, is real: the lower end of the paired bootstrap's 95% interval (computed by the
pipeline's ``test`` task) must exceed ``promotion.margin``. A difference whose interval
straddles the margin is "not significant" and waits for a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.core.model_summary import comparison_text
from workbench.core.records import ModelVersionRecord
from workbench.engine import approvals

if TYPE_CHECKING:
    from workbench.engine.engine import Engine


def beats_production(engine: Engine, model: ModelVersionRecord) -> tuple[bool, str]:
    """Whether ``model``'s improvement over production clears the margin, and why."""
    current = engine.store.registry.alias(approvals.PRODUCTION)
    if current is None:
        return True, "no production model yet"
    champion = model.champion or {}
    comparison = champion.get("comparison")
    if champion.get("version") != current.version or not comparison:
        why = champion.get("error") or (
            f"it was compared with v{champion['version']}, production is now v{current.version}"
            if champion.get("version")
            else "it was not compared with production on the same rows"
        )
        return False, f"no paired comparison with production v{current.version}: {why}"
    margin = engine.config.promotion.margin
    better = comparison["low"] > margin
    verdict = "clears" if better else "does not clear"
    delta = comparison_text(comparison, margin)
    return better, (
        f"versus production v{current.version}: {comparison['metric']} {delta}; "
        f"the 95% interval {verdict} margin {margin}"
    )


def apply_promotion_policy(engine: Engine, model: ModelVersionRecord) -> None:
    """Approve ``model`` under ``auto``, schedule it under ``auto-with-veto``, or ask a person."""
    policy = engine.config.promotion.policy
    tripped = engine.monitor.guardrails.breaker_open() if policy != "manual" else None
    if tripped:
        engine.emit(
            "breaker.open",
            f"auto-promotion stopped: {tripped}; a person must approve version {model.version}",
            level="warning",
            version=model.version,
        )
    if policy in ("auto", "auto-with-veto") and model.gate_passed and not tripped:
        better, why = beats_production(engine, model)
        if better and policy == "auto":
            engine.approve(model.version, f"auto policy: {why}", actor="policy:auto")
            return
        if better:
            engine.vetoes.schedule(model.version, model.created_at, why)
            deadline = engine.vetoes.deadline(model.created_at)
            engine.emit(
                "model.pending_approval",
                f"model version {model.version} will be approved at {deadline:%H:%M:%S} UTC "
                f"unless rejected: workbench reject {model.version}",
                level="warning",
                version=model.version,
                deadline=deadline.isoformat(),
            )
            return
        engine.emit(
            "model.not_promoted",
            f"model version {model.version} stays a candidate: {why}",
            version=model.version,
        )
        return
    engine.emit(
        "model.pending_approval",
        f"model version {model.version} awaits approval: workbench approve {model.version}",
        level="warning",
        version=model.version,
    )
