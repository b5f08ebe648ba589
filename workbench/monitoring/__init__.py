"""Drift monitoring: compare a dataset or a window of predictions with the reference.

Pure functions over polars frames. ``detect_drift`` returns a ``DriftReport`` (per-column
statistics, verdicts and shared-bin histograms; the target apart; the dataset verdict)
that ``to_dict`` turns into JSON for the store. Methods follow Evidently's default rule
(see ``selection``), with PSI for every column.
"""

from __future__ import annotations

from workbench.core.drift_report import (
    DEFAULT_THRESHOLDS,
    METHODS,
    ColumnDrift,
    ColumnDriftConfig,
    DriftReport,
    DriftSettings,
    Histogram,
)
from workbench.monitoring.detect import detect_drift
from workbench.monitoring.methods import (
    chi_squared,
    jensen_shannon,
    ks,
    psi,
    psi_band,
    wasserstein_normed,
    z_test,
)
from workbench.monitoring.selection import column_kind, default_method
from workbench.monitoring.windows import prediction_windows

__all__ = [
    "DEFAULT_THRESHOLDS",
    "METHODS",
    "ColumnDrift",
    "ColumnDriftConfig",
    "DriftReport",
    "DriftSettings",
    "Histogram",
    "chi_squared",
    "column_kind",
    "default_method",
    "detect_drift",
    "jensen_shannon",
    "ks",
    "prediction_windows",
    "psi",
    "psi_band",
    "wasserstein_normed",
    "z_test",
]
