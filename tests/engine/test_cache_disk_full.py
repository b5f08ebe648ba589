"""Disk full while the task cache writes a result: one line, no traceback, run goes on.

The same real tmpfs-over-artifacts fault as :mod:`tests.engine.test_faults_disk` (skips
where mounting is not allowed).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from workbench.engine.engine import Engine

from .test_faults_disk import _data, _workspace, fill, small_disk

pytestmark = pytest.mark.slow


def test_a_full_disk_skips_caching_with_one_line_events(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ws = _workspace(tmp_path)
    with small_disk(ws.artifacts), Engine(ws) as engine:
        dataset = engine.ingest(_data(tmp_path, "jan.csv", 0), move=False).dataset
        assert dataset is not None
        fill(ws.artifacts)
        with caplog.at_level(logging.WARNING):
            run = engine.run([dataset.id])
        skipped = [e for e in engine.store.events.since(0) if e.kind == "task.not_cached"]
    assert skipped, "every cached task hit the full disk"
    for event in skipped:
        assert "\n" not in event.message and "disk full" in event.message, event.message
        assert event.payload["detail"]
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a cache write"
    assert run.status == "failed" and "disk full" in (run.error or "")  # the model itself
