"""Jensen-Shannon verdicts of ``detect_drift`` against scipy on held-out data.

The data is scikit-learn's bundled digits (1,797 images, no download): each of the 64
pixels coarsened to 5 levels and compared as a category. The expected verdict is
Evidently's rule computed directly with scipy: ``jensenshannon(p, q) >= 0.1`` with scipy's
default (natural) base.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.spatial import distance
from sklearn.datasets import load_digits

from workbench.monitoring import DriftSettings, detect_drift


@pytest.fixture(scope="module")
def digits() -> tuple[pl.DataFrame, np.ndarray]:
    """Pixels as text categories (0-4), and the digit each row shows."""
    data = load_digits()
    levels = data.data.astype(int) // 4
    frame = pl.DataFrame({f"px{i}": levels[:, i].astype(str) for i in range(levels.shape[1])})
    return frame, data.target


def scipy_distances(reference: pl.Series, current: pl.Series, base: float | None) -> float:
    """Jensen-Shannon distance of two category columns, straight from scipy."""
    categories = np.union1d(reference.to_numpy(), current.to_numpy())
    p = np.array([(reference == c).sum() for c in categories], dtype=float)
    q = np.array([(current == c).sum() for c in categories], dtype=float)
    return float(distance.jensenshannon(p / p.sum(), q / q.sum(), base=base))


@pytest.mark.parametrize(
    ("split", "held_out"),
    [
        ("digits 0-5 vs 6-9", lambda y, i: y >= 6),
        ("first 1,100 vs the rest", lambda y, i: i >= 1100),
    ],
)
def test_verdicts_match_scipy_with_evidently_base_and_threshold(
    digits: tuple[pl.DataFrame, np.ndarray], split: str, held_out
) -> None:
    frame, target = digits
    mask = held_out(target, np.arange(target.size))
    reference, current = frame.filter(pl.Series(~mask)), frame.filter(pl.Series(mask))
    assert reference.height > 1000  # a large reference: Evidently measures, with JS
    report = detect_drift(reference, current, DriftSettings(psi_drift=False))
    assert {column.method for column in report.columns} == {"jensen_shannon"}, split
    for column in report.columns:
        expected = scipy_distances(reference[column.column], current[column.column], None)
        assert column.statistic == pytest.approx(expected, abs=1e-12), column.column
        assert column.threshold == 0.1
        assert column.test_drifted == (expected >= 0.1), column.column


def test_columns_that_base_2_would_flag_are_not_drifted(
    digits: tuple[pl.DataFrame, np.ndarray],
) -> None:
    frame, target = digits
    reference, current = frame.filter(pl.Series(target < 6)), frame.filter(pl.Series(target >= 6))
    report = detect_drift(reference, current, DriftSettings(psi_drift=False))
    between = [
        column
        for column in report.columns
        if scipy_distances(reference[column.column], current[column.column], 2) >= 0.1
        and column.statistic < 0.1
    ]
    assert between, "the split should hold columns between the two bases' verdicts"
    assert not any(column.test_drifted for column in between)
    assert any(column.test_drifted for column in report.columns)
