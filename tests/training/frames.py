"""Small synthetic training frames with a known signal, built fresh by each test."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from workbench.training import candidate_names

TARGET = "label"
ROWS = 600


def _features(rows: int, seed: int) -> tuple[pl.DataFrame, np.ndarray]:
    """Feature columns of every kind, plus the latent score the labels are drawn from.

    ``signal`` and ``category`` carry the signal; ``noisy`` has nulls; ``order_id`` is an
    id; ``stamp`` is a datetime whose hour matters a little.
    """
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=rows)
    category = rng.choice(["red", "green", "blue"], size=rows)
    hours = rng.integers(0, 24, size=rows)
    stamps = [
        dt.datetime(2026, 1, 1 + int(d), int(h))
        for d, h in zip(rng.integers(0, 28, rows), hours, strict=True)
    ]
    score = 2.0 * signal + np.where(category == "red", 1.5, 0.0) + (hours >= 22) * 0.5
    noisy = pl.Series("noisy", rng.normal(size=rows)).scatter(
        np.flatnonzero(rng.random(rows) < 0.15), None
    )
    cat_with_nulls = pl.Series("category", category).scatter(
        np.flatnonzero(rng.random(rows) < 0.05), None
    )
    frame = pl.DataFrame(
        {
            "order_id": [f"ord-{i:06d}" for i in range(rows)],
            "signal": signal,
            "noisy": noisy,
            "category": cat_with_nulls,
            "online": rng.random(rows) < 0.4,
            "stamp": stamps,
        }
    )
    return frame, score + rng.normal(scale=0.7, size=rows)


def binary_frame(
    rows: int = ROWS, seed: int = 1, labels: tuple[object, object] = (0, 1)
) -> pl.DataFrame:
    """A learnable binary problem; ``labels`` are (negative, positive)."""
    frame, score = _features(rows, seed)
    picked = [labels[1] if s > 0.5 else labels[0] for s in score]
    return frame.with_columns(pl.Series(TARGET, picked))


def multiclass_frame(rows: int = ROWS, seed: int = 2) -> pl.DataFrame:
    """A learnable three-class problem with string labels."""
    frame, score = _features(rows, seed)
    picked = np.where(score < -0.5, "low", np.where(score < 1.5, "mid", "high"))
    return frame.with_columns(pl.Series(TARGET, picked.tolist()))


def regression_frame(rows: int = ROWS, seed: int = 3) -> pl.DataFrame:
    """A learnable regression problem with a float target."""
    frame, score = _features(rows, seed)
    return frame.with_columns(pl.Series(TARGET, 10.0 + 3.0 * score))


FRAMES = {"binary": binary_frame, "multiclass": multiclass_frame, "regression": regression_frame}


ALL_CANDIDATES = [
    (task, name)
    for task in ("binary", "multiclass", "regression")
    for name in candidate_names(task)
]
