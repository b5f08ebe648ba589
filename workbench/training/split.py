"""Hold out a test set the candidates never see, the same way on every run."""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.model_selection import train_test_split

from workbench.core.errors import TrainingError
from workbench.training.labels import plain_classes, target_labels


def split_frame(
    frame: pl.DataFrame, target: str, task: str, test_size: float = 0.2, seed: int = 0
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split ``frame`` into train and test rows.

    Classification splits are stratified so a rare class (fraud) appears in both halves
    in its true proportion. The same frame and seed always give the same split, and
    rows keep their original order within each half.

    Args:
        frame: All labelled rows.
        target: Name of the target column.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        test_size: Share of rows held out, strictly between 0 and 1.
        seed: Seed of the shuffle.

    Returns:
        ``(train, test)``.

    Raises:
        TrainingError: ``test_size`` is out of range, or there are too few rows (or too
            few rows of some class) to hold any out.
    """
    if not 0.0 < test_size < 1.0:
        raise TrainingError(f"test_size must be between 0 and 1, got {test_size}")
    labels = target_labels(frame, target)
    if frame.height < 2:
        raise TrainingError(f"need at least 2 rows to split off a test set, got {frame.height}")
    stratify = None
    if task != "regression":
        stratify = labels
        _check_class_counts(labels, target)
    rows = np.arange(frame.height)
    try:
        train_rows, test_rows = train_test_split(
            rows, test_size=test_size, random_state=seed, stratify=stratify
        )
    except ValueError as exc:
        raise TrainingError(
            f"cannot split {frame.height} rows with test_size={test_size}: {exc}"
        ) from exc
    return frame[np.sort(train_rows)], frame[np.sort(test_rows)]


def _check_class_counts(labels: np.ndarray, target: str) -> None:
    """A stratified split needs each class at least twice; name the class that is not."""
    classes, counts = np.unique(labels, return_counts=True)
    named = zip(plain_classes(classes), counts.tolist(), strict=True)
    rare = [f"{c!r} ({n} row)" for c, n in named if n < 2]
    if rare:
        raise TrainingError(
            f"target {target!r} has classes with a single row, too few to appear in both "
            f"train and test: {', '.join(rare)}"
        )
