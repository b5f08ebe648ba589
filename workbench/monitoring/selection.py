"""Which columns are compared, and by which method: Evidently's default rule plus overrides.

The default rule (Evidently's, so results are comparable):

* the column's kind comes from its type and the number of distinct values over both
  frames: ``binary`` (2 or fewer), ``categorical`` (strings, booleans, categoricals, and
  numbers with at most 5 distinct values) or ``numeric`` (numbers with more than 5);
* a reference of at most 1,000 values is tested: Kolmogorov-Smirnov for ``numeric``,
  chi-squared for ``categorical``, the two-proportion z-test for ``binary``; drift when
  the p-value is below 0.05;
* a larger reference is measured: the normed Wasserstein distance for ``numeric``, the
  Jensen-Shannon distance for ``categorical`` and ``binary``; drift from 0.1.

Datetime columns and id-like columns (see ``looks_like_id``) are left out of feature
drift, as Evidently leaves out its datetime and id columns. A ``ColumnDriftConfig`` in
``DriftSettings.overrides`` replaces the method and/or the threshold of one column, and
brings an id-like column back in.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from workbench.core.drift_report import (
    DEFAULT_THRESHOLDS,
    ColumnDriftConfig,
    DriftSettings,
)
from workbench.core.errors import ConfigError

Kind = Literal["numeric", "categorical", "binary"]
"""How a column's values are compared."""

SAMPLE_METHODS = ("ks", "wasserstein_normed")
"""Methods that need numbers, not categories."""

SMALL_REFERENCE = 1000
"""References of at most this many values are tested (p-values), larger ones measured."""

LOW_CARDINALITY = 5
"""Numbers with at most this many distinct values are compared as categories."""

ID_MIN_VALUES = 20
"""Fewest reference values before a column can be judged id-like."""

ID_UNIQUE_SHARE = 0.95
"""Share of distinct reference values from which a text column is id-like."""


def column_kind(n_unique: int, *, numeric: bool) -> Kind:
    """The kind of a column from its distinct values over both frames (Evidently's rule).

    Args:
        n_unique: Distinct non-null values over reference and current together.
        numeric: The column holds numbers (not text, booleans or categories).
    """
    if n_unique <= 2:
        return "binary"
    if not numeric or n_unique <= LOW_CARDINALITY:
        return "categorical"
    return "numeric"


def default_method(kind: Kind, n_reference: int) -> str:
    """Evidently's default method for a column of ``kind`` with ``n_reference`` values."""
    if n_reference <= SMALL_REFERENCE:
        return {"numeric": "ks", "categorical": "chi_squared", "binary": "z_test"}[kind]
    return "wasserstein_normed" if kind == "numeric" else "jensen_shannon"


def choose_method(
    column: str, kind: Kind, *, numeric: bool, n_reference: int, settings: DriftSettings
) -> tuple[str, float]:
    """The method and threshold for one column: its override, else the default rule.

    Raises:
        ConfigError: The override's method cannot compare this column (a sample method
            on text, the z-test on more than two values).
    """
    config = settings.overrides.get(column, ColumnDriftConfig())
    method = config.method or default_method(kind, n_reference)
    if method in SAMPLE_METHODS and not numeric:
        raise ConfigError(
            f"drift method {method!r} for column {column!r} needs numbers, but the column "
            "holds text, booleans or categories; use chi_squared, jensen_shannon or psi"
        )
    if method == "z_test" and kind != "binary":
        raise ConfigError(
            f"drift method 'z_test' for column {column!r} needs a binary column, but it has "
            "more than two distinct values; use chi_squared or jensen_shannon"
        )
    threshold = config.threshold if config.threshold is not None else DEFAULT_THRESHOLDS[method]
    return method, threshold


def is_datetime(dtype: pl.DataType) -> bool:
    """Dates, datetimes, times and durations: left out of feature drift."""
    return dtype.is_temporal()


def looks_like_id(dtype: pl.DataType, n_values: int, n_unique: int, span: float | None) -> bool:
    """Whether a reference column looks like an identifier, which drift cannot judge.

    Text is id-like when at least 95% of its values are distinct; integers when every
    value is distinct and they are packed into a range no wider than twice their count
    (row numbers, counters). Floats never are. Columns with fewer than 20 values are
    never judged id-like.

    Args:
        dtype: The column's polars type.
        n_values: Non-null reference values.
        n_unique: Distinct non-null reference values.
        span: ``max - min`` of an integer column, else ``None``.
    """
    if n_values < ID_MIN_VALUES:
        return False
    if dtype.is_integer():
        return n_unique == n_values and span is not None and span < 2 * n_values
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return n_unique >= ID_UNIQUE_SHARE * n_values
    return False
