"""A training window larger than train.max_rows: the run trains on a sample and says so."""

from __future__ import annotations

from pathlib import Path

from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from .helpers import set_config


def test_a_window_past_max_rows_trains_on_its_newest_rows_and_the_run_says_so(
    workspace: Workspace, small_sample: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression"], max_rows=1_500)
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        assert run.status == "success", run.error
        params = engine.store.runs.params(run.id)
        assert (params["rows_window"], params["rows_used"], params["sample"]) == (
            "4000",
            "1500",
            "newest",  # the sample data has a timestamp column
        )
        split = [params[f"split.rows_{part}"] for part in ("train", "validation", "test")]
        assert split == ["960", "240", "300"]  # the split saw only the sample
        sampled = [e for e in engine.store.events.recent(100) if e.kind == "run.sampled"]
        assert [e.message for e in sampled] == [
            f"run {run.id}: trained on 1,500 of 4,000 rows (the newest by 'timestamp'): "
            "the window is larger than train.max_rows (1,500)"
        ]


def test_a_window_within_max_rows_is_used_whole(workspace: Workspace, small_sample: Path) -> None:
    set_config(workspace, "train", candidates=["logistic_regression"])
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        params = engine.store.runs.params(run.id)
        assert (params["rows_used"], params["sample"]) == ("4000", "all")
        assert int(params["max_rows"]) >= 10_000
        assert not [e for e in engine.store.events.recent(100) if e.kind == "run.sampled"]
