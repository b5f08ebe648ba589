"""The engine's log file: what its blocks log, kept under .workbench/logs/."""

from __future__ import annotations

import logging

from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine


def test_the_engine_keeps_its_log_file_under_workbench_logs(workspace: Workspace) -> None:
    with Engine(workspace) as engine:
        logging.getLogger("workbench.watcher.observer").info("watching with inotify")
        path = engine.log_file.path
    logging.getLogger("workbench.watcher.observer").info("after close: not in the file")
    assert path == workspace.logs / "engine.log"
    text = path.read_text()
    assert " INFO " in text and "workbench.watcher.observer: watching with inotify" in text
    assert "after close" not in text
