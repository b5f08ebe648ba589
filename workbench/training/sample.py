"""Train on a sample when the window holds more rows than ``train.max_rows``.

A training window grows with every file dropped in; past some size the candidates no
longer fit in memory (scikit-learn copies the features several times while it fits),
and past a smaller one more rows stop buying accuracy. So a run trains on at most
``max_rows`` rows and says so:

- with a time column (one ``Date``/``Datetime`` column), the newest rows, since the
  model will score tomorrow's data and the split holds out the newest rows anyway;
- otherwise, for classification, a sample stratified by the target, so a rare class
  (fraud) keeps its share, and each class keeps at least one row;
- otherwise (regression), a uniform sample.

Every choice is seeded, so the same window and seed give the same rows; the kept rows
stay in their original order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from workbench.core.errors import TrainingError
from workbench.core.machine import ram_bytes

MIN_AUTO_ROWS = 10_000
"""The smallest cap the memory-sized default gives, whatever the machine."""

MEMORY_SHARE = 0.1
"""Share of the machine's RAM the training rows may take, working copies included."""

COPIES = 10
"""How many 8-byte copies of each cell fitting makes (encodings, arrays, the model's own)."""


@dataclass(frozen=True)
class Sample:
    """Which rows a run trains on, and why (what the run reports)."""

    frame: pl.DataFrame
    """The rows to train on (the window itself when it fits)."""
    window_rows: int
    """Rows in the window before sampling."""
    max_rows: int
    """The cap that applied (``train.max_rows``, or the memory-sized default)."""
    method: str
    """``"all"`` (it fit), ``"newest"``, ``"stratified"`` or ``"uniform"``."""
    reason: str
    """One sentence for the run's log and events."""

    @property
    def sampled(self) -> bool:
        """True when the run trains on fewer rows than the window holds."""
        return self.method != "all"


def memory_sized_max_rows(columns: int, total_bytes: int | None = None) -> int:
    """The default cap: a tenth of RAM for ``columns`` 8-byte cells, ten copies each.

    Args:
        columns: Columns in the training frame.
        total_bytes: The machine's RAM; read from the OS when None.
    """
    if total_bytes is None:
        total_bytes = ram_bytes()
    per_row = max(1, columns) * 8 * COPIES
    return max(MIN_AUTO_ROWS, int(total_bytes * MEMORY_SHARE / per_row))


def time_column(frame: pl.DataFrame, target: str) -> str | None:
    """The frame's one ``Date``/``Datetime`` column (not the target), or None."""
    found = [
        name
        for name, dtype in frame.schema.items()
        if name != target and (dtype == pl.Date or isinstance(dtype, pl.Datetime))
    ]
    return found[0] if len(found) == 1 else None


def cap_rows(
    frame: pl.DataFrame, target: str, max_rows: int, seed: int = 0, task: str | None = None
) -> Sample:
    """At most ``max_rows`` rows of ``frame`` to train on (see the module for how chosen).

    Args:
        frame: The training window.
        target: The target column (stratified on for classification).
        max_rows: The cap; 0 means the memory-sized default.
        seed: Seed of the random choice.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``; None guesses from the
            target (a float target with many values is regression).

    Raises:
        TrainingError: ``max_rows`` is negative.
    """
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 0:
        raise TrainingError(f"train.max_rows must be a whole number >= 0, got {max_rows!r}")
    cap = max_rows or memory_sized_max_rows(frame.width)
    source = "train.max_rows" if max_rows else "the memory-sized default of train.max_rows"
    if frame.height <= cap:
        return Sample(frame, frame.height, cap, "all", f"all {frame.height:,} rows fit")
    column = time_column(frame, target)
    if column is not None:
        kept = _newest(frame, column, cap)
        how, why = "newest", f"the newest by '{column}'"
    elif target in frame.columns and _classification(frame[target], task):
        kept = _stratified(frame, target, cap, seed)
        how, why = "stratified", f"a sample stratified by '{target}'"
    else:
        kept = _uniform(frame, cap, seed)
        how, why = "uniform", "a uniform random sample"
    reason = (
        f"trained on {kept.height:,} of {frame.height:,} rows ({why}): the window is larger "
        f"than {source} ({cap:,})"
    )
    return Sample(kept, frame.height, cap, how, reason)


def _classification(labels: pl.Series, task: str | None) -> bool:
    if task is not None:
        return task != "regression"
    return not (labels.dtype.is_float() and labels.n_unique() > 20)


def _with_index(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index("__row")


def _newest(frame: pl.DataFrame, column: str, cap: int) -> pl.DataFrame:
    indexed = _with_index(frame)
    keep = indexed.sort([column, "__row"], descending=True, nulls_last=True).head(cap)
    return keep.sort("__row").drop("__row")


def _uniform(frame: pl.DataFrame, cap: int, seed: int) -> pl.DataFrame:
    indexed = _with_index(frame)
    return indexed.sample(n=cap, seed=seed).sort("__row").drop("__row")


def _stratified(frame: pl.DataFrame, target: str, cap: int, seed: int) -> pl.DataFrame:
    """Each class keeps its share of ``cap`` (at least one row), largest remainders first."""
    counts = frame[target].value_counts(sort=True)
    total = frame.height
    shares = {row[0]: cap * row[1] / total for row in counts.iter_rows() if row[0] is not None}
    quota = {label: max(1, math.floor(share)) for label, share in shares.items()}
    left = cap - sum(quota.values())
    by_remainder = sorted(
        shares, key=lambda lab: shares[lab] - math.floor(shares[lab]), reverse=True
    )
    for label in by_remainder:
        if left <= 0:
            break
        quota[label] += 1
        left -= 1
    indexed = _with_index(frame)
    parts = []
    for i, (label, n) in enumerate(sorted(quota.items(), key=lambda kv: str(kv[0]))):
        rows = indexed.filter(pl.col(target) == label)
        parts.append(rows.sample(n=min(n, rows.height), seed=seed + i))
    return pl.concat(parts).sort("__row").drop("__row")
