"""Shared shapes for the drift tests: the bundled sample months, seeded generators."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
JANUARY = SAMPLE / "transactions_2026_01.csv"
FEBRUARY = SAMPLE / "transactions_2026_02_drifted.csv"


@pytest.fixture(scope="session")
def january() -> pl.DataFrame:
    """January 2026: the reference month (25,000 transactions)."""
    return pl.read_csv(JANUARY, try_parse_dates=True)


@pytest.fixture(scope="session")
def february() -> pl.DataFrame:
    """February 2026, with amount, merchant_category and distance_from_home_km shifted."""
    return pl.read_csv(FEBRUARY, try_parse_dates=True)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: the same draws on every run."""
    return np.random.default_rng(20260127)
