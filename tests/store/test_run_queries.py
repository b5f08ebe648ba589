"""The runs queries the UIs use: filters by status, trigger, time and tag; tags; cache index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workbench.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "s.duckdb", tmp_path / "artifacts") as opened:
        yield opened


def test_runs_filter_by_status_trigger_time_and_tag(store: Store) -> None:
    first = store.runs.create("tabular", "file")
    second = store.runs.create("tabular", "manual")
    third = store.runs.create("tabular", "file")
    store.runs.finish(third.id, "success")
    store.runs.set_tags(first.id, {"team": "fraud", "stage": "dev"})
    store.runs.set_tags(third.id, {"team": "fraud"})
    store.runs.set_tags(second.id, {"team": "risk"})
    store.runs.set_tags(second.id, {"team": "fraud"}, task="train")  # a task's tag, not the run's
    ids = lambda runs: [r.id for r in runs]  # noqa: E731
    assert ids(store.runs.list(trigger="file")) == [third.id, first.id]
    assert ids(store.runs.list(status="success", trigger="file")) == [third.id]
    assert ids(store.runs.list(tag=("team", "fraud"))) == [third.id, first.id]
    assert ids(store.runs.list(tag=("team", "fraud"), status="queued")) == [first.id]
    later = datetime.now(UTC) + timedelta(hours=1)
    assert ids(store.runs.list(since=later)) == []
    assert ids(store.runs.list(until=later, limit=2)) == [third.id, second.id]
    assert ids(store.runs.list(since=third.created_at)) == [third.id]


def test_a_tag_set_again_keeps_the_new_value_per_task(store: Store) -> None:
    run = store.runs.create("tabular", "manual")
    store.runs.set_tags(run.id, {"stage": "dev", "owner": "ana"})
    store.runs.set_tags(run.id, {"stage": "prod"})
    store.runs.set_tags(run.id, {"stage": "tuning"}, task="train")
    assert store.runs.tags(run.id) == {
        "": {"owner": "ana", "stage": "prod"},
        "train": {"stage": "tuning"},
    }


def test_copy_task_tracking_brings_one_tasks_params_metrics_and_tags(store: Store) -> None:
    source, target = store.runs.create("p", "manual"), store.runs.create("p", "manual")
    store.runs.log_params(source.id, {"depth": 3}, "train")
    store.runs.log_params(source.id, {"other": 1}, "split")
    store.runs.log_metrics(source.id, [("loss", 0.5, 0), ("loss", 0.25, 1)], "train")
    store.runs.set_tags(source.id, {"stage": "x"}, task="train")
    assert store.runs.copy_task_tracking(source.id, "train", target.id) == 4
    assert store.runs.params(target.id) == {"train.depth": "3"}
    assert [p.value for p in store.runs.metric_history(target.id, "loss")] == [0.5, 0.25]
    assert store.runs.tags(target.id) == {"train": {"stage": "x"}}


def test_the_task_cache_index_round_trips_counts_hits_and_clears(store: Store) -> None:
    run = store.runs.create("p", "manual")
    sha = store.artifacts.put(b"result")
    store.task_cache.put("k1", "train", run.id, sha, 6)
    store.task_cache.put("k2", "split", run.id, sha, 6)
    store.task_cache.hit("k1")
    entry = store.task_cache.get("k1")
    assert entry is not None and (entry.task, entry.run_id, entry.hits) == ("train", run.id, 1)
    assert [e.key for e in store.task_cache.list(task="split")] == ["k2"]
    assert store.task_cache.clear(task="train") == (1, [])  # k2 still uses the artifact
    assert store.task_cache.get("k1") is None and store.task_cache.get("k2") is not None
    assert store.task_cache.clear() == (1, [sha])


def test_eviction_keeps_the_most_recently_used_results_that_fit(store: Store) -> None:
    run = store.runs.create("p", "manual")
    shas = [store.artifacts.put(f"result {i}".encode()) for i in range(3)]
    for i, sha in enumerate(shas):
        store.task_cache.put(f"k{i}", f"t{i}", run.id, sha, 100)
    store.task_cache.hit("k0")  # used last: kept first
    assert store.task_cache.size() == 300
    assert store.task_cache.evict(250) == (1, [shas[1]])  # k1: the oldest use
    assert sorted(e.key for e in store.task_cache.list()) == ["k0", "k2"]
    assert store.task_cache.evict(0) == (2, sorted([shas[0], shas[2]]))
