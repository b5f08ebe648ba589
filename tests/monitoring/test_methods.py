"""Each drift method against scipy's reference implementation and known distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.spatial import distance

from workbench.core.errors import DataError
from workbench.monitoring import (
    chi_squared,
    jensen_shannon,
    ks,
    psi,
    psi_band,
    wasserstein_normed,
    z_test,
)

from .cases import random_cases

# --- Kolmogorov-Smirnov ---------------------------------------------------------------


def test_ks_equals_scipy_on_small_samples_exact_p(rng: np.random.Generator) -> None:
    reference, current = rng.normal(0, 1, 300), rng.normal(0.1, 1, 200)
    expected = stats.ks_2samp(reference, current)
    statistic, p_value = ks(reference, current)
    assert statistic == pytest.approx(expected.statistic, abs=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9)


def test_ks_equals_scipy_on_large_samples_asymptotic_p(rng: np.random.Generator) -> None:
    reference = np.round(rng.normal(0, 1, 30_000), 2)  # ties on purpose
    current = np.round(rng.normal(0.02, 1, 12_001), 2)
    expected = stats.ks_2samp(reference, current)
    statistic, p_value = ks(np.sort(reference), np.sort(current), presorted=True)
    assert statistic == pytest.approx(expected.statistic, abs=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-6, abs=1e-12)


def test_ks_false_alarms_at_about_the_significance_level_and_flags_a_shift(
    rng: np.random.Generator,
) -> None:
    alarms = sum(
        ks(rng.lognormal(3, 1, 300), rng.lognormal(3, 1, 300))[1] < 0.05 for _ in range(300)
    )
    assert 0.01 <= alarms / 300 <= 0.09
    assert ks(rng.lognormal(3, 1, 5000), rng.lognormal(3.2, 1, 5000))[1] < 1e-6


# --- normed Wasserstein -----------------------------------------------------------------


@random_cases()
def test_wasserstein_normed_equals_scipy_distance_over_reference_std(
    rng: np.random.Generator,
) -> None:
    n, m = rng.integers(1, 400, size=2)
    reference = np.round(rng.normal(0, 3, n), int(rng.integers(0, 3)))
    current = np.round(rng.normal(rng.uniform(-2, 2), 3, m), int(rng.integers(0, 3)))
    expected = stats.wasserstein_distance(reference, current) / max(np.std(reference), 0.001)
    statistic, p_value = wasserstein_normed(reference, current)
    assert p_value is None
    assert statistic == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_wasserstein_normed_on_large_unequal_samples_matches_scipy(
    rng: np.random.Generator,
) -> None:
    reference, current = rng.gamma(2, 30, 100_000), rng.gamma(2, 33, 77_777)
    expected = stats.wasserstein_distance(reference, current) / np.std(reference)
    assert wasserstein_normed(reference, current)[0] == pytest.approx(expected, rel=1e-9)


def test_wasserstein_normed_reads_one_threshold_in_any_unit(rng: np.random.Generator) -> None:
    scales = (1.0, 1e4)
    same = [wasserstein_normed(rng.normal(0, s, 4000), rng.normal(0, s, 4000))[0] for s in scales]
    moved = [
        wasserstein_normed(rng.normal(0, s, 4000), rng.normal(s / 2, s, 4000))[0] for s in scales
    ]
    assert max(same) < 0.1 < min(moved)


def test_wasserstein_normed_of_a_constant_reference_divides_by_the_floor() -> None:
    statistic, _ = wasserstein_normed(np.full(10, 5.0), np.full(10, 5.002))
    assert statistic == pytest.approx(0.002 / 0.001)


# --- chi-squared ------------------------------------------------------------------------


@random_cases()
def test_chi_squared_equals_scipy_contingency_test(rng: np.random.Generator) -> None:
    categories = int(rng.integers(2, 12))
    reference = rng.integers(0, 200, categories)
    current = rng.integers(0, 200, categories)
    reference[0] += 1  # at least one value on each side
    current[-1] += 1
    seen = (reference + current) > 0
    table = np.vstack([reference[seen], current[seen]])
    if seen.sum() < 2:
        assert chi_squared(reference, current) == (0.0, 1.0)
        return
    expected = stats.chi2_contingency(table, correction=False)
    statistic, p_value = chi_squared(reference, current)
    assert statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_chi_squared_agrees_with_evidentlys_goodness_of_fit_when_the_reference_is_large() -> None:
    reference = np.array([400_000, 300_000, 200_000, 100_000])
    current = np.array([110, 80, 60, 50])
    evidently = stats.chisquare(current, reference * current.sum() / reference.sum())
    assert chi_squared(reference, current)[1] == pytest.approx(evidently.pvalue, rel=0.01)


def test_chi_squared_false_alarms_at_about_the_significance_level(
    rng: np.random.Generator,
) -> None:
    probabilities = np.linspace(2, 1, 10) / np.linspace(2, 1, 10).sum()
    alarms = sum(
        chi_squared(rng.multinomial(800, probabilities), rng.multinomial(800, probabilities))[1]
        < 0.05
        for _ in range(400)
    )
    assert 0.02 <= alarms / 400 <= 0.09


def test_chi_squared_flags_a_tilted_mix_and_a_new_category() -> None:
    assert chi_squared([500, 300, 200], [300, 300, 400])[1] < 1e-6
    statistic, p_value = chi_squared([500, 300, 200, 0], [480, 310, 190, 40])
    assert np.isfinite(statistic) and p_value < 1e-6


def test_chi_squared_of_one_category_on_both_sides_is_no_drift() -> None:
    assert chi_squared([10, 0], [7, 0]) == (0.0, 1.0)


# --- z-test -------------------------------------------------------------------------------


@random_cases()
def test_z_test_squared_equals_the_2x2_chi_squared(rng: np.random.Generator) -> None:
    reference = rng.integers(1, 500, 2)
    current = rng.integers(1, 500, 2)
    z, p_value = z_test(reference, current)
    expected = stats.chi2_contingency(np.vstack([reference, current]), correction=False)
    assert z**2 == pytest.approx(expected.statistic, rel=1e-9, abs=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-7, abs=1e-300)


def test_z_test_sign_follows_the_share_of_the_second_value() -> None:
    assert z_test([90, 10], [60, 40])[0] < 0 < z_test([60, 40], [90, 10])[0]


def test_z_test_flags_a_moved_proportion_and_not_a_steady_one() -> None:
    assert z_test([950, 50], [955, 45])[1] > 0.05
    assert z_test([950, 50], [880, 120])[1] < 1e-6


def test_z_test_of_a_single_value_is_no_drift_and_three_values_are_refused() -> None:
    assert z_test([10], [4]) == (0.0, 1.0)
    with pytest.raises(DataError, match="binary"):
        z_test([1, 2, 3], [3, 2, 1])


# --- Jensen-Shannon -------------------------------------------------------------------------


@random_cases()
def test_jensen_shannon_equals_scipy_natural_log(rng: np.random.Generator) -> None:
    categories = int(rng.integers(1, 15))
    reference = rng.integers(0, 100, categories) + (np.arange(categories) == 0)
    current = rng.integers(0, 100, categories) + (np.arange(categories) == 0)
    expected = distance.jensenshannon(reference / reference.sum(), current / current.sum())
    statistic, p_value = jensen_shannon(reference, current)
    assert p_value is None
    assert statistic == pytest.approx(expected, abs=1e-7)


def test_jensen_shannon_is_zero_for_equal_mixes_and_sqrt_ln2_for_disjoint_ones() -> None:
    assert jensen_shannon([10, 30, 60], [1, 3, 6])[0] == pytest.approx(0.0, abs=1e-9)
    assert jensen_shannon([10, 0], [0, 10])[0] == pytest.approx(np.sqrt(np.log(2.0)))


# --- PSI ---------------------------------------------------------------------------------


def test_psi_is_the_textbook_sum_with_epsilon_for_empty_bins() -> None:
    reference, current = np.array([50, 30, 20, 0]), np.array([40, 30, 20, 10])
    p = np.array([0.5, 0.3, 0.2, 1e-4])
    q = np.array([0.4, 0.3, 0.2, 0.1])
    statistic, p_value = psi(reference, current)
    assert p_value is None
    assert statistic == pytest.approx(float(np.sum((q - p) * np.log(q / p))))


def test_psi_is_zero_for_the_same_shares_and_symmetric() -> None:
    assert psi([10, 20, 70], [100, 200, 700])[0] == pytest.approx(0.0)
    assert psi([10, 20, 70], [30, 30, 40])[0] == pytest.approx(psi([30, 30, 40], [10, 20, 70])[0])


@pytest.mark.parametrize(
    ("value", "band"),
    [(0.0, "none"), (0.0999, "none"), (0.1, "moderate"), (0.2499, "moderate"), (0.25, "major")],
)
def test_psi_band_reads_the_usual_thresholds(value: float, band: str) -> None:
    assert psi_band(value) == band


# --- bad input ------------------------------------------------------------------------------


def test_an_empty_sample_is_a_data_error_naming_the_side() -> None:
    with pytest.raises(DataError, match="current sample is empty"):
        ks([1.0, 2.0], [])
    with pytest.raises(DataError, match="reference sample is empty"):
        wasserstein_normed([], [1.0])


def test_counts_that_do_not_align_or_are_empty_are_data_errors() -> None:
    with pytest.raises(DataError, match="do not align"):
        chi_squared([1, 2, 3], [1, 2])
    with pytest.raises(DataError, match="current counts are all zero"):
        psi([1, 2], [0, 0])
    with pytest.raises(DataError, match="negative"):
        jensen_shannon([1, -2], [1, 2])
