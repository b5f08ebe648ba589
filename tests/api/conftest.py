"""Shared shapes for the api tests: a trained workspace built once, copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from workbench.api import LocalApi
from workbench.api.control import ControlServer
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace, open_workspace
from workbench.engine.engine import Engine

JANUARY = Path(__file__).resolve().parents[2] / "sample_data" / "transactions_2026_01.csv"
SLICE_ROWS = 2_000


def write_slice(folder: Path, index: int) -> Path:
    """Rows ``index*2000`` to ``(index+1)*2000`` of January as their own CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"january_{index}.csv"
    pl.read_csv(JANUARY, n_rows=SLICE_ROWS * (index + 1)).tail(SLICE_ROWS).write_csv(path)
    return path


@pytest.fixture(scope="session")
def trained_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed workspace with three runs, so model versions 1-3 await a decision."""
    base = tmp_path_factory.mktemp("api-template")
    settings = with_overrides(WorkbenchConfig(), "train", candidates=["logistic_regression"])
    workspace = init_workspace(base / "ws", target="is_fraud", config=settings)
    with LocalApi(Engine(workspace)) as api:
        for index in range(3):
            run = api.run(data=str(write_slice(base / "data", index)))
            assert run.status == "success", run.error
        assert [m.version for m in api.models("candidate")] == [3, 2, 1]
    return workspace.root


@pytest.fixture
def trained(trained_template: Path, tmp_path: Path) -> Path:
    """A private copy of the trained workspace (no engine running on it)."""
    root = tmp_path / "ws"
    shutil.copytree(trained_template, root)
    return root


@pytest.fixture
def local_api(trained: Path) -> Iterator[LocalApi]:
    """An in-process engine on the trained copy, without a control API."""
    api = LocalApi(Engine(open_workspace(trained)))
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def control(local_api: LocalApi) -> Iterator[ControlServer]:
    """The control API over ``local_api`` on a free 127.0.0.1 port."""
    server = ControlServer(local_api).start()
    try:
        yield server
    finally:
        server.stop()
