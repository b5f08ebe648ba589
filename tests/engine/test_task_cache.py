"""The persistent task cache through the engine: unchanged work is reused across runs
and restarts, shows as ``cached``, keeps the run's tracking complete, and never trusts a
changed file."""

from __future__ import annotations

import queue
import shutil
from pathlib import Path

import polars as pl

from workbench.api.local import LocalApi
from workbench.core.records import EventRecord
from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from .helpers import set_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_pipeline" / "pipeline.py"


def _statuses(engine: Engine, run_id: int) -> dict[str, str]:
    return {t.task: t.status for t in engine.store.runs.tasks(run_id)}


def _train_tasks(statuses: dict[str, str]) -> dict[str, str]:
    return {name: status for name, status in statuses.items() if name.startswith("train_")}


def test_a_rerun_on_unchanged_data_reuses_the_trained_candidates_even_after_a_restart(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression", "random_forest"])
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        first = engine.run([dataset.id])
        assert first.status == "success", first.error
        assert set(_train_tasks(_statuses(engine, first.id)).values()) == {"success"}
        inbox: queue.Queue[EventRecord] = queue.Queue()
        engine.bus.subscribe(inbox.put)
        second = engine.run([dataset.id])
        assert second.status == "success", second.error
        statuses = _statuses(engine, second.id)
        assert _train_tasks(statuses) == {
            "train_logistic_regression": "cached",
            "train_random_forest": "cached",
        }
        assert statuses["evaluate"] == "success"  # downstream work still runs
        sources = {t.cached_from for t in engine.store.runs.tasks(second.id) if t.cached_from}
        assert sources == {first.id}, "each cached task run names the run it reused"
        cached = [e for e in _drain(inbox) if e.kind == "task.cached"]
        assert {e.payload["source_run"] for e in cached} == {first.id}
        # What the cached tasks logged when they ran is part of the new run too.
        before, after = engine.store.runs.metrics(first.id), engine.store.runs.metrics(second.id)
        for key in ("logistic_regression.val_roc_auc", "random_forest.val_roc_auc"):
            assert after[key] == before[key]
        assert len(engine.store.registry.list(run_id=second.id)) == 1
    with Engine(workspace) as engine:  # a new process: the cache is on disk
        third = engine.run([dataset.id])
        assert set(_train_tasks(_statuses(engine, third.id)).values()) == {"cached"}
        # A reproduction recomputes everything, or it would only prove the cache works.
        reproduction = engine.reproduce(first.id)
        assert reproduction.identical
        assert set(_train_tasks(_statuses(engine, reproduction.rerun.id)).values()) == {"success"}


def test_changed_data_or_settings_train_again(workspace: Workspace, small_sample: Path) -> None:
    set_config(workspace, "train", candidates=["logistic_regression"])
    other = small_sample.with_name("january_other.csv")
    pl.read_csv(small_sample).tail(3000).write_csv(other)
    with Engine(workspace) as engine:
        first = engine.ingest(small_sample, move=False).dataset
        second = engine.ingest(other, move=False).dataset
        assert first is not None and second is not None
        engine.run([first.id])
        run = engine.run([second.id])
        assert _train_tasks(_statuses(engine, run.id)) == {"train_logistic_regression": "success"}
    set_config(workspace, "train", test_size=0.3)
    with Engine(workspace) as engine:
        run = engine.run([first.id])
        assert _train_tasks(_statuses(engine, run.id)) == {"train_logistic_regression": "success"}


def test_a_changed_cached_file_is_not_trusted_and_the_task_runs_again(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression"])
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        engine.run([dataset.id])
        [entry] = [e for e in engine.store.task_cache.list() if e.task.startswith("train_")]
        path = engine.store.artifacts.path(entry.sha256)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
        inbox: queue.Queue[EventRecord] = queue.Queue()
        engine.bus.subscribe(inbox.put)
        run = engine.run([dataset.id])
        assert run.status == "success", run.error
        assert _train_tasks(_statuses(engine, run.id)) == {"train_logistic_regression": "success"}
        warnings = [e for e in _drain(inbox) if e.kind == "task.cache_unreadable"]
        assert warnings and "hash mismatch" in warnings[0].message


def test_the_custom_example_reuses_its_learning_curve_and_keeps_the_curve(
    workspace: Workspace, small_sample: Path
) -> None:
    shutil.copy(EXAMPLE, workspace.root / "pipeline.py")
    set_config(workspace, "pipeline", path="pipeline.py")
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        engine.run([dataset.id])
        run = engine.run([dataset.id])
        statuses = _statuses(engine, run.id)
        assert statuses["learning_curve"] == "cached"
        assert statuses["train"] == "success"  # not declared cache=True: it registers a model
        curve = engine.store.runs.metric_history(run.id, "curve.roc_auc")
        assert [p.step for p in curve] == [0, 1, 2, 3]
        tags = engine.store.runs.tags(run.id)
        assert tags["learning_curve"]["curve.model"] == "logistic_regression"
        assert tags[""]["workbench.pipeline"].endswith("pipeline.py")
        assert tags[""]["workbench.user"]


def _drain(inbox: queue.Queue[EventRecord]) -> list[EventRecord]:
    events = []
    while not inbox.empty():
        events.append(inbox.get_nowait())
    return events


def test_clearing_the_cache_frees_its_files_and_the_tasks_train_again(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression", "random_forest"])
    with Engine(workspace) as engine:
        api = LocalApi(engine)
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        engine.run([dataset.id])
        entries = {e.task: e for e in api.cached_results()}
        # the candidates and the refit of the winner on train + validation
        assert set(entries) == {"train_logistic_regression", "train_random_forest", "refit"}
        assert api.clear_cache("train_random_forest") == 1
        assert not engine.store.artifacts.path(entries["train_random_forest"].sha256).exists()
        assert engine.store.artifacts.path(entries["train_logistic_regression"].sha256).exists()
        run = engine.run([dataset.id])
        assert _train_tasks(_statuses(engine, run.id)) == {
            "train_logistic_regression": "cached",
            "train_random_forest": "success",
        }
        production = engine.store.registry.list(run_id=run.id)[0]
        # two candidates, and the winner's refit once per selection it was keyed on
        held = len(api.cached_results())
        assert held >= 3 and api.clear_cache() == held
        # A model version's file is never removed with the cache, even if it was shared.
        assert engine.store.artifacts.path(production.artifact_sha256).exists()
        assert api.cached_results() == []


def test_past_the_size_cap_the_least_recently_used_results_go_and_zero_turns_caching_off(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression", "random_forest"])
    set_config(workspace, "train", cache_max_mb=1.0)  # a forest's model is bigger than this
    with Engine(workspace) as engine, engine.bus.listen() as inbox:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        engine.run([dataset.id])
        evicted = [e for e in _drain(inbox) if e.kind == "cache.evicted"]
        assert evicted and "train.cache_max_mb" in evicted[0].message
        entries = engine.store.task_cache.list()
        assert [e.task for e in entries] == ["train_logistic_regression"]
        assert engine.store.task_cache.size() <= 1024 * 1024
        run = engine.run([dataset.id])
        assert _train_tasks(_statuses(engine, run.id)) == {
            "train_logistic_regression": "cached",
            "train_random_forest": "success",
        }
    set_config(workspace, "train", cache_max_mb=0.0)
    with Engine(workspace) as engine:
        run = engine.run([dataset.id])
        assert set(_train_tasks(_statuses(engine, run.id)).values()) == {"success"}
