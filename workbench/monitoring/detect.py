"""Compare a frame with the reference, column by column, into a ``DriftReport``.

The reference is the training data of the production model; the current frame is a new
dataset or a window of logged predictions (see ``windows.prediction_windows``). Each
shared column is cleaned once (``columns.sample_column``), judged by the method the
settings choose (``selection.choose_method``), binned once for its histogram, and PSI
is read from those same bins. The target column goes through the same steps and is
reported apart; the share of drifted feature columns decides dataset drift.
"""

from __future__ import annotations

import time

import numpy as np
import polars as pl
from numpy.typing import NDArray

from workbench.core.drift_report import ColumnDrift, DriftReport, DriftSettings, Histogram
from workbench.core.errors import DataError
from workbench.monitoring import methods
from workbench.monitoring.binning import category_histogram, numeric_histogram
from workbench.monitoring.columns import ColumnSample, Skip, sample_column
from workbench.monitoring.selection import choose_method

_COUNT_METHODS = {
    "chi_squared": methods.chi_squared,
    "z_test": methods.z_test,
    "jensen_shannon": methods.jensen_shannon,
    "psi": methods.psi,
}


def detect_drift(
    reference: pl.DataFrame, current: pl.DataFrame, settings: DriftSettings | None = None
) -> DriftReport:
    """Compare ``current`` with ``reference`` column by column.

    Columns in only one frame are listed in the report, not compared; datetime and
    id-like columns, columns in ``settings.exclude`` and columns that cannot be compared
    are listed in ``skipped`` with the reason.

    Args:
        reference: The reference data (the production model's training data).
        current: The data to judge: a new dataset or a window of predictions.
        settings: Methods, thresholds, target and dataset-drift share; defaults follow
            Evidently's rule with a 0.5 share.

    Returns:
        Per-column results with histograms, the target apart, and the dataset verdict.

    Raises:
        DataError: A frame has no rows.
        ConfigError: An override names a method that cannot compare its column.
    """
    started = time.perf_counter()
    settings = settings or DriftSettings()
    _require_rows(reference, "reference")
    _require_rows(current, "current")
    in_current = set(current.columns)
    features: list[ColumnDrift] = []
    skipped: dict[str, str] = {}
    target = None
    for name in (column for column in reference.columns if column in in_current):
        outcome = _compare(name, reference.get_column(name), current.get_column(name), settings)
        if isinstance(outcome, Skip):
            skipped[name] = outcome.reason
        elif name == settings.target:
            target = outcome
        else:
            features.append(outcome)
    drifted = tuple(column.column for column in features if column.drifted)
    share = len(drifted) / len(features) if features else 0.0
    in_reference = set(reference.columns)
    return DriftReport(
        columns=tuple(features),
        target=target,
        dataset_drift=bool(features) and share >= settings.share,
        share_drifted=share,
        drifted_columns=drifted,
        settings=settings,
        duration_s=time.perf_counter() - started,
        n_reference=reference.height,
        n_current=current.height,
        skipped=skipped,
        only_in_reference=tuple(c for c in reference.columns if c not in in_current),
        only_in_current=tuple(c for c in current.columns if c not in in_reference),
    )


def _require_rows(frame: pl.DataFrame, side: str) -> None:
    """Drift needs rows on both sides; say which side has none."""
    if frame.height == 0:
        raise DataError(
            f"the {side} data has no rows ({frame.width} columns): drift needs at least one "
            f"row to compare{'; wait for predictions to be logged' if side == 'current' else ''}"
        )


def _compare(
    name: str, reference: pl.Series, current: pl.Series, settings: DriftSettings
) -> ColumnDrift | Skip:
    """One shared column judged, or the reason it is left out."""
    is_target = name == settings.target
    if name in settings.exclude and not is_target:
        return Skip("excluded by the drift settings")
    keep_ids = is_target or name in settings.overrides
    sample = sample_column(name, reference, current, keep_ids=keep_ids)
    if isinstance(sample, Skip):
        return sample
    return judge_column(sample, settings)


def judge_column(sample: ColumnSample, settings: DriftSettings) -> ColumnDrift:
    """Run the chosen method and PSI on one cleaned column, and bin it for the report.

    Raises:
        ConfigError: The column's override names a method that cannot compare it.
    """
    method, threshold = choose_method(
        sample.name,
        sample.kind,
        numeric=sample.numeric,
        n_reference=sample.n_reference,
        settings=settings,
    )
    histogram, ref_bins, cur_bins = _bin(sample, settings)
    statistic, p_value = _run(method, sample, ref_bins, cur_bins)
    test_drifted = statistic >= threshold if p_value is None else p_value < threshold
    psi_value = methods.psi(ref_bins, cur_bins)[0]
    band = methods.psi_band(psi_value)
    return ColumnDrift(
        column=sample.name,
        kind=sample.kind,
        method=method,
        statistic=statistic,
        p_value=p_value,
        threshold=threshold,
        test_drifted=bool(test_drifted),
        drifted=bool(test_drifted or (settings.psi_drift and band == "major")),
        psi=psi_value,
        psi_band=band,
        histogram=histogram,
        n_reference=sample.n_reference,
        n_current=sample.n_current,
        missing_reference=sample.missing_reference,
        missing_current=sample.missing_current,
    )


def _bin(
    sample: ColumnSample, settings: DriftSettings
) -> tuple[Histogram, NDArray[np.int64], NDArray[np.int64]]:
    """The report's histogram and the full counts the count methods and PSI read.

    Numeric columns: quantile bins (the histogram's counts are the full counts).
    Categories: every category counted, the histogram showing the top ones.
    """
    if sample.kind == "numeric":
        assert sample.reference_sorted is not None and sample.current_sorted is not None
        histogram = numeric_histogram(sample.reference_sorted, sample.current_sorted, settings.bins)
        return histogram, np.asarray(histogram.reference), np.asarray(histogram.current)
    assert sample.labels is not None
    assert sample.reference_counts is not None and sample.current_counts is not None
    histogram = category_histogram(
        sample.labels, sample.reference_counts, sample.current_counts, settings.top_categories
    )
    return histogram, sample.reference_counts, sample.current_counts


def _run(
    method: str, sample: ColumnSample, ref_bins: NDArray[np.int64], cur_bins: NDArray[np.int64]
) -> methods.MethodResult:
    """The method's ``(statistic, p_value)``: on sorted values, or on the counts."""
    if method in ("ks", "wasserstein_normed"):
        assert sample.reference_sorted is not None and sample.current_sorted is not None
        function = methods.ks if method == "ks" else methods.wasserstein_normed
        return function(sample.reference_sorted, sample.current_sorted, presorted=True)
    return _COUNT_METHODS[method](ref_bins, cur_bins)
