"""Evidently's default rule, per-column overrides, id-like detection, settings."""

from __future__ import annotations

import json

import polars as pl
import pytest

from workbench.core.errors import ConfigError
from workbench.monitoring import ColumnDriftConfig, DriftSettings, column_kind, default_method
from workbench.monitoring.selection import choose_method, looks_like_id


@pytest.mark.parametrize(
    ("n_unique", "numeric", "kind"),
    [
        (1, True, "binary"),
        (2, True, "binary"),
        (2, False, "binary"),
        (3, True, "categorical"),
        (5, True, "categorical"),
        (6, True, "numeric"),
        (3, False, "categorical"),
        (500, False, "categorical"),
    ],
)
def test_column_kind_follows_distinct_values_and_type(
    n_unique: int, numeric: bool, kind: str
) -> None:
    assert column_kind(n_unique, numeric=numeric) == kind


@pytest.mark.parametrize(
    ("kind", "n_reference", "method"),
    [
        ("numeric", 1000, "ks"),
        ("categorical", 1000, "chi_squared"),
        ("binary", 1000, "z_test"),
        ("numeric", 1001, "wasserstein_normed"),
        ("categorical", 1001, "jensen_shannon"),
        ("binary", 1001, "jensen_shannon"),
    ],
)
def test_default_method_tests_small_references_and_measures_large_ones(
    kind: str, n_reference: int, method: str
) -> None:
    assert default_method(kind, n_reference) == method  # type: ignore[arg-type]


def test_default_thresholds_are_5_percent_for_tests_and_a_tenth_for_distances() -> None:
    settings = DriftSettings()
    assert choose_method("x", "numeric", numeric=True, n_reference=10, settings=settings) == (
        "ks",
        0.05,
    )
    assert choose_method("x", "numeric", numeric=True, n_reference=5000, settings=settings) == (
        "wasserstein_normed",
        0.1,
    )


def test_an_override_replaces_method_threshold_or_both() -> None:
    settings = DriftSettings(
        overrides={
            "a": ColumnDriftConfig(method="psi"),
            "b": ColumnDriftConfig(threshold=0.01),
            "c": ColumnDriftConfig(method="ks", threshold=0.001),
        }
    )

    def choose(name: str) -> tuple[str, float]:
        return choose_method(name, "numeric", numeric=True, n_reference=50, settings=settings)

    assert choose("a") == ("psi", 0.1)
    assert choose("b") == ("ks", 0.01)
    assert choose("c") == ("ks", 0.001)
    assert choose("other") == ("ks", 0.05)


def test_an_override_that_cannot_compare_its_column_is_a_config_error() -> None:
    settings = DriftSettings(
        overrides={"city": ColumnDriftConfig(method="ks"), "n": ColumnDriftConfig(method="z_test")}
    )
    with pytest.raises(ConfigError, match=r"'ks' for column 'city' needs numbers"):
        choose_method("city", "categorical", numeric=False, n_reference=50, settings=settings)
    with pytest.raises(ConfigError, match=r"'z_test' for column 'n' needs a binary column"):
        choose_method("n", "numeric", numeric=True, n_reference=50, settings=settings)


def test_unknown_methods_and_bad_thresholds_are_refused_when_configured() -> None:
    with pytest.raises(ConfigError, match="unknown drift method 'kolmogorov'"):
        ColumnDriftConfig(method="kolmogorov")
    with pytest.raises(ConfigError, match="positive number"):
        ColumnDriftConfig(threshold=0.0)
    with pytest.raises(ConfigError, match=r"share must be in \(0, 1\]"):
        DriftSettings(share=1.5)
    with pytest.raises(ConfigError, match="must be a ColumnDriftConfig"):
        DriftSettings(overrides={"a": {"method": "ks"}})  # type: ignore[dict-item]


def test_settings_survive_a_json_round_trip() -> None:
    settings = DriftSettings(
        share=0.3,
        overrides={"amount": ColumnDriftConfig(method="ks", threshold=0.01)},
        target="is_fraud",
        exclude=("note",),
        bins=20,
        top_categories=5,
        psi_drift=False,
    )
    assert DriftSettings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings
    assert DriftSettings.from_dict({}) == DriftSettings()


def test_settings_do_not_change_when_the_callers_mapping_does() -> None:
    overrides = {"a": ColumnDriftConfig(method="psi")}
    settings = DriftSettings(overrides=overrides)
    overrides["b"] = ColumnDriftConfig(method="ks")
    assert list(settings.overrides) == ["a"]


@pytest.mark.parametrize(
    ("dtype", "n_values", "n_unique", "span", "expected"),
    [
        (pl.String, 1000, 1000, None, True),
        (pl.String, 1000, 960, None, True),
        (pl.String, 1000, 900, None, False),
        (pl.String, 10, 10, None, False),
        (pl.Int64, 1000, 1000, 999.0, True),
        (pl.Int64, 1000, 1000, 50_000.0, False),
        (pl.Int64, 1000, 999, 999.0, False),
        (pl.Float64, 1000, 1000, 999.0, False),
    ],
)
def test_looks_like_id_for_distinct_text_and_packed_distinct_integers(
    dtype: pl.DataType, n_values: int, n_unique: int, span: float | None, expected: bool
) -> None:
    assert looks_like_id(dtype, n_values, n_unique, span) is expected
