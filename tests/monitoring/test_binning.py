"""Shared bins: quantile edges of the reference, counts that cover both sides."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.monitoring.binning import (
    category_histogram,
    counts_in_bins,
    numeric_histogram,
    quantile_edges,
    quantiles_of_sorted,
)

from .cases import random_cases


@random_cases()
def test_quantiles_of_sorted_equal_numpy_quantile(rng: np.random.Generator) -> None:
    values = np.sort(np.round(rng.normal(0, 5, int(rng.integers(1, 300))), 1))
    levels = np.linspace(0, 1, 11)
    assert quantiles_of_sorted(values, levels) == pytest.approx(np.quantile(values, levels))


@random_cases()
def test_numeric_histogram_counts_every_value_as_numpy_histogram_does(
    rng: np.random.Generator,
) -> None:
    reference = np.sort(np.round(rng.exponential(10, int(rng.integers(1, 500))), 0))
    shift = rng.uniform(-20, 20)
    current = np.sort(np.round(rng.exponential(10, int(rng.integers(1, 500))) + shift, 0))
    histogram = numeric_histogram(reference, current, bins=int(rng.integers(1, 20)))
    assert histogram.edges is not None
    edges = np.array(histogram.edges)
    assert sum(histogram.reference) == reference.size
    assert sum(histogram.current) == current.size
    assert list(histogram.reference) == list(np.histogram(reference, edges)[0])
    assert list(histogram.current) == list(np.histogram(current, edges)[0])
    if edges.size > 2 or edges[0] != edges[-1]:
        assert np.all(np.diff(edges) > 0)


def test_quantile_edges_are_reference_deciles_widened_to_both_sides() -> None:
    reference = np.arange(1.0, 101.0)
    current = np.array([-5.0, 50.0, 250.0])
    edges = quantile_edges(reference, current, bins=10)
    assert edges[0] == -5.0 and edges[-1] == 250.0
    assert edges[1:-1] == pytest.approx(np.quantile(reference, np.linspace(0.1, 0.9, 9)))


def test_tied_quantiles_merge_so_a_repeated_value_fills_one_bin() -> None:
    reference = np.sort(np.repeat([0.0, 1.0, 2.0, 3.0], [70, 10, 10, 10]))
    histogram = numeric_histogram(reference, reference, bins=10)
    assert histogram.reference == (70, 10, 10, 10)
    assert histogram.edges is not None and histogram.edges[:2] == (0.0, pytest.approx(0.3))


def test_a_constant_column_has_one_bin() -> None:
    histogram = numeric_histogram(np.full(5, 3.0), np.full(2, 3.0))
    assert histogram.edges == (3.0, 3.0)
    assert histogram.reference == (5,) and histogram.current == (2,)


def test_counts_in_bins_puts_the_top_edge_in_the_last_bin() -> None:
    counts = counts_in_bins(np.array([0.0, 1.0, 1.0, 2.0]), np.array([0.0, 1.0, 2.0]))
    assert list(counts) == [1, 3]


def test_category_histogram_keeps_the_top_categories_and_folds_the_rest() -> None:
    labels = ("a", "b", "c", "d")
    reference = np.array([5, 50, 1, 20])
    current = np.array([5, 40, 3, 30])
    histogram = category_histogram(labels, reference, current, top=2)
    assert histogram.labels == ("b", "d")
    assert histogram.reference == (50, 20) and histogram.current == (40, 30)
    assert (histogram.other_reference, histogram.other_current) == (6, 8)
    assert histogram.total_reference == reference.sum()
    assert histogram.total_current == current.sum()


def test_category_histogram_breaks_count_ties_by_label() -> None:
    histogram = category_histogram(("z", "a", "m"), np.array([1, 1, 1]), np.array([1, 1, 1]))
    assert histogram.labels == ("a", "m", "z")
