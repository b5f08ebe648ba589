"""Turn a target column into the numpy labels scikit-learn fits and scores on.

One conversion used by splitting, fitting and evaluating, so the classes a model learns
(``classes_``) have the same type everywhere: ``str`` for string and categorical
targets, Python-compatible numbers otherwise. Plain unicode arrays (not ``object``)
also keep the fitted model's ``classes_`` inside what skops can store safely.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from workbench.core.errors import TrainingError


def target_labels(frame: pl.DataFrame, target: str) -> np.ndarray:
    """Return the target column of ``frame`` as a numpy array without nulls.

    Raises:
        TrainingError: The column is missing or holds nulls (the count is named).
    """
    if target not in frame.columns:
        raise TrainingError(
            f"target column {target!r} is not in the data (columns: {', '.join(frame.columns)})"
        )
    column = frame[target]
    nulls = column.null_count()
    if nulls:
        raise TrainingError(
            f"target column {target!r} has {nulls} null value(s) out of {column.len()}"
        )
    dtype = column.dtype
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return np.asarray(column.cast(pl.String).to_list(), dtype=str)
    return column.to_numpy()


def plain_classes(classes: Any) -> tuple[Any, ...]:
    """Class labels as plain Python values (``str``, ``int``, ``float``, ``bool``).

    numpy scalars do not survive JSON or a DuckDB round trip unchanged; signatures and
    metric reports store these instead.
    """
    return tuple(c.item() if isinstance(c, np.generic) else c for c in classes)
