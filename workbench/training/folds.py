"""Cross-validation folds of the training rows, for ``train.selection = "cv"``.

Stratified for classification (a rare class in every fold), grouped when
``train.group_column`` names the rows that belong together (a customer's transactions in
one fold only, so a model is never validated on someone it trained on), and forward in
time for ordered splits (each fold validates on rows later than any it trained on).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

from workbench.core.errors import TrainingError
from workbench.training.labels import target_labels


def cv_folds(
    frame: pl.DataFrame,
    target: str,
    task: str,
    folds: int,
    seed: int,
    *,
    group_column: str = "",
    ordered: bool = False,
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """``(fit_positions, validation_positions)`` per fold of ``frame``'s rows.

    ``ordered`` means the rows are already oldest first: folds then go forward in time
    (the earliest block validates nothing).

    Raises:
        TrainingError: Fewer than 2 folds, more folds than rows (or groups), or a group
            column that is not in the data.
    """
    if folds < 2:
        raise TrainingError(f"train.cv_folds must be at least 2, got {folds}")
    labels = target_labels(frame, target)
    rows = np.arange(frame.height)
    try:
        if group_column:
            if group_column not in frame.columns:
                raise TrainingError(f"train.group_column {group_column!r} is not in the data")
            groups = frame[group_column].cast(pl.String).fill_null("").to_numpy()
            split = GroupKFold(n_splits=folds).split(rows, labels, groups)
        elif ordered:
            split = TimeSeriesSplit(n_splits=folds).split(rows)
        elif task != "regression":
            split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(
                rows, labels
            )
        else:
            split = KFold(n_splits=folds, shuffle=True, random_state=seed).split(rows)
        return tuple((np.asarray(a), np.asarray(b)) for a, b in split)
    except ValueError as exc:
        raise TrainingError(f"cannot make {folds} folds of {frame.height} rows: {exc}") from exc
