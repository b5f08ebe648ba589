"""Notebook fixtures: a trained workspace built once, copied per test, and a waiter.

Training takes seconds, so one session-wide template workspace holds two runs (model
versions 1 and 2, both candidates awaiting a person) trained with one quick candidate;
every test gets its own copy of the folder and its own in-process engine.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from workbench.api import WorkbenchApi, connect
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace

REPO = Path(__file__).resolve().parents[2]
JANUARY = REPO / "sample_data" / "transactions_2026_01.csv"
FEBRUARY = REPO / "sample_data" / "transactions_2026_02_drifted.csv"
DEFECTS = REPO / "sample_data" / "transactions_defects.csv"
TARGET = "is_fraud"
WAIT_S = 60.0
"""Bound on any wait for a live update (a run takes seconds; busy CI cores are slow)."""


@pytest.fixture(scope="session")
def slice_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3,000 January rows: enough to train, quick to train on."""
    path = tmp_path_factory.mktemp("data") / "january_3k.csv"
    pl.read_csv(JANUARY, n_rows=3000).write_csv(path)
    return path


@pytest.fixture(scope="session")
def drifted_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3,000 rows of the drifted February."""
    path = tmp_path_factory.mktemp("data") / "february_3k.csv"
    pl.read_csv(FEBRUARY, n_rows=3000).write_csv(path)
    return path


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory: pytest.TempPathFactory, slice_csv: Path) -> Path:
    """A workspace with two runs and two candidate versions (manual approval)."""
    settings = with_overrides(WorkbenchConfig(), "gate", threshold=0.5)
    settings = with_overrides(settings, "train", candidates=["logistic_regression"])
    root = init_workspace(tmp_path_factory.mktemp("template") / "ws", TARGET, settings).root
    with connect(root) as api:
        api.run(data=str(slice_csv))
        api.run()
        assert [m.version for m in api.models("candidate")] == [2, 1]
    return root


@pytest.fixture
def workspace_copy(template_workspace: Path, tmp_path: Path) -> Path:
    """This test's own copy of the trained workspace."""
    return Path(shutil.copytree(template_workspace, tmp_path / "ws"))


@pytest.fixture
def api(workspace_copy: Path) -> Iterator[WorkbenchApi]:
    """An in-process engine on the copy; closed after the test."""
    with connect(workspace_copy) as owner:
        yield owner


def wait_for_trait(
    widget: Any, name: str, holds: Callable[[Any], bool], timeout: float = WAIT_S
) -> Any:
    """Wait until trait ``name`` of ``widget`` satisfies ``holds``; returns its value.

    Observes the trait (set from the panel's feed thread), so the wait ends the moment
    the widget changes, and fails after ``timeout`` seconds.
    """
    reached = threading.Event()

    def check(_: object = None) -> None:
        if holds(getattr(widget, name)):
            reached.set()

    widget.observe(check, names=name)
    try:
        check()
        assert reached.wait(timeout), (
            f"{name} never satisfied the condition: {getattr(widget, name)!r}"
        )
        return getattr(widget, name)
    finally:
        widget.unobserve(check, names=name)
