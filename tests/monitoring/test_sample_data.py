"""The bundled sample months: February's three shifted columns, and nothing else, drift."""

from __future__ import annotations

import polars as pl

from workbench.monitoring import DriftSettings, detect_drift

SHIFTED = {"amount", "merchant_category", "distance_from_home_km"}
"""The columns sample_data/README.md says February shifts."""


def test_february_flags_exactly_the_shifted_columns(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    report = detect_drift(january, february)
    assert set(report.drifted_columns) == SHIFTED, report.summary()
    assert set(report.skipped) == {"transaction_id", "timestamp"}
    assert not report.dataset_drift
    assert report.share_drifted == 3 / 9


def test_february_keeps_the_label_apart_and_undrifted(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    report = detect_drift(january, february, DriftSettings(target="is_fraud"))
    assert report.target is not None
    assert (report.target.column, report.target.kind) == ("is_fraud", "binary")
    assert not report.target.drifted
    assert set(report.drifted_columns) == SHIFTED
    assert len(report.columns) == 8


def test_the_two_signals_behind_februarys_verdict(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    report = detect_drift(january, february)
    amount = report.column("amount")
    category = report.column("merchant_category")
    distance = report.column("distance_from_home_km")
    assert amount.method == "wasserstein_normed" and amount.test_drifted
    assert category.method == "jensen_shannon" and category.test_drifted
    # Doubling the everyday distances barely moves a Wasserstein distance scaled by the
    # thousands-of-km spread of trips abroad; PSI on deciles sees the bulk move.
    assert not distance.test_drifted and distance.psi_band == "major"


def test_two_halves_of_january_do_not_drift(january: pl.DataFrame) -> None:
    shuffled = january.sample(fraction=1.0, shuffle=True, seed=5)
    report = detect_drift(shuffled.head(12_500), shuffled.tail(12_500))
    assert report.drifted_columns == (), report.summary()


def test_a_small_february_sample_is_tested_and_still_flags_the_shift(
    january: pl.DataFrame, february: pl.DataFrame
) -> None:
    reference = january.sample(n=1000, seed=2)
    report = detect_drift(reference, february.sample(n=1000, seed=3))
    assert {column.method for column in report.columns} == {"ks", "chi_squared", "z_test"}
    assert set(report.drifted_columns) >= SHIFTED, report.summary()
