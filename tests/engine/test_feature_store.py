"""The feature store through the engine: materialised on arrival, rebuilt on edit, joined
for training; a DuckDB file in tmp_path, a real code watcher, real file writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine

from ..features.history import START, VIEWS, transactions
from .helpers import wait_for


@pytest.fixture
def feature_workspace(tmp_path: Path) -> Workspace:
    """A workspace whose default pipeline joins the ``activity`` view (one fast candidate)."""
    settings = with_overrides(WorkbenchConfig(), "features", path="features.py", views=["activity"])
    settings = with_overrides(settings, "train", candidates=["logistic_regression"])
    ws = init_workspace(tmp_path / "ws", target="label", config=settings)
    (ws.root / "features.py").write_text(VIEWS.format(ttl="30d"), encoding="utf-8")
    return ws


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """Two files of the same customers; the second starts before the first ends."""
    first = transactions(1500, seed=1, days=6)
    second = transactions(1500, seed=2, days=6, start=START + timedelta(days=4))
    out = []
    for i, frame in enumerate((first, second)):
        path = tmp_path / "data" / f"part{i}.csv"
        path.parent.mkdir(exist_ok=True)
        frame.write_csv(path)
        out.append(path)
    return out


@pytest.fixture
def engine(feature_workspace: Workspace) -> Iterator[Engine]:
    with Engine(feature_workspace) as owner:
        yield owner


def _all_rows(engine: Engine) -> dict[str, pl.DataFrame]:
    store = engine.store.features
    return {
        r.name: store.view_rows(r.name, r.code_hash).sort("customer_id", "timestamp")
        for r in store.list()
    }


def test_incremental_materialisation_equals_a_full_rebuild(
    engine: Engine, files: list[Path]
) -> None:
    for path in files:
        assert engine.ingest(path, move=False).status == "accepted"
    incremental = _all_rows(engine)

    engine.materialize_features()
    rebuilt = _all_rows(engine)

    assert set(incremental) == {"activity", "busy"}
    assert incremental["activity"].height == 3000
    for name, frame in rebuilt.items():
        assert_frame_equal(incremental[name], frame)


def test_a_run_joins_the_views_and_records_their_code(engine: Engine, files: list[Path]) -> None:
    engine.ingest(files[0], move=False)
    run = engine.run()

    assert run.status == "success", run.error
    model = engine.store.registry.list()[0]
    inputs = [c["name"] for c in model.signature["inputs"]]
    assert {"n_tx_24h", "mean_2d"} <= set(inputs) and "customer_id" not in inputs
    code_hash = engine.store.features.get("activity").code_hash  # type: ignore[union-attr]
    assert model.signature["features"]["views"][0]["code_hash"] == code_hash
    params = engine.store.runs.params(run.id)
    assert params["features.activity.code_hash"] == code_hash
    lineage = str(engine.lineage(model.version))
    assert code_hash in lineage


def test_an_edited_view_is_rematerialised_and_starts_one_run_and_bad_edits_none(
    engine: Engine, feature_workspace: Workspace, files: list[Path]
) -> None:
    engine.ingest(files[0], move=False)
    assert engine.run().status == "success"
    before = engine.store.features.get("activity")
    assert before is not None
    source = feature_workspace.root / "features.py"
    good = VIEWS.format(ttl="30d")
    engine.watch()
    with engine.bus.listen() as inbox:
        source.write_text(good.replace("one = pl.col", "one = = pl.col"), encoding="utf-8")
        error = wait_for(inbox, "features.error", timeout=30)
        assert "features.py, line 12" in error.message
        peek = good.replace(
            '"timestamp",\n        one.', '"timestamp", pl.col("label"),\n        one.'
        )
        source.write_text(peek, encoding="utf-8")
        error = wait_for(inbox, "features.error", timeout=30)
        assert "view 'activity'" in error.message and "reads the label" in error.message
        assert engine.run_queue().depth == 0  # type: ignore[union-attr]

        source.write_text(good.replace('"2d").over', '"3d").over'), encoding="utf-8")
        changed = wait_for(inbox, "features.changed", timeout=30)
        finished = wait_for(inbox, "run.finished", timeout=120)

    after = engine.store.features.get("activity")
    assert after is not None and after.code_hash != before.code_hash
    assert changed.payload["views"] == ["activity", "busy"]
    code_runs = [r for r in engine.store.runs.list(limit=100) if "code" in r.trigger]
    assert [r.id for r in code_runs] == [finished.payload["run_id"]]
    assert engine.store.features.get("activity", before.code_hash) is not None  # kept


def test_a_features_path_out_of_the_workspace_is_never_followed(
    tmp_path: Path, files: list[Path]
) -> None:
    settings = with_overrides(WorkbenchConfig(), "features", path="../outside.py")
    ws = init_workspace(tmp_path / "other", target="label", config=settings)
    (tmp_path / "outside.py").write_text(VIEWS.format(ttl="30d"), encoding="utf-8")
    with Engine(ws) as engine, engine.bus.listen() as inbox:
        outcome = engine.ingest(files[0], move=False)
        error = wait_for(inbox, "features.error", timeout=10)
        engine.watch()
        watched = wait_for(inbox, "features.error", timeout=10)
        assert engine.store.features.list() == []
    assert outcome.status == "accepted"  # the data is fine; the feature store is refused
    assert "outside the workspace" in error.message and "not watched" in watched.message
