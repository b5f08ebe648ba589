"""Policy, veto windows and guardrails on plain records, a fake clock and fake timers.

The engine wires these to its store and its ``approve``; here they get records and
callables, so each rule is checked directly and no test waits for a window to pass
(the engine-level tests in ``test_loop.py`` and ``test_model_choice.py`` run them whole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.core.config import MonitorConfig, PromotionConfig
from workbench.core.errors import RegistryError
from workbench.core.records import ModelVersionRecord, RunRecord
from workbench.core.vocabulary import ModelStatus, RunState
from workbench.engine.feedback.guardrails import Guardrails, worse_than_champion
from workbench.engine.promotion.policy import decide
from workbench.engine.promotion.veto import ACTOR, VetoActions, VetoTimers

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def model(
    version: int = 2,
    *,
    low: float | None = 0.02,
    champion_version: int = 1,
    gate_passed: bool = True,
    metrics: dict[str, float] | None = None,
    champion_metrics: dict[str, float] | None = None,
    metric: str = "roc_auc",
) -> ModelVersionRecord:
    """A candidate compared with production v``champion_version`` (``low``: the interval's)."""
    champion: dict[str, Any] = {"version": champion_version}
    if low is not None:
        champion["comparison"] = {"metric": metric, "delta": low + 0.01, "low": low, "high": 0.1}
    if champion_metrics is not None:
        champion["metrics"] = champion_metrics
    return ModelVersionRecord(
        version=version,
        run_id=version,
        candidate="random_forest",
        artifact_sha256="0" * 64,
        status=ModelStatus.CANDIDATE,
        metrics=metrics or {metric: 0.9},
        signature={"task": "binary"},
        gate_passed=gate_passed,
        created_at=NOW,
        champion=champion,
        evaluation={"metric": metric},
    )


AUTO = PromotionConfig(policy="auto", margin=0.0)


def test_manual_always_asks_a_person() -> None:
    decision = decide(PromotionConfig(policy="manual"), model(low=0.5), 1, "breaker open")
    assert (decision.action, decision.breaker) == ("ask", None)


def test_auto_approves_only_when_the_interval_clears_the_margin() -> None:
    assert decide(AUTO, model(low=0.02), 1, None).action == "approve"
    kept = decide(AUTO, model(low=-0.01), 1, None)
    assert kept.action == "keep" and "does not clear margin 0.0" in kept.why
    strict = replace(AUTO, margin=0.05)
    assert decide(strict, model(low=0.02), 1, None).action == "keep"


def test_auto_approves_the_first_model_and_asks_for_a_failed_gate_or_an_open_breaker() -> None:
    assert decide(AUTO, model(low=None), None, None).action == "approve"
    assert decide(AUTO, model(gate_passed=False), 1, None).action == "ask"
    tripped = decide(AUTO, model(low=0.5), 1, "3 candidates in a row were worse")
    assert (tripped.action, tripped.breaker) == ("ask", "3 candidates in a row were worse")


def test_a_comparison_with_an_older_production_does_not_count() -> None:
    stale = decide(AUTO, model(low=0.5, champion_version=1), 3, None)
    assert stale.action == "keep"
    assert "it was compared with v1, production is now v3" in stale.why


def test_auto_with_veto_schedules_instead_of_approving() -> None:
    veto = PromotionConfig(policy="auto-with-veto")
    assert decide(veto, model(low=0.02), 1, None).action == "schedule"
    assert decide(veto, model(low=-0.02), 1, None).action == "keep"


@dataclass
class FakeTimers:
    """Timers a test fires by hand: (delay, fire, cancelled) per start."""

    started: list[tuple[float, Callable[[], None], list[bool]]] = field(default_factory=list)

    def start(self, delay_s: float, fire: Callable[[], None]) -> Any:
        cancelled: list[bool] = []
        self.started.append((delay_s, fire, cancelled))

        class Handle:
            def cancel(self) -> None:
                cancelled.append(True)

        return Handle()


@dataclass
class Registry:
    """What the veto timers ask of the engine, recorded."""

    candidates: set[int] = field(default_factory=set)
    approved: list[tuple[int, str, str]] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)
    refuse: bool = False

    def approve(self, version: int, comment: str, actor: str) -> None:
        if self.refuse:
            raise RegistryError(f"model version {version} is rejected, not a candidate")
        self.approved.append((version, comment, actor))
        self.candidates.discard(version)

    def actions(self) -> VetoActions:
        return VetoActions(
            self.candidates.__contains__,
            self.approve,
            lambda version, why: self.failures.append((version, why)),
        )


def timers(registry: Registry, fake: FakeTimers, now: datetime = NOW) -> VetoTimers:
    return VetoTimers(lambda: 60.0, registry.actions(), clock=lambda: now, start_timer=fake.start)


def test_a_veto_window_approves_at_its_deadline_from_registration() -> None:
    registry, fake = Registry({2}), FakeTimers()
    vetoes = timers(registry, fake, now=NOW + timedelta(minutes=20))
    vetoes.schedule(2, NOW, "beats production")
    assert vetoes.deadline(NOW) == NOW + timedelta(minutes=60)
    [(delay, fire, _)] = fake.started
    assert delay == 40 * 60, "the window counts from registration, not from now"
    assert vetoes.pending() == [2]
    fire()
    assert registry.approved == [(2, "no veto within the window: beats production", ACTOR)]
    assert vetoes.pending() == []


def test_a_rejection_in_the_window_leaves_nothing_to_approve() -> None:
    registry, fake = Registry({2}), FakeTimers()
    vetoes = timers(registry, fake)
    vetoes.schedule(2, NOW, "beats production")
    registry.candidates.discard(2)  # a person rejected it
    fake.started[0][1]()
    assert registry.approved == [] and registry.failures == []


def test_a_window_that_passed_while_the_engine_was_down_fires_at_once() -> None:
    registry, fake = Registry({2}), FakeTimers()
    timers(registry, fake, now=NOW + timedelta(hours=5)).schedule(2, NOW, "why")
    assert fake.started[0][0] == 0.0


def test_rescheduling_cancels_the_old_timer_and_shutdown_cancels_all() -> None:
    registry, fake = Registry({2, 3}), FakeTimers()
    vetoes = timers(registry, fake)
    vetoes.schedule(2, NOW, "first")
    vetoes.schedule(2, NOW, "second")
    vetoes.schedule(3, NOW, "third")
    assert [cancelled for _, _, cancelled in fake.started] == [[True], [], []]
    vetoes.cancel_all()
    assert [cancelled for _, _, cancelled in fake.started] == [[True], [True], [True]]
    assert vetoes.pending() == []


def test_an_approval_that_fails_is_reported_not_raised() -> None:
    registry, fake = Registry({2}, refuse=True), FakeTimers()
    timers(registry, fake).schedule(2, NOW, "why")
    fake.started[0][1]()
    assert registry.failures == [
        (2, "auto-approval of v2 failed: model version 2 is rejected, not a candidate")
    ]


def run(run_id: int, trigger: str, at: datetime) -> RunRecord:
    return RunRecord(run_id, "tabular", trigger, RunState.SUCCESS, at, at, at, None)


def test_cooldown_and_daily_cap_count_only_automatic_runs_and_follow_the_clock() -> None:
    settings = MonitorConfig(cooldown_minutes=30, max_retrains_per_day=2)
    runs: list[RunRecord] = [run(1, "manual", NOW), run(2, "file", NOW)]
    clock = {"now": NOW}
    rails = Guardrails(lambda: settings, lambda: runs, list, clock=lambda: clock["now"])
    assert rails.retrain_blocked() is None, "a person's or a file's run is never limited"
    runs.insert(0, run(3, "drift", NOW))
    assert rails.retrain_blocked() == (
        "cooldown: the last automatic retrain was less than 30 min ago (30 min left)"
    )
    clock["now"] = NOW + timedelta(minutes=31)
    assert rails.retrain_blocked() is None
    runs.insert(0, run(4, "file+decay", NOW + timedelta(minutes=31)))
    clock["now"] = NOW + timedelta(minutes=70)
    assert rails.retrain_blocked() == "cap: 2 automatic retrains in the last 24 hours (max 2)"
    clock["now"] = NOW + timedelta(days=1, minutes=40)
    assert rails.retrain_blocked() is None


def test_the_breaker_opens_after_n_candidates_in_a_row_worse_than_production() -> None:
    worse = model(metrics={"roc_auc": 0.8}, champion_metrics={"roc_auc": 0.9})
    better = model(metrics={"roc_auc": 0.95}, champion_metrics={"roc_auc": 0.9})
    uncompared = model(low=None)
    versions: list[ModelVersionRecord] = [worse, uncompared, worse, better, worse]
    settings = MonitorConfig(breaker_after=2)
    rails = Guardrails(lambda: settings, list, lambda: versions)
    assert rails.breaker_open() == "2 candidates in a row were worse than production"
    versions[2] = better
    assert rails.breaker_open() is None, "a better one in between resets the streak"
    assert (
        Guardrails(lambda: MonitorConfig(breaker_after=0), list, lambda: [worse] * 5).breaker_open()
        is None
    )


def test_the_breaker_reads_the_metric_that_gated_the_candidate_and_its_direction() -> None:
    precise = model(
        metric="average_precision",
        metrics={"average_precision": 0.3, "roc_auc": 0.99},
        champion_metrics={"average_precision": 0.4, "roc_auc": 0.5},
    )
    assert worse_than_champion(precise) is True
    rmse = model(metric="rmse", metrics={"rmse": 3.0}, champion_metrics={"rmse": 2.0})
    assert worse_than_champion(rmse) is True
    assert worse_than_champion(replace(rmse, metrics={"rmse": 1.0})) is False
