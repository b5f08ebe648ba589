"""Shared fixtures: the generator script loaded as a module, and one generated set of files.

``sample_data/generate.py`` is a script, not part of the ``workbench`` package, so it is
loaded from its path. The files are generated once per module into a temp folder and every
test reads that real output the way a user would, with ``pl.read_csv``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "sample_data" / "generate.py"


@pytest.fixture(scope="session")
def generate() -> ModuleType:
    """The generator script imported as a module (registered so dataclasses resolve)."""
    name = "workbench_sample_data_generate"
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generated_dir(generate: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one full run of ``main``."""
    out = tmp_path_factory.mktemp("sample_data")
    generate.main(["--output-dir", str(out)])
    return out


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, try_parse_dates=True)


@pytest.fixture(scope="session")
def january(generate: ModuleType, generated_dir: Path) -> pl.DataFrame:
    return _read(generated_dir / generate.JANUARY_FILE)


@pytest.fixture(scope="session")
def february(generate: ModuleType, generated_dir: Path) -> pl.DataFrame:
    return _read(generated_dir / generate.FEBRUARY_FILE)


@pytest.fixture(scope="session")
def defects(generate: ModuleType, generated_dir: Path) -> pl.DataFrame:
    return _read(generated_dir / generate.DEFECTS_FILE)
