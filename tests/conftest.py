"""Shared fixtures: real workspaces in tmp_path, the bundled sample data, trained templates.

Training takes seconds, so the front-end tests (TUI, notebook) share session-wide
template workspaces, each trained once with two runs (model versions 1 and 2, both
candidates awaiting a person); every test gets its own copy of the folder and its own
in-process engine.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
import tomlkit

from workbench.api import WorkbenchApi, connect
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace, open_workspace
from workbench.engine.engine import Engine

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
JANUARY = SAMPLE / "transactions_2026_01.csv"
TARGET = "is_fraud"
CURVE_PIPELINE = REPO / "examples" / "custom_pipeline" / "pipeline.py"
"""The example custom pipeline: ``learning_curve`` logs ``curve.*`` at steps 0..3 (cached
across runs) and tags itself; ``train`` registers one model."""

FAILING_PIPELINE = '''"""Two tasks; the second raises, so the run fails at once with a traceback."""

from workbench.dag import Pipeline, task


@task
def count_rows(frame):
    return frame.height


@task
def explode(count_rows):
    raise ValueError(f"boom after {count_rows} rows")


pipeline = Pipeline("exploding", count_rows >> explode, inputs=("frame",))
'''
"""A custom pipeline.py whose task ``explode`` fails (no training: the run takes a blink)."""


@pytest.fixture
def free_port() -> int:
    """A port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sample_january() -> Path:
    """The bundled reference month (25,000 card transactions)."""
    return JANUARY


@pytest.fixture
def small_sample(tmp_path: Path) -> Path:
    """The first 4,000 January rows as their own CSV: the loop in a few seconds."""
    return _first_rows(tmp_path / "data" / "january_small.csv")


@pytest.fixture(scope="module")
def module_small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`small_sample` for a module-scoped fixture (the same rows, so the same hash)."""
    return _first_rows(tmp_path_factory.mktemp("data") / "january_small.csv")


def _first_rows(path: Path, rows: int = 4000) -> Path:
    path.parent.mkdir(exist_ok=True)
    pl.read_csv(JANUARY, n_rows=rows).write_csv(path)
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh workspace predicting ``is_fraud`` with a low gate, manual approval."""
    settings = WorkbenchConfig()  # the default gate: beat the baseline
    return init_workspace(tmp_path / "ws", target=TARGET, config=settings)


@pytest.fixture
def engine(workspace: Workspace) -> Iterator[Engine]:
    """An in-process engine owning ``workspace``."""
    with Engine(workspace) as owner:
        yield owner


@pytest.fixture(scope="session")
def slice_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3,000 January rows: enough to train, quick to train on."""
    path = tmp_path_factory.mktemp("data") / "january_3k.csv"
    pl.read_csv(JANUARY, n_rows=3000).write_csv(path)
    return path


@pytest.fixture(scope="session")
def trained_templates(
    tmp_path_factory: pytest.TempPathFactory, slice_csv: Path
) -> Callable[[tuple[str, ...]], Path]:
    """Builds, once per candidate list, a closed workspace with two runs and two candidate
    versions (manual approval); returns the template's folder (copy it, never change it)."""
    built: dict[tuple[str, ...], Path] = {}

    def template(candidates: tuple[str, ...]) -> Path:
        if candidates not in built:
            settings = WorkbenchConfig()  # the default gate: beat the baseline
            if candidates:
                settings = with_overrides(settings, "train", candidates=list(candidates))
            folder = tmp_path_factory.mktemp("template") / "ws"
            root = init_workspace(folder, TARGET, settings).root
            with connect(root) as api:
                api.run(data=str(slice_csv))
                api.run()
                assert [m.version for m in api.models("candidate")] == [2, 1]
            built[candidates] = root
        return built[candidates]

    return template


@pytest.fixture
def template_candidates() -> tuple[str, ...]:
    """Candidates the template trains; empty means workbench.toml's default ones.

    A test folder overrides this fixture to train fewer (the notebook tests train one).
    """
    return ()


@pytest.fixture
def template_workspace(
    trained_templates: Callable[[tuple[str, ...]], Path], template_candidates: tuple[str, ...]
) -> Path:
    """The trained template for this folder's candidate list (shared: do not change it)."""
    return trained_templates(template_candidates)


@pytest.fixture
def workspace_copy(template_workspace: Path, tmp_path: Path) -> Path:
    """This test's own copy of the trained workspace."""
    return Path(shutil.copytree(template_workspace, tmp_path / "ws"))


@pytest.fixture
def production(workspace_copy: Path) -> Path:
    """The trained copy with version 1 approved (production: something to serve)."""
    with Engine(open_workspace(workspace_copy)) as engine:
        engine.approve(1)
    return workspace_copy


@pytest.fixture
def api(workspace_copy: Path) -> Iterator[WorkbenchApi]:
    """The copy opened as `connect` opens a workspace (an in-process engine); closed after."""
    with connect(workspace_copy) as owner:
        yield owner


def _install_pipeline(root: Path, source: str) -> None:
    """Make the (closed) workspace at ``root`` run ``source`` as its pipeline.py."""
    (root / "pipeline.py").write_text(source, encoding="utf-8")
    config = root / "workbench.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["pipeline"]["path"] = "pipeline.py"  # type: ignore[index]
    doc["pipeline"]["on_code_change"] = False  # type: ignore[index]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")


@pytest.fixture
def failing_pipeline() -> Callable[[Path], None]:
    """Makes the (closed) workspace at a path run :data:`FAILING_PIPELINE` from now on."""
    return lambda root: _install_pipeline(root, FAILING_PIPELINE)


@pytest.fixture(scope="session")
def curve_pipeline() -> Callable[[Path], None]:
    """Makes the (closed) workspace at a path run :data:`CURVE_PIPELINE` from now on."""
    return lambda root: _install_pipeline(root, CURVE_PIPELINE.read_text(encoding="utf-8"))


from .dask_cluster import process_cluster  # noqa: E402, F401 - one real cluster per session
