"""Which rows are held out for testing and for validation, in what order.

``random`` shuffles (stratified for classification). ``time`` holds out the latest rows
by a time column, so the model is tested on a future it never saw, as production will
be. ``newest_file`` holds out the newest dataset of the training window: the honest test
for a model retrained on arrivals. ``auto`` picks ``time`` when the data has exactly one
datetime column. Validation rows are split off the training rows the same way (the
latest of them for the ordered modes), so no future row ever trains a model that is
judged on the past.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.model_selection import train_test_split

from workbench.core.errors import TrainingError
from workbench.training.labels import plain_classes, target_labels
from workbench.training.transformers import parse_datetimes

SPLITS = ("auto", "random", "time", "newest_file")
"""Values of ``train.split``."""


@dataclass(frozen=True)
class Order:
    """How a frame's rows are ordered for splitting, and why."""

    kind: str
    """random | time | newest_file (``auto`` already resolved)."""
    note: str
    """One sentence for the run log: which order and why."""
    positions: np.ndarray | None = None
    """Row positions oldest first (ordered kinds); None for random."""
    newest_rows: int = 0
    """newest_file: how many of the last rows (in file order) came in the newest file."""


def datetime_columns(frame: pl.DataFrame, target: str) -> list[str]:
    """Columns holding datetimes or dates (the target excepted)."""
    return [
        name
        for name, dtype in frame.schema.items()
        if name != target and (isinstance(dtype, pl.Datetime) or dtype == pl.Date)
    ]


def resolve_order(
    frame: pl.DataFrame,
    target: str,
    split: str,
    time_column: str = "",
    file_rows: tuple[int, ...] = (),
) -> Order:
    """Decide the split order of ``frame`` from ``train.split`` and the data.

    Args:
        frame: All rows of the training window, files stacked oldest first.
        target: Name of the target column.
        split: ``auto``, ``random``, ``time`` or ``newest_file``.
        time_column: ``train.time_column``; empty lets ``auto`` and ``time`` find the one
            datetime column.
        file_rows: Rows per dataset of the window, oldest first (for ``newest_file``).

    Raises:
        TrainingError: ``time`` without a usable time column, or an unknown split.
    """
    if split not in SPLITS:
        raise TrainingError(f"train.split must be one of {', '.join(SPLITS)}, got {split!r}")
    if split == "random":
        return Order("random", "split: random (train.split = random)")
    found = datetime_columns(frame, target)
    column = time_column or (found[0] if len(found) == 1 else "")
    if time_column and time_column not in frame.columns:
        raise TrainingError(
            f"train.time_column {time_column!r} is not in the data "
            f"(datetime columns: {', '.join(found) or 'none'})"
        )
    if split == "newest_file":
        if len(file_rows) >= 2 and 0 < file_rows[-1] < frame.height:
            positions = _time_positions(frame, column) if column else np.arange(frame.height)
            return Order(
                "newest_file",
                f"split: newest_file: the newest dataset ({file_rows[-1]} rows) is the test set"
                + (f"; earlier rows ordered by {column!r}" if column else ""),
                positions,
                file_rows[-1],
            )
        if not column:
            return Order("random", "split: random (newest_file needs two datasets, there is one)")
        return Order(
            "time",
            f"split: time by {column!r} (newest_file needs two datasets in the window)",
            _time_positions(frame, column),
        )
    if split == "time" and not column:
        raise TrainingError(
            "train.split = time needs train.time_column: the data has "
            + (f"{len(found)} datetime columns ({', '.join(found)})" if found else "none")
        )
    if not column:
        why = f"{len(found)} datetime columns" if found else "no datetime column"
        return Order("random", f"split: random (auto: the data has {why})")
    source = "train.time_column" if time_column else "auto: the one datetime column"
    return Order(
        "time",
        f"split: time by {column!r} ({source}): the newest rows are the test set",
        _time_positions(frame, column),
    )


def _time_positions(frame: pl.DataFrame, column: str) -> np.ndarray:
    """Row positions oldest first (stable: equal times keep file order; nulls first)."""
    stamps = parse_datetimes(frame[column]).dt.epoch("us").fill_null(np.iinfo(np.int64).min)
    return np.argsort(stamps.to_numpy(), kind="stable")


def holdout(
    frame: pl.DataFrame,
    target: str,
    task: str,
    share: float,
    seed: int,
    order: Order,
    what: str = "test",
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the kept and the held-out rows of ``frame``.

    Ordered kinds hold out the latest ``share`` of rows (``newest_file``: the newest
    file's rows when ``what`` is test) and keep the rest oldest first; random splits are
    stratified for classification and keep file order.

    Raises:
        TrainingError: ``share`` out of range, too few rows, or a held-out part (or the
            rest) missing a class the task needs.
    """
    if not 0.0 < share < 1.0:
        raise TrainingError(f"{what} share must be between 0 and 1, got {share}")
    n = frame.height
    if n < 2:
        raise TrainingError(f"need at least 2 rows to split off a {what} set, got {n}")
    labels = target_labels(frame, target)
    if order.kind == "random":
        stratify = None
        if task != "regression":
            stratify = labels
            _check_class_counts(labels, target, what)
        try:
            kept, held = train_test_split(
                np.arange(n), test_size=share, random_state=seed, stratify=stratify
            )
        except ValueError as exc:
            raise TrainingError(f"cannot split {n} rows with {what} share {share}: {exc}") from exc
        return np.sort(kept), np.sort(held)
    positions = order.positions if order.positions is not None else np.arange(n)
    if order.kind == "newest_file" and what == "test":
        newest = np.arange(n - order.newest_rows, n)
        kept = positions[~np.isin(positions, newest)]
        held = newest
    else:
        cut = n - max(1, math.ceil(share * n))
        kept, held = positions[:cut], positions[cut:]
    if task != "regression":
        _check_both_sides(labels, kept, held, target, what)
    return kept, held


def _check_both_sides(
    labels: np.ndarray, kept: np.ndarray, held: np.ndarray, target: str, what: str
) -> None:
    """An ordered split may leave a class out of one side; say so instead of failing later."""
    everywhere = set(plain_classes(np.unique(labels)))
    for side, rows in ((what, held), ("training", kept)):
        missing = everywhere - set(plain_classes(np.unique(labels[rows])))
        if missing:
            raise TrainingError(
                f"the {side} rows of this ordered split hold no row of class(es) "
                f"{sorted(missing, key=str)} of target {target!r}; use more data, a larger "
                "share, or train.split = random"
            )


def _check_class_counts(labels: np.ndarray, target: str, what: str = "test") -> None:
    """A stratified split needs each class at least twice; name the class that is not."""
    classes, counts = np.unique(labels, return_counts=True)
    named = zip(plain_classes(classes), counts.tolist(), strict=True)
    rare = [f"{c!r} ({n} row)" for c, n in named if n < 2]
    if rare:
        raise TrainingError(
            f"target {target!r} has classes with a single row, too few to appear in both "
            f"the kept and the {what} rows: {', '.join(rare)}"
        )
