"""Symlinks in the watched folder: a link out of the workspace is quarantined unread.

Real links on a real filesystem. The link itself is filed (its target is neither read
nor moved), and a dataset whose file later leads out does not block later runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import polars as pl

from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from .helpers import set_config, wait_for


def _link(folder: Path, name: str, target: Path) -> Path:
    link = folder / name
    link.symlink_to(target)
    return link


def test_a_link_to_a_system_file_is_quarantined_unread(workspace: Workspace) -> None:
    passwd = Path("/etc/passwd")
    link = _link(workspace.root / "incoming", "passwd.csv", passwd)
    with Engine(workspace) as engine:
        outcome = engine.ingest(link, move=True)
    assert outcome.status == "quarantined"
    assert "symbolic link to /etc/passwd, outside the workspace" in outcome.message
    filed = workspace.quarantine / "passwd.csv"
    assert filed.is_symlink() and os.readlink(filed) == str(passwd)  # the link, moved
    assert not link.exists() and not link.is_symlink()
    report = (workspace.quarantine / "passwd.csv.report.json").read_text()
    assert hashlib.sha256(passwd.read_bytes()).hexdigest() not in report
    assert json.loads(report)["report"]["read"] is False


def test_a_link_to_a_valid_csv_outside_is_quarantined_and_the_target_stays(
    workspace: Workspace, small_sample: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(small_sample.read_bytes())
    link = _link(workspace.root / "incoming", "linked.csv", outside)
    with Engine(workspace) as engine:
        assert engine.ingest(link, move=True).status == "quarantined"
        assert not engine.store.datasets.list("accepted")
    assert outside.read_bytes() == small_sample.read_bytes()  # the user's file, untouched
    assert (workspace.quarantine / "linked.csv").is_symlink()


def test_a_link_within_the_workspace_is_read_and_filed_as_bytes(
    workspace: Workspace, small_sample: Path
) -> None:
    kept = workspace.root / "data" / "kept.csv"
    kept.parent.mkdir()
    kept.write_bytes(small_sample.read_bytes())
    link = _link(workspace.root / "incoming", "inside.csv", Path("../data/kept.csv"))
    with Engine(workspace) as engine:
        outcome = engine.ingest(link, move=True)
    assert outcome.status == "accepted", outcome.message
    filed = workspace.processed / "inside.csv"
    assert not filed.is_symlink() and filed.read_bytes() == kept.read_bytes()
    assert kept.exists() and not link.is_symlink()


def test_a_dataset_that_became_unreadable_does_not_block_later_runs(
    workspace: Workspace, small_sample: Path, tmp_path: Path
) -> None:
    set_config(workspace, "train", candidates=["logistic_regression"])
    frame = pl.read_csv(small_sample)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    frame.head(frame.height // 2).write_csv(first)
    frame.tail(frame.height // 2).write_csv(second)
    with Engine(workspace) as engine:
        one = engine.ingest(first, move=False).dataset
        two = engine.ingest(second, move=False).dataset
        assert one is not None and two is not None and two.status == "accepted"
        broken = workspace.root / one.path
        broken.unlink()
        broken.symlink_to(tmp_path / "first.csv")  # the file now leads out of the workspace
        run = engine.run(None, "file")
        skipped = [e for e in engine.store.events.since(0) if e.kind == "run.dataset_skipped"]
    assert run.status == "success", run.error
    assert list(run.dataset_ids) == [two.id]
    assert skipped and f"dataset {one.id}" in skipped[0].message
    assert "leads outside the workspace" in skipped[0].message


def test_the_watcher_quarantines_links_out_even_dangling_ones(
    workspace: Workspace, tmp_path: Path
) -> None:
    set_config(workspace, "watch", quiet_period_ms=100, batch_window_ms=0)
    incoming = workspace.root / "incoming"
    with Engine(workspace) as engine, engine.bus.listen() as inbox:
        engine.watch()
        _link(incoming, "passwd.csv", Path("/etc/passwd"))
        first = wait_for(inbox, "dataset.quarantined", timeout=30)
        _link(incoming, "gone.csv", tmp_path / "no-such-file.csv")
        second = wait_for(inbox, "dataset.quarantined", timeout=30)
    assert {first.payload["file"], second.payload["file"]} == {"passwd.csv", "gone.csv"}
    assert (workspace.quarantine / "gone.csv").is_symlink()
    assert not any(incoming.iterdir())
