"""Shared fixtures: real workspaces in tmp_path, the bundled sample data."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
JANUARY = SAMPLE / "transactions_2026_01.csv"
TARGET = "is_fraud"


@pytest.fixture
def free_port() -> int:
    """A port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sample_january() -> Path:
    """The bundled reference month (25,000 card transactions)."""
    return JANUARY


@pytest.fixture
def small_sample(tmp_path: Path) -> Path:
    """The first 4,000 January rows as their own CSV: the loop in a few seconds."""
    path = tmp_path / "data" / "january_small.csv"
    path.parent.mkdir()
    pl.read_csv(JANUARY, n_rows=4000).write_csv(path)
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh workspace predicting ``is_fraud`` with a low gate, manual approval."""
    settings = with_overrides(WorkbenchConfig(), "gate", threshold=0.5)
    return init_workspace(tmp_path / "ws", target=TARGET, config=settings)


@pytest.fixture
def engine(workspace: Workspace) -> Iterator[Engine]:
    """An in-process engine owning ``workspace``."""
    with Engine(workspace) as owner:
        yield owner
