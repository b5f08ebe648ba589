"""Shared bins for a column of both frames: the histogram a report shows and PSI reads.

Numeric columns are cut at the reference's quantiles (deciles by default): each bin holds
about the same share of the reference, so PSI weighs every part of the distribution
alike and a long tail does not squeeze the bulk into one bar. Tied quantiles (a value
repeated over more than a decile) merge into one bin, and the outer edges widen to the
smallest and largest value of either frame so every value falls in a bin. Bins are
``[edge_i, edge_i+1)``, the last one closed, as ``numpy.histogram`` counts them.

Categorical columns bin by category. The histogram keeps the most frequent categories
(over both frames) and folds the rest into ``other_reference`` / ``other_current``, so
its counts always sum to the number of values compared.

Every function takes sorted arrays or precomputed counts: binning a sorted column of
100,000 values is a dozen binary searches.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from workbench.core.drift_report import Histogram

DEFAULT_BINS = 10
"""Quantile bins per numeric column (deciles, the usual PSI binning)."""

DEFAULT_TOP_CATEGORIES = 20
"""Categories a categorical histogram lists before folding the rest into ``other``."""


def quantiles_of_sorted(
    values: NDArray[np.float64], levels: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Quantiles of an ascending array by linear interpolation (``numpy.quantile``'s
    default method) without the partition ``numpy.quantile`` would do again."""
    position = levels * (values.size - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, values.size - 1)
    fraction = position - low
    return values[low] + (values[high] - values[low]) * fraction


def quantile_edges(
    reference: NDArray[np.float64], current: NDArray[np.float64], bins: int = DEFAULT_BINS
) -> NDArray[np.float64]:
    """Bin edges from the reference's quantiles, widened to cover both sorted samples.

    Args:
        reference: Sorted reference values (at least one).
        current: Sorted current values (at least one).
        bins: Quantile bins wanted; ties can make fewer.

    Returns:
        Strictly increasing edges (two or more), unless every value of both samples is
        the same number (then both edges are that number and there is one bin).
    """
    levels = np.linspace(0.0, 1.0, bins + 1)
    inner = np.unique(quantiles_of_sorted(reference, levels))[1:-1]
    low = min(reference[0], current[0])
    high = max(reference[-1], current[-1])
    return np.concatenate([[low], inner, [high]])


def counts_in_bins(values: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.int64]:
    """How many of the sorted ``values`` fall in each bin (all must lie within the edges)."""
    below = np.searchsorted(values, edges[1:-1], side="left")
    return np.diff(np.concatenate([[0], below, [values.size]])).astype(np.int64)


def numeric_histogram(
    reference: NDArray[np.float64], current: NDArray[np.float64], bins: int = DEFAULT_BINS
) -> Histogram:
    """The shared quantile-bin histogram of two sorted numeric samples."""
    edges = quantile_edges(reference, current, bins)
    return Histogram(
        edges=tuple(float(edge) for edge in edges),
        labels=None,
        reference=tuple(int(c) for c in counts_in_bins(reference, edges)),
        current=tuple(int(c) for c in counts_in_bins(current, edges)),
    )


def category_histogram(
    labels: Sequence[str],
    reference: NDArray[np.int64],
    current: NDArray[np.int64],
    top: int = DEFAULT_TOP_CATEGORIES,
) -> Histogram:
    """The histogram of aligned category counts, keeping the ``top`` most frequent.

    Args:
        labels: Category labels, in the order of the counts.
        reference: Reference count per label.
        current: Current count per label.
        top: Categories kept by combined count (ties by label); the rest fold into
            ``other_reference`` / ``other_current``.

    Returns:
        The histogram, categories most frequent first.
    """
    order = sorted(range(len(labels)), key=lambda i: (-(reference[i] + current[i]), labels[i]))
    kept, folded = order[:top], order[top:]
    return Histogram(
        edges=None,
        labels=tuple(labels[i] for i in kept),
        reference=tuple(int(reference[i]) for i in kept),
        current=tuple(int(current[i]) for i in kept),
        other_reference=int(sum(int(reference[i]) for i in folded)),
        other_current=int(sum(int(current[i]) for i in folded)),
    )
