"""TUI fixtures: a trained workspace built once, copied per test.

Training takes seconds, so one session-wide template workspace holds two runs (model
versions 1 and 2, both candidates) and every test gets its own copy of the folder, with
its own in-process engine.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from workbench.api import WorkbenchApi, connect
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace

REPO = Path(__file__).resolve().parents[2]
JANUARY = REPO / "sample_data" / "transactions_2026_01.csv"
TARGET = "is_fraud"


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"


@pytest.fixture(scope="session")
def slice_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3,000 January rows: enough to train, quick to train on."""
    path = tmp_path_factory.mktemp("data") / "january_3k.csv"
    pl.read_csv(JANUARY, n_rows=3000).write_csv(path)
    return path


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory: pytest.TempPathFactory, slice_csv: Path) -> Path:
    """A workspace with two runs and two candidate versions (manual approval)."""
    settings = with_overrides(WorkbenchConfig(), "gate", threshold=0.5)
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
