"""The loop through the engine: run, register, approve, lineage, reject, rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.errors import RegistryError
from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from ..eventually import eventually
from .helpers import set_config, wait_for


def _train(engine: Engine, data: Path) -> int:
    outcome = engine.ingest(data, move=False)
    assert outcome.dataset is not None
    run = engine.run([outcome.dataset.id])
    assert run.status == "success", run.error
    return run.id


def test_a_run_trains_every_candidate_and_registers_the_best_as_a_candidate(
    engine: Engine, small_sample: Path
) -> None:
    run_id = _train(engine, small_sample)
    tasks = {t.task: t for t in engine.store.runs.tasks(run_id)}
    trainers = [n for n in tasks if n.startswith("train_")]
    assert sorted(trainers) == [
        "train_hist_gradient_boosting",
        "train_logistic_regression",
        "train_random_forest",
    ]
    assert all(tasks[n].status == "success" for n in trainers)
    assert tasks["register"].status == "success"
    assert tasks["alert_if_fail"].status == "skipped"
    models = engine.store.registry.list()
    assert [m.version for m in models] == [1]
    assert models[0].status == "candidate" and models[0].gate_passed
    assert 0.6 < models[0].metrics["roc_auc"] <= 1.0
    metrics = engine.store.runs.metrics(run_id)
    candidates = {"logistic_regression.val_roc_auc", "random_forest.val_roc_auc"}
    assert candidates | {"test_roc_auc"} <= set(metrics)
    assert engine.store.events.since(0)[-1].kind == "model.pending_approval"


def test_parallel_candidates_overlap_in_time(engine: Engine, small_sample: Path) -> None:
    run_id = _train(engine, small_sample)
    spans = [
        (t.started_at, t.finished_at)
        for t in engine.store.runs.tasks(run_id)
        if t.task.startswith("train_")
    ]
    first_end = min(end for _, end in spans if end)
    assert sum(1 for start, _ in spans if start and start < first_end) >= 2


def test_approval_moves_production_and_lineage_reaches_back_to_the_dataset_hash(
    engine: Engine, small_sample: Path
) -> None:
    _train(engine, small_sample)
    engine.approve(1, "good enough", actor="alice")
    assert engine.store.registry.alias("production").version == 1  # type: ignore[union-attr]
    tree = engine.lineage(1)
    assert tree is not None
    labels = []
    stack = [tree]
    while stack:
        node = stack.pop()
        labels.append((node.kind, node.label))
        stack.extend(node.children)
    dataset = engine.store.datasets.list()[0]
    assert any(k == "dataset" and dataset.sha256[:12] in label for k, label in labels)
    assert any(k == "task_run" and "train_random_forest" in label for k, label in labels)
    assert any(
        k == "approval" and "alice" in label and "good enough" in label for k, label in labels
    )
    assert any(k == "alias" and "production" in label for k, label in labels)
    assert any(k == "metric" for k, _ in labels) and any(k == "param" for k, _ in labels)


def test_reject_records_the_comment_and_a_rejected_version_cannot_be_approved(
    engine: Engine, small_sample: Path
) -> None:
    _train(engine, small_sample)
    engine.reject(1, "overfits", actor="bob")
    decision = engine.store.registry.approvals(1)[0]
    assert (decision.decision, decision.actor, decision.comment) == ("reject", "bob", "overfits")
    with pytest.raises(RegistryError, match="rejected, not a candidate"):
        engine.approve(1)


def test_rollback_swaps_production_and_previous(engine: Engine, small_sample: Path) -> None:
    _train(engine, small_sample)
    engine.approve(1)
    run = engine.run()
    assert run.status == "success"
    engine.approve(2)
    assert engine.store.registry.alias("previous").version == 1  # type: ignore[union-attr]
    engine.rollback("v2 misbehaves")
    assert engine.store.registry.alias("production").version == 1  # type: ignore[union-attr]
    assert engine.store.registry.alias("previous").version == 2  # type: ignore[union-attr]


def test_approving_an_unknown_version_names_it(engine: Engine) -> None:
    with pytest.raises(RegistryError, match="no model version 7"):
        engine.approve(7)


def test_a_run_with_no_data_fails_with_a_reason(engine: Engine) -> None:
    run = engine.run()
    assert run.status == "failed"
    assert "no accepted datasets" in (run.error or "")


def test_auto_with_veto_approves_after_the_window_unless_rejected_in_it(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "promotion", policy="auto-with-veto", veto_minutes=0.02)
    set_config(workspace, "train", candidates=["logistic_regression"])
    with Engine(workspace) as engine, engine.bus.listen() as inbox:
        run_id = _train(engine, small_sample)
        assert run_id == 1
        pending = wait_for(inbox, "model.pending_approval", timeout=30)
        assert "unless rejected" in pending.message
        approved = wait_for(inbox, "model.approved", timeout=30)
        assert approved.payload["actor"] == "policy:auto-with-veto"
        assert engine.store.registry.alias("production").version == 1  # type: ignore[union-attr]
        set_config(workspace, "promotion", margin=-1.0)  # v2 would beat v1: only a veto stops it
        engine.config = workspace.load_config()
        engine.run()
        wait_for(inbox, "model.pending_approval", timeout=30)
        engine.reject(2, "vetoed", actor="carol")
        eventually(lambda: not engine.vetoes.pending(), 30, "v2's 1.2 s veto window closes")
        assert engine.store.registry.get(2).status == "rejected"  # type: ignore[union-attr]
        assert engine.store.registry.alias("production").version == 1  # type: ignore[union-attr]


def test_archive_retires_a_version_without_aliases_and_refuses_one_still_in_use(
    engine: Engine, small_sample: Path
) -> None:
    _train(engine, small_sample)
    engine.approve(1)
    with pytest.raises(RegistryError, match="still production"):
        engine.archive(1)
    engine.run()
    with pytest.raises(RegistryError, match="awaits a decision"):
        engine.archive(2)
    engine.reject(2, "worse")
    record = engine.archive(2, "cleaning up", actor="dave")
    assert record.status == "archived"
    last = engine.store.registry.approvals(2)[-1]
    assert (last.decision, last.actor, last.comment) == ("archived", "dave", "cleaning up")
