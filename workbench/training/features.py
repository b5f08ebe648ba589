"""Decide what each column of a training frame is: a feature of some kind, or dropped.

The plan is made once, from the training data, and then fixes the preprocessor and the
model's input signature. Dropping is explained column by column, because a person
wondering why ``customer_id`` has no weight should read the reason rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from workbench.core.errors import TrainingError
from workbench.training.transformers import parse_datetimes

ID_UNIQUE_RATIO = 0.95
"""Share of distinct non-null values above which a string (or ``*_id`` integer) is an id."""

CATEGORY_LIMIT = 100
"""Most distinct values a string column may have and still be one-hot encoded."""

DATETIME_SAMPLE = 1_000
"""Non-null strings inspected to decide whether a string column holds datetimes."""

_ID_NAME = re.compile(r"(^|_)id$", re.IGNORECASE)
_CAMEL_ID_NAME = re.compile(r"[a-z0-9](Id|ID)$")


@dataclass(frozen=True)
class DroppedColumn:
    """A column the model will not see, and why."""

    name: str
    """Column name as in the training frame."""
    reason: str
    """A short reason a person can check, e.g. ``"id-like: 100% unique strings"``."""


@dataclass(frozen=True)
class FeaturePlan:
    """How every non-target column of the training frame is used."""

    target: str
    """The column the model predicts; never among the features."""
    numeric: tuple[str, ...]
    """Integer and float columns: median-imputed and standardised."""
    categorical: tuple[str, ...]
    """String, boolean and categorical columns with few enough distinct values: one-hot."""
    datetime: tuple[str, ...]
    """Datetime and date columns (and strings that parse as datetimes): calendar parts."""
    dropped: tuple[DroppedColumn, ...]
    """Columns left out, each with the reason."""

    @property
    def features(self) -> tuple[str, ...]:
        """Every column the model reads, numeric first, then categorical, then datetime."""
        return self.numeric + self.categorical + self.datetime

    @property
    def dropped_reasons(self) -> dict[str, str]:
        """Dropped column name to reason, for reports and UIs."""
        return {d.name: d.reason for d in self.dropped}


def plan_features(frame: pl.DataFrame, target: str) -> FeaturePlan:
    """Sort the columns of ``frame`` into numeric, categorical, datetime and dropped.

    Args:
        frame: The training data, target included.
        target: Name of the target column.

    Returns:
        The plan; column order within each group follows the frame.

    Raises:
        TrainingError: The target is not in the frame, or no column is usable.
    """
    if target not in frame.columns:
        raise TrainingError(
            f"target column {target!r} is not in the data (columns: {', '.join(frame.columns)})"
        )
    numeric: list[str] = []
    categorical: list[str] = []
    datetimes: list[str] = []
    dropped: list[DroppedColumn] = []
    groups = {"numeric": numeric, "categorical": categorical, "datetime": datetimes}
    for name in frame.columns:
        if name == target:
            continue
        kind, reason = _classify(frame[name])
        if reason is not None:
            dropped.append(DroppedColumn(name, reason))
        else:
            groups[kind].append(name)
    if not (numeric or categorical or datetimes):
        reasons = "; ".join(f"{d.name}: {d.reason}" for d in dropped) or "no other columns"
        raise TrainingError(f"no usable feature columns besides target {target!r} ({reasons})")
    return FeaturePlan(
        target=target,
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        datetime=tuple(datetimes),
        dropped=tuple(dropped),
    )


def _classify(column: pl.Series) -> tuple[str, str | None]:
    """Return ``(kind, None)`` for a usable column or ``("", reason)`` for a dropped one."""
    non_null = column.len() - column.null_count()
    if non_null == 0:
        return "", "all null"
    kind = _kind_of(column.dtype)
    if kind is None:
        return "", f"unsupported type {column.dtype}"
    distinct = column.drop_nulls().n_unique()
    if distinct == 1:
        return "", "constant"
    unique_share = distinct / non_null
    if kind == "text":
        return _classify_text(column, distinct, unique_share)
    if kind == "integer" and _named_like_id(column.name) and unique_share >= ID_UNIQUE_RATIO:
        return "", f"id-like: {_percent(unique_share)}% unique integers named like an id"
    return ("numeric" if kind == "integer" else kind), None


def _kind_of(dtype: pl.DataType) -> str | None:
    """Broad kind of a column type, or None for types no model here can read."""
    if dtype.is_integer():
        return "integer"
    if dtype.is_numeric():
        return "numeric"
    if dtype == pl.Boolean:
        return "categorical"
    if isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        return "datetime"
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return "text"
    return None


def _classify_text(column: pl.Series, distinct: int, unique_share: float) -> tuple[str, str | None]:
    """Strings are datetimes, categories, ids or free text, in that order of checking."""
    if column.dtype == pl.String and _looks_like_datetimes(column):
        return "datetime", None
    if unique_share >= ID_UNIQUE_RATIO and distinct > 1:
        return "", f"id-like: {_percent(unique_share)}% unique strings"
    if distinct > CATEGORY_LIMIT:
        return "", f"high-cardinality text: {distinct} distinct values (limit {CATEGORY_LIMIT})"
    return "categorical", None


def _named_like_id(name: str) -> bool:
    """``id``, ``customer_id``, ``CUSTOMER_ID`` or ``customerId``, but not ``paid``."""
    return bool(_ID_NAME.search(name) or _CAMEL_ID_NAME.search(name))


def _looks_like_datetimes(column: pl.Series) -> bool:
    """True when every sampled non-null string parses as a datetime."""
    sample = column.drop_nulls().head(DATETIME_SAMPLE)
    parsed = parse_datetimes(sample)
    return parsed.null_count() == 0


def _percent(share: float) -> int:
    """Whole percent rounded down, so 99.7% unique never reads as 100%."""
    return int(share * 100)
