"""Notebook fixtures: the shared trained template (one quick candidate), data, a waiter,
and runs of the failing and of the example custom pipeline.

The template workspace, its per-test copy and the ``api`` on it come from
``tests/conftest.py``; the notebook tests train only logistic regression, so runs stay
quick and their task names are known.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from workbench.api import WorkbenchApi, connect

REPO = Path(__file__).resolve().parents[2]
FEBRUARY = REPO / "sample_data" / "transactions_2026_02_drifted.csv"
DEFECTS = REPO / "sample_data" / "transactions_defects.csv"
WAIT_S = 60.0
"""Bound on any wait for a live update (a run takes seconds; busy CI cores are slow)."""


@pytest.fixture
def template_candidates() -> tuple[str, ...]:
    """One quick candidate: the notebook tests check its task and metric names."""
    return ("logistic_regression",)


@pytest.fixture(scope="session")
def drifted_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3,000 rows of the drifted February."""
    path = tmp_path_factory.mktemp("data") / "february_3k.csv"
    pl.read_csv(FEBRUARY, n_rows=3000).write_csv(path)
    return path


@pytest.fixture
def curve_run(
    workspace_copy: Path, curve_pipeline: Callable[[Path], None]
) -> Iterator[WorkbenchApi]:
    """The template plus run 3: the example custom pipeline on dataset 1, whose
    ``learning_curve`` logged ``curve.*`` at steps 0..3 and ``train`` each metric once."""
    curve_pipeline(workspace_copy)
    with connect(workspace_copy) as api:
        run = api.run()
        assert (run.id, run.status) == (3, "success"), run
        yield api


@pytest.fixture
def failed_run(
    workspace_copy: Path, failing_pipeline: Callable[[Path], None]
) -> Iterator[WorkbenchApi]:
    """The template plus run 3: the failing pipeline on dataset 1; ``explode`` raised, so
    its traceback is in ``.workbench/logs/run-3/explode.log``."""
    failing_pipeline(workspace_copy)
    with connect(workspace_copy) as api:
        run = api.run()
        assert (run.id, run.status) == (3, "failed"), run
        yield api


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
