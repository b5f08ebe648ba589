"""Promotion policy: whether a new candidate is approved without a person.

``manual`` asks a person (an event says a candidate awaits approval); ``auto`` approves a
candidate that passed the gate and beats production on the gate metric by the margin.
Champion/challenger on the same held-out rows deepens this in the registry issue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.core.records import ModelVersionRecord
from workbench.engine import approvals

if TYPE_CHECKING:
    from workbench.engine.engine import Engine


def beats_production(engine: Engine, model: ModelVersionRecord) -> tuple[bool, str]:
    """Whether ``model`` beats production on the gate metric by the margin, and why."""
    from workbench.training import primary_metric  # scikit-learn loads on first use

    metric, direction = primary_metric(model.signature["task"])
    if engine.config.gate.metric != "auto":
        metric = engine.config.gate.metric
    current = engine.store.registry.alias(approvals.PRODUCTION)
    if current is None:
        return True, "no production model yet"
    production = engine.store.registry.get(current.version)
    assert production is not None
    mine, theirs = model.metrics.get(metric), production.metrics.get(metric)
    champion = model.champion or {}
    if champion.get("version") == production.version and metric in champion.get("metrics", {}):
        theirs = champion["metrics"][metric]  # like with like: the same held-out rows
    if mine is None or theirs is None:
        return False, f"{metric} missing on one side"
    margin = engine.config.promotion.margin
    better = mine > theirs + margin if direction == "max" else mine < theirs - margin
    verdict = "beats" if better else "does not beat"
    return better, (
        f"{metric} {mine:.4f} {verdict} production v{production.version} {theirs:.4f} "
        f"by margin {margin}"
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
