"""Drift report records: per-column results with their histograms, and the dataset verdict.

Everything a front end shows is in the records (statistics, verdicts, shared-bin
histograms), so the TUI and notebook panels plot without touching the data again. They
cross the api, so they live in ``core`` with plain values only; ``workbench.monitoring``
computes them. ``to_dict`` gives the JSON the engine stores; ``from_dict`` reads it back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from workbench.core.errors import ConfigError

P_VALUE_METHODS = ("ks", "chi_squared", "z_test")
"""Tests: drift when the p-value is below the threshold."""

DISTANCE_METHODS = ("wasserstein_normed", "jensen_shannon", "psi")
"""Distances: drift when the statistic reaches the threshold."""

METHODS = P_VALUE_METHODS + DISTANCE_METHODS
"""Every method name a ``ColumnDriftConfig`` accepts."""

DEFAULT_THRESHOLDS: Mapping[str, float] = MappingProxyType(
    {
        "ks": 0.05,
        "chi_squared": 0.05,
        "z_test": 0.05,
        "wasserstein_normed": 0.1,
        "jensen_shannon": 0.1,
        "psi": 0.1,
    }
)
"""Threshold per method when the settings give none (Evidently's defaults)."""


@dataclass(frozen=True)
class ColumnDriftConfig:
    """How one column is compared, replacing the default rule where set."""

    method: str | None = None
    """One of ``METHODS``; ``None`` keeps the default rule's choice."""
    threshold: float | None = None
    """The p-value below which (tests) or the distance from which (distances) the column
    drifts; ``None`` keeps the method's default (0.05 for tests, 0.1 for distances)."""

    def __post_init__(self) -> None:
        if self.method is not None and self.method not in METHODS:
            raise ConfigError(
                f"unknown drift method {self.method!r}; expected one of {', '.join(METHODS)}"
            )
        if self.threshold is not None and not (
            math.isfinite(self.threshold) and self.threshold > 0
        ):
            raise ConfigError(f"drift threshold must be a positive number, got {self.threshold}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"method": self.method, "threshold": self.threshold}


@dataclass(frozen=True)
class DriftSettings:
    """What a drift report compares and when it calls drift."""

    share: float = 0.5
    """Dataset drift when at least this share of the compared feature columns drift."""
    overrides: Mapping[str, ColumnDriftConfig] = field(default_factory=dict)
    """Per-column method and/or threshold, by column name."""
    target: str | None = None
    """The target (or prediction) column: reported on its own, not counted as a feature."""
    exclude: tuple[str, ...] = ()
    """Columns never compared (besides datetime and id-like ones, left out automatically)."""
    bins: int = 10
    """Quantile bins per numeric column, for its histogram and PSI."""
    top_categories: int = 20
    """Categories a categorical histogram lists before folding the rest into ``other``."""
    psi_drift: bool = True
    """A column whose PSI is ``major`` (>= 0.25) counts as drifted even when its method
    does not flag it (a large reference's normed Wasserstein distance misses a shift of
    the bulk of a long-tailed column; PSI on quantile bins sees it)."""

    def __post_init__(self) -> None:
        if not (0.0 < self.share <= 1.0):
            raise ConfigError(f"drift share must be in (0, 1], got {self.share}")
        if self.bins < 1 or self.top_categories < 1:
            raise ConfigError(
                f"bins and top_categories must be at least 1, got {self.bins} and "
                f"{self.top_categories}"
            )
        for name, config in self.overrides.items():
            if not isinstance(config, ColumnDriftConfig):
                raise ConfigError(
                    f"drift override for column {name!r} must be a ColumnDriftConfig, "
                    f"got {type(config).__name__}"
                )
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))
        object.__setattr__(self, "exclude", tuple(self.exclude))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``from_dict`` reads it back."""
        return {
            "share": self.share,
            "overrides": {name: config.to_dict() for name, config in self.overrides.items()},
            "target": self.target,
            "exclude": list(self.exclude),
            "bins": self.bins,
            "top_categories": self.top_categories,
            "psi_drift": self.psi_drift,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DriftSettings:
        """Settings from ``to_dict``'s form (missing keys take their defaults)."""
        overrides = {
            name: ColumnDriftConfig(**dict(config))
            for name, config in dict(data.get("overrides", {})).items()
        }
        keys = ("share", "target", "bins", "top_categories")
        fields = {key: data[key] for key in keys if data.get(key) is not None}
        return cls(
            **fields,
            overrides=overrides,
            exclude=tuple(data.get("exclude", ())),
            psi_drift=bool(data.get("psi_drift", True)),
        )


@dataclass(frozen=True)
class Histogram:
    """One column of both frames counted on the same bins (or categories)."""

    edges: tuple[float, ...] | None
    """Numeric columns: bin edges, one more than the counts; bins are ``[e_i, e_i+1)``
    and the last one is closed. ``None`` for categorical columns."""
    labels: tuple[str, ...] | None
    """Categorical columns: the categories shown, most frequent first. ``None`` for
    numeric columns."""
    reference: tuple[int, ...]
    """Reference values per bin or category."""
    current: tuple[int, ...]
    """Current values per bin or category."""
    other_reference: int = 0
    """Reference values in categories not listed (beyond the top categories)."""
    other_current: int = 0
    """Current values in categories not listed."""

    @property
    def total_reference(self) -> int:
        """Every reference value counted: the column's non-null reference values."""
        return sum(self.reference) + self.other_reference

    @property
    def total_current(self) -> int:
        """Every current value counted: the column's non-null current values."""
        return sum(self.current) + self.other_current

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "edges": None if self.edges is None else list(self.edges),
            "labels": None if self.labels is None else list(self.labels),
            "reference": list(self.reference),
            "current": list(self.current),
            "other_reference": self.other_reference,
            "other_current": self.other_current,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Histogram:
        """A histogram from ``to_dict``'s form."""
        edges, labels = data.get("edges"), data.get("labels")
        return cls(
            edges=None if edges is None else tuple(float(e) for e in edges),
            labels=None if labels is None else tuple(str(label) for label in labels),
            reference=tuple(int(c) for c in data["reference"]),
            current=tuple(int(c) for c in data["current"]),
            other_reference=int(data.get("other_reference", 0)),
            other_current=int(data.get("other_current", 0)),
        )


@dataclass(frozen=True)
class ColumnDrift:
    """One column compared: the method's result, PSI, and what both frames looked like."""

    column: str
    """Column name."""
    kind: str
    """``numeric``, ``categorical`` or ``binary`` (see ``selection.column_kind``)."""
    method: str
    """The method that judged it (``ks``, ``chi_squared``, ``z_test``,
    ``wasserstein_normed``, ``jensen_shannon`` or ``psi``)."""
    statistic: float
    """The method's statistic (KS D, chi-squared, z, or the distance)."""
    p_value: float | None
    """The test's p-value; ``None`` for distances."""
    threshold: float
    """p-value below which, or distance from which, the method calls drift."""
    test_drifted: bool
    """The method's verdict alone: what Evidently would report."""
    drifted: bool
    """The verdict counted for dataset drift: ``test_drifted``, or a major PSI when
    ``DriftSettings.psi_drift`` is on."""
    psi: float
    """Population stability index on the histogram's bins (categories: all of them)."""
    psi_band: str
    """``none`` (< 0.1), ``moderate`` (< 0.25) or ``major``."""
    histogram: Histogram
    """Reference and current counts on shared bins, for plotting."""
    n_reference: int
    """Non-null reference values compared."""
    n_current: int
    """Non-null current values compared."""
    missing_reference: float
    """Share of reference rows left out as null (or NaN / infinite)."""
    missing_current: float
    """Share of current rows left out as null (or NaN / infinite)."""

    @property
    def score(self) -> float:
        """The number the verdict reads: the p-value for tests, else the distance."""
        return self.statistic if self.p_value is None else self.p_value

    @property
    def missing_change(self) -> float:
        """How much the share of missing values grew from reference to current."""
        return self.missing_current - self.missing_reference

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the histogram nested)."""
        data = {name: getattr(self, name) for name in _COLUMN_FIELDS}
        data["histogram"] = self.histogram.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnDrift:
        """A column result from ``to_dict``'s form."""
        fields = {name: data[name] for name in _COLUMN_FIELDS}
        return cls(**fields, histogram=Histogram.from_dict(data["histogram"]))

    def describe(self) -> str:
        """One line: verdict, method, statistic against threshold, PSI."""
        verdict = "DRIFT" if self.drifted else "ok"
        if self.p_value is None:
            test = f"{self.method} {self.statistic:.3f} (drift from {self.threshold:g})"
        else:
            test = f"{self.method} p={self.p_value:.3g} (drift below {self.threshold:g})"
        line = f"{verdict:<5} {self.column} [{self.kind}] {test}, PSI {self.psi:.3f}"
        line += f" ({self.psi_band})"
        if abs(self.missing_change) >= 0.01:
            line += f", missing {self.missing_reference:.1%} -> {self.missing_current:.1%}"
        return line


_COLUMN_FIELDS = (
    "column",
    "kind",
    "method",
    "statistic",
    "p_value",
    "threshold",
    "test_drifted",
    "drifted",
    "psi",
    "psi_band",
    "n_reference",
    "n_current",
    "missing_reference",
    "missing_current",
)


@dataclass(frozen=True)
class DriftReport:
    """A dataset (or a window of predictions) compared with the reference."""

    columns: tuple[ColumnDrift, ...]
    """Feature columns compared, in the reference's column order."""
    target: ColumnDrift | None
    """The target (or prediction) column, compared apart; ``None`` when not configured
    or absent from either frame."""
    dataset_drift: bool
    """At least ``settings.share`` of the compared feature columns drifted."""
    share_drifted: float
    """Share of compared feature columns that drifted (0 when none were compared)."""
    drifted_columns: tuple[str, ...]
    """Names of the feature columns that drifted."""
    settings: DriftSettings
    """The settings the report was made with."""
    duration_s: float
    """Wall time to compute the report."""
    n_reference: int = 0
    """Rows in the reference frame."""
    n_current: int = 0
    """Rows in the current frame."""
    skipped: Mapping[str, str] = field(default_factory=dict)
    """Columns in both frames left out, with the reason (datetime, id-like, excluded,
    no values, types that differ)."""
    only_in_reference: tuple[str, ...] = ()
    """Columns the current frame lacks."""
    only_in_current: tuple[str, ...] = ()
    """Columns the reference lacks."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "skipped", MappingProxyType(dict(self.skipped)))

    def column(self, name: str) -> ColumnDrift:
        """The result for one feature column (or the target) by name.

        Raises:
            KeyError: The column was not compared.
        """
        for result in (*self.columns, self.target):
            if result is not None and result.column == name:
                return result
        raise KeyError(f"column {name!r} was not compared")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``from_dict`` reads it back."""
        return {
            "columns": [column.to_dict() for column in self.columns],
            "target": None if self.target is None else self.target.to_dict(),
            "dataset_drift": self.dataset_drift,
            "share_drifted": self.share_drifted,
            "drifted_columns": list(self.drifted_columns),
            "settings": self.settings.to_dict(),
            "duration_s": self.duration_s,
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "skipped": dict(self.skipped),
            "only_in_reference": list(self.only_in_reference),
            "only_in_current": list(self.only_in_current),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DriftReport:
        """A report from ``to_dict``'s form."""
        target = data.get("target")
        return cls(
            columns=tuple(ColumnDrift.from_dict(column) for column in data["columns"]),
            target=None if target is None else ColumnDrift.from_dict(target),
            dataset_drift=bool(data["dataset_drift"]),
            share_drifted=float(data["share_drifted"]),
            drifted_columns=tuple(data["drifted_columns"]),
            settings=DriftSettings.from_dict(data["settings"]),
            duration_s=float(data["duration_s"]),
            n_reference=int(data.get("n_reference", 0)),
            n_current=int(data.get("n_current", 0)),
            skipped=dict(data.get("skipped", {})),
            only_in_reference=tuple(data.get("only_in_reference", ())),
            only_in_current=tuple(data.get("only_in_current", ())),
        )

    def summary(self) -> str:
        """A few lines for a person: the verdict, each column, what was left out."""
        verdict = "DATASET DRIFT" if self.dataset_drift else "no dataset drift"
        lines = [
            f"{verdict}: {len(self.drifted_columns)} of {len(self.columns)} columns drifted "
            f"({self.share_drifted:.0%}; dataset drift from {self.settings.share:.0%}), "
            f"{self.n_current:,} rows against {self.n_reference:,}"
        ]
        lines.extend(f"  {column.describe()}" for column in self.columns)
        if self.target is not None:
            lines.append(f"  target: {self.target.describe()}")
        lines.extend(f"  skipped {name}: {reason}" for name, reason in self.skipped.items())
        if self.only_in_reference:
            lines.append(f"  missing from current: {', '.join(self.only_in_reference)}")
        if self.only_in_current:
            lines.append(f"  new in current: {', '.join(self.only_in_current)}")
        return "\n".join(lines)
