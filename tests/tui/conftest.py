"""TUI fixtures: the shared trained template (see ``tests/conftest.py``), a failed run and
runs of the example custom pipeline.

The template (two runs, model versions 1 and 2 awaiting a decision), its per-test copy
and the ``api`` on it come from ``tests/conftest.py``; this folder trains the default
candidates.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from workbench.api import WorkbenchApi, connect

JANUARY = Path(__file__).resolve().parents[2] / "sample_data" / "transactions_2026_01.csv"


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"


@pytest.fixture(autouse=True)
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A per-test ``$XDG_CONFIG_HOME`` and no ``TEXTUAL_THEME``: a theme a test picks is
    remembered there, never in the real user's config, and every app starts on the default."""
    folder = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
    return folder


@pytest.fixture
def warned_csv(tmp_path: Path) -> Path:
    """3,000 January rows the template never saw; rows 5 and 10 have an amount above the
    contract's range, which warns but does not quarantine. Every other number is held
    inside the range the template's rows pinned, so those two are the only warnings."""
    seen = pl.read_csv(JANUARY, n_rows=3000)
    rows = pl.read_csv(JANUARY, n_rows=6000).tail(3000)
    numbers = [n for n, t in rows.schema.items() if t.is_numeric() and n != "is_fraud"]
    rows = rows.with_columns(pl.col(n).clip(seen[n].min(), seen[n].max()) for n in numbers)
    big = pl.int_range(pl.len()).is_in([4, 9])
    path = tmp_path / "january_warned.csv"
    rows = rows.with_columns(
        pl.when(big).then(99_999.0).otherwise(pl.col("amount")).alias("amount")
    )
    rows.write_csv(path)
    return path


@pytest.fixture
def failed_run(
    workspace_copy: Path, failing_pipeline: Callable[[Path], None], warned_csv: Path
) -> Iterator[WorkbenchApi]:
    """The template plus run 3: the failing pipeline on ``warned_csv`` (dataset 2).

    Its task ``explode`` raised, so its traceback is in ``.workbench/logs/run-3/``.
    """
    failing_pipeline(workspace_copy)
    with connect(workspace_copy) as api:
        run = api.run(data=str(warned_csv))
        assert (run.id, run.status, run.dataset_ids) == (3, "failed", (2,)), run
        yield api


@pytest.fixture(scope="session")
def curve_template(
    trained_templates: Callable[[tuple[str, ...]], Path],
    curve_pipeline: Callable[[Path], None],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The template plus runs 3 and 4 of the example custom pipeline on dataset 1, built
    once (copy it, never change it).

    Run 3's ``learning_curve`` logged ``curve.*`` at steps 0..3 and tagged itself; run 4
    reused that result from the task cache, so it shows the task as ``cached``.
    """
    root = Path(shutil.copytree(trained_templates(()), tmp_path_factory.mktemp("curve") / "ws"))
    curve_pipeline(root)
    with connect(root) as api:
        for run_id in (3, 4):
            run = api.run()
            assert (run.id, run.status) == (run_id, "success"), run
    return root


@pytest.fixture
def curve_runs(curve_template: Path, tmp_path: Path) -> Iterator[WorkbenchApi]:
    """This test's copy of :func:`curve_template`, opened."""
    with connect(shutil.copytree(curve_template, tmp_path / "ws")) as api:
        yield api
