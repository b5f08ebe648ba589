"""Decide whether a target calls for binary or multiclass classification or regression.

Users rarely say; the target column usually does. Strings and booleans are labels; an
integer column with a handful of values is labels too (``0/1``, ratings ``1..5``);
anything else numeric is a quantity to regress. A person can always override.
"""

from __future__ import annotations

import polars as pl

from workbench.core.errors import TrainingError

TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")
"""Every task the training block knows, in the vocabulary used everywhere."""

CLASS_LIMIT = 20
"""Most distinct integer values a target may have and still be read as class labels."""


def detect_task(target: pl.Series, override: str | None = None) -> str:
    """Return ``"binary"``, ``"multiclass"`` or ``"regression"`` for a target column.

    Args:
        target: The target column of the training data.
        override: A task the user chose in ``workbench.toml``; it is checked against the
            data rather than trusted blindly.

    Raises:
        TrainingError: The target has nulls (the count is named), is constant, has a
            type no task can use, or contradicts ``override``.
    """
    name = target.name
    nulls = target.null_count()
    if nulls:
        raise TrainingError(
            f"target column {name!r} has {nulls} null value(s) out of {target.len()}; "
            "every training row needs a label"
        )
    if target.dtype.is_float() and target.is_nan().any():
        raise TrainingError(f"target column {name!r} has {target.is_nan().sum()} NaN value(s)")
    distinct = target.n_unique()
    if distinct < 2:
        shown = target[0] if target.len() else "no rows"
        raise TrainingError(
            f"target column {name!r} is constant ({shown!r}); there is nothing to learn"
        )
    if override is not None:
        return _check_override(target, override, distinct)
    if _is_label_type(target.dtype):
        return "binary" if distinct == 2 else "multiclass"
    if target.dtype.is_numeric():
        if _integral(target) and distinct <= CLASS_LIMIT:
            return "binary" if distinct == 2 else "multiclass"
        return "regression"
    raise TrainingError(
        f"target column {name!r} has type {target.dtype}, which is neither labels nor numbers"
    )


def _check_override(target: pl.Series, override: str, distinct: int) -> str:
    """Accept a user's task only when the target can support it."""
    name = target.name
    if override not in TASKS:
        raise TrainingError(f"unknown task {override!r}; choose one of {', '.join(TASKS)}")
    if override == "regression" and not target.dtype.is_numeric():
        raise TrainingError(
            f"task 'regression' needs a numeric target, but {name!r} has type {target.dtype}"
        )
    if override == "binary" and distinct != 2:
        raise TrainingError(f"task 'binary' needs 2 classes, but {name!r} has {distinct}")
    if override == "multiclass" and distinct < 3:
        raise TrainingError(
            f"task 'multiclass' needs 3 or more classes, but {name!r} has {distinct}; use 'binary'"
        )
    return override


def _is_label_type(dtype: pl.DataType) -> bool:
    """Strings, categoricals and booleans can only be class labels."""
    return dtype in (pl.String, pl.Categorical, pl.Boolean) or isinstance(dtype, pl.Enum)


def _integral(target: pl.Series) -> bool:
    """True for integer columns and for float columns holding whole numbers only."""
    if target.dtype.is_integer():
        return True
    if target.dtype.is_float():
        return bool((target == target.round(0)).all())
    return False
