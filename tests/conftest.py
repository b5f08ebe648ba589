"""Shared fixtures: real workspaces in tmp_path, the bundled sample data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"


@pytest.fixture
def sample_january() -> Path:
    """The bundled reference month (25,000 card transactions)."""
    return SAMPLE / "transactions_2026_01.csv"
