"""``detect_drift`` on whole frames: the rule applied, columns left out, verdicts, records."""

from __future__ import annotations

import datetime as dt
import json
import time

import numpy as np
import polars as pl
import pytest

from workbench.core.errors import ConfigError, DataError
from workbench.monitoring import (
    ColumnDriftConfig,
    DriftReport,
    DriftSettings,
    detect_drift,
    psi,
)

from .cases import random_cases

LEVELS = np.array(["a", "b", "c", "d", "e"])


def make_frame(
    rng: np.random.Generator, rows: int, shifted: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """Rows of a small table; columns in ``shifted`` drawn from a moved distribution."""
    mix = [0.1, 0.1, 0.2, 0.3, 0.3] if "cat" in shifted else [0.3, 0.3, 0.2, 0.1, 0.1]
    start = dt.datetime(2026, 1, 1)
    return pl.DataFrame(
        {
            "row_id": [f"r-{i:06d}" for i in range(rows)],
            "seq": np.arange(rows) + 1000,
            "ts": [start + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 40_000, rows)],
            "num": rng.normal(1.0 if "num" in shifted else 0.0, 1.0, rows),
            "cat": LEVELS[rng.choice(5, rows, p=mix)],
            "flag": rng.random(rows) < (0.6 if "flag" in shifted else 0.3),
            "level": rng.choice([1, 2, 3], rows, p=[0.2, 0.3, 0.5] if "level" in shifted else None),
            "label": rng.random(rows) < (0.5 if "label" in shifted else 0.1),
        }
    )


def methods_of(report: DriftReport) -> dict[str, tuple[str, str]]:
    return {column.column: (column.kind, column.method) for column in report.columns}


def test_a_small_reference_is_tested_by_kind(rng: np.random.Generator) -> None:
    report = detect_drift(make_frame(rng, 800), make_frame(rng, 600))
    assert methods_of(report) == {
        "num": ("numeric", "ks"),
        "cat": ("categorical", "chi_squared"),
        "flag": ("binary", "z_test"),
        "level": ("categorical", "chi_squared"),
        "label": ("binary", "z_test"),
    }
    assert all(column.p_value is not None for column in report.columns)


def test_a_large_reference_is_measured_by_kind(rng: np.random.Generator) -> None:
    report = detect_drift(make_frame(rng, 3000), make_frame(rng, 600))
    assert methods_of(report) == {
        "num": ("numeric", "wasserstein_normed"),
        "cat": ("categorical", "jensen_shannon"),
        "flag": ("binary", "jensen_shannon"),
        "level": ("categorical", "jensen_shannon"),
        "label": ("binary", "jensen_shannon"),
    }
    assert all(column.p_value is None for column in report.columns)


def test_shifted_columns_drift_and_the_others_do_not(rng: np.random.Generator) -> None:
    for rows in (800, 5000):
        shifted = frozenset({"num", "cat", "flag"})
        report = detect_drift(make_frame(rng, rows), make_frame(rng, rows, shifted))
        assert set(report.drifted_columns) == shifted, report.summary()


def test_the_kind_counts_distinct_values_over_both_frames() -> None:
    reference = pl.DataFrame({"n": [1, 2, 3, 4, 5] * 20})
    current = pl.DataFrame({"n": [1, 2, 3, 4, 5, 6, 7] * 20})
    assert detect_drift(reference, current).column("n").kind == "numeric"
    assert detect_drift(reference, reference).column("n").kind == "categorical"


def test_datetime_and_id_like_columns_are_left_out_with_the_reason(
    rng: np.random.Generator,
) -> None:
    report = detect_drift(make_frame(rng, 500), make_frame(rng, 500))
    assert set(report.skipped) == {"row_id", "seq", "ts"}
    assert report.skipped["ts"].startswith("datetime")
    assert report.skipped["row_id"].startswith("id-like")
    assert report.skipped["seq"].startswith("id-like")
    assert "seq" not in report.drifted_columns


def test_an_override_brings_an_id_like_column_back(rng: np.random.Generator) -> None:
    settings = DriftSettings(overrides={"seq": ColumnDriftConfig(method="psi")})
    report = detect_drift(make_frame(rng, 500), make_frame(rng, 500), settings)
    assert report.column("seq").method == "psi"
    assert "seq" not in report.skipped


def test_excluded_columns_are_not_compared(rng: np.random.Generator) -> None:
    settings = DriftSettings(exclude=("num", "cat"))
    report = detect_drift(make_frame(rng, 500), make_frame(rng, 500, frozenset({"num"})), settings)
    assert {"num", "cat"} <= set(report.skipped)
    assert "num" not in methods_of(report)


def test_overrides_change_the_method_and_the_threshold(rng: np.random.Generator) -> None:
    reference, current = make_frame(rng, 2000), make_frame(rng, 2000, frozenset({"num"}))
    settings = DriftSettings(
        overrides={
            "num": ColumnDriftConfig(threshold=5.0),
            "cat": ColumnDriftConfig(method="chi_squared", threshold=1e-300),
            "level": ColumnDriftConfig(method="ks"),
        },
        psi_drift=False,
    )
    report = detect_drift(reference, current, settings)
    num = report.column("num")
    assert (num.method, num.threshold, num.drifted) == ("wasserstein_normed", 5.0, False)
    assert report.column("cat").method == "chi_squared"
    assert report.column("level").method == "ks"
    assert report.column("level").kind == "categorical"


def test_an_override_that_cannot_apply_is_a_config_error(rng: np.random.Generator) -> None:
    settings = DriftSettings(overrides={"cat": ColumnDriftConfig(method="wasserstein_normed")})
    with pytest.raises(ConfigError, match="column 'cat' needs numbers"):
        detect_drift(make_frame(rng, 100), make_frame(rng, 100), settings)


def test_dataset_drift_when_the_share_of_drifted_columns_is_reached(
    rng: np.random.Generator,
) -> None:
    reference = make_frame(rng, 2000)
    current = make_frame(rng, 2000, frozenset({"num", "cat"}))
    assert detect_drift(reference, current).share_drifted == pytest.approx(2 / 5)
    assert detect_drift(reference, current, DriftSettings(share=0.4)).dataset_drift
    assert not detect_drift(reference, current, DriftSettings(share=0.41)).dataset_drift
    assert not detect_drift(reference, current).dataset_drift


def test_the_target_is_reported_apart_and_not_counted(rng: np.random.Generator) -> None:
    reference = make_frame(rng, 2000)
    current = make_frame(rng, 2000, frozenset({"label", "num"}))
    report = detect_drift(reference, current, DriftSettings(target="label", share=0.3))
    assert report.target is not None and report.target.column == "label"
    assert report.target.drifted
    assert "label" not in methods_of(report)
    assert report.drifted_columns == ("num",)
    assert report.share_drifted == pytest.approx(1 / 4)
    assert not report.dataset_drift
    assert "target:" in report.summary()


def test_a_target_missing_from_the_current_frame_is_listed_not_compared(
    rng: np.random.Generator,
) -> None:
    reference = make_frame(rng, 300)
    current = make_frame(rng, 300).drop("label").with_columns(pl.lit(1.5).alias("score"))
    report = detect_drift(reference, current, DriftSettings(target="label"))
    assert report.target is None
    assert report.only_in_reference == ("label",)
    assert report.only_in_current == ("score",)


def test_nulls_are_dropped_per_column_and_their_share_reported(rng: np.random.Generator) -> None:
    reference = make_frame(rng, 1000)
    current = make_frame(rng, 1000)
    gaps = pl.Series(np.arange(1000) % 4 == 0)
    current = current.with_columns(
        pl.when(gaps).then(None).otherwise(pl.col("num")).alias("num"),
        pl.when(gaps).then(None).otherwise(pl.col("cat")).alias("cat"),
    )
    reference = reference.with_columns(
        pl.when(pl.int_range(pl.len()) < 10)
        .then(float("nan"))
        .otherwise(pl.col("num"))
        .alias("num")
    )
    report = detect_drift(reference, current)
    num, cat = report.column("num"), report.column("cat")
    assert (num.n_reference, num.n_current) == (990, 750)
    assert num.missing_reference == pytest.approx(0.01)
    assert num.missing_current == pytest.approx(0.25)
    assert num.missing_change == pytest.approx(0.24)
    assert (cat.n_current, cat.missing_current) == (750, pytest.approx(0.25))
    assert "missing 1.0% -> 25.0%" in report.summary()


def test_an_empty_current_frame_is_a_data_error(rng: np.random.Generator) -> None:
    reference = make_frame(rng, 100)
    with pytest.raises(DataError, match="current data has no rows"):
        detect_drift(reference, reference.clear())
    with pytest.raises(DataError, match="reference data has no rows"):
        detect_drift(reference.clear(), reference)


def test_columns_that_cannot_be_compared_are_skipped_with_the_reason() -> None:
    reference = pl.DataFrame(
        {"empty": [None, None, 1.0], "mixed": [1, 2, 3], "lists": [[1], [2], [3]], "ok": [1, 2, 3]}
    )
    current = pl.DataFrame(
        {
            "empty": pl.Series([None, None], dtype=pl.Float64),
            "mixed": ["1", "2"],
            "lists": [[1], [2]],
            "ok": [2, 3],
        }
    )
    report = detect_drift(reference, current)
    assert report.skipped["empty"] == "no values in current: all 2 rows are null, NaN or infinite"
    assert report.skipped["mixed"] == "types differ: Int64 in reference, String in current"
    assert "cannot be compared" in report.skipped["lists"]
    assert [column.column for column in report.columns] == ["ok"]


def test_categorical_enum_and_string_columns_compare_as_categories() -> None:
    values = ["x", "y", "z"] * 40
    reference = pl.DataFrame({"c": pl.Series(values, dtype=pl.Categorical)})
    current = pl.DataFrame({"c": pl.Series(values[:90] + ["w"] * 30)})
    column = detect_drift(reference, current).column("c")
    assert column.histogram.labels is not None
    assert set(column.histogram.labels) == {"w", "x", "y", "z"}
    assert column.drifted
    enum = pl.Enum(["x", "y", "z"])
    same = pl.DataFrame({"c": pl.Series(values, dtype=enum)})
    assert not detect_drift(same, same).column("c").drifted


def test_a_major_psi_counts_as_drift_unless_turned_off() -> None:
    rng = np.random.default_rng(3)
    bulk = rng.exponential(5.0, 20_000)
    tail = rng.exponential(5_000.0, 2_000)
    reference = pl.DataFrame({"km": np.concatenate([bulk, tail])})
    current = pl.DataFrame({"km": np.concatenate([bulk * 2.5, tail])})
    column = detect_drift(reference, current).column("km")
    assert (column.method, column.test_drifted) == ("wasserstein_normed", False)
    assert column.psi_band == "major" and column.drifted
    quiet = detect_drift(reference, current, DriftSettings(psi_drift=False)).column("km")
    assert not quiet.drifted


@random_cases(25)
def test_histograms_count_every_compared_value_and_carry_the_psi(
    rng: np.random.Generator,
) -> None:
    rows = int(rng.integers(2, 1500))
    shifted = frozenset(name for name in ("num", "cat", "flag", "level") if rng.random() < 0.5)
    reference = make_frame(rng, int(rng.integers(2, 3000)))
    current = make_frame(rng, rows, shifted)
    settings = DriftSettings(bins=int(rng.integers(1, 15)), top_categories=int(rng.integers(1, 6)))
    report = detect_drift(reference, current, settings)
    for column in report.columns:
        histogram = column.histogram
        assert histogram.total_reference == column.n_reference
        assert histogram.total_current == column.n_current
        assert len(histogram.reference) == len(histogram.current)
        if histogram.edges is not None:
            assert len(histogram.edges) == len(histogram.reference) + 1
            assert column.psi == pytest.approx(psi(histogram.reference, histogram.current)[0])
        else:
            assert histogram.labels is not None
            assert len(histogram.labels) == len(histogram.reference) <= settings.top_categories


def test_the_report_survives_a_json_round_trip(rng: np.random.Generator) -> None:
    settings = DriftSettings(target="label", overrides={"seq": ColumnDriftConfig(method="psi")})
    report = detect_drift(make_frame(rng, 700), make_frame(rng, 300, frozenset({"num"})), settings)
    text = json.dumps(report.to_dict(), allow_nan=False)
    assert DriftReport.from_dict(json.loads(text)) == report


def test_the_summary_names_the_verdict_and_the_drifted_columns(rng: np.random.Generator) -> None:
    reference = make_frame(rng, 2000)
    current = make_frame(rng, 2000, frozenset({"num", "cat", "flag"}))
    summary = detect_drift(reference, current).summary()
    assert summary.startswith("DATASET DRIFT: 3 of 5 columns drifted (60%")
    assert "DRIFT num [numeric] wasserstein_normed" in summary
    assert "skipped ts: datetime column" in summary


def test_a_missing_column_lookup_says_which() -> None:
    report = detect_drift(pl.DataFrame({"a": [1.0, 2.0]}), pl.DataFrame({"a": [1.0]}))
    with pytest.raises(KeyError, match="'b' was not compared"):
        report.column("b")


def test_100k_rows_by_20_columns_compare_in_vectorised_time() -> None:
    rng = np.random.default_rng(11)
    rows = 100_000
    columns: dict[str, object] = {}
    for i in range(10):
        columns[f"n{i}"] = rng.gamma(2.0 + i, 10.0, rows)
        columns[f"c{i}"] = pl.Series(rng.integers(0, 3 + 3 * i, rows)).cast(pl.String)
    reference = pl.DataFrame(columns)
    current = reference.sample(fraction=1.0, shuffle=True, seed=1)
    detect_drift(reference, current)
    started = time.perf_counter()
    report = detect_drift(reference, current)
    # The goal is well under 0.5 s (benchmarks/drift.py measures about 0.1 s); the bound
    # leaves room for a busy machine and still fails on any per-row Python loop.
    assert time.perf_counter() - started < 1.5
    assert report.drifted_columns == ()
