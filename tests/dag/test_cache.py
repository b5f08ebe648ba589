"""Task caching: a hit skips the function, any change in code, input or params misses."""

from __future__ import annotations

import threading

import numpy as np
import polars as pl
import pytest

from workbench.dag import MemoryCache, Pipeline, TaskContext, ThreadExecutor, cache_key, task
from workbench.dag.cache import fingerprint


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.calls += 1


def cached_pipeline(counter: Counter) -> Pipeline:
    @task
    def load(rows: int) -> pl.DataFrame:
        return pl.DataFrame({"x": list(range(rows))})

    @task(cache=True)
    def total(load: pl.DataFrame, ctx: TaskContext) -> int:
        counter.bump()
        return int(load["x"].sum()) * ctx.params.get("scale", 1)

    return Pipeline("p", load >> total, inputs=("rows",))


def test_a_cache_hit_returns_the_value_without_running_the_task() -> None:
    counter, cache = Counter(), MemoryCache()
    pipeline = cached_pipeline(counter)
    executor = ThreadExecutor(2)
    first = executor.run(pipeline, run_id="r1", inputs={"rows": 4}, cache=cache)
    second = executor.run(pipeline, run_id="r2", inputs={"rows": 4}, cache=cache)
    assert counter.calls == 1
    assert first.tasks["total"].status == "success" and not first.tasks["total"].cached
    record = second.tasks["total"]
    assert (record.status, record.cached, record.attempts) == ("cached", True, 0)
    assert second.values["total"] == first.values["total"] == 6
    assert second.status == "success"


def test_a_changed_input_or_param_misses_the_cache() -> None:
    counter, cache = Counter(), MemoryCache()
    pipeline = cached_pipeline(counter)
    executor = ThreadExecutor(2)
    executor.run(pipeline, run_id="r1", inputs={"rows": 4}, cache=cache)
    changed_data = executor.run(pipeline, run_id="r2", inputs={"rows": 5}, cache=cache)
    changed_param = executor.run(
        pipeline, run_id="r3", inputs={"rows": 5}, params={"scale": 2}, cache=cache
    )
    assert counter.calls == 3
    assert changed_data.tasks["total"].status == "success"
    assert changed_param.values["total"] == 20


def test_without_a_cache_object_nothing_is_cached() -> None:
    counter = Counter()
    pipeline = cached_pipeline(counter)
    for run_id in ("r1", "r2"):
        ThreadExecutor(1).run(pipeline, run_id=run_id, inputs={"rows": 3})
    assert counter.calls == 2


def test_the_key_changes_with_the_code() -> None:
    @task(name="step")
    def one(x: int) -> int:
        return x

    @task(name="step")
    def two(x: int) -> int:
        return x + 1

    assert cache_key(one, {"x": 1}, {}) == cache_key(one, {"x": 1}, {})
    assert cache_key(one, {"x": 1}, {}) != cache_key(two, {"x": 1}, {})
    assert cache_key(one, {"x": 1}, {}) != cache_key(one, {"x": 2}, {})
    assert cache_key(one, {"x": 1}, {}) != cache_key(one, {"x": 1}, {"lr": 0.1})


@pytest.mark.parametrize(
    ("same_a", "same_b"),
    [
        ({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}),  # dict order does not matter
        ({3, 1, 2}, {1, 2, 3}),
        (pl.DataFrame({"x": [1, 2]}), pl.DataFrame({"x": [1, 2]})),
        (np.arange(4), np.arange(4)),
    ],
)
def test_equal_content_has_equal_fingerprints(same_a: object, same_b: object) -> None:
    assert fingerprint(same_a) == fingerprint(same_b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (1, "1"),
        (1, 1.0),
        (1, True),
        (("a", "b"), ("ab",)),
        (b"x", "x"),
        (pl.DataFrame({"x": [1, 2]}), pl.DataFrame({"x": [2, 1]})),
        (pl.DataFrame({"x": [1, 2]}), pl.DataFrame({"y": [1, 2]})),
        (np.zeros(10_000), np.concatenate([np.zeros(9_999), [1.0]])),  # repr would hide it
    ],
)
def test_different_content_has_different_fingerprints(a: object, b: object) -> None:
    assert fingerprint(a) != fingerprint(b)


def test_memory_cache_drops_the_least_recently_used() -> None:
    cache = MemoryCache(max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == (True, 1)  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") == (False, None)
    assert cache.get("a") == (True, 1) and cache.get("c") == (True, 3)
    assert len(cache) == 2
