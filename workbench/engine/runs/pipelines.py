"""Which pipeline a run executes: the built-in tabular one or the user's pipeline.py.

A custom pipeline is a Python file inside the workspace (named in ``[pipeline] path``)
that defines ``pipeline`` (a :class:`workbench.dag.Pipeline`) or ``build(settings)``
returning one. It may use the run inputs ``frame`` (the training window as a polars
DataFrame), ``settings`` (:class:`TabularSettings`), ``sink`` (register a model,
raise an alert) and ``champion`` (the production model, or None). Loading it checks it
before any task starts and names what is wrong.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from workbench.core.config import WorkbenchConfig
from workbench.core.errors import PipelineError, WorkbenchError
from workbench.core.workspace import Workspace
from workbench.dag import Pipeline
from workbench.tabular.settings import TabularSettings

RUN_INPUTS = ("frame", "settings", "sink", "champion")


@dataclass(frozen=True)
class LoadedPipeline:
    """A pipeline ready to run, and the hash of the code that defines it."""

    pipeline: Pipeline
    """The checked DAG."""
    code_hash: str
    """sha256 of the defining source file: part of the reproducibility record."""
    source: str
    """Where it came from (a path, or ``builtin:tabular``)."""


def file_hash(path: Path) -> str:
    """sha256 of a source file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def custom_pipeline_path(workspace: Workspace, config: WorkbenchConfig) -> Path | None:
    """The user's pipeline file, if workbench.toml names one (always inside the workspace)."""
    return workspace.inside(config.pipeline.path) if config.pipeline.path else None


def load_pipeline(
    workspace: Workspace, config: WorkbenchConfig, task_kind: str | None
) -> LoadedPipeline:
    """The pipeline for a run.

    Raises:
        PipelineError: The custom file is missing, does not import, or defines no
            valid pipeline; the message names the file and the problem.
    """
    from workbench.tabular import pipeline as tabular  # scikit-learn loads with the first run

    settings = TabularSettings.from_config(config)
    path = custom_pipeline_path(workspace, config)
    if path is None:
        source = Path(tabular.__file__)
        return LoadedPipeline(
            tabular.tabular_pipeline(settings, task_kind), file_hash(source), "builtin:tabular"
        )
    return LoadedPipeline(_import_custom(path, settings), file_hash(path), str(path))


def _line_in(path: Path, exc: BaseException) -> int | None:
    """The line of ``path`` the error points at (syntax errors carry it; others in frames)."""
    if isinstance(exc, SyntaxError):
        return exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return frames[-1].lineno if frames else None


def _import_custom(path: Path, settings: TabularSettings) -> Pipeline:
    if not path.is_file():
        raise PipelineError(f"pipeline file {path} (from [pipeline] path) does not exist")
    name = f"workbench_user_pipeline_{file_hash(path)[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PipelineError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except WorkbenchError as exc:
        raise PipelineError(f"{path.name}: {exc}") from exc
    except Exception as exc:
        line = _line_in(path, exc)
        where = f"{path.name}" + (f", line {line}" if line else "")
        raise PipelineError(f"{where} failed to import: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.modules.pop(name, None)
    built = getattr(module, "pipeline", None)
    if built is None and callable(getattr(module, "build", None)):
        try:
            built = module.build(settings)
        except WorkbenchError as exc:
            raise PipelineError(f"{path.name}: build(settings) failed: {exc}") from exc
    if not isinstance(built, Pipeline):
        raise PipelineError(
            f"{path.name} must define `pipeline = Pipeline(...)` or `def build(settings)` "
            f"returning one (found {type(built).__name__})"
        )
    extra = set(built.inputs) - set(RUN_INPUTS)
    if extra:
        raise PipelineError(
            f"{path.name}: pipeline '{built.name}' asks for run input(s) "
            f"{', '.join(sorted(extra))}; available: {', '.join(RUN_INPUTS)}"
        )
    return built
