"""Promotion policy: whether a new candidate is approved without a person.

``manual`` asks a person (an event says a candidate awaits approval); ``auto`` approves a
candidate that passed the gate and whose improvement over production, on the same test
rows, is real: the lower end of the paired bootstrap's 95% interval (computed by the
pipeline's ``test`` task) must exceed ``promotion.margin``. A difference whose interval
straddles the margin is "not significant" and waits for a person.

The policy only decides: :func:`decide` takes the settings, the candidate, production
and the circuit breaker's verdict and returns a :class:`PolicyDecision`; the engine acts
on it (approves, schedules the veto window, or says why not). So every rule here is a
pure function a test calls with plain records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.core.config import PromotionConfig
from workbench.core.model_summary import comparison_text
from workbench.core.records import ModelVersionRecord

Action = Literal["approve", "schedule", "keep", "ask"]
"""approve now (auto); approve after the veto window (auto-with-veto); keep it a candidate
(auto policies, not better); ask a person (manual, a failed gate, or the breaker open)."""


@dataclass(frozen=True)
class PolicyDecision:
    """What the policy decided for one candidate, and why, in words for the event log."""

    action: Action
    """What the engine does with the candidate."""
    why: str
    """The comparison with production behind it (empty when a person decides)."""
    breaker: str | None = None
    """Why auto-promotion is stopped, when the circuit breaker is open."""


def beats_production(
    model: ModelVersionRecord, production: int | None, margin: float
) -> tuple[bool, str]:
    """Whether ``model``'s improvement over version ``production`` clears ``margin``, and why."""
    if production is None:
        return True, "no production model yet"
    champion = model.champion or {}
    comparison = champion.get("comparison")
    if champion.get("version") != production or not comparison:
        why = champion.get("error") or (
            f"it was compared with v{champion['version']}, production is now v{production}"
            if champion.get("version")
            else "it was not compared with production on the same rows"
        )
        return False, f"no paired comparison with production v{production}: {why}"
    better = comparison["low"] > margin
    verdict = "clears" if better else "does not clear"
    delta = comparison_text(comparison, margin)
    return better, (
        f"versus production v{production}: {comparison['metric']} {delta}; "
        f"the 95% interval {verdict} margin {margin}"
    )


def decide(
    settings: PromotionConfig,
    model: ModelVersionRecord,
    production: int | None,
    breaker: str | None,
) -> PolicyDecision:
    """The policy's decision on a candidate that just registered.

    ``production`` is the version served now (None before the first approval); ``breaker``
    is why the guardrails stopped auto-promotion (None while they allow it);
    it is ignored under ``manual``, where a person decides anyway.
    """
    if settings.policy == "manual":
        return PolicyDecision("ask", "")
    if breaker or not model.gate_passed:
        return PolicyDecision("ask", "", breaker)
    better, why = beats_production(model, production, settings.margin)
    if not better:
        return PolicyDecision("keep", why)
    return PolicyDecision("approve" if settings.policy == "auto" else "schedule", why)
