"""The drift methods: each compares one column of the reference with the current data.

Every function returns ``(statistic, p_value)``; ``p_value`` is ``None`` for the
distances (Wasserstein, Jensen-Shannon, PSI). The formulas follow Evidently's defaults so
a Workbench drift report reads like an Evidently one:

* ``ks``: two-sample Kolmogorov-Smirnov, as ``scipy.stats.ks_2samp`` (exact p-value up to
  10,000 values per side, Smirnov's asymptotic one above).
* ``chi_squared``: Pearson's chi-squared test of homogeneity of the 2 x k table of
  reference and current counts (``scipy.stats.chi2_contingency``, no continuity
  correction). Evidently instead calls ``scipy.stats.chisquare`` with the reference
  proportions as if they were exact; that ignores the reference's own sampling noise,
  which about doubles the statistic when both samples have similar sizes and raises a
  false alarm on roughly half of undrifted 10-category columns. The two agree when the
  reference is much larger than the current data; this one is right at every size.
* ``z_test``: two-proportion z-test for a binary column (pooled variance).
* ``wasserstein_normed``: first Wasserstein distance divided by the reference standard
  deviation (floored at 0.001), as Evidently does.
* ``jensen_shannon``: Jensen-Shannon distance with the natural logarithm
  (``scipy.spatial.distance.jensenshannon`` with its default base, as Evidently calls it:
  0 = same, sqrt(ln 2) ~ 0.833 = disjoint), on the category proportions as given (no
  smoothing). Evidently's threshold of 0.1 is meant for this base; base 2 would read
  1.2 times larger and flag columns Evidently does not.
* ``psi``: population stability index on binned proportions; an empty bin counts as
  ``epsilon`` (1e-4) so the logarithm stays finite. The binning is the caller's (see
  ``workbench.monitoring.binning``: quantile bins of the reference for numeric columns,
  categories for categorical ones).

The sample methods (``ks``, ``wasserstein_normed``) take raw values and sort them unless
told they are sorted already; the count methods take aligned counts per category or bin.
Nothing here loops over rows in Python: a 100,000-value column costs about a millisecond
once sorted.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.spatial import distance

from workbench.core.errors import DataError

KS_EXACT_MAX = 10_000
"""Largest sample for which ``ks`` asks scipy for the exact p-value (scipy's own limit)."""

STD_FLOOR = 0.001
"""Smallest reference standard deviation ``wasserstein_normed`` divides by (Evidently's)."""

PSI_EPSILON = 1e-4
"""Proportion an empty bin counts as in ``psi``."""

PSI_MODERATE = 0.1
"""PSI from which a shift is moderate."""

PSI_MAJOR = 0.25
"""PSI from which a shift is major."""

MethodResult = tuple[float, float | None]
"""``(statistic, p_value)``; ``p_value`` is ``None`` for a distance."""


def ks(reference: ArrayLike, current: ArrayLike, *, presorted: bool = False) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov test (two-sided).

    Args:
        reference: Reference values (no nulls or NaN).
        current: Current values (no nulls or NaN).
        presorted: Both are sorted ascending already (skips two sorts).

    Returns:
        The largest distance between the two empirical CDFs and its p-value.

    Raises:
        DataError: A sample is empty.
    """
    ref = _sample(reference, presorted, "reference")
    cur = _sample(current, presorted, "current")
    n, m = ref.size, cur.size
    if max(n, m) <= KS_EXACT_MAX:
        result = stats.ks_2samp(ref, cur, method="auto")
        return float(result.statistic), float(result.pvalue)
    points = np.concatenate([ref, cur])
    gap = np.searchsorted(ref, points, side="right") / n
    gap -= np.searchsorted(cur, points, side="right") / m
    statistic = float(np.abs(gap).max())
    effective = round(n * m / (n + m))
    p_value = float(np.clip(stats.kstwo.sf(statistic, effective), 0.0, 1.0))
    return statistic, p_value


def wasserstein_normed(
    reference: ArrayLike, current: ArrayLike, *, presorted: bool = False
) -> MethodResult:
    """First Wasserstein distance divided by the reference's standard deviation.

    Dividing by the spread makes one threshold (0.1) fit columns of any unit: 0.1 means
    the mass moved, on average, a tenth of a standard deviation.

    Args:
        reference: Reference values (no nulls or NaN).
        current: Current values (no nulls or NaN).
        presorted: Both are sorted ascending already.

    Returns:
        ``(normed distance, None)``.

    Raises:
        DataError: A sample is empty.
    """
    ref = _sample(reference, presorted, "reference")
    cur = _sample(current, presorted, "current")
    scale = max(float(np.std(ref)), STD_FLOOR)
    return wasserstein_sorted(ref, cur) / scale, None


def wasserstein_sorted(ref: NDArray[np.float64], cur: NDArray[np.float64]) -> float:
    """Wasserstein-1 distance of two sorted samples, as the area between quantile functions.

    ``W1 = integral over t in (0, 1] of |Q_ref(t) - Q_cur(t)|``. Both quantile functions are
    steps, breaking at ``i / n`` and ``j / m``; over the common denominator ``n * m`` the
    breakpoints are the multiples of ``m`` and of ``n``, whose merged order is known in
    closed form, so the integral is a few vector operations and no sort.
    """
    n, m = ref.size, cur.size
    if n == m:
        return float(np.abs(ref - cur).mean())
    i = np.arange(1, n + 1, dtype=np.int64)
    j = np.arange(1, m + 1, dtype=np.int64)
    ref_breaks, cur_breaks = i * m, j * n
    grid = np.empty(n + m, dtype=np.int64)
    grid[(i - 1) + (ref_breaks - 1) // n] = ref_breaks
    grid[(j - 1) + cur_breaks // m] = cur_breaks
    widths = np.diff(grid, prepend=0).astype(np.float64)
    gaps = np.abs(ref[(grid + m - 1) // m - 1] - cur[(grid + n - 1) // n - 1])
    return float((widths * gaps).sum() / (n * m))


def chi_squared(reference_counts: ArrayLike, current_counts: ArrayLike) -> tuple[float, float]:
    """Chi-squared test that both samples come from one category distribution.

    Args:
        reference_counts: Count per category (or bin) in the reference.
        current_counts: Count per the same categories in the current data.

    Returns:
        The chi-squared statistic and its p-value; ``(0.0, 1.0)`` when both sides hold a
        single category (nothing can have moved).

    Raises:
        DataError: The counts do not align, are negative, or a side is empty.
    """
    ref, cur = _counts(reference_counts, current_counts)
    seen = (ref + cur) > 0
    if np.count_nonzero(seen) < 2:
        return 0.0, 1.0
    table = np.vstack([ref[seen], cur[seen]])
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def z_test(reference_counts: ArrayLike, current_counts: ArrayLike) -> tuple[float, float]:
    """Two-proportion z-test for a binary column.

    Args:
        reference_counts: Counts of the two values (first, second) in the reference.
        current_counts: Counts of the same two values in the current data.

    Returns:
        ``z`` (reference share of the second value minus the current one, over the pooled
        standard error) and its two-sided p-value; ``(0.0, 1.0)`` when only one value
        occurs on both sides.

    Raises:
        DataError: More than two values, or the counts are not valid.
    """
    ref, cur = _counts(reference_counts, current_counts)
    if ref.size > 2:
        raise DataError(f"z_test needs a binary column, got {ref.size} distinct values")
    if ref.size < 2:
        return 0.0, 1.0
    n1, n2 = ref.sum(), cur.sum()
    p1, p2 = ref[1] / n1, cur[1] / n2
    pooled = (ref[1] + cur[1]) / (n1 + n2)
    variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    if variance <= 0.0:
        return 0.0, 1.0
    z = float((p1 - p2) / math.sqrt(variance))
    return z, float(2.0 * stats.norm.sf(abs(z)))


def jensen_shannon(reference_counts: ArrayLike, current_counts: ArrayLike) -> MethodResult:
    """Jensen-Shannon distance (natural log) between the two category distributions.

    The base is Evidently's (scipy's default, ``e``) because the 0.1 threshold of the
    documented rule is calibrated for it.

    Args:
        reference_counts: Count per category (or bin) in the reference.
        current_counts: Count per the same categories in the current data.

    Returns:
        ``(distance in [0, sqrt(ln 2)], None)``.

    Raises:
        DataError: The counts do not align, are negative, or a side is empty.
    """
    ref, cur = _counts(reference_counts, current_counts)
    value = float(distance.jensenshannon(ref / ref.sum(), cur / cur.sum()))
    return (0.0 if math.isnan(value) else value), None


def psi(
    reference_counts: ArrayLike, current_counts: ArrayLike, *, epsilon: float = PSI_EPSILON
) -> MethodResult:
    """Population stability index: ``sum((cur% - ref%) * ln(cur% / ref%))`` over bins.

    Args:
        reference_counts: Count per bin (or category) in the reference.
        current_counts: Count per the same bins in the current data.
        epsilon: Proportion an empty bin counts as, so its log term stays finite.

    Returns:
        ``(psi, None)``; read it with ``psi_band``.

    Raises:
        DataError: The counts do not align, are negative, or a side is empty.
    """
    ref, cur = _counts(reference_counts, current_counts)
    p = np.maximum(ref / ref.sum(), epsilon)
    q = np.maximum(cur / cur.sum(), epsilon)
    return float(((q - p) * np.log(q / p)).sum()), None


def psi_band(value: float) -> str:
    """The usual reading of a PSI: ``none`` below 0.1, ``moderate`` below 0.25, ``major``."""
    if value >= PSI_MAJOR:
        return "major"
    if value >= PSI_MODERATE:
        return "moderate"
    return "none"


def _sample(values: ArrayLike, presorted: bool, side: str) -> NDArray[np.float64]:
    """``values`` as a sorted float array; an empty sample cannot be compared."""
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 0:
        raise DataError(f"the {side} sample is empty: drift needs at least one value per side")
    return array if presorted else np.sort(array)


def _counts(
    reference_counts: ArrayLike, current_counts: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Both count vectors as floats, checked to align and to hold something."""
    ref = np.asarray(reference_counts, dtype=np.float64).ravel()
    cur = np.asarray(current_counts, dtype=np.float64).ravel()
    if ref.shape != cur.shape:
        raise DataError(
            f"counts do not align: {ref.size} reference categories, {cur.size} current ones"
        )
    if (ref < 0).any() or (cur < 0).any():
        raise DataError("counts must not be negative")
    if ref.sum() <= 0 or cur.sum() <= 0:
        side = "reference" if ref.sum() <= 0 else "current"
        raise DataError(f"the {side} counts are all zero: drift needs values on both sides")
    return ref, cur
