"""The rows a run trained on, read back from its accepted datasets.

Its own module, not the runner's, because the drift monitor needs it in a process that
only serves (``workbench serve``), and the runner imports scikit-learn and skops: a
second of CPU and about 100 MiB that reading a few Parquet files does not need.
"""

from __future__ import annotations

import polars as pl

from workbench.core.errors import DataError
from workbench.core.workspace import Workspace
from workbench.store.datasets import DatasetRepo
from workbench.validation import read_dataset


def load_frames(
    workspace: Workspace, datasets: DatasetRepo, dataset_ids: list[int]
) -> pl.DataFrame:
    """The datasets' rows, stacked (columns unified by name).

    Raises:
        DataError: A dataset id is unknown, or there is none.
    """
    frames = []
    for dataset_id in dataset_ids:
        record = datasets.get(dataset_id)
        if record is None:
            raise DataError(f"there is no dataset {dataset_id}")
        frames.append(read_dataset(workspace.inside(record.path)))
    if not frames:
        raise DataError("no accepted datasets to train on: ingest a file first")
    return pl.concat(frames, how="diagonal_relaxed")
